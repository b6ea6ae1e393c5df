"""The `uses:` actions the nightly workflow takes, each by a local equivalent (ACTIONS): a function of
the running Job and the step's `with:` inputs that sets job.outputs and returns the exit status."""
import fnmatch
import glob
import os
import shutil
import subprocess
import tempfile

from measurement.paths import git
from testing.nightly import Unsupported, unknown
from testing.nightly.expressions import as_text
from tools.bench import interpreter_env, runs_here


def checkout(job, with_):
    """actions/checkout: a clone of the stand-in repository, branch main at the night's commit, origin
    pointing at the stand-in (fetch-depth 0: the whole history)."""
    unknown(with_, {"fetch-depth"}, "actions/checkout input")
    depth = int(with_.get("fetch-depth", 1))
    git("clone", "--quiet", "--no-checkout", *(["--depth", str(depth)] if depth else []),
        "file://" + job.origin, ".", cwd=job.workspace)
    git("checkout", "--quiet", "-B", "main", job.sha, cwd=job.workspace)
    return 0


def setup_python(job, with_):
    """actions/setup-python: this host's interpreters of the listed versions, the last one the default
    (under pyenv, by PYENV_VERSION) and its full version the output python-version; an error when one is missing."""
    unknown(with_, {"python-version"}, "actions/setup-python input")
    versions = with_["python-version"].split()
    picked = interpreter_env(versions[::-1]).get("PYENV_VERSION")
    if picked:
        job.env["PYENV_VERSION"] = picked
    missing = [v for v in versions if not runs_here(v, job.env)]
    if missing:
        raise Unsupported(f"setup-python: no Python {', '.join(missing)} on this machine")
    job.outputs["python-version"] = subprocess.run(
        [f"python{versions[-1]}", "-c", "import platform; print(platform.python_version())"], env=job.env,
        capture_output=True, text=True, check=True).stdout.strip()
    return 0


def copy_paths(paths, source, target):
    """Copy each relative path (file or folder, symlinks kept as links) from source to target."""
    for path in paths:
        origin = os.path.join(source, path)
        if os.path.isdir(origin):
            shutil.copytree(origin, os.path.join(target, path), symlinks=True, dirs_exist_ok=True)
        elif os.path.lexists(origin):
            os.makedirs(os.path.dirname(os.path.join(target, path)), exist_ok=True)
            shutil.copy2(origin, os.path.join(target, path), follow_symlinks=False)


def cache_paths(with_):
    """The `path` lines of an actions/cache step; only plain paths inside the workspace are emulated."""
    paths = [p for p in with_["path"].split() if p]
    if any(os.path.isabs(p) or ".." in p.split("/") or any(c in p for c in "*?[!~") for p in paths):
        raise Unsupported(f"actions/cache: only plain paths inside the workspace are emulated, not {paths}")
    return paths


def restore_cache(job, with_):
    """actions/cache/restore: restore the entry of `key`, else of the newest entry whose key starts with a
    line of `restore-keys` (output cache-hit: true only for `key` itself). The store is SANDBOX/caches/KEY,
    kept across nights as GitHub keeps a repository's caches."""
    unknown(with_, {"path", "key", "restore-keys"}, "actions/cache input")
    paths, key = cache_paths(with_), with_["key"]
    entries = sorted(os.listdir(job.caches), key=lambda e: os.path.getmtime(os.path.join(job.caches, e)),
                     reverse=True) if os.path.isdir(job.caches) else []
    prefixes = [line.strip() for line in with_.get("restore-keys", "").splitlines() if line.strip()]
    found = key if key in entries else next((e for p in prefixes for e in entries if e.startswith(p)), None)
    if found:
        copy_paths(paths, os.path.join(job.caches, found), job.workspace)
    job.outputs["cache-hit"] = as_text(found == key)
    job.echo(f"cache {'restored from ' + found if found else 'not found'} for key {key}")
    return 0


def saved(job, with_):
    """Save the paths under `key` unless that entry exists (entries are immutable), whole or not at all, as
    a killed upload leaves no entry; what was done, in words."""
    key, target = with_["key"], os.path.join(job.caches, with_["key"])
    if os.path.exists(target):
        return f"cache entry {key} exists; not saved"
    os.makedirs(job.caches, exist_ok=True)
    partial = tempfile.mkdtemp(dir=job.caches, prefix=".saving-")
    copy_paths(cache_paths(with_), job.workspace, partial)
    os.rename(partial, target)
    return f"cache saved as {key}"


def save_cache(job, with_):
    """actions/cache/save: ``saved`` as a step of its own (a workflow runs it where it likes, e.g. always())."""
    unknown(with_, {"path", "key"}, "actions/cache/save input")
    job.echo(saved(job, with_))
    return 0


def cache(job, with_):
    """actions/cache: restore_cache, and in its post step, which runs only when every step succeeded (its
    post-if), ``saved`` under `key`."""
    restore_cache(job, with_)
    job.posts.append(("actions/cache", "success()", lambda: saved(job, with_)))
    return 0


def upload_artifact(job, with_):
    """actions/upload-artifact (v4): the listed paths copied to the run's artifact store, ARTIFACTS/NAME/,
    below their least common ancestor as GitHub roots them (a missing path is a warning; a name already
    uploaded in the run is an error)."""
    unknown(with_, {"name", "path"}, "actions/upload-artifact input")
    dest = os.path.join(job.artifacts, with_["name"])
    if os.path.exists(dest):
        job.echo(f"error: an artifact named {with_['name']} exists in this run")
        return 1
    found = []
    for pattern in with_["path"].split():
        matched = glob.glob(os.path.join(job.workspace, pattern.rstrip("/")))
        if not matched:
            job.echo(f"warning: no files found at {pattern}")
        found += matched
    if not found:
        return 0
    root = found[0] if len(found) == 1 and os.path.isdir(found[0]) else os.path.commonpath(
        [p if os.path.isdir(p) else os.path.dirname(p) for p in found])
    for path in found:
        target = os.path.join(dest, os.path.relpath(path, root))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.isdir(path):
            shutil.copytree(path, target, dirs_exist_ok=True)
        else:
            shutil.copy2(path, target)
    return 0


def download_artifact(job, with_):
    """actions/download-artifact (v4): the run's artifact `name` into `path`, or every artifact matching
    `pattern` each into path/NAME/; none found is a warning for a pattern and an error for a name."""
    unknown(with_, {"name", "pattern", "path"}, "actions/download-artifact input")
    path = os.path.join(job.workspace, with_.get("path", "."))
    names = sorted(os.listdir(job.artifacts)) if os.path.isdir(job.artifacts) else []
    if "name" in with_:
        if with_["name"] not in names:
            job.echo(f"error: no artifact named {with_['name']}")
            return 1
        shutil.copytree(os.path.join(job.artifacts, with_["name"]), path, dirs_exist_ok=True)
        return 0
    matched = [n for n in names if fnmatch.fnmatch(n, with_.get("pattern", "*"))]
    job.echo(f"downloaded {len(matched)} artifact(s): {', '.join(matched) or 'none'}")
    for name in matched:
        shutil.copytree(os.path.join(job.artifacts, name), os.path.join(path, name), dirs_exist_ok=True)
    return 0


def upload_pages_artifact(job, with_):
    """actions/upload-pages-artifact: the folder `path` as the run's artifact github-pages."""
    unknown(with_, {"path"}, "actions/upload-pages-artifact input")
    source = os.path.join(job.workspace, with_["path"])
    if not os.path.isdir(source):
        job.echo(f"error: {with_['path']} is not a folder")
        return 1
    shutil.copytree(source, os.path.join(job.artifacts, "github-pages"))
    return 0


def deploy_pages(job, with_):
    """actions/deploy-pages: the run's github-pages artifact becomes the site, SANDBOX/pages, replaced whole;
    refused without the job's `pages: write` and `id-token: write`. Output page_url."""
    unknown(with_, set(), "actions/deploy-pages input")
    lacking = [p for p in ("pages", "id-token") if job.permissions.get(p) != "write"]
    if lacking:
        job.echo(f"error: deploy-pages needs {', '.join(p + ': write' for p in lacking)}")
        return 1
    site, staged = os.path.join(job.sandbox, "pages"), os.path.join(job.sandbox, ".pages-deploying")
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(os.path.join(job.artifacts, "github-pages"), staged)
    shutil.rmtree(site, ignore_errors=True)
    os.rename(staged, site)
    job.outputs["page_url"] = "file://" + site + "/"
    return 0


ACTIONS = {"actions/checkout": checkout, "actions/setup-python": setup_python, "actions/cache": cache,
           "actions/cache/restore": restore_cache, "actions/cache/save": save_cache, "actions/upload-artifact": upload_artifact,
           "actions/download-artifact": download_artifact, "actions/upload-pages-artifact": upload_pages_artifact,
           "actions/deploy-pages": deploy_pages}

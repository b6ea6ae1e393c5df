"""The gate's builds: revisions resolved to commits, each commit built once per toolchain into
.asv/gate/builds/<key> under a file lock, and that folder kept to its most recently used builds."""
import fcntl
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import tempfile

from measurement import paths
from measurement.paths import ROOT
from tools import gate

KEPT_BUILDS = 8  # builds kept in .asv/gate/builds: a few nights' baselines, candidates and bisection midpoints


def git(*args):
    """The output of ``git args`` in the checkout; raises CannotCompare when git fails."""
    try:
        return paths.git(*args, cwd=ROOT)
    except subprocess.CalledProcessError as exc:
        raise gate.CannotCompare(f"git {' '.join(args)}: {exc.stderr.strip()}") from None


def resolve(candidate, baseline):
    """(baseline sha, candidate sha); without a baseline, the candidate's merge-base with main or, when
    the candidate is on main, its parent."""
    cand = git("rev-parse", "--verify", f"{candidate}^{{commit}}")
    if baseline:
        return git("rev-parse", "--verify", f"{baseline}^{{commit}}"), cand
    base = git("merge-base", cand, "main")
    if base == cand:
        try:
            base = git("rev-parse", "--verify", f"{cand}~1^{{commit}}")
        except gate.CannotCompare:
            raise gate.CannotCompare(f"no baseline: {cand[:8]} is the first commit on main") from None
    return base, cand


def toolchain():
    """The versions, in the interpreter running the gate, of everything besides the commit that shapes a build."""
    versions = {"python": platform.python_version()}
    for name in ("numpy", "numba", "cython"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "none"
    return versions


def build_key(sha):
    """The build cache's key: <sha>-python3.11.7-numpy2.4.6-numba0.68.1-cython3.3.1."""
    return "-".join([sha, *(name + version for name, version in toolchain().items())])


def install(sha, tmp):
    """pip-install the commit's npopt (with its Cython extension) into tmp/site; return that path."""
    src, site = os.path.join(tmp, "src"), os.path.join(tmp, "site")
    os.makedirs(src)
    archive = subprocess.run(["git", "archive", sha], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", src], input=archive, check=True)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--target", site, src], capture_output=True, text=True)
    if done.returncode:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise gate.CannotCompare(f"the build of {sha[:8]} failed:\n{tail}")
    return site


def build_commit(sha):
    """The build of the commit in .asv/gate/builds/<build_key>, made once. Concurrent gates take the key's
    file lock (the second one waits, then reuses), and a build is built in a temporary directory and
    published by an atomic rename, so no gate ever sees a partial one."""
    builds = os.path.join(gate.WORK, "builds")
    os.makedirs(builds, exist_ok=True)
    site = os.path.join(builds, build_key(sha))
    with open(site + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not os.path.isdir(site):
            with tempfile.TemporaryDirectory(dir=builds, prefix=".building-") as tmp:
                os.rename(install(sha, tmp), site)
        os.utime(site)  # used now: prune_builds keeps the most recently used
    return site


def prune_builds(keep=KEPT_BUILDS):
    """Remove all but the ``keep`` most recently used builds (and their counts) from .asv/gate/builds, so
    that the folder, which the nightly keeps from night to night, stays bounded. Called with the gate lock
    held (tools/lock.py), when no gate or bisection is using a build."""
    builds = os.path.join(gate.WORK, "builds")
    sites = [os.path.join(builds, n) for n in os.listdir(builds) if not n.startswith(".") and not n.endswith(".lock")
             ] if os.path.isdir(builds) else []
    for site in sorted(sites, key=os.path.getmtime, reverse=True)[keep:]:
        shutil.rmtree(site)
        if os.path.exists(site + ".lock"):
            os.remove(site + ".lock")

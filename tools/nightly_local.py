"""The nightly workflow, run here night after night against a local stand-in for GitHub.

  python -m tools.nightly_local [--numpy 2.4.6] [--bench fused_expressions] [--dir .asv/nightly-local]

Each night runs the steps of .github/workflows/nightly.yml, read from the night's commit, as GitHub's
runner would: a fresh workspace, every `run:` script with `bash -e` and the step's environment,
`${{ }}` expressions and `if:` conditions evaluated, GITHUB_WORKSPACE, GITHUB_ENV, GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY provided, and each `uses:` action by its local equivalent in ACTIONS (an action
missing there, or a workflow key this runner does not know, is an error; post steps run last, under
their post-if). GitHub's repository is a bare repository DIR/origin.git holding this repository's HEAD
as main, its caches are folders DIR/caches/KEY, and issues are filed as files DIR/issues/N.md by a `gh`
shim on PATH. `timeout-minutes` and `concurrency` are not enforced.

The scenario, each night checked: 1 stores results; 2 (the same commit) passes the gate; 3 comes
after three pushed commits, the middle one doing real extra work in fused_expressions.expression's
numexpr variant, fails the gate, and its bisection names that commit in the job summary and a filed issue;
4 (one more commit) has its benchmark step killed with SIGKILL midway; 5 passes. After every night
the results branch holds each earlier night's results unchanged. --numpy and --bench are the
workflow's dispatch inputs (one NumPy environment and one technique: the reduced form, which
`make test` runs, tests/test_nightly.py); without them each night is a scheduled run over the
whole NumPy matrix and suite. Exit status 0, or 1 with the failed check.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import yaml

from tools.bench import interpreter_env, runs_here

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKFLOW = ".github/workflows/nightly.yml"
WORKFLOW_KEYS = {"name", "on", "permissions", "concurrency", "env", "jobs"}
JOB_KEYS = {"name", "runs-on", "timeout-minutes", "permissions", "env", "steps"}
STEP_KEYS = {"name", "id", "if", "run", "uses", "with", "env", "shell", "working-directory"}
SHELLS = {None: ["bash", "-e"], "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"]}
STATUS_FUNCTIONS = ("always", "success", "failure", "cancelled")
PLANT = ("npopt/fused_expressions.py",
         '    return numexpr.evaluate(EXPRESSION_TEXT, local_dict={"a": a, "b": b, "c": c})\n',
         '    numexpr.evaluate(EXPRESSION_TEXT, local_dict={"a": a, "b": b, "c": c})  # evaluated twice\n'
         '    return numexpr.evaluate(EXPRESSION_TEXT, local_dict={"a": a, "b": b, "c": c})\n')
KILL = ("Benchmarks", r"\] ··· bench_")  # SIGKILL in this step once its output shows a finished benchmark


class Unsupported(Exception):
    """The workflow uses something this runner does not emulate."""


class ScenarioFailed(Exception):
    """A night did not do what it must."""


# ---- GitHub expressions


TOKEN = re.compile(r"\s*(?:(&&|\|\||==|!=|!|\(|\))|'((?:[^']|'')*)'|(\w+)\(\)|([A-Za-z_][\w-]*(?:\.[\w-]+)*))")


def hash_files(workspace, patterns):
    """GitHub's hashFiles(): the SHA-256 of the SHA-256 of every file the glob patterns match under
    the workspace, in path order; '' when none matches."""
    paths = sorted({p for pattern in patterns for p in glob.glob(os.path.join(workspace, pattern), recursive=True)
                    if os.path.isfile(p)})
    if not paths:
        return ""
    total = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            total.update(hashlib.sha256(f.read()).digest())
    return total.hexdigest()


def evaluate(expression, context, status):
    """A GitHub expression of the forms workflows use: status functions (from `status`), hashFiles('glob', ...)
    (under github.workspace), ! && || == !=, parentheses, 'strings', true/false/null and context paths such
    as steps.gate.outcome (missing: '')."""
    workspace = context.get("github", {}).get("workspace", ".")
    expression = re.sub(r"\bhashFiles\(((?:\s*'(?:[^']|'')*'\s*,?)*)\)", lambda m: repr(hash_files(
        workspace, [s.replace("''", "'") for s in re.findall(r"'((?:[^']|'')*)'", m.group(1))])), expression)
    python, text, pos = [], expression.strip(), 0
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match:
            raise Unsupported(f"expression {expression!r}: cannot read {text[pos:]!r}")
        op, string, function, path = match.groups()
        pos = match.end()
        if op:
            python.append({"&&": " and ", "||": " or ", "!": " not "}.get(op, op))
        elif string is not None:
            python.append(repr(string.replace("''", "'")))
        elif function:
            if function not in status:
                raise Unsupported(f"expression {expression!r}: function {function}() is not emulated")
            python.append(repr(status[function]))
        elif path in ("true", "false", "null"):
            python.append({"true": "True", "false": "False", "null": "None"}[path])
        else:
            value = context
            for part in path.split("."):
                value = value.get(part, "") if isinstance(value, dict) else ""
            python.append(repr(value))
    return eval("".join(python), {"__builtins__": {}})


def as_text(value):
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def substitute(text, context, status):
    """text with every ${{ expression }} replaced by its value, as GitHub does before a step runs."""
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: as_text(evaluate(m.group(1), context, status)), str(text))


def should_run(step, context, status):
    """A step's `if:`; without a status function GitHub reads it as success() && (...)."""
    condition = re.sub(r"^\$\{\{(.*)\}\}$", r"\1", str(step.get("if", "success()")).strip(), flags=re.S)
    if not re.search(rf"\b({'|'.join(STATUS_FUNCTIONS)})\(\)", condition):
        condition = f"success() && ({condition})"
    return bool(evaluate(condition, context, status))


# ---- the runner


def git(*args, cwd=ROOT):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def read_pairs(path):
    """NAME=value and NAME<<DELIMITER ... DELIMITER lines, as GITHUB_ENV and GITHUB_OUTPUT hold them."""
    pairs, lines = {}, open(path).read().splitlines() if os.path.exists(path) else []
    while lines:
        line = lines.pop(0)
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter)
            pairs[name], lines = "\n".join(lines[:end]), lines[end + 1:]
        elif "=" in line:
            name, value = line.split("=", 1)
            pairs[name] = value
    return pairs


def _tree(pid):
    """pid and every process below it, from /proc."""
    children = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            parent = int(open(stat).read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError):
            continue
        children.setdefault(parent, []).append(int(stat.split("/")[2]))
    found, todo = set(), [pid]
    while todo:
        victim = todo.pop()
        found.add(victim)
        todo += children.get(victim, [])
    return found


def _signal(pids, signum):
    for victim in pids:
        try:
            os.kill(victim, signum)
        except ProcessLookupError:
            pass


def kill_tree(pid):
    """SIGKILL pid and every process below it. The tree is first stopped (SIGSTOP) until it stops
    growing, so a child forked while the tree is read cannot escape and hold the step's output open."""
    stopped = set()
    while True:
        grown = _tree(pid) - stopped
        if not grown:
            break
        _signal(grown, signal.SIGSTOP)
        stopped |= grown
    _signal(stopped, signal.SIGKILL)


class Job:
    """One run of one workflow job in a fresh workspace, GitHub's runner as far as the nightly uses it."""

    def __init__(self, sandbox, night_dir, sha, event, inputs, permissions, kill=None, echo=print):
        self.origin, self.night_dir, self.sha, self.kill, self.echo = (
            os.path.join(sandbox, "origin.git"), night_dir, sha, kill, echo)
        self.caches = os.path.join(sandbox, "caches")  # actions/cache's store, shared by the nights
        self.posts, self.outputs = [], {}  # the actions' post steps; the running action's outputs
        self.workspace = os.path.join(sandbox, "workspace")
        shutil.rmtree(self.workspace, ignore_errors=True)
        os.makedirs(self.workspace)
        os.makedirs(night_dir)
        self.summary = os.path.join(night_dir, "summary.md")
        token = "local-token:" + ",".join(f"{k}={v}" for k, v in sorted(permissions.items()))
        self.context = {"github": {"event_name": event, "sha": sha, "ref": "refs/heads/main", "token": token,
                                   "workspace": self.workspace, "repository": "npopt/npopt"},
                        "inputs": inputs, "steps": {}, "env": {}, "runner": {"os": "Linux", "temp": night_dir}}
        outer = os.environ.get("VIRTUAL_ENV")  # an activated venv of this checkout's is not the runner's
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
                    and not k.startswith(("GITHUB_", "RUNNER_"))}
        path = [p for p in self.env["PATH"].split(os.pathsep) if not (outer and p.startswith(outer))]
        self.env.update(PATH=os.pathsep.join([os.path.join(sandbox, "bin"), *path]), CI="true", GITHUB_ACTIONS="true",
                        GITHUB_WORKSPACE=self.workspace, GITHUB_SHA=sha, GITHUB_REF="refs/heads/main",
                        GITHUB_EVENT_NAME=event, GITHUB_REPOSITORY="npopt/npopt", RUNNER_TEMP=night_dir)

    def run(self, job):
        """Run the job's steps; {"conclusion": "success" | "failure", "steps": [(name, outcome, seconds)]}."""
        unknown(job, JOB_KEYS, "job")
        failed, record = False, []
        status = {"always": True, "cancelled": False}
        self.env.update({k: substitute(v, self.context, status) for k, v in (job.get("env") or {}).items()})
        for number, step in enumerate(job["steps"], 1):
            unknown(step, STEP_KEYS, "step")
            name = step.get("name") or step.get("uses") or step["run"].splitlines()[0]
            status.update(success=not failed, failure=failed)
            started, outcome, outputs = time.monotonic(), "skipped", {}
            self.echo(f"\n=== step {number}/{len(job['steps'])}: {name}")
            if should_run(step, self.context, status):
                code, outputs = self.step(number, name, step, status)
                outcome = "success" if code == 0 else "failure"
            self.echo(f"=== {outcome}: {name} ({time.monotonic() - started:.0f} s)")
            failed |= outcome == "failure"
            record.append((name, outcome, round(time.monotonic() - started)))
            if "id" in step:
                self.context["steps"][step["id"]] = {"outcome": outcome, "conclusion": outcome, "outputs": outputs}
        for name, post_if, post in reversed(self.posts):  # GitHub runs them last, the last action's first
            status.update(success=not failed, failure=failed)
            ran = bool(evaluate(post_if, self.context, status))
            started = time.monotonic()
            self.echo(f"\n=== post {name}: {post() if ran else 'skipped (' + post_if + ')'}")
            record.append((f"Post {name}", "success" if ran else "skipped", round(time.monotonic() - started)))
        return {"conclusion": "failure" if failed else "success", "steps": record}

    def step(self, number, name, step, status):
        """Run one step: (exit status, outputs). What it wrote to GITHUB_ENV goes to the later steps' environment."""
        files = {key: os.path.join(self.night_dir, f"step{number}.{key.lower()}")
                 for key in ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
        for path in files.values():
            open(path, "w").close()
        env = {**self.env, **files, **{k: substitute(v, self.context, status) for k, v in (step.get("env") or {}).items()}}
        if "uses" in step:
            action = step["uses"].split("@")[0]
            if action not in ACTIONS:
                raise Unsupported(f"step {name!r} uses {step['uses']}, which has no local equivalent in ACTIONS")
            with_ = {k: substitute(v, self.context, status) for k, v in (step.get("with") or {}).items()}
            self.outputs = {}
            code = ACTIONS[action](self, with_)
            with open(files["GITHUB_OUTPUT"], "a") as out:
                out.writelines(f"{k}={v}\n" for k, v in self.outputs.items())
        else:
            code = self.script(number, name, substitute(step["run"], self.context, status), env,
                               os.path.join(self.workspace, step.get("working-directory", ".")), step.get("shell"))
        added = read_pairs(files["GITHUB_ENV"])
        self.env.update(added)
        self.context["env"].update(added)
        with open(self.summary, "a") as out:
            out.write(open(files["GITHUB_STEP_SUMMARY"]).read())
        return code, read_pairs(files["GITHUB_OUTPUT"])

    def script(self, number, name, text, env, cwd, shell):
        """A `run:` script in bash, its output streamed; SIGKILLed (with every process it started) when
        self.kill = (step name regex, output regex) matches, as a crashed or killed machine would."""
        if shell not in SHELLS:
            raise Unsupported(f"shell {shell!r} is not emulated")
        path = os.path.join(self.night_dir, f"step{number}.sh")
        with open(path, "w") as f:
            f.write(text)
        proc = subprocess.Popen(SHELLS[shell] + [path], cwd=cwd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace")
        armed = self.kill and re.search(self.kill[0], name)
        for line in proc.stdout:
            self.echo(line.rstrip("\n"))
            if armed and re.search(self.kill[1], line):
                self.echo(f"=== SIGKILL to the step and every process it started: {line.strip()!r} matched")
                kill_tree(proc.pid)
                armed = False
        return proc.wait()


def unknown(mapping, known, what):
    extra = set(mapping) - known
    if extra:
        raise Unsupported(f"{what} key(s) {sorted(extra)} are not emulated here")


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
    """actions/upload-artifact: the listed paths copied to NIGHT/artifacts/NAME/ (a missing one is a warning)."""
    unknown(with_, {"name", "path"}, "actions/upload-artifact input")
    dest = os.path.join(job.night_dir, "artifacts", with_["name"])
    for pattern in with_["path"].split():
        found = glob.glob(os.path.join(job.workspace, pattern.rstrip("/")))
        if not found:
            job.echo(f"warning: no files found at {pattern}")
        for path in found:
            target = os.path.join(dest, os.path.relpath(path, job.workspace))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            (shutil.copytree if os.path.isdir(path) else shutil.copy2)(path, target)
    return 0


ACTIONS = {"actions/checkout": checkout, "actions/setup-python": setup_python, "actions/cache": cache,
           "actions/cache/restore": restore_cache, "actions/cache/save": save_cache, "actions/upload-artifact": upload_artifact}

GH_SHIM = """#!/usr/bin/env bash
# gh as far as the nightly workflow uses it: `gh issue create --title T --body-file F`, filed as ISSUES/N.md
set -euo pipefail
[[ "${GH_TOKEN:-}" == *issues=write* ]] || { echo "gh: GH_TOKEN lacks issues: write" >&2; exit 4; }
[ "$1 $2" = "issue create" ] || { echo "gh shim: only 'gh issue create' is emulated" >&2; exit 1; }
shift 2
while [ $# -gt 0 ]; do
  case "$1" in --title) title=$2;; --body-file) body=$2;; *) echo "gh shim: unknown option $1" >&2; exit 1;; esac
  shift 2
done
n=$(( $(ls ISSUES | wc -l) + 1 ))
{ echo "# $title"; echo; cat "$body"; } > "ISSUES/$n.md"
echo "issue $n filed: ISSUES/$n.md"
"""


def stand_in(sandbox):
    """A fresh sandbox: origin.git (bare, this repository's HEAD as main), dev/ (a developer's clone),
    issues/ and bin/gh."""
    shutil.rmtree(sandbox, ignore_errors=True)
    for sub in ("bin", "issues", "nights"):
        os.makedirs(os.path.join(sandbox, sub))
    origin = os.path.join(sandbox, "origin.git")
    git("init", "--quiet", "--bare", "--initial-branch=main", origin)
    git("push", "--quiet", origin, "HEAD:refs/heads/main")
    git("clone", "--quiet", origin, os.path.join(sandbox, "dev"))
    gh = os.path.join(sandbox, "bin", "gh")
    with open(gh, "w") as f:
        f.write(GH_SHIM.replace("ISSUES", os.path.join(sandbox, "issues")))
    os.chmod(gh, 0o755)


def load_workflow(text):
    """A workflow file's YAML, its keys checked (`on` read as `on`: YAML 1.1 reads it as True)."""
    workflow = yaml.safe_load(text)
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    unknown(workflow, WORKFLOW_KEYS, "workflow")
    return workflow


def night(sandbox, number, inputs, kill=None, echo=print):
    """One scheduled (no inputs) or dispatched run of the workflow at the stand-in's main."""
    origin = os.path.join(sandbox, "origin.git")
    sha = git("rev-parse", "main", cwd=origin)
    workflow = load_workflow(git("show", f"{sha}:{WORKFLOW}", cwd=origin))
    triggers = workflow["on"]
    event = "workflow_dispatch" if inputs else "schedule"
    if event not in triggers:
        raise Unsupported(f"the workflow has no {event} trigger")
    declared = (triggers[event] or {}).get("inputs", {}) if event == "workflow_dispatch" else {}
    if set(inputs) - set(declared):
        raise Unsupported(f"inputs {sorted(set(inputs) - set(declared))} are not declared by the workflow")
    inputs = {**{k: v.get("default", "") for k, v in declared.items()}, **inputs}
    if len(workflow["jobs"]) != 1:
        raise Unsupported("a workflow of several jobs is not emulated")
    job, = workflow["jobs"].values()
    echo(f"\n##### night {number}: {event} at {sha[:8]} {git('log', '-1', '--format=%s', sha, cwd=origin)}")
    started = time.monotonic()
    night_dir = os.path.join(sandbox, "nights", str(number))
    result = Job(sandbox, night_dir, sha, event, inputs, workflow["permissions"], kill, echo).run(job)
    gate_json = os.path.join(night_dir, "artifacts", "nightly-dashboard-and-results", "gate.json")
    return {**result, "night": number, "sha": sha, "seconds": round(time.monotonic() - started),
            "gate": json.load(open(gate_json)).get("status") if os.path.exists(gate_json) else "not run",
            "summary": open(os.path.join(night_dir, "summary.md")).read()}


# ---- the scenario


def results_branch(sandbox):
    """(number of commits, {path: blob sha}) of the stand-in's results branch."""
    origin = os.path.join(sandbox, "origin.git")
    if subprocess.run(["git", "rev-parse", "--verify", "--quiet", "results"], cwd=origin,
                      capture_output=True).returncode:
        return 0, {}
    tree = [line.split() for line in git("ls-tree", "-r", "results", cwd=origin).splitlines()]
    return int(git("rev-list", "--count", "results", cwd=origin)), {path: blob for _, _, blob, path in tree}


def commit(sandbox, message, plant=False):
    """A developer's commit (empty, or planting the slowdown) pushed to the stand-in's main; its sha."""
    dev = os.path.join(sandbox, "dev")
    if plant:
        path, old, new = PLANT
        text = open(os.path.join(dev, path)).read()
        if old not in text:
            raise ScenarioFailed(f"cannot plant the slowdown: {path} no longer has {old.strip()!r}")
        with open(os.path.join(dev, path), "w") as f:
            f.write(text.replace(old, new))
    git("-c", "user.name=dev", "-c", "user.email=dev@example.org", "commit", "--quiet", "--allow-empty", "-a",
        "-m", message, cwd=dev)
    git("push", "--quiet", "origin", "HEAD:main", cwd=dev)
    return git("rev-parse", "HEAD", cwd=dev)


def check(condition, message):
    if not condition:
        raise ScenarioFailed(message)


def kept(before, after, new_sha):
    """Every path of the results branch before is still there, and each result file of another commit
    than new_sha is unchanged (a re-run commit's own file is rewritten with tonight's figures)."""
    lost = sorted(set(before) - set(after))
    check(not lost, f"the results branch lost {lost}")
    changed = sorted(p for p in before if before[p] != after[p] and re.search(r"/[0-9a-f]{8}-[^/]+\.json$", p)
                     and not os.path.basename(p).startswith(new_sha[:8]))
    check(not changed, f"earlier nights' result files changed: {changed}")


def scenario(sandbox, inputs, echo=print):
    """The five nights; a list of their records. Raises ScenarioFailed at the first check that fails."""
    stand_in(sandbox)
    nights, issues = [], os.path.join(sandbox, "issues")

    def run(sha, kill=None):
        before = results_branch(sandbox)
        record = night(sandbox, len(nights) + 1, inputs, kill, echo)
        record["results_commits"], tip = results_branch(sandbox)
        check(record["results_commits"] == before[0] + 1, f"night {record['night']} left no commit on the results branch")
        kept(before[1], tip, sha)
        stored = any(os.path.basename(path).startswith(sha[:8]) for path in tip)
        check(stored or kill, f"night {record['night']} stored no result for {sha[:8]}")
        record["baseline"] = git("show", "results:nightly-baseline", cwd=os.path.join(sandbox, "origin.git"))
        nights.append(record)
        echo("\n".join(f"    {seconds:>5} s  {outcome:<8} {name}" for name, outcome, seconds in record["steps"]))
        echo(f"##### night {record['night']}: {record['conclusion']}, gate {record['gate']}, {record['seconds']} s, "
             f"results branch: {record['results_commits']} commits, baseline {record['baseline'][:8]}")
        return record

    first = git("rev-parse", "main", cwd=os.path.join(sandbox, "origin.git"))
    one = run(first)
    check(one["baseline"] == first, "night 1 did not record its commit as the next gate's baseline")
    two = run(first)
    check(two["conclusion"] == "success" and two["gate"] == "ok", f"night 2 (unchanged) did not pass the gate: {two}")
    commit(sandbox, "docs: a first harmless commit")
    culprit = commit(sandbox, "fused_expressions: numexpr evaluates the expression twice (the planted slowdown)", plant=True)
    head = commit(sandbox, "docs: a second harmless commit")
    three = run(head)
    check(three["conclusion"] == "failure" and three["gate"] == "regressed", f"night 3 did not fail the gate: {three}")
    check(f"culprit `{culprit}`" in three["summary"], f"night 3's summary does not name the culprit {culprit[:8]}")
    filed = sorted(os.listdir(issues))
    check(len(filed) == 1 and culprit[:12] in open(os.path.join(issues, filed[0])).read(),
          f"night 3 filed no issue naming {culprit[:12]}: {filed}")
    killed_sha = commit(sandbox, "docs: a third harmless commit")
    four = run(killed_sha, kill=KILL)
    check(four["conclusion"] == "failure", "night 4 was not killed")
    check(four["baseline"] == head, "the killed night moved the gate's baseline past commits no gate judged")
    five = run(killed_sha)
    check(five["conclusion"] == "success" and five["gate"] == "ok", f"night 5 did not pass: {five}")
    check(len(os.listdir(issues)) == 1, "a night after the regression filed another issue")
    return nights


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--numpy", help="the workflow's numpy input: only these NumPy versions (space-separated)")
    parser.add_argument("--bench", help="the workflow's bench input: only benchmarks matching this regex")
    parser.add_argument("--dir", default=os.path.join(ROOT, ".asv", "nightly-local"), help="the sandbox (wiped)")
    args = parser.parse_args(argv)
    inputs = {k: v for k, v in (("numpy", args.numpy), ("bench", args.bench)) if v}
    started = time.monotonic()
    try:
        nights = scenario(args.dir, inputs)
    except (ScenarioFailed, Unsupported) as exc:
        print(f"\nnightly-local: FAILED: {exc}", file=sys.stderr)
        return 1
    print("\nnight  commit    job      gate       results-branch commits  baseline  seconds")
    for r in nights:
        print(f"{r['night']:>5}  {r['sha'][:8]}  {r['conclusion']:<7}  {r['gate']:<9}  {r['results_commits']:>22}  "
              f"{r['baseline'][:8]}  {r['seconds']:>7}")
    print(f"\nnightly-local: every night did what it must ({time.monotonic() - started:.0f} s); sandbox {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

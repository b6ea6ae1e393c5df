"""A workflow job run as GitHub's runner runs it: a fresh workspace, the steps in order under their
`if:`, GITHUB_ENV, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, post steps last; a step can be SIGKILLed
with every process it started, and the job ends there, as a runner that crashed or was lost would
leave it (nothing after it runs, nothing is uploaded)."""
import glob
import os
import re
import shutil
import signal
import subprocess
import time

import yaml

from testing.nightly import Unsupported, unknown
from testing.nightly.actions import ACTIONS
from testing.nightly.expressions import evaluate, should_run, substitute

WORKFLOW_KEYS = {"name", "on", "permissions", "concurrency", "env", "jobs"}
JOB_KEYS = {"name", "runs-on", "timeout-minutes", "permissions", "env", "steps", "strategy", "needs", "if",
            "environment"}
STEP_KEYS = {"name", "id", "if", "run", "uses", "with", "env", "shell", "working-directory"}
SHELLS = {None: ["bash", "-e"], "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"]}


def load_workflow(text):
    """A workflow file's YAML, its keys checked (`on` read as `on`: YAML 1.1 reads it as True)."""
    workflow = yaml.safe_load(text)
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    unknown(workflow, WORKFLOW_KEYS, "workflow")
    return workflow


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


def process_tree(pid):
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


def send(pids, signum):
    """Send signum to each of pids that still runs."""
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
        grown = process_tree(pid) - stopped
        if not grown:
            break
        send(grown, signal.SIGSTOP)
        stopped |= grown
    send(stopped, signal.SIGKILL)


class Job:
    """One run of one workflow job in a fresh workspace, GitHub's runner as far as the nightly uses it."""

    def __init__(self, sandbox, night_dir, sha, event, inputs, permissions, kill=None, echo=print, matrix=None,
                 needs=None, variables=None, artifacts=None):
        """One job of a workflow run: its matrix entry, its needs' results ({job: {"result": ...}}), the
        variables the runner adds (e.g. GITHUB_RUN_ID) and the run's artifact store (default night_dir/artifacts)."""
        self.origin, self.night_dir, self.sha, self.kill, self.echo = (
            os.path.join(sandbox, "origin.git"), night_dir, sha, kill, echo)
        self.artifacts = artifacts or os.path.join(night_dir, "artifacts")
        self.lost = False  # the runner was lost: a step was SIGKILLed
        self.permissions, self.sandbox = permissions, sandbox
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
                        "inputs": inputs, "steps": {}, "env": {}, "runner": {"os": "Linux", "temp": night_dir},
                        "matrix": matrix or {}, "needs": needs or {}}
        outer = os.environ.get("VIRTUAL_ENV")  # an activated venv of this checkout's is not the runner's
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
                    and not k.startswith(("GITHUB_", "RUNNER_"))}
        path = [p for p in self.env["PATH"].split(os.pathsep) if not (outer and p.startswith(outer))]
        self.env.update(PATH=os.pathsep.join([os.path.join(sandbox, "bin"), *path]), CI="true", GITHUB_ACTIONS="true",
                        GITHUB_WORKSPACE=self.workspace, GITHUB_SHA=sha, GITHUB_REF="refs/heads/main",
                        GITHUB_EVENT_NAME=event, GITHUB_REPOSITORY="npopt/npopt", RUNNER_TEMP=night_dir,
                        RUNNER_OS="Linux", **(variables or {}))

    def run(self, job):
        """Run the job's steps; {"conclusion": "success" | "failure", "steps": [(name, outcome, seconds)]}."""
        unknown(job, JOB_KEYS, "job")
        failed, record = False, []
        status = {"always": True, "cancelled": False}
        self.env.update({k: substitute(v, self.context, status) for k, v in (job.get("env") or {}).items()})
        for number, step in enumerate(job["steps"], 1):
            unknown(step, STEP_KEYS, "step")
            if self.lost:
                break
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
        for name, post_if, post in [] if self.lost else reversed(self.posts):  # last, the last action's first
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
                self.echo(f"=== SIGKILL to the step and every process it started, the runner lost: {line.strip()!r} matched")
                kill_tree(proc.pid)
                armed, self.lost = False, True
        return proc.wait()

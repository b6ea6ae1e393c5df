"""The nightly workflow's five nights against a sandbox standing in for GitHub, each night checked.

A sandbox holds origin.git (a bare repository, this repository's HEAD as main), dev/ (a developer's
clone that pushes to it), caches/, issues/, nights/N/ (each night's step files, summary and
artifacts) and bin/gh (the gh shim). Each night runs .github/workflows/nightly.yml read from the
night's commit."""
import json
import os
import re
import shutil
import subprocess
import time

from measurement.paths import git
from testing.nightly import Unsupported
from testing.nightly.jobs import Job, load_workflow
from testing.plant import plant
from testing.repo import commit

WORKFLOW = ".github/workflows/nightly.yml"
GH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gh")
SLOWDOWN = ("fused_expressions.expression:numexpr", 2)  # numexpr evaluates the expression twice (extra work)
KILL = ("Benchmarks", r"\] ··· bench_")  # SIGKILL in this step once its output shows a finished benchmark


class ScenarioFailed(Exception):
    """A night did not do what it must."""


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
    shutil.copy(GH, os.path.join(sandbox, "bin", "gh"))


def night(sandbox, number, inputs, kill=None, echo=print):
    """One scheduled (no inputs) or dispatched run of the workflow at the stand-in's main; its record."""
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


def results_branch(sandbox):
    """(number of commits, {path: blob sha}) of the stand-in's results branch."""
    origin = os.path.join(sandbox, "origin.git")
    if subprocess.run(["git", "rev-parse", "--verify", "--quiet", "results"], cwd=origin,
                      capture_output=True).returncode:
        return 0, {}
    tree = [line.split() for line in git("ls-tree", "-r", "results", cwd=origin).splitlines()]
    return int(git("rev-list", "--count", "results", cwd=origin)), {path: blob for _, _, blob, path in tree}


def push(sandbox, message, slowdown=False):
    """Commit in the developer's clone (empty, or planting SLOWDOWN) and push it to the stand-in's main;
    the commit's sha."""
    dev = os.path.join(sandbox, "dev")
    if slowdown:
        plant(dev, *SLOWDOWN, work=True)
    sha = commit(dev, message)
    git("push", "--quiet", "origin", "HEAD:main", cwd=dev)
    return sha


def check(condition, message):
    """Raise ScenarioFailed with message unless condition holds."""
    if not condition:
        raise ScenarioFailed(message)


def kept(before, after, new_sha):
    """Check that every path of the results branch before is still there, and each result file of another
    commit than new_sha is unchanged (a re-run commit's own file is rewritten with tonight's figures)."""
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
    push(sandbox, "docs: a first harmless commit")
    culprit = push(sandbox, "fused_expressions: numexpr evaluates the expression twice (the planted slowdown)",
                   slowdown=True)
    head = push(sandbox, "docs: a second harmless commit")
    three = run(head)
    check(three["conclusion"] == "failure" and three["gate"] == "regressed", f"night 3 did not fail the gate: {three}")
    check(f"culprit `{culprit}`" in three["summary"], f"night 3's summary does not name the culprit {culprit[:8]}")
    filed = sorted(os.listdir(issues))
    check(len(filed) == 1 and culprit[:12] in open(os.path.join(issues, filed[0])).read(),
          f"night 3 filed no issue naming {culprit[:12]}: {filed}")
    killed_sha = push(sandbox, "docs: a third harmless commit")
    four = run(killed_sha, kill=KILL)
    check(four["conclusion"] == "failure", "night 4 was not killed")
    check(four["baseline"] == head, "the killed night moved the gate's baseline past commits no gate judged")
    five = run(killed_sha)
    check(five["conclusion"] == "success" and five["gate"] == "ok", f"night 5 did not pass: {five}")
    check(len(os.listdir(issues)) == 1, "a night after the regression filed another issue")
    return nights

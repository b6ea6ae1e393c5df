"""The nightly workflow's fan-out over four nights against a sandbox standing in for GitHub, each night checked.

A sandbox holds origin.git (a bare repository, this repository's HEAD as main), dev/ (a developer's
clone that pushes to it), caches/, issues/, pages/ (the deployed site), nights/N/ (each night's jobs'
step files and summaries, and the run's artifacts) and bin/gh (the gh shim). Each night runs
.github/workflows/nightly.yml read from the night's commit: its jobs in the order of their `needs:`,
a matrix job once per entry, each job under its `if:` with its own permissions.

Every job runs on this Linux x86-64 machine. RUNNERS says what stands in for each runner label: the
x86-64 label is this machine as it is; the AArch64 label is this machine again, registered under
another name through measurement/machine.py's seam (NPOPT_MACHINE_STAND_IN: it fakes the name only,
every figure is this machine's), so the merge sees two machines; a label without a stand-in (macOS)
is not run, and the merge must name it missing."""
import json
import os
import re
import shutil
import subprocess
import time

from measurement.paths import git
from testing.nightly import Unsupported
from testing.nightly.expressions import evaluate, substitute
from testing.nightly.jobs import Job, load_workflow
from testing.plant import plant
from testing.repo import commit

WORKFLOW = ".github/workflows/nightly.yml"
GH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gh")
SLOWDOWN = ("fused_expressions.expression:numexpr", 2)  # numexpr evaluates the expression twice (extra work)
RUNNERS = {"ubuntu-24.04": {}, "ubuntu-24.04-arm": {"NPOPT_MACHINE_STAND_IN": "ubuntu-24.04-arm"}}
# the AArch64 stand-in's runner is lost (SIGKILL) in this step once its output shows a finished benchmark
KILL = ("linux-aarch64", "Benchmarks", r"\] ··· bench_")


class ScenarioFailed(Exception):
    """A night did not do what it must."""


def stand_in(sandbox):
    """A fresh sandbox: origin.git (bare, this repository's HEAD and one empty commit as main), dev/ (a
    developer's clone), issues/ and bin/gh. The empty commit makes the first night's gate compare two
    commits with the same code."""
    shutil.rmtree(sandbox, ignore_errors=True)
    for sub in ("bin", "issues", "nights"):
        os.makedirs(os.path.join(sandbox, sub))
    origin = os.path.join(sandbox, "origin.git")
    git("init", "--quiet", "--bare", "--initial-branch=main", origin)
    git("push", "--quiet", origin, "HEAD:refs/heads/main")
    git("clone", "--quiet", origin, os.path.join(sandbox, "dev"))
    shutil.copy(GH, os.path.join(sandbox, "bin", "gh"))
    push(sandbox, "docs: the rehearsal's first night")


def in_order(jobs):
    """The workflow's job ids, each after the jobs it needs."""
    done = []
    while len(done) < len(jobs):
        ready = [j for j in jobs if j not in done and all(n in done for n in needs_of(jobs[j]))]
        if not ready:
            raise Unsupported(f"the jobs' needs form a cycle or name a missing job: {sorted(set(jobs) - set(done))}")
        done += ready
    return done


def needs_of(job):
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def entries(job):
    """The job's matrix entries ([{}] without a strategy); only `include` lists are emulated."""
    strategy = job.get("strategy")
    if not strategy:
        return [{}]
    matrix = strategy["matrix"]
    if set(matrix) != {"include"} or set(strategy) - {"matrix", "fail-fast"}:
        raise Unsupported(f"strategy {strategy} (only matrix.include and fail-fast are emulated)")
    return matrix["include"]


def night(sandbox, number, inputs, kill=None, echo=print):
    """One scheduled (no inputs) or dispatched run of the workflow at the stand-in's main (run_workflow)."""
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
    echo(f"\n##### night {number}: {event} at {sha[:8]} {git('log', '-1', '--format=%s', sha, cwd=origin)}")
    return run_workflow(sandbox, workflow, sha, event, inputs, os.path.join(sandbox, "nights", str(number)),
                        f"night{number}", kill, echo)


def run_workflow(sandbox, workflow, sha, event, inputs, run_dir, run_id, kill=None, echo=print):
    """Run the workflow's jobs in the order of their needs (run_dir: their step files and the run's
    artifacts); {"jobs": {name: conclusion}, "sha", "seconds", "summary", "artifacts"}."""
    started = time.monotonic()
    results, conclusions, summary = {}, {}, []
    for job_id in in_order(workflow["jobs"]):
        job = workflow["jobs"][job_id]
        needs = {n: {"result": results[n]} for n in needs_of(job)}
        status = {"always": True, "cancelled": False, "success": all(n["result"] == "success" for n in needs.values()),
                  "failure": any(n["result"] == "failure" for n in needs.values())}
        if not evaluate(re.sub(r"^\$\{\{(.*)\}\}$", r"\1", str(job.get("if", "success()"))), {"needs": needs}, status):
            results[job_id] = conclusions[job_id] = "skipped"
            continue
        outcomes = []
        for matrix in entries(job):
            label = substitute(job["runs-on"], {"matrix": matrix}, status)
            name = f"{job_id} ({matrix['kind']})" if matrix else job_id
            if label not in RUNNERS:
                echo(f"\n=== job {name}: not run, nothing stands in for the runner {label} on this machine")
                conclusions[name] = "not run"
                continue
            echo(f"\n=== job {name} on {label}")
            job_kill = kill[1:] if kill and matrix.get("kind") == kill[0] else None
            job_dir = os.path.join(run_dir, re.sub(r"\W+", "-", name).strip("-"))  # no shell character in paths
            result = Job(sandbox, job_dir, sha, event, inputs,
                         job.get("permissions", workflow["permissions"]), job_kill, echo, matrix=matrix, needs=needs,
                         variables={**RUNNERS[label], "GITHUB_RUN_ID": run_id},
                         artifacts=os.path.join(run_dir, "artifacts")).run(job)
            conclusions[name] = result["conclusion"]
            outcomes.append(result["conclusion"])
            summary.append(open(os.path.join(job_dir, "summary.md")).read())
            echo("\n".join(f"    {seconds:>5} s  {outcome:<8} {step}" for step, outcome, seconds in result["steps"]))
        results[job_id] = "failure" if "failure" in outcomes else "success"
    return {"jobs": conclusions, "sha": sha, "seconds": round(time.monotonic() - started),
            "summary": "".join(summary), "artifacts": os.path.join(run_dir, "artifacts")}


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


def kept(before, after):
    """Check that every result file of the results branch before is still there, unchanged."""
    lost = sorted(p for p in before if p.startswith("results/") and p not in after)
    check(not lost, f"the results branch lost {lost}")
    changed = sorted(p for p in before if re.search(r"/[0-9a-f]{8}-[^/]+\.json$", p) and before[p] != after[p])
    check(not changed, f"earlier nights' result files changed: {changed}")


def stored(tip, machine, sha):
    """How many result files of sha the results branch holds for machine."""
    return sum(1 for p in tip if p.startswith(f"results/{machine}/{sha[:8]}-"))


def scenario(sandbox, inputs, echo=print):
    """The four nights; a list of their records. Raises ScenarioFailed at the first check that fails."""
    stand_in(sandbox)
    nights, issues, origin = [], os.path.join(sandbox, "issues"), os.path.join(sandbox, "origin.git")

    def run(kill=None):
        before = results_branch(sandbox)
        record = {**night(sandbox, len(nights) + 1, inputs, kill, echo), "night": len(nights) + 1}
        record["results_commits"], record["tip"] = results_branch(sandbox)
        check(record["results_commits"] == before[0] + 1, f"night {record['night']} left {record['results_commits'] - before[0]} "
                                                         "commits on the results branch, not one")
        kept(before[1], record["tip"])
        check(git("rev-list", "--count", "results-samples", cwd=origin) == "1",
              f"night {record['night']} did not replace the results-samples branch with one commit")
        record["machines"] = {}
        for kind in ("linux-x86-64", "linux-aarch64"):
            path = os.path.join(record["artifacts"], f"night-{kind}", "night.json")
            record["machines"][kind] = json.load(open(path)) if os.path.exists(path) else None
        record["baselines"] = {p.split("/", 1)[1]: git("show", f"results:{p}", cwd=origin)
                               for p in record["tip"] if p.startswith("baselines/")}
        record["night_record"] = json.loads(git("show", f"results:nights/night{record['night']}.json", cwd=origin))
        check(os.path.exists(os.path.join(sandbox, "pages", "index.html")),
              f"night {record['night']} deployed no dashboard to pages/")
        nights.append(record)
        echo(f"##### night {record['night']}: jobs {record['jobs']}, {record['seconds']} s, results branch: "
             f"{record['results_commits']} commits, baselines {record['baselines']}")
        return record

    first = git("rev-parse", "main", cwd=origin)
    one = run()
    x86, arm = (one["machines"][k]["machine"] for k in ("linux-x86-64", "linux-aarch64"))
    check(x86 != arm and arm.startswith("stand-in-"), f"the two jobs did not register two machines: {x86}, {arm}")
    check(one["night_record"]["missing"] == ["macos-arm64"], f"night 1 did not name the missing macOS job: {one['night_record']}")
    for machine in (x86, arm):
        check(stored(one["tip"], machine, first) > 0, f"night 1 stored no result of {machine}")
        check(one["baselines"].get(machine) == first, f"night 1 did not record {machine}'s baseline at {first[:8]}")
    check(all(m["gate"] == "ok" for m in one["machines"].values()), f"night 1's gates did not pass: {one['machines']}")
    check(x86 in open(os.path.join(sandbox, "pages", "machines.html")).read()
          and arm in open(os.path.join(sandbox, "pages", "machines.html")).read(),
          "the deployed machines page does not show both machines")

    push(sandbox, "docs: a first harmless commit")
    culprit = push(sandbox, "fused_expressions: numexpr evaluates the expression twice (the planted slowdown)",
                   slowdown=True)
    head = push(sandbox, "docs: a second harmless commit")
    two = run()
    check(all(m["gate"] == "regressed" for m in two["machines"].values()), f"night 2's gates did not both fail: {two['machines']}")
    check(two["summary"].count(f"culprit `{culprit}`") == 2, f"night 2's summaries do not name the culprit {culprit[:8]} twice")
    filed = sorted(os.listdir(issues))
    check(len(filed) == 2 and all(culprit[:12] in open(os.path.join(issues, f)).read() for f in filed)
          and {x86, arm} == {m for m in (x86, arm) for f in filed if m in open(os.path.join(issues, f)).read().splitlines()[0]},
          f"night 2 did not file one issue per machine naming {culprit[:12]}: {filed}")

    killed_sha = push(sandbox, "docs: a third harmless commit")
    three = run(kill=KILL)
    check(three["jobs"]["benchmarks (linux-aarch64)"] == "failure" and three["machines"]["linux-aarch64"] is None,
          "night 3's AArch64 stand-in was not lost")
    check(sorted(three["night_record"]["missing"]) == ["linux-aarch64", "macos-arm64"],
          f"night 3 did not name the lost job missing: {three['night_record']['missing']}")
    check(stored(three["tip"], x86, killed_sha) > 0, "night 3 did not store the x86-64 job's results")
    check(three["baselines"] == {x86: killed_sha, arm: head}, f"night 3's baselines: {three['baselines']}")

    four = run()
    check(all(m["gate"] == "ok" for m in four["machines"].values()), f"night 4 did not pass: {four['machines']}")
    check(stored(four["tip"], arm, killed_sha) > 0, "night 4 did not store the AArch64 stand-in's results")
    check(len(os.listdir(issues)) == 2, "a night after the regression filed another issue")
    return nights

"""The nightly's merge: what every benchmark job of one night brought, onto the results branch in one commit.

  python -m tools.nightly.merge NIGHTS [--remote origin] [--store DIR] [--markdown F] [--issues DIR]

NIGHTS holds one folder per artifact of the night's benchmark jobs (download-artifact's layout,
NIGHTS/night-<kind>/): night.json (the job's kind, runner, machine, commit, baseline, its benchmark
step's outcome and its gate's status), results/benchmarks.json, results/<machine>/machine.json and the
machine's result files of the night's commit, and gate.json, bisect.json, bisect.md where the job made
them. The jobs expected are the nightly workflow's matrix; a kind without an artifact is missing.

The night's commit on the results branch (checked out in the worktree --store) holds:
- results/: each job's files (``place``). A result file already there with other contents is not
  overwritten unless the newcomer measured more benchmarks (a job killed midway leaves a partial
  file); the file that gives way is kept under superseded/<night>/, so no measurement is lost.
- baselines/<machine>: the commit that machine's gate judged tonight (ok or regressed), its next
  night's gate baseline; a machine whose gate did not judge (killed, failed, cannot compare) keeps its own.
- nights/<night>.json: the night's record: each job, what it brought, the missing kinds.
The push is an ordinary one; when another night pushed first it is refused, and the merge starts again
from the branch's new tip (up to ATTEMPTS times): two merges at once both land, whole.

Then the checkout's results/ is overlaid with the branch's (what `make publish` reads), --markdown gets
the night's table, and --issues DIR gets one issue per regressing machine (DIR/<machine>.title and .md),
naming the culprit its bisection found.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import yaml

from measurement.paths import ROOT, git

WORKFLOW = os.path.join(ROOT, ".github", "workflows", "nightly.yml")
ATTEMPTS = 5
JUDGED = ("ok", "regressed")  # gate statuses that move a machine's baseline


def expected_kinds(workflow=WORKFLOW):
    """The runner kinds the nightly's benchmark job fans out over (its matrix)."""
    with open(workflow) as f:
        return [entry["kind"] for entry in yaml.safe_load(f)["jobs"]["benchmarks"]["strategy"]["matrix"]["include"]]


def read_jobs(nights):
    """{kind: (night.json's record, the artifact's folder)} of every artifact under nights."""
    jobs = {}
    for name in sorted(os.listdir(nights)) if os.path.isdir(nights) else []:
        record = os.path.join(nights, name, "night.json")
        if os.path.exists(record):
            with open(record) as f:
                job = json.load(f)
            jobs[job["kind"]] = (job, os.path.join(nights, name))
    return jobs


def measured(path):
    """How many benchmarks of an asv result file have a result (a killed run leaves fewer)."""
    with open(path) as f:
        return sum(1 for entry in json.load(f)["results"].values() if entry and entry[0] is not None)


def same_bytes(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def place(source, store, relative, night, kind):
    """Put one file of a job at store/relative; what happened, in words (None: nothing to say).

    benchmarks.json and machine.json describe the suite and the machine: the newer replaces. A result
    file already stored with other contents stays unless the newcomer measured more benchmarks; the file
    that gives way goes to superseded/<night>/<kind>/ (the newcomer) or superseded/<night>/stored/."""
    target = os.path.join(store, relative)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if not os.path.exists(target) or same_bytes(source, target):
        shutil.copyfile(source, target)
        return None
    if os.path.basename(relative) in ("benchmarks.json", "machine.json"):
        shutil.copyfile(source, target)
        return None
    newcomer_wins = measured(source) > measured(target)
    aside = os.path.join(store, "superseded", night, "stored" if newcomer_wins else kind, relative)
    os.makedirs(os.path.dirname(aside), exist_ok=True)
    if newcomer_wins:
        os.replace(target, aside)
        shutil.copyfile(source, target)
    else:
        shutil.copyfile(source, aside)
    return f"{relative}: {'replaced the stored file' if newcomer_wins else 'kept the stored file'}, " \
           f"the other kept as {os.path.relpath(aside, store)}"


def merge_night(jobs, expected, store, night):
    """Every job's files into the results branch's worktree store; the night's record (a dict)."""
    record = {"night": night, "jobs": {}, "missing": [k for k in expected if k not in jobs], "superseded": []}
    for kind, (job, folder) in sorted(jobs.items()):
        files = []
        results = os.path.join(folder, "results")
        for base, _, names in sorted(os.walk(results)):
            for name in sorted(names):
                relative = os.path.relpath(os.path.join(base, name), folder)
                files.append(relative)
                said = place(os.path.join(base, name), store, relative, night, kind)
                if said:
                    record["superseded"].append(said)
        if job.get("machine") and job.get("gate") in JUDGED:
            os.makedirs(os.path.join(store, "baselines"), exist_ok=True)
            with open(os.path.join(store, "baselines", job["machine"]), "w") as f:
                f.write(job["commit"] + "\n")
        record["jobs"][kind] = {**job, "files": len([f for f in files if not f.endswith(("benchmarks.json", "machine.json"))])}
    os.makedirs(os.path.join(store, "nights"), exist_ok=True)
    with open(os.path.join(store, "nights", f"{night}.json"), "w") as f:
        json.dump(record, f, indent=1)
    return record


def message(record):
    """The night's commit message: its commit and each job's gate, the missing kinds."""
    commits = sorted({job["commit"][:8] for job in record["jobs"].values()}) or ["nothing"]
    jobs = ", ".join(f"{kind}: {job['gate']}" for kind, job in sorted(record["jobs"].items()))
    missing = f"; missing: {', '.join(record['missing'])}" if record["missing"] else ""
    return f"nightly results for {' '.join(commits)} ({jobs or 'no job brought results'}{missing})"


def open_store(store, remote, checkout=ROOT):
    """The worktree store (of checkout's repository) at the tip of remote's results branch (emptied, with
    no parent, where there is none yet); the tip's sha or None."""
    if not os.path.exists(os.path.join(store, ".git")):
        git("worktree", "add", "--quiet", "--detach", store, cwd=checkout)
    fetched = subprocess.run(["git", "fetch", "--quiet", remote, "results"], cwd=store, capture_output=True)
    if fetched.returncode == 0:
        tip = git("rev-parse", "FETCH_HEAD", cwd=store)
        git("checkout", "--quiet", "--force", "--detach", tip, cwd=store)
    else:
        tip = None
        git("read-tree", "--empty", cwd=store)
    git("clean", "-fdxq", cwd=store)
    return tip


def land(jobs, expected, store, remote, night, checkout=ROOT):
    """Merge the night onto remote's results branch in one commit and push it, starting again from the new
    tip while another push gets there first; the night's record."""
    for attempt in range(1, ATTEMPTS + 1):
        tip = open_store(store, remote, checkout)
        record = merge_night(jobs, expected, store, night)
        git("add", "--all", cwd=store)
        tree = git("write-tree", cwd=store)
        commit = git("commit-tree", tree, *(["-p", tip] if tip else []), "-m", message(record), cwd=store)
        pushed = subprocess.run(["git", "push", "--quiet", remote, f"{commit}:refs/heads/results"], cwd=store,
                                capture_output=True, text=True)
        if pushed.returncode == 0:
            return {**record, "commit": commit, "attempts": attempt}
        print(f"merge: push {attempt} refused ({pushed.stderr.strip()}); starting again from the new tip", flush=True)
    raise SystemExit(f"merge: the results branch moved under every one of {ATTEMPTS} attempts")


def overlay(store, results=os.path.join(ROOT, "results")):
    """The checkout's results/ with the branch's files over it: what the dashboard is published from."""
    if os.path.isdir(os.path.join(store, "results")):
        shutil.copytree(os.path.join(store, "results"), results, dirs_exist_ok=True)


def markdown(record):
    """The night as the merge job's summary: a row per job, the missing kinds, the superseded files."""
    rows = [f"| {kind} | {job['runner']} | `{job['machine'] or '?'}` | {job['benchmarks']} | {job['gate']} | {job['files']} |"
            for kind, job in sorted(record["jobs"].items())]
    lines = [f"### npopt nightly merge: {message(record)}", "",
             "| kind | runner | machine | benchmarks | gate | result files |", "|---|---|---|---|---|---|", *rows, ""]
    lines += [f"Missing (no artifact): {', '.join(record['missing'])}" if record["missing"] else "No job missing.", ""]
    lines += [f"- superseded: {said}" for said in record["superseded"]]
    return "\n".join(lines) + "\n"


def write_issues(jobs, folder):
    """One issue per regressing machine (folder/<machine>.title and .md), naming its bisection's culprit;
    the machines."""
    filed = []
    for kind, (job, artifact) in sorted(jobs.items()):
        if job.get("gate") != "regressed" or job["machine"] in filed:
            continue
        bisect_json, bisect_md = (os.path.join(artifact, name) for name in ("bisect.json", "bisect.md"))
        bisection = json.load(open(bisect_json)) if os.path.exists(bisect_json) else {"status": "not run"}
        if bisection["status"] == "culprit":
            title = f"Nightly benchmark regression on {job['machine']}: {bisection['culprit'][:12]} {bisection['subject']}"
        else:
            title = f"Nightly benchmark regression on {job['machine']}: {job['baseline'][:8]}..{job['commit'][:8]}, no culprit named"
        body = (f"The nightly's {kind} job ({job['runner']}) found a regression on machine `{job['machine']}` "
                f"between {job['baseline'][:12]} and {job['commit'][:12]}.\n\n"
                + (open(bisect_md).read() if os.path.exists(bisect_md) else f"Bisection: {bisection['status']}.\n"))
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{job['machine']}.title"), "w") as f:
            f.write(title + "\n")
        with open(os.path.join(folder, f"{job['machine']}.md"), "w") as f:
            f.write(body)
        filed.append(job["machine"])
    return filed


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.nightly.merge", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("nights", help="the folder of the night's artifacts")
    parser.add_argument("--remote", default="origin")
    parser.add_argument("--store", default=os.path.join(ROOT, ".asv", "results-branch"),
                        help="the results branch's worktree")
    parser.add_argument("--markdown", help="append the night's table to this file (the job summary)")
    parser.add_argument("--issues", help="write one issue per regressing machine into this folder")
    args = parser.parse_args(argv)
    jobs = read_jobs(args.nights)
    night = os.environ.get("GITHUB_RUN_ID") or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    record = land(jobs, expected_kinds(), os.path.abspath(args.store), args.remote, night)
    overlay(args.store)
    print(markdown(record))
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write(markdown(record))
    if args.issues:
        filed = write_issues(jobs, args.issues)
        print(f"merge: {len(filed)} regressing machine(s): {', '.join(filed) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

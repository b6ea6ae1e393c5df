"""The nightly's merge: what every benchmark job of one night brought, onto the results branch in one commit.

  python -m tools.nightly.merge NIGHTS [--remote origin] [--store DIR] [--markdown F] [--issues DIR]

NIGHTS holds one folder per artifact of the night's benchmark jobs (download-artifact's layout,
NIGHTS/night-<kind>/): night.json (the job's kind, runner, machine, commit, baseline, its benchmark
step's outcome and its gate's status), results/benchmarks.json, results/<machine>/machine.json and the
machine's result files of the night's commit, and gate.json, bisect.json, bisect.md where the job made
them. The jobs expected are the nightly workflow's matrix; a kind without an artifact is missing.

The night lands on the two results branches of tools/nightly/retention.py, in one commit each:
`results` (every night's files thinned to what asv's graphs read, only ever added to) and
`results-samples` (the whole files of each machine's newest nights, one commit replaced nightly). The
`results` branch (its worktree --store) also holds:
- baselines/<machine>: the commit that machine's gate judged tonight (ok or regressed), its next
  night's gate baseline; a machine whose gate did not judge (killed, failed, cannot compare) keeps its own.
- nights/<night>.json: the night's record: each job, what it brought, the missing kinds.
- superseded/<night>/: a file that gave way (``place``): a result file already stored, or brought by
  another job tonight, is not replaced unless the newcomer measured more benchmarks (a job killed
  midway leaves a partial file), and the file that gives way is kept here, so no measurement is lost.
Both branches are pushed at once (``git push --atomic``: both move or neither); when another night
pushed first the push is refused, and the merge starts again from the new tips (up to ATTEMPTS
times): two merges at once both land, whole.

Then the checkout's results/ is overlaid with the branches' (what `make publish` reads), each job's gate
result goes to .asv/gate/nightly/<machine>.json (the dashboard's gate page), --markdown gets
the night's table, and --issues DIR gets one issue per regressing machine (DIR/<machine>.title and .md),
naming the culprit its bisection found.
"""
import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

from measurement.paths import ROOT, git
from tools import gate
from tools.nightly import retention

WORKFLOW = os.path.join(ROOT, ".github", "workflows", "nightly.yml")
ATTEMPTS = 5
BRANCH, SAMPLES = "results", "results-samples"
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


def place(source, relative, tonight, store, night, kind):
    """Stage one file of a job at tonight/relative; what happened, in words (None: nothing to say).

    It meets the file another job staged tonight, else the one stored (store/relative). benchmarks.json
    and machine.json describe the suite and the machine: the newer replaces. A result file stays unless
    the newcomer measured more benchmarks; the file that gives way goes, thinned as the results branch
    keeps every file (a commit measured again on a quiet night brings all its files again), to
    store/superseded/<night>/, under <kind>/ (the newcomer) or stored/."""
    staged, stored = os.path.join(tonight, relative), os.path.join(store, relative)
    met = staged if os.path.exists(staged) else stored if os.path.exists(stored) else None
    os.makedirs(os.path.dirname(staged), exist_ok=True)
    if met is None or os.path.basename(relative) in retention.SUITE_FILES:
        shutil.copyfile(source, staged)
        return None
    if filecmp.cmp(source, met, shallow=False):
        return None
    newcomer_wins = measured(source) > measured(met)
    aside = os.path.join(store, "superseded", night, "stored" if newcomer_wins else kind, relative)
    retention.keep_thinned(met if newcomer_wins else source, aside)
    if newcomer_wins:
        shutil.copyfile(source, staged)
    return f"{relative}: {'replaced the stored file' if newcomer_wins else 'kept the stored file'}, " \
           f"the other kept as {os.path.relpath(aside, store)}"


def merge_night(jobs, expected, store, tonight, night):
    """Every job's files staged in tonight/ (``place``), the baselines and the night's record into the results
    branch's worktree store; the record (a dict)."""
    record = {"night": night, "jobs": {}, "missing": [k for k in expected if k not in jobs], "superseded": []}
    for kind, (job, folder) in sorted(jobs.items()):
        files = []
        results = os.path.join(folder, "results")
        for base, _, names in sorted(os.walk(results)):
            for name in sorted(names):
                relative = os.path.relpath(os.path.join(base, name), folder)
                files.append(relative)
                said = place(os.path.join(base, name), relative, tonight, store, night, kind)
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


def open_worktree(path, remote, branch, checkout=ROOT):
    """The worktree path (of checkout's repository) at the tip of remote's branch (emptied, with no parent,
    where there is none yet); the tip's sha or None."""
    if not os.path.exists(os.path.join(path, ".git")):
        git("worktree", "add", "--quiet", "--detach", path, cwd=checkout)
    fetched = subprocess.run(["git", "fetch", "--quiet", remote, branch], cwd=path, capture_output=True)
    if fetched.returncode == 0:
        tip = git("rev-parse", "FETCH_HEAD", cwd=path)
        git("checkout", "--quiet", "--force", "--detach", tip, cwd=path)
    else:
        tip, unborn = None, f"refs/heads/{branch}-unborn"  # a branch with no commit yet: the next is a root
        subprocess.run(["git", "update-ref", "-d", unborn], cwd=path, capture_output=True)
        git("symbolic-ref", "HEAD", unborn, cwd=path)
        git("read-tree", "--empty", cwd=path)
    git("clean", "-fdxq", cwd=path)
    return tip


def land(jobs, expected, store, remote, night, checkout=ROOT):
    """Merge the night onto remote's two results branches, one commit each, and push both at once, starting
    again from the new tips while another push gets there first; the night's record. store is the results
    branch's worktree; the results-samples branch's is store + "-samples"."""
    samples = store.rstrip("/") + "-samples"
    for attempt in range(1, ATTEMPTS + 1):
        open_worktree(store, remote, BRANCH, checkout)
        samples_tip = open_worktree(samples, remote, SAMPLES, checkout)
        tonight = tempfile.mkdtemp(prefix="night-")
        try:
            record = merge_night(jobs, expected, store, tonight, night)
            commit, replacing = retention.store_night(os.path.join(tonight, "results"), store, samples, message(record))
        finally:
            shutil.rmtree(tonight)
        pushed = subprocess.run(["git", "push", "--quiet", "--atomic", f"--force-with-lease=refs/heads/{SAMPLES}:{samples_tip or ''}",
                                 remote, f"{commit}:refs/heads/{BRANCH}", f"{replacing}:refs/heads/{SAMPLES}"],
                                cwd=store, capture_output=True, text=True)
        if pushed.returncode == 0:
            return {**record, "commit": commit, "attempts": attempt}
        print(f"merge: push {attempt} refused ({pushed.stderr.strip()}); starting again from the new tips", flush=True)
    raise SystemExit(f"merge: the results branches moved under every one of {ATTEMPTS} attempts")


def overlay(store, results=os.path.join(ROOT, "results")):
    """The checkout's results/ with the results branch's thinned files over it, and the results-samples
    branch's whole files over those: what the dashboard is published from."""
    for branch in (store, store.rstrip("/") + "-samples"):
        if os.path.isdir(os.path.join(branch, "results")):
            shutil.copytree(os.path.join(branch, "results"), results, dirs_exist_ok=True)


def markdown(record):
    """The night as the merge job's summary: a row per job, the missing kinds, the superseded files."""
    rows = [f"| {kind} | {job['runner']} | `{job['machine'] or '?'}` | {job['benchmarks']} | {job['gate']} | {job['files']} |"
            for kind, job in sorted(record["jobs"].items())]
    lines = [f"### npopt nightly merge: {message(record)}", "",
             "| kind | runner | machine | benchmarks | gate | result files |", "|---|---|---|---|---|---|", *rows, ""]
    lines += [f"Missing (no artifact): {', '.join(record['missing'])}" if record["missing"] else "No job missing.", ""]
    lines += [f"- superseded: {said}" for said in record["superseded"]]
    return "\n".join(lines) + "\n"


def keep_gates(jobs, folder=os.path.join(gate.WORK, "nightly")):
    """Each job's gate result as folder/<machine>.json (the dashboard's gate page shows them side by side);
    the folder holds tonight's only."""
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for job, artifact in jobs.values():
        if job.get("machine") and os.path.exists(os.path.join(artifact, "gate.json")):
            shutil.copyfile(os.path.join(artifact, "gate.json"), os.path.join(folder, f"{job['machine']}.json"))


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
    store = os.path.abspath(args.store)
    record = land(jobs, expected_kinds(), store, args.remote, night)
    overlay(store)
    keep_gates(jobs)
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

"""The results branches' retention: what each night stores, and where, so that a year of nights stays small.

The nightly keeps its results in two branches:

- ``results``: every night's results files, only ever added to (a fast-forward push, never rewritten),
  each file thinned to what asv's history graphs read (GRAPH_COLUMNS): the figures (``result``, a
  non-integral figure rounded to 5 significant digits as asv rounds its own statistics; counts, bytes
  and checksums stay exact), their parameters, the benchmark's version (asv leaves out a figure whose
  version is not the suite's) and asv's 99% interval (the weight of a point in asv's step detection);
  with machine.json, benchmarks.json and whatever else the nightly puts there (the merge's baselines/, nights/).
- ``results-samples``: one commit with no parent, replaced every night (pushed with
  --force-with-lease): the files as asv wrote them, with their samples, of each machine's KEEP_NIGHTS
  newest nights and of the night its reports read (``kept_nights``).

The nightly restores its results as the ``results`` branch's results/ with the ``results-samples``
branch's results/ over it: older nights thinned, recent ones whole.

What is dropped: a night that is neither among its machine's KEEP_NIGHTS newest nor the night the
reports read keeps, in git, only its thinned files: its ``samples``, quartiles (``stats_q_25``,
``stats_q_75``), ``stats_number``, ``stats_repeat``, ``started_at``, ``duration`` and ``profile`` are
gone. asv's graphs and Regressions page do not read them; the judge (measurement/change.py) reads
samples only of the night the reports read (or of a recent night, with ``--commit``); ``asv show``
displays them. A file that cannot be read is stored as it is, and a file missing from a night's tree
stays in the ``results`` branch.

What leaves the tip: a night older than its machine's HISTORY_NIGHTS newest keeps, at the tip of
``results``, only its newest release line's file (the highest NumPy without a twin's variable: the line
`make history` measures and a year-long history graph follows); its other environments' files are
removed from the tip and stay in the branch's history (``git show <commit>:<path>``). asv publish reads
every file at the tip, each file costs it time, and the other environments' graphs are for the recent
comparison of NumPy releases, which reads the newest night (``prune_history``).

Why two branches: git keeps every blob ever committed, so thinning files at a branch's tip does not make
the branch smaller; samples committed to a branch that keeps its history would stay in it for good.
docs/year.md measures this design and others over a simulated year of nights (python -m tools.year).

Usage: python -m tools.nightly.retention RESULTS BRANCH SAMPLES --message MSG [--keep-nights N]
  (RESULTS: the night's results tree; BRANCH, SAMPLES: worktrees of the two branches; commits in both,
  pushes nothing)
"""
import argparse
import filecmp
import json
import math
import os
import shutil
import sys

from asv.util import truncate_float_list
from packaging.version import Version

from measurement.paths import git
from tools.results import PARTIAL, schema_problem, write_json_atomically

HISTORY_NIGHTS = 30  # nights of each machine that keep every environment at the tip of `results`
KEEP_NIGHTS = 7  # a week of nights keeps its samples: `python -m tools.reports.overview --commit` judges any of them
GRAPH_COLUMNS = ("result", "params", "version", "stats_ci_99_a", "stats_ci_99_b")
DIGITS = 5  # significant digits of a thinned figure: asv's own for its statistics, far below the timing noise
RESULTS = "results"  # the results tree's folder in each branch
SUITE_FILES = ("machine.json", "benchmarks.json")


def is_measured(value):
    """Whether a stored figure is a measured one (a non-integral float, which varies with the noise), not a count,
    a number of bytes or a checksum (integral: they repeat exactly) nor a gap."""
    return isinstance(value, float) and math.isfinite(value) and not value.is_integer()


def rounded(value):
    """value (a figure, or lists of them) with every measured figure rounded to DIGITS significant digits
    (asv's truncate_float_list); the integral ones stay exact."""
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return truncate_float_list(value, DIGITS) if is_measured(value) else value


def thinned(data):
    """A results file's data with only GRAPH_COLUMNS, its figures rounded."""
    columns = data["result_columns"]
    kept = [c for c in columns if c in GRAPH_COLUMNS]
    rows = {}
    for name, row in data["results"].items():
        cells = dict(zip(columns, row))
        thin = [rounded(cells.get(c)) if c == "result" else cells.get(c) for c in kept]
        while thin and thin[-1] is None:  # as asv writes a row
            thin.pop()
        rows[name] = thin
    return {**data, "result_columns": kept, "results": rows}


def is_thin(data):
    return set(data["result_columns"]) <= set(GRAPH_COLUMNS)


def kept_nights(nights, keep_nights=KEEP_NIGHTS):
    """The nights of one machine that keep their whole files, of nights {commit: (date, environments)}: the
    keep_nights newest, and the newest of those stored in the most environments (the night that
    tools/results.py latest_commit(widest=True) gives the reports)."""
    newest = sorted(nights, key=lambda commit: nights[commit][0], reverse=True)[:keep_nights]
    widest = max(nights, key=lambda commit: (nights[commit][1], nights[commit][0]), default=None)
    return set(newest) | ({widest} if widest else set())


def tree_files(results_dir):
    """Every file of a results tree, as paths relative to it (a writer's partial files left out)."""
    for at, _, names in os.walk(results_dir):
        for name in sorted(names):
            if not name.endswith(PARTIAL):
                yield os.path.relpath(os.path.join(at, name), results_dir)


def is_results_file(rel):
    """A path of a results file (<machine>/<commit>-<environment>.json), not of machine.json or benchmarks.json."""
    return rel.endswith(".json") and os.path.basename(rel) not in SUITE_FILES and os.path.dirname(rel) != ""


def readable(path):
    """The parsed results file, or None (named on stderr) when it is not one that asv can read."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        data, problem = None, f"not valid JSON (truncated?): {exc}"
    else:
        problem = schema_problem(data)
    if problem:
        print(f"{path}: {problem}; stored as it is, not thinned", file=sys.stderr, flush=True)
        return None
    return data


def copy(source, target):
    """Copy source to target unless target holds the same bytes already."""
    if not (os.path.exists(target) and filecmp.cmp(source, target, shallow=False)):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(source, target)


def keep_thinned(source, target):
    """Write the results file source to target thinned (``thinned``), or as it is when it is thin already or
    cannot be read; its parsed data when it was whole, else None."""
    data = readable(source)
    if data is None or is_thin(data):
        copy(source, target)
        return None
    os.makedirs(os.path.dirname(target), exist_ok=True)
    write_json_atomically(target, thinned(data), compact=True)
    return data


def store_thinned(results_dir, stored):
    """Put results_dir's files into the tree stored (the results branch's results/), every whole results
    file thinned; return {relative path: (machine, commit, date)} of the whole ones."""
    whole = {}
    for rel in tree_files(results_dir):
        source, target = os.path.join(results_dir, rel), os.path.join(stored, rel)
        if not is_results_file(rel):
            copy(source, target)
            continue
        data = keep_thinned(source, target)
        if data:
            whole[rel] = (os.path.dirname(rel), data["commit_hash"], data["date"])
    return whole


def night_of(path):
    """(commit, date) of a results file."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return data["commit_hash"], data["date"]


def keep_whole(results_dir, whole_dir, whole, keep_nights):
    """Make whole_dir (the results-samples branch's results/) hold the whole files of each machine's kept
    nights, from results_dir (those in whole) and from what whole_dir held, and results_dir's machine.json
    and benchmarks.json files."""
    found = {rel: (os.path.dirname(rel), *night_of(os.path.join(whole_dir, rel)))
             for rel in tree_files(whole_dir) if is_results_file(rel)}
    found.update(whole)
    nights = {}
    for machine, commit, date in found.values():
        dated, envs = nights.setdefault(machine, {}).get(commit, (date, 0))
        nights[machine][commit] = (max(dated, date), envs + 1)
    kept = {machine: kept_nights(by_commit, keep_nights) for machine, by_commit in nights.items()}
    for rel, (machine, commit, _) in found.items():
        if commit in kept[machine] and rel in whole:
            copy(os.path.join(results_dir, rel), os.path.join(whole_dir, rel))
        elif commit not in kept[machine] and os.path.exists(os.path.join(whole_dir, rel)):
            os.remove(os.path.join(whole_dir, rel))
    for rel in tree_files(results_dir):
        if os.path.basename(rel) in SUITE_FILES:
            copy(os.path.join(results_dir, rel), os.path.join(whole_dir, rel))


def newest_line(paths):
    """Of one night's results files, the newest release line's: the highest NumPy of a file with no twin's
    variable (None when none is)."""
    lines = {}
    for path in paths:
        data = readable(path)
        if data and not data.get("env_vars") and data.get("requirements", {}).get("numpy"):
            lines[path] = Version(data["requirements"]["numpy"])
    return max(lines, key=lines.get, default=None)


def prune_history(stored, history_nights=HISTORY_NIGHTS):
    """Remove from stored (the results branch's results/) the files of each machine's nights older than its
    history_nights newest, but for each such night's newest release line (``newest_line``); the removed paths."""
    removed = []
    for machine in sorted(os.listdir(stored)) if os.path.isdir(stored) else []:
        nights = {}
        for rel in tree_files(os.path.join(stored, machine)):
            if is_results_file(os.path.join(machine, rel)):
                nights.setdefault(rel.split("-", 1)[0], []).append(os.path.join(stored, machine, rel))
        dated = {prefix: next((data["date"] for data in map(readable, paths) if data), 0) for prefix, paths in nights.items()}
        for prefix in sorted(nights, key=dated.get, reverse=True)[history_nights:]:
            if len(nights[prefix]) > 1:
                keep = newest_line(nights[prefix])
                for path in nights[prefix]:
                    if keep and path != keep:
                        os.remove(path)
                        removed.append(os.path.relpath(path, stored))
    return removed


def store_night(results_dir, branch_dir, samples_dir, message, keep_nights=KEEP_NIGHTS, history_nights=HISTORY_NIGHTS):
    """Commit a night's results tree to the worktrees of both branches; return (results commit, results-samples commit).

    results_dir is the night's tree: the results restored from both branches with tonight's added, or
    tonight's alone. Its files go, thinned, into branch_dir/results/, the nights beyond history_nights
    are pruned (``prune_history``), and it is committed on top of its branch (a commit every night,
    empty or not); the whole files of each machine's kept nights
    (``kept_nights``, from results_dir and from what samples_dir held) become samples_dir/results/,
    committed alone as its branch's one commit (no parent). The caller pushes: branch_dir's branch as it is,
    samples_dir's with --force-with-lease.
    """
    stored, whole_dir = os.path.join(branch_dir, RESULTS), os.path.join(samples_dir, RESULTS)
    keep_whole(results_dir, whole_dir, store_thinned(results_dir, stored), keep_nights)
    prune_history(stored, history_nights)
    git("add", "--all", cwd=branch_dir)
    git("commit", "--quiet", "--allow-empty", "-m", message, cwd=branch_dir)
    git("rm", "-r", "--cached", "--quiet", "--ignore-unmatch", ".", cwd=samples_dir)  # its results/ only
    git("add", "--all", RESULTS, cwd=samples_dir)
    replacing = git("commit-tree", git("write-tree", cwd=samples_dir), "-m", message, cwd=samples_dir)
    git("update-ref", "HEAD", replacing, cwd=samples_dir)
    return git("rev-parse", "HEAD", cwd=branch_dir), replacing


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="the night's results tree")
    parser.add_argument("branch", help="a worktree of the results branch")
    parser.add_argument("samples", help="a worktree of the results-samples branch (new or checked out)")
    parser.add_argument("--message", "-m", required=True, help="the commits' message")
    parser.add_argument("--keep-nights", type=int, default=KEEP_NIGHTS,
                        help=f"the newest nights of each machine kept whole (default {KEEP_NIGHTS})")
    args = parser.parse_args(argv)
    print(*store_night(args.results, args.branch, args.samples, args.message, args.keep_nights))


if __name__ == "__main__":
    main()

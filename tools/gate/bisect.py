"""Bisect a regression: the first commit after GOOD, up to BAD, that made a benchmark slower.

  python -m tools.gate.bisect --good REV [--bad REV] [--bench REGEX] [--gate F] [--json F] [--markdown F]

The N commits are BAD's first-parent history after GOOD. Every step is one run of the regression
gate (tools/gate/): GOOD against BAD first (BAD must regress; the later runs time only the
benchmarks it flagged), then a binary search comparing GOOD against midpoints, then the culprit
against its parent: at most ceil(log2 N) + 2 gate runs. --gate F reads that first comparison from
the gate's --json F (the nightly's gate has just made it) when it compared GOOD against BAD on this
machine with the same rounds, threshold and alpha; otherwise it is made again, and the log says
why. Exit status: 0 a culprit is named (its sha, subject, and the regressed benchmarks with their
ratios against its parent), 3 no decision (BAD is not slower than GOOD, the culprit is not slower
than its parent, e.g. a slowdown spread over several commits, or a comparison could not be made);
2 is a usage error.
"""
import argparse
import json
import math
import sys

from measurement.machine import this_machine
from tools import gate, lock
from tools.gate import builds, measure, report, verdict
from tools.gate.__main__ import add_measurement_arguments, check_measurement_arguments, log, write_json


def regressed(result):
    """The benchmark keys one gate comparison flagged (time or allocation)."""
    return sorted({*result["regressions"], *result["allocation_regressions"]})


def search(commits, compare, first=None):
    """(index of the culprit in commits, its comparison against its parent), where commits are GOOD and
    then BAD's first-parent history up to BAD. compare(baseline, candidate, keys) is one gate run (keys
    None: the whole selection); first, when given, is GOOD against BAD already made; no pair is
    compared twice. Raises gate.CannotCompare without a decision."""
    results = {} if first is None else {(0, len(commits) - 1): first}

    def comparison(i, j, keys):
        if (i, j) not in results:
            results[i, j] = compare(commits[i], commits[j], keys)
        return results[i, j]

    lo, hi = 0, len(commits) - 1  # invariant: commits[lo] is not slower than GOOD, commits[hi] is
    keys = regressed(comparison(0, hi, None))
    if not keys:
        raise gate.CannotCompare(f"{commits[hi][:8]} is not slower than {commits[0][:8]}: nothing to bisect")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if regressed(comparison(0, mid, keys)):
            hi = mid
        else:
            lo = mid
    against_parent = comparison(hi - 1, hi, keys)
    if not regressed(against_parent):
        raise gate.CannotCompare(f"{commits[hi][:8]} is slower than {commits[0][:8]} but not than its parent "
                                 f"{commits[hi - 1][:8]}: the slowdown may be spread over several commits")
    return hi, against_parent


def first_parent_range(good, bad):
    """[GOOD, then BAD's first-parent history after it, oldest first] as shas."""
    good, bad = (builds.git("rev-parse", "--verify", f"{rev}^{{commit}}") for rev in (good, bad))
    after = builds.git("rev-list", "--first-parent", "--reverse", f"{good}..{bad}").split()
    if not after or builds.git("rev-parse", f"{after[0]}^") != good:
        raise gate.CannotCompare(f"{bad[:8]} is not a first-parent descendant of {good[:8]}")
    return [good, *after]


def max_comparisons(n):
    """The most gate runs a bisection of n commits makes."""
    return math.ceil(math.log2(n)) + 2


def earlier_gate(path, commits, rounds, threshold, alpha):
    """(the gate result in the file at path, or None, why it is not GOOD against BAD as this bisection
    would compare them)."""
    try:
        with open(path) as f:
            result = json.load(f)
    except (OSError, ValueError) as exc:
        return None, f"cannot read {path}: {exc}"
    wanted = {"baseline": commits[0], "candidate": commits[-1], "machine": this_machine(), "rounds": rounds,
              "threshold": threshold, "alpha": alpha}
    differs = [f"{key} {result.get(key)!r}, not {value!r}" for key, value in wanted.items() if result.get(key) != value]
    if differs or result.get("status") != "regressed":
        return None, f"{path} is not GOOD against BAD regressed here: " + "; ".join(
            differs or [f"status {result.get('status')!r}"])
    return result, None


def run_bisect(good, bad, bench, rounds, threshold, alpha, log=print, gate_json=None):
    """The bisection as a dict (see --json); gate_json: the gate's --json of GOOD against BAD (--gate)."""
    comparisons = []
    try:
        commits = first_parent_range(good, bad)
        first = None
        if gate_json:
            first, why = earlier_gate(gate_json, commits, rounds, threshold, alpha)
            log(f"bisect: GOOD against BAD read from {gate_json}" if first else f"bisect: {why}; comparing them again")
            if first:
                comparisons.append({"baseline": commits[0], "candidate": commits[-1], "regressed": regressed(first),
                                    "from": gate_json})

        def compare(base, cand, keys):
            log(f"bisect: gate run {len(comparisons) + 1} (at most {max_comparisons(len(commits) - 1)} "
                f"for {len(commits) - 1} commits)")
            result = verdict.compare(base, cand, measure.exact_keys(keys) if keys else bench, rounds, threshold,
                                     alpha, log)
            comparisons.append({"baseline": base, "candidate": cand, "regressed": regressed(result)})
            return result

        index, against_parent = search(commits, compare, first)
    except gate.CannotCompare as exc:
        return {"status": "undecided", "message": str(exc), "comparisons": comparisons}
    culprit = commits[index]
    return {"status": "culprit", "culprit": culprit, "subject": builds.git("log", "-1", "--format=%s", culprit),
            "parent": commits[index - 1], "commits": len(commits) - 1, "comparisons": comparisons,
            "regressions": {key: ev["ratio"] for key, ev in against_parent["regressions"].items()},
            "allocation_regressions": {key: ev["ratio"] for key, ev in against_parent["allocation_regressions"].items()},
            "result": against_parent}


def text_report(bisection):
    if bisection["status"] != "culprit":
        return f"no culprit: {bisection['message']}"
    return (f"culprit {bisection['culprit']} {bisection['subject']}\n{report.text_report(bisection['result'])}\n"
            f"{bisection['commits']} commits, {len(bisection['comparisons'])} gate runs")


def markdown_report(bisection):
    if bisection["status"] != "culprit":
        return f"### npopt bisection: no culprit\n\n{bisection['message']}\n"
    return (f"### npopt bisection: culprit `{bisection['culprit']}` {bisection['subject']}\n\n"
            f"The first of {bisection['commits']} commits that regressed, here against its parent "
            f"({len(bisection['comparisons'])} gate runs):\n\n{report.markdown_report(bisection['result'])}\n")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.gate.bisect", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--good", required=True, help="a commit without the regression")
    parser.add_argument("--bad", default="HEAD", help="a later commit with it (default HEAD)")
    add_measurement_arguments(parser)
    parser.add_argument("--gate", help="the gate's --json of GOOD against BAD: its comparison is not made again")
    parser.add_argument("--json", help="also write the result here")
    parser.add_argument("--markdown", help="also append it as Markdown here (e.g. $GITHUB_STEP_SUMMARY)")
    args = parser.parse_args(argv)
    check_measurement_arguments(parser, args)
    with lock.hold("gate"):  # tools/lock.py: a second gate or bisection waits
        bisection = run_bisect(args.good, args.bad, args.bench, args.rounds, args.threshold, args.alpha, log,
                               args.gate)
        named = bisection["status"] == "culprit"
        print(text_report(bisection), file=sys.stdout if named else sys.stderr)
        if args.json:
            write_json(args.json, bisection)
        if args.markdown:
            with open(args.markdown, "a") as f:
                f.write(markdown_report(bisection))
        builds.prune_builds()
        return 0 if named else gate.CANNOT_COMPARE


if __name__ == "__main__":
    sys.exit(main())

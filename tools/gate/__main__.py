"""Regression gate: does a candidate commit make any kernel slower, or allocate more, than a baseline?

  python -m tools.gate [--candidate REV] [--baseline REV] [--bench REGEX] [--json F] [--markdown F]

Defaults: the candidate is HEAD; the baseline is HEAD's merge-base with main or, when HEAD is on
main, the commit before it. Exit status: 0 nothing regressed, 1 a regression (each one printed with
its evidence), 3 the comparison could not be made (no baseline, a build failed, a benchmark
crashed); 2 is a usage error. The result always goes to .asv/gate/last.json (the dashboard's gate
page), and also to --json F when given. The method, chosen for a noisy 2-core shared machine, and
its measured figures: docs/gate.md.
"""
import argparse
import json
import os
import sys
import tempfile

from tools import gate, lock
from tools.gate import builds, report, verdict


def add_measurement_arguments(parser):
    """The options of a gate comparison, shared by the gate's and the bisection's command lines."""
    parser.add_argument("--bench", help="only benchmark keys matching this regular expression")
    parser.add_argument("--rounds", type=int, default=verdict.ROUNDS, help=f"an even number (default {verdict.ROUNDS})")
    parser.add_argument("--threshold", type=float, default=verdict.THRESHOLD)
    parser.add_argument("--alpha", type=float, default=verdict.ALPHA)


def check_measurement_arguments(parser, args):
    """Refuse (usage error) values with which no timing regression could be flagged or the order is unbalanced."""
    if not 0 < args.alpha < 1:
        parser.error(f"--alpha must be between 0 and 1, not {args.alpha}")
    least = verdict.min_rounds(args.alpha)
    if args.rounds < least:
        parser.error(f"--rounds {args.rounds} can never flag a timing regression at --alpha {args.alpha}: the "
                     f"smallest exact Mann-Whitney p-value of r + r round minima is 1/C(2r, r), which reaches "
                     f"{args.alpha} only from r = {least}; the minimum is --rounds {least + least % 2} (rounds "
                     "must be even)")
    if args.rounds % 2:
        parser.error(f"--rounds {args.rounds} must be even, so that the A B B A order gives both sides "
                     "the same mean position")


def log(message):
    """Progress goes to stderr; stdout carries the report."""
    print(message, file=sys.stderr, flush=True)


def write_json(path, data):
    """Write JSON to path in place (it may be a special file such as /dev/null)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


def record(result):
    """Replace .asv/gate/last.json (the dashboard's gate page) atomically: a temporary file, then os.replace."""
    os.makedirs(gate.WORK, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=gate.WORK, suffix=".tmp", delete=False) as f:
        json.dump(result, f, indent=1)
    os.replace(f.name, os.path.join(gate.WORK, "last.json"))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.gate", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--candidate", default="HEAD")
    parser.add_argument("--baseline")
    add_measurement_arguments(parser)
    parser.add_argument("--json", help="also write the result here (it always goes to .asv/gate/last.json)")
    parser.add_argument("--markdown", help="also append a Markdown table here (e.g. $GITHUB_STEP_SUMMARY)")
    args = parser.parse_args(argv)
    check_measurement_arguments(parser, args)
    with lock.hold("gate"):  # tools/lock.py: a second gate or bisection waits
        try:
            result = verdict.compare(args.baseline, args.candidate, args.bench, args.rounds, args.threshold,
                                     args.alpha, log)
        except gate.CannotCompare as exc:
            print(f"gate: cannot compare: {exc}", file=sys.stderr)
            result, status = {"status": "error", "message": str(exc)}, gate.CANNOT_COMPARE
        else:
            status = gate.REGRESSED if result["regressions"] or result["allocation_regressions"] else gate.OK
            result["status"] = "regressed" if status else "ok"
            print(report.text_report(result))
            if args.markdown:
                with open(args.markdown, "a") as f:
                    f.write(report.markdown_report(result) + "\n")
        record(result)
        if args.json:
            write_json(args.json, result)
        builds.prune_builds()
        return status


if __name__ == "__main__":
    sys.exit(main())

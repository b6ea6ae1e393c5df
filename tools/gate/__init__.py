"""The regression gate: does a candidate commit make any kernel slower, or allocate more, than a
baseline? And its bisection: which commit did. The method, its thresholds and the figures measured
for them are in docs/gate.md.

    builds.py    revisions resolved; each commit built once per toolchain, in a locked cache
    measure.py   wall-time rounds in A B B A order, allocated bytes, Valgrind counts (cached)
    verdict.py   suspects, regressions by count or allocation, the comparison of two commits
    report.py    the comparison as text and as Markdown
    __main__.py  python -m tools.gate: the command line, its result in .asv/gate/last.json
    bisect.py    python -m tools.gate.bisect: the first commit that regressed
    worker.py    one measurement round, a script run on a build (PYTHONPATH=<build>)

This module holds what they share: the gate's folder, its exit codes, the metrics that decide a
verdict and the error that stops a comparison.
"""
import os

from measurement.paths import ROOT

WORK = os.environ.get("NPOPT_GATE_WORK") or os.path.join(ROOT, ".asv", "gate")  # builds are cached here
OK, REGRESSED, CANNOT_COMPARE = 0, 1, 3
INSTRUCTIONS, SECONDS = "instructions", "wall time"  # the metrics that decide a verdict


class CannotCompare(Exception):
    """The gate could not produce a comparison; the message says why."""

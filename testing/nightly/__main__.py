"""The nightly workflow's fan-out, run here night after night against a local stand-in for GitHub.

  python -m testing.nightly [--numpy 2.4.6] [--bench fused_expressions] [--dir .asv/nightly-local]

Two benchmark jobs a night, the x86-64 runner (this machine) and the AArch64 runner (this machine
under a stand-in name), then the merge and the Pages deployment; the macOS runner has no stand-in
here and must be named missing. The scenario, each night checked: 1 stores both machines' results
in one results-branch commit and deploys the dashboard with both machines; 2 comes after three
pushed commits, the middle one doing real extra work in fused_expressions.expression's numexpr
variant: both machines' gates fail, each bisection names that commit, and the merge files two
issues, one per machine; 3 (one more commit) loses the AArch64 runner (SIGKILL midway through its
benchmarks): the x86-64 results land, nothing earlier is lost, the lost machine's baseline stays;
4 passes on both. --numpy and --bench are the workflow's dispatch inputs (one NumPy environment and
one technique: the reduced form, which `make test` runs, tests/test_nightly.py); without them each
night is a scheduled run over the whole NumPy matrix and suite. Exit status 0, or 1 with the failed
check.
"""
import argparse
import os
import sys
import time

from measurement.paths import ROOT
from testing.nightly import Unsupported
from testing.nightly.scenario import ScenarioFailed, scenario
from testing.plant import CannotPlant


def main(argv=None):
    """Run the four nights and print a line per night; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m testing.nightly", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--numpy", help="the workflow's numpy input: only these NumPy versions (space-separated)")
    parser.add_argument("--bench", help="the workflow's bench input: only benchmarks matching this regex")
    parser.add_argument("--dir", default=os.path.join(ROOT, ".asv", "nightly-local"), help="the sandbox (wiped)")
    args = parser.parse_args(argv)
    inputs = {k: v for k, v in (("numpy", args.numpy), ("bench", args.bench)) if v}
    started = time.monotonic()
    try:
        nights = scenario(args.dir, inputs)
    except (ScenarioFailed, Unsupported, CannotPlant) as exc:
        print(f"\nnightly-local: FAILED: {exc}", file=sys.stderr)
        return 1
    print("\nnight  commit    seconds  results-branch commits  jobs")
    for r in nights:
        jobs = ", ".join(f"{name} {conclusion}" for name, conclusion in r["jobs"].items())
        print(f"{r['night']:>5}  {r['sha'][:8]}  {r['seconds']:>7}  {r['results_commits']:>22}  {jobs}")
    print(f"\nnightly-local: every night did what it must ({time.monotonic() - started:.0f} s); sandbox {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

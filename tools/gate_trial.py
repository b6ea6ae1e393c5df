"""Measure the regression gate itself: does it catch a known slowdown, and stay quiet otherwise?

Run by hand (minutes to an hour; not part of the tests). Works on a throwaway clone of this
repository, never on this checkout:

  python -m tools.gate_trial detect vectorization.add:ufunc --factor 1.25 --trials 20
      commits a slowdown of exactly FACTOR into one variant (a spin-wait after each call) and
      runs the gate on that variant's technique TRIALS times: a hit is exit status 1 with every
      regressed benchmark belonging to that variant, and nothing else flagged
  python -m tools.gate_trial quiet --bench '^vectorization\\.' --trials 20
  python -m tools.gate_trial quiet --trials 5
      commits a change to README.md only and runs the gate TRIALS times: a pass is exit status 0

Prints each trial's outcome and duration and the totals; writes them to .asv/gate/trial-*.json.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SLOWDOWN = '''

# --- gate trial: every call of {target} takes {factor} times as long ---
import dataclasses as _dataclasses
import time as _time

from npopt.registry import KERNELS as _KERNELS


def _slowed(fn, factor):
    def slow(*args):
        start = _time.perf_counter()
        out = fn(*args)
        until = start + factor * (_time.perf_counter() - start)
        while _time.perf_counter() < until:
            pass
        return out
    return slow


_variant = _KERNELS["{kernel}"].variants["{variant}"]
_KERNELS["{kernel}"].variants["{variant}"] = _dataclasses.replace(_variant, fn=_slowed(_variant.fn, {factor}))
'''


def sh(*cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def commit(clone, message):
    sh("git", "-c", "user.name=gate-trial", "-c", "user.email=trial@npopt", "commit", "--quiet", "-am", message, cwd=clone)
    return sh("git", "rev-parse", "HEAD", cwd=clone)


def run_trials(clone, base, cand, bench, trials, hit):
    """Run the gate TRIALS times; return [(hit?, seconds, status, regressed keys)]."""
    outcomes = []
    for t in range(trials):
        out = os.path.join(clone, f"gate-{t}.json")
        start = time.perf_counter()
        status = subprocess.run([sys.executable, "-m", "tools.gate", "--baseline", base, "--candidate", cand,
                                 *(["--bench", bench] if bench else []), "--json", out],
                                cwd=clone, capture_output=True, text=True).returncode
        seconds = time.perf_counter() - start
        result = json.load(open(out))
        flagged = sorted(result.get("regressions", {})) + sorted(result.get("allocation_regressions", {}))
        worst = max(result.get("ratios", {}).items(), key=lambda kv: kv[1], default=("-", 0))
        outcomes.append((hit(status, flagged), seconds, status, flagged, worst))
        print(f"trial {t + 1}/{trials}: status {status}, {seconds:.0f} s, flagged {flagged or 'nothing'}"
              f" (largest measured ratio {worst[1]:.3f} in {worst[0]}) -> {'ok' if outcomes[-1][0] else 'MISS'}",
              flush=True)
    return outcomes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("mode", choices=["detect", "quiet"])
    parser.add_argument("target", nargs="?", help="detect: technique.kernel:variant to slow down")
    parser.add_argument("--factor", type=float, default=1.25)
    parser.add_argument("--bench", help="gate only these benchmark keys (default for detect: the target's technique)")
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="npopt-gate-trial-") as tmp:
        clone = os.path.join(tmp, "clone")
        sh("git", "clone", "--quiet", "--no-hardlinks", ROOT, clone, cwd=tmp)
        os.environ["NPOPT_GATE_WORK"] = os.path.join(ROOT, ".asv", "gate")  # share built commits across trials
        base = sh("git", "rev-parse", "HEAD", cwd=clone)
        if args.mode == "detect":
            kernel, variant = args.target.split(":")
            technique = kernel.split(".")[0]
            with open(os.path.join(clone, "npopt", f"{technique}.py"), "a") as f:
                f.write(SLOWDOWN.format(target=args.target, kernel=kernel, variant=variant, factor=args.factor))
            cand = commit(clone, f"gate trial: slow {args.target} down {args.factor}x")
            bench = args.bench or f"^{re.escape(technique)}\\."
            def hit(status, flagged):
                return status == 1 and flagged and all(k.startswith(args.target + ":") for k in flagged)
        else:
            with open(os.path.join(clone, "README.md"), "a") as f:
                f.write("\n")
            cand = commit(clone, "gate trial: no code change")
            bench = args.bench
            def hit(status, flagged):
                return status == 0
        outcomes = run_trials(clone, base, cand, bench, args.trials, hit)

    passed = sum(o[0] for o in outcomes)
    seconds = sorted(o[1] for o in outcomes)
    label = f"detected {args.factor}x in {args.target}" if args.mode == "detect" else "stayed quiet"
    print(f"\n{label}: {passed}/{len(outcomes)} trials; gate run {seconds[len(seconds) // 2]:.0f} s median"
          f" ({seconds[0]:.0f}-{seconds[-1]:.0f} s); bench {bench or 'whole suite'}")
    report = os.path.join(ROOT, ".asv", "gate", f"trial-{args.mode}-{int(time.time())}.json")
    with open(report, "w") as f:
        json.dump({"mode": args.mode, "target": args.target, "factor": args.factor, "bench": bench,
                   "passed": passed, "trials": len(outcomes), "outcomes": outcomes}, f, indent=1)
    return 0 if passed == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())

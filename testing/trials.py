"""Measure the regression gate itself: does it catch a known slowdown, and stay quiet otherwise?

Run by hand (minutes to an hour; not part of the tests). Works on a throwaway clone of this
repository, never on this checkout:

  python -m testing.trials detect vectorization.add:ufunc --factor 1.25 --trials 20
      commits a slowdown of exactly FACTOR into one variant (a spin-wait after each call) and
      runs the gate on that variant's technique TRIALS times: a hit is exit status 1 with every
      regressed benchmark belonging to that variant, and nothing else flagged
  python -m testing.trials detect compiled.ema_with_reset:cython --work --factor 1.03 --trials 20
      the same with a slowdown made of real work, which a count sees: the variant's compiled loop
      runs over the first FACTOR - 1 of its input once more before its own pass, which overwrites
      that (the results do not change); the variants with such a plant are the keys of
      testing.plant.WORK
  python -m testing.trials quiet --bench '^vectorization\\.' --trials 20
  python -m testing.trials quiet --trials 5
      commits a change to README.md only and runs the gate TRIALS times: a pass is exit status 0
  python -m testing.trials bisect vectorization.add:ufunc --factor 1.25 --commits 16 --trials 10
      per trial, COMMITS commits that change README.md, one of them (at a random position) also
      committing the slowdown, then `python -m tools.gate.bisect` over them: a hit names exactly
      that commit

asv's own commands, in one environment (ENV: asv's name of a matrix environment, created on first use):

  python -m testing.trials continuous vectorization.add:ufunc --factor 1.3 --trials 5 --env ENV
      the slowdown planted as for detect, then `asv continuous BASE CANDIDATE --bench BENCH`: a hit
      is exit status 1 with every worsened figure belonging to that variant (default BENCH: its class)
  python -m testing.trials continuous --trials 5 --env ENV --bench '^bench_vectorization\\.Add\\.'
      a change to README.md only: a pass is exit status 0
  python -m testing.trials find vectorization.add:ufunc --factor 1.3 --commits 8 --trials 3 --env ENV
      COMMITS commits as for bisect, then `asv find BASE..HEAD BENCH`: a hit names the planted commit

Prints each trial's outcome and duration and the totals; writes them to .asv/gate/trial-*.json.
Builds go to a temporary directory (shared by one invocation's trials), so the trials neither
fill .asv/gate/builds nor replace the real gate's .asv/gate/last.json.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

from measurement.paths import ROOT, git
from testing.plant import CannotPlant, plant
from testing.repo import commit

def planted_series(clone, base, branch, target, factor, commits, work=False):
    """(position, commit): COMMITS commits on a new branch from base that change README.md, the one at a
    random position also planting the slowdown of target."""
    git("checkout", "--quiet", "-B", branch, base, cwd=clone)
    position = random.randint(1, commits)
    for i in range(1, commits + 1):
        with open(os.path.join(clone, "README.md"), "a") as f:
            f.write(f"\ntrial {branch}, commit {i}\n")
        if i == position:
            plant(clone, target, factor, work)
            planted = commit(clone, f"trial: slow {target} down {factor}x")
        else:
            commit(clone, "trial: README only")
    return position, planted


def bisect_trials(clone, base, target, factor, commits, bench, trials, work=False):
    """Per trial, COMMITS commits after base with the slowdown planted in a random one, then the
    bisection; return [(hit?, seconds, status, position, named culprit, gate runs)]."""
    outcomes = []
    for t in range(trials):
        position, planted = planted_series(clone, base, f"trial-{t}", target, factor, commits, work)
        out = os.path.join(clone, f"bisect-{t}.json")
        start = time.perf_counter()
        status = subprocess.run([sys.executable, "-m", "tools.gate.bisect", "--good", base, "--bad", "HEAD",
                                 "--bench", bench, "--json", out], cwd=clone, capture_output=True, text=True).returncode
        seconds = time.perf_counter() - start
        result = json.load(open(out))
        named, runs = result.get("culprit"), len(result["comparisons"])
        outcomes.append((status == 0 and named == planted, seconds, status, position, named, runs))
        print(f"trial {t + 1}/{trials}: slowdown in commit {position}/{commits}; status {status}, {seconds:.0f} s, "
              f"{runs} gate runs, named {named[:8] if named else result['message']}"
              f" -> {'ok' if outcomes[-1][0] else 'MISS'}", flush=True)
    return outcomes


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
        by = sorted({e.get("metric", "wall time") for e in result.get("regressions", {}).values()})
        worst = max(result.get("ratios", {}).items(), key=lambda kv: kv[1], default=("-", 0))
        outcomes.append((hit(status, flagged), seconds, status, flagged, worst, by))
        print(f"trial {t + 1}/{trials}: status {status}, {seconds:.0f} s, flagged {flagged or 'nothing'}"
              f"{' by ' + ' and '.join(by) if by else ''} (largest ratio {worst[1]:.4f} in {worst[0]}, by "
              f"{result.get('metrics', {}).get(worst[0], 'wall time')}) -> {'ok' if outcomes[-1][0] else 'MISS'}",
              flush=True)
    return outcomes


def class_bench(target):
    """asv's --bench of the timed figures of target's kernel class (technique.kernel:variant)."""
    from measurement.point import benchmark_name
    from npopt.registry import KERNELS

    return f"^{re.escape(benchmark_name(KERNELS[target.split(':')[0]]))}"


def asv_trial(clone, cmd, env_name):
    """(exit status, seconds, output) of asv command cmd (a list) in the clone, in one environment."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "asv", cmd[0], "-E", env_name, *cmd[1:]], cwd=clone,
                          capture_output=True, text=True)
    return done.returncode, time.perf_counter() - start, done.stdout + done.stderr


def continuous_trials(clone, base, cand, bench, trials, env_name, target=None):
    """`asv continuous base cand` TRIALS times; with target, a hit is status 1 with every worsened figure
    of target's variant, else a pass is status 0. Returns [(hit?, seconds, status, worsened figures)]."""
    outcomes = []
    for t in range(trials):
        status, seconds, out = asv_trial(clone, ["continuous", "--bench", bench, base, cand], env_name)
        worse = re.findall(r"^\|\s*[+!]\s*\|.*\|\s*(\S+\(.*?\)|\S+)\s*\|$", out, re.M)
        variant = target and f"'{target.split(':')[1]}'"
        hit = (status == 1 and worse and all(variant in w for w in worse)) if target else status == 0
        outcomes.append((bool(hit), seconds, status, worse))
        print(f"trial {t + 1}/{trials}: status {status}, {seconds:.0f} s, worsened {worse or 'nothing'}"
              f" -> {'ok' if hit else 'MISS'}", flush=True)
    return outcomes


def find_trials(clone, base, target, factor, commits, bench, trials, env_name):
    """Per trial, COMMITS commits with the slowdown in a random one, then `asv find`; a hit names it."""
    outcomes = []
    for t in range(trials):
        position, planted = planted_series(clone, base, f"find-{t}", target, factor, commits)
        status, seconds, out = asv_trial(clone, ["find", f"{base}..HEAD", bench], env_name)
        named = re.findall(r"Greatest regression found: (\w+)", out)
        hit = status == 0 and named and planted.startswith(named[-1])
        outcomes.append((bool(hit), seconds, status, position, named[-1] if named else None))
        print(f"trial {t + 1}/{trials}: slowdown in commit {position}/{commits}; status {status}, {seconds:.0f} s, "
              f"named {named[-1] if named else out[-300:]} -> {'ok' if hit else 'MISS'}", flush=True)
    return outcomes


def main(argv=None):
    """Run the trials of one mode, print and store their outcomes; the exit status (0: every trial a hit)."""
    parser = argparse.ArgumentParser(prog="python -m testing.trials", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("mode", choices=["detect", "quiet", "bisect", "continuous", "find"])
    parser.add_argument("target", nargs="?", help="detect, bisect: technique.kernel:variant to slow down")
    parser.add_argument("--factor", type=float, default=1.25)
    parser.add_argument("--work", action="store_true", help="detect, bisect: plant real extra work, not a spin-wait")
    parser.add_argument("--bench", help="gate only these benchmark keys (default for detect and bisect: the target's "
                                        "technique)")
    parser.add_argument("--commits", type=int, default=16, help="bisect: commits to search, the slowdown in one")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--env", help="continuous, find: asv's name of the environment to run in")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="npopt-gate-trial-") as tmp:
        clone = os.path.join(tmp, "clone")
        git("clone", "--quiet", "--no-hardlinks", ROOT, clone, cwd=tmp)
        os.environ["NPOPT_GATE_WORK"] = os.path.join(tmp, "work")  # builds shared by this invocation's trials
        base = git("rev-parse", "HEAD", cwd=clone)
        bench = args.bench or (args.target and f"^{re.escape(args.target.split('.')[0])}\\.")
        if args.mode in ("continuous", "find"):
            bench = args.bench or class_bench(args.target)
        if args.mode == "continuous":
            if args.target:
                plant(clone, args.target, args.factor)
            else:
                with open(os.path.join(clone, "README.md"), "a") as f:
                    f.write("\n")
            cand = commit(clone, f"asv continuous trial: {'slow ' + args.target if args.target else 'no code change'}")
            outcomes = continuous_trials(clone, base, cand, bench, args.trials, args.env, args.target)
        elif args.mode == "find":
            outcomes = find_trials(clone, base, args.target, args.factor, args.commits, bench, args.trials, args.env)
        elif args.mode == "detect":
            plant(clone, args.target, args.factor, args.work)
            cand = commit(clone, f"gate trial: slow {args.target} down {args.factor}x")
            outcomes = run_trials(clone, base, cand, bench, args.trials, lambda status, flagged: status == 1 and flagged
                                  and all(k.startswith(args.target + ":") for k in flagged))
        elif args.mode == "quiet":
            with open(os.path.join(clone, "README.md"), "a") as f:
                f.write("\n")
            cand = commit(clone, "gate trial: no code change")
            outcomes = run_trials(clone, base, cand, bench, args.trials, lambda status, flagged: status == 0)
        else:
            outcomes = bisect_trials(clone, base, args.target, args.factor, args.commits, bench, args.trials, args.work)

    passed = sum(o[0] for o in outcomes)
    seconds = sorted(o[1] for o in outcomes)
    label = {"detect": f"detected {args.factor}x{' of extra work' if args.work else ''} in {args.target}",
             "quiet": "stayed quiet",
             "bisect": f"named the commit slowing {args.target} {args.factor}x among {args.commits}",
             "continuous": (f"asv continuous flagged {args.factor}x in {args.target}" if args.target
                            else "asv continuous stayed quiet"),
             "find": f"asv find named the commit slowing {args.target} {args.factor}x among {args.commits}"}[args.mode]
    print(f"\n{label}: {passed}/{len(outcomes)} trials; {args.mode} run {seconds[len(seconds) // 2]:.0f} s median"
          f" ({seconds[0]:.0f}-{seconds[-1]:.0f} s); bench {bench or 'whole suite'}")
    report = os.path.join(ROOT, ".asv", "gate", f"trial-{args.mode}-{int(time.time())}.json")
    os.makedirs(os.path.dirname(report), exist_ok=True)
    with open(report, "w") as f:
        json.dump({"mode": args.mode, "target": args.target, "factor": args.factor, "work": args.work, "bench": bench,
                   "commits": args.commits if args.mode == "bisect" else None,
                   "passed": passed, "trials": len(outcomes), "outcomes": outcomes}, f, indent=1)
    return 0 if passed == len(outcomes) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CannotPlant as exc:
        sys.exit(f"trials: {exc}")

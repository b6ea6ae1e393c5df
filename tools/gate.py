"""Regression gate: does a candidate commit make any kernel slower, or allocate more, than a baseline?

  python -m tools.gate [--candidate REV] [--baseline REV] [--bench REGEX] [--json F] [--markdown F]

Defaults: the candidate is HEAD; the baseline is HEAD's merge-base with main or, when HEAD is on
main, the commit before it. Exit status: 0 nothing regressed, 1 a regression (each one printed with
its evidence), 3 the comparison could not be made (no baseline, a build failed, a benchmark
crashed); 2 is a usage error. The result always goes to .asv/gate/last.json (the dashboard's gate
page), and also to --json F when given.

Method, chosen for a noisy 2-core shared machine rather than papered over with a large factor:
- Both commits are built once (pip, no isolation, against this interpreter's NumPy/Numba) into
  .asv/gate/builds/<sha>-<Python, NumPy, Numba and Cython versions>, one build per key at a time
  (a file lock) and published by an atomic rename, and the same harness (measurement/)
  times the asv grid of every kernel variant in separate worker processes.
- Wall time: rounds go A B B A A B B A ..., an even number of them, so both sides have the same mean
  position and a linear drift in machine speed hits them alike.
- Each round keeps the minimum of its samples: noise on a CPU only ever adds time.
- A benchmark is a suspect when the median of the candidate's round minima is at least
  THRESHOLD times the baseline's and an exact one-sided Mann-Whitney test on the round minima
  gives p <= ALPHA (so --rounds must be large enough for that p-value to be possible at all).
  Suspects alone are measured again, in fresh rounds; only a suspect that is confirmed by the
  second measurement is a regression.
- Counts decide where they model the machine: both builds are counted under Valgrind's cache
  simulator (measurement/cost.py: each compiled or NumPy variant at its kernel's smallest size, the
  kernel calls alone), and a counted benchmark that neither build's count finds memory-bound
  (declared in the registry, or simulated LL misses carrying half its estimated cycles) is
  decided by its instructions per call alone: more than COUNT_THRESHOLD times the baseline's is a
  regression, with no statistics. Repeated counts of unchanged code agree within 0.001% (their
  estimated cycles within 0.11%); an unrelated change (objects allocated at import, the checkout
  moved elsewhere) moved instructions by up to 0.82% and the estimated cycles, whose simulated
  misses depend on where the heap puts things, by up to 2.6% (docs/cost.md). Hence instructions, and
  1.015: nearly twice the largest drift, half the 3% the gate must catch. Every other benchmark (interpreted loops, multi-threaded and memory-bound
  variants, sizes not counted) is decided by wall time as below. The report names the metric
  that decided each verdict.
- Allocated bytes (tracemalloc) are deterministic: more than 2% + 4 KiB above the baseline is
  a regression without any statistics.
Lower is better for every gated metric (seconds, bytes); the higher-is-better speedup figures
are derived from these and not gated separately.
"""
import argparse
import fcntl
import glob
import hashlib
import importlib.metadata
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from measurement import change, cost
from measurement.machine import this_machine
from measurement.paths import ROOT
from measurement.point import Point
from tools import lock

WORK = os.environ.get("NPOPT_GATE_WORK") or os.path.join(ROOT, ".asv", "gate")  # builds are cached here
WORKER = os.path.join(ROOT, "tools", "gate_worker.py")
OK, REGRESSED, CANNOT_COMPARE = 0, 1, 3
THRESHOLD = 1.10
ALPHA = 0.01
ROUNDS = 6
BYTES_SLACK = (1.02, 4096)
COUNT_THRESHOLD = 1.015
KEPT_BUILDS = 8  # builds kept in .asv/gate/builds: a few nights' baselines, candidates and bisection midpoints
INSTRUCTIONS, SECONDS = "instructions", "wall time"  # the metrics that decide a verdict


class CannotCompare(Exception):
    """The gate could not produce a comparison; the message says why."""


def git(*args):
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise CannotCompare(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def resolve(candidate, baseline):
    """(baseline sha, candidate sha), with the default baseline described in the module docstring."""
    cand = git("rev-parse", "--verify", f"{candidate}^{{commit}}")
    if baseline:
        return git("rev-parse", "--verify", f"{baseline}^{{commit}}"), cand
    base = git("merge-base", cand, "main")
    if base == cand:
        try:
            base = git("rev-parse", "--verify", f"{cand}~1^{{commit}}")
        except CannotCompare:
            raise CannotCompare(f"no baseline: {cand[:8]} is the first commit on main") from None
    return base, cand


def toolchain():
    """The versions, in the interpreter running the gate, of everything besides the commit that shapes a build."""
    versions = {"python": platform.python_version()}
    for name in ("numpy", "numba", "cython"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "none"
    return versions


def build_key(sha):
    """The build cache's key: <sha>-python3.11.7-numpy2.4.6-numba0.68.1-cython3.3.1."""
    return "-".join([sha, *(name + version for name, version in toolchain().items())])


def install(sha, tmp):
    """pip-install the commit's npopt (with its Cython extension) into tmp/site; return that path."""
    src, site = os.path.join(tmp, "src"), os.path.join(tmp, "site")
    os.makedirs(src)
    archive = subprocess.run(["git", "archive", sha], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", src], input=archive, check=True)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--target", site, src], capture_output=True, text=True)
    if done.returncode:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise CannotCompare(f"the build of {sha[:8]} failed:\n{tail}")
    return site


def build(sha):
    """The build of the commit in .asv/gate/builds/<build_key>, made once. Concurrent gates take the key's
    file lock (the second one waits, then reuses), and a build is built in a temporary directory and
    published by an atomic rename, so no gate ever sees a partial one."""
    builds = os.path.join(WORK, "builds")
    os.makedirs(builds, exist_ok=True)
    site = os.path.join(builds, build_key(sha))
    with open(site + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not os.path.isdir(site):
            with tempfile.TemporaryDirectory(dir=builds, prefix=".building-") as tmp:
                os.rename(install(sha, tmp), site)
        os.utime(site)  # used now: prune_builds keeps the most recently used
    return site


def prune_builds(keep=KEPT_BUILDS):
    """Remove all but the ``keep`` most recently used builds (and their counts) from .asv/gate/builds, so
    that the folder, which the nightly keeps from night to night, stays bounded. Called with the gate lock
    held (tools/lock.py), when no gate or bisection is using a build."""
    builds = os.path.join(WORK, "builds")
    sites = [os.path.join(builds, n) for n in os.listdir(builds) if not n.startswith(".") and not n.endswith(".lock")
             ] if os.path.isdir(builds) else []
    for site in sorted(sites, key=os.path.getmtime, reverse=True)[keep:]:
        shutil.rmtree(site)
        if os.path.exists(site + ".lock"):
            os.remove(site + ".lock")


def measure_round(site, bench, what=()):
    """One worker process over the build at ``site``: {key: {"seconds": [...]}}, or with what=("--bytes",)
    {key: {"bytes": n}}; what may also carry ("--skip", REGEX)."""
    with tempfile.NamedTemporaryFile(suffix=".json", dir=WORK) as out:  # a unique name per round and gate
        cmd = [sys.executable, WORKER, out.name, *what] + (["--bench", bench] if bench else [])
        done = subprocess.run(cmd, env={**os.environ, "PYTHONPATH": site}, capture_output=True, text=True)
        if done.returncode:
            tail = "\n".join(done.stderr.strip().splitlines()[-15:])
            raise CannotCompare(f"a benchmark crashed on the build in {site}:\n{tail}")
        report = json.load(open(out.name))
    if os.path.realpath(report["npopt"]) != os.path.realpath(os.path.join(site, "npopt")):
        raise CannotCompare(f"the worker imported npopt from {report['npopt']}, not from {site}")
    return report["results"]


def schedule(rounds):
    """The order of the worker runs, A B B A A B B A ...: with an even number of rounds both sides
    have the same mean position."""
    return [side for r in range(rounds) for side in (("baseline", "candidate"), ("candidate", "baseline"))[r % 2]]


def measure(sites, bench, rounds, log, skip=()):
    """{side: {key: [round minima]}} from the rounds in schedule() order, the keys in skip left untimed."""
    minima = {side: {} for side in sites}
    for position, side in enumerate(schedule(rounds)):
        log(f"  round {position // 2 + 1}/{rounds}: {side}")
        for key, result in measure_round(sites[side], bench, ("--skip", exact_keys(skip)) if skip else ()).items():
            minima[side].setdefault(key, []).append(min(result["seconds"]))
    return minima


def allocations(sites, bench, log):
    """{side: {key: bytes}}: one untimed worker per build (allocations are deterministic, so it may share the
    cores with the count)."""
    log("gate: allocated bytes, once per build")
    return {side: {key: result["bytes"] for key, result in measure_round(site, bench, ("--bytes",)).items()}
            for side, site in sites.items()}


def counts_path(site, bench):
    """Where a build's counts are kept: in the build, per machine and per what else makes a count (a
    count is deterministic: the same build counted alike counts the same, docs/cost.md): the --bench
    selection, this checkout's measurement package (every module of measurement/, which builds and
    counts the calls) and Valgrind."""
    made = hashlib.sha256((bench or "").encode())
    for path in sorted(glob.glob(os.path.join(os.path.dirname(cost.__file__), "*.py"))):
        with open(path, "rb") as f:
            made.update(f.read())
    try:
        made.update(subprocess.run([cost.tool("valgrind", "valgrind"), "--version"], capture_output=True).stdout)
    except cost.CostUnavailable as exc:
        raise CannotCompare(str(exc)) from None
    return os.path.join(site, ".npopt-counts", f"{this_machine()}-{made.hexdigest()[:16]}.json")


def count(sites, bench, log):
    """{side: {key: cost figures}}: each build's counts, kept from an earlier gate of the same build, or
    counted under callgrind; the builds that need it at once, the cores shared between them (a count
    does not depend on what else runs)."""
    paths = {site: counts_path(site, bench) for site in set(sites.values())}
    kept = {site: json.load(open(path)) for site, path in paths.items() if os.path.exists(path)}
    todo = sorted(set(paths) - set(kept))
    log(f"gate: counting {len(todo)} build(s) under callgrind" + (f", {len(kept)} kept from an earlier gate"
                                                                    if kept else ""))
    if todo:
        parts = max(1, len(os.sched_getaffinity(0)) // len(todo))
        with ThreadPoolExecutor(len(todo)) as pool:
            futures = {site: pool.submit(cost.count, bench, env={**os.environ, "PYTHONPATH": site}, parts=parts,
                                         declared=False)  # a declared memory-bound benchmark is timed
                       for site in todo}
            try:
                for site, future in futures.items():
                    kept[site] = {Point(*at).gate_key: figures for at, figures in future.result().items()}
            except cost.CostUnavailable as exc:
                raise CannotCompare(str(exc)) from None
    for site in todo:
        elsewhere = {os.path.realpath(f["npopt"]) for f in kept[site].values()} - {
            os.path.realpath(os.path.join(site, "npopt"))}
        if elsewhere:
            raise CannotCompare(f"the count imported npopt from {elsewhere.pop()}, not from {site}")
        os.makedirs(os.path.dirname(paths[site]), exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=os.path.dirname(paths[site]), delete=False) as f:
            json.dump(kept[site], f)
        os.replace(f.name, paths[site])  # whole or not at all: a gate killed midway keeps no partial count
    return {side: kept[site] for side, site in sites.items()}


def counted(counts):
    """The keys decided by their counts: counted in both builds and memory-bound in neither."""
    return {key for key in set(counts["baseline"]) & set(counts["candidate"])
            if not (counts["baseline"][key]["memory_bound"] or counts["candidate"][key]["memory_bound"])}


def count_regressions(counts, keys, threshold):
    """{key: evidence} for the keys whose candidate's instructions per call exceed threshold x the baseline's."""
    found = {}
    for key in sorted(keys):
        base, cand = counts["baseline"][key], counts["candidate"][key]
        ratio = cand["instructions"] / base["instructions"]
        if ratio > threshold:
            found[key] = {"metric": INSTRUCTIONS, "baseline": base["instructions"], "candidate": cand["instructions"],
                          "ratio": ratio, "threshold": threshold, "cycles": [base["cycles"], cand["cycles"]],
                          "simd": cand["simd"]}
    return found


def min_rounds(alpha):
    """The fewest rounds r at which the smallest exact one-sided p-value of r vs r, 1/C(2r, r), is <= alpha."""
    r = 1
    while 1 / math.comb(2 * r, r) > alpha:
        r += 1
    return r


def suspects(minima, threshold, alpha):
    """{key: evidence} for keys whose candidate minima are both larger by threshold and significant."""
    found = {}
    for key in sorted(set(minima["baseline"]) & set(minima["candidate"])):
        base, cand = minima["baseline"][key], minima["candidate"][key]
        ratio = statistics.median(cand) / statistics.median(base)
        p = change.larger_p(base, cand)
        if ratio >= threshold and p <= alpha:
            found[key] = {"baseline": statistics.median(base), "candidate": statistics.median(cand),
                          "ratio": ratio, "p": p, "baseline_minima": base, "candidate_minima": cand}
    return found


def allocation_regressions(allocated):
    factor, slack = BYTES_SLACK
    return {key: {"baseline": b, "candidate": allocated["candidate"][key], "ratio": allocated["candidate"][key] / max(b, 1)}
            for key, b in allocated["baseline"].items()
            if key in allocated["candidate"] and allocated["candidate"][key] > b * factor + slack}


def exact_keys(keys):
    return "^(" + "|".join(k.replace(".", r"\.") for k in keys) + ")$"


def run_gate(baseline, candidate, bench, rounds, threshold, alpha, log=print, count_threshold=COUNT_THRESHOLD):
    """The comparison as a dict (see --json); raises CannotCompare."""
    os.makedirs(WORK, exist_ok=True)
    base, cand = resolve(candidate, baseline)
    log(f"gate: baseline {base[:8]} vs candidate {cand[:8]}; building")
    sites = {"candidate": build(cand)}  # the candidate first: a broken build fails fast
    sites["baseline"] = build(base)
    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:  # counts and allocated bytes are deterministic: made at once, nothing timed
        traced = pool.submit(allocations, sites, bench, log)
        counts = count(sites, bench, log)
        allocated = traced.result()
    by_count = counted(counts)
    log(f"gate: counted and traced in {time.monotonic() - started:.0f} s; {len(by_count)} benchmark(s) decided by "
        f"their counts; {rounds} interleaved rounds for wall time")
    minima = measure(sites, bench, rounds, log, skip=by_count)  # decided by their counts: not timed
    timed = (set(minima["baseline"]) & set(minima["candidate"])) - by_count
    if not timed | by_count:
        raise CannotCompare("the two commits have no benchmark in common" + (f" matching {bench!r}" if bench else ""))
    minima = {side: {k: v for k, v in m.items() if k in timed} for side, m in minima.items()}
    first = suspects(minima, threshold, alpha)
    confirmed = {}
    if first:
        log(f"gate: {len(first)} suspect(s); measuring them again in {rounds} fresh rounds")
        again = measure(sites, exact_keys(first), rounds, log)
        second = suspects(again, threshold, alpha)
        confirmed = {k: {**first[k], "metric": SECONDS, "confirmation": second[k]} for k in second if k in first}
    metrics = {**{k: SECONDS for k in timed}, **{k: INSTRUCTIONS for k in by_count}}
    ratios = {**{k: statistics.median(minima["candidate"][k]) / statistics.median(minima["baseline"][k])
                 for k in timed},
              **{k: counts["candidate"][k]["instructions"] / counts["baseline"][k]["instructions"] for k in by_count}}
    return {"machine": this_machine(), "baseline": base, "candidate": cand, "compared": len(metrics),
            "rounds": rounds, "metrics": dict(sorted(metrics.items())), "ratios": dict(sorted(ratios.items())),
            "threshold": threshold, "alpha": alpha, "count_threshold": count_threshold,
            "simd": sorted({f["simd"] for side in counts.values() for f in side.values()}),
            "suspects": sorted(first),
            "regressions": {**confirmed, **count_regressions(counts, by_count, count_threshold)},
            "allocation_regressions": allocation_regressions(allocated)}


def decided(result):
    """'N by instructions (callgrind, AVX2 code), M by wall time': which metric decided how many verdicts."""
    metrics = list(result.get("metrics", {}).values())
    simd = f" (callgrind, {'/'.join(result['simd'])} code)" if result.get("simd") else ""  # nothing counted: none
    return ", ".join(f"{metrics.count(m)} by {m}{simd if m == INSTRUCTIONS else ''}" for m in (INSTRUCTIONS, SECONDS))


def evidence(ev):
    """One regression's figures and test, in words, ending with the metric that decided it."""
    if ev.get("metric") == INSTRUCTIONS:
        cycles = ev["cycles"]
        return (f"{ev['baseline']:.6g} -> {ev['candidate']:.6g} instructions per call, {ev['ratio']:.4f}x > "
                f"{ev['threshold']} (estimated cycles {cycles[0]:.6g} -> {cycles[1]:.6g}) [decided by {INSTRUCTIONS}]")
    conf = ev["confirmation"]
    return (f"{ev['baseline']:.4g} s -> {ev['candidate']:.4g} s, {ev['ratio']:.2f}x (Mann-Whitney p={ev['p']:.3f} on "
            f"round minima; confirmed {conf['ratio']:.2f}x, p={conf['p']:.3f}) [decided by {SECONDS}]")


def text_report(result):
    lines = [f"baseline {result['baseline'][:8]}  candidate {result['candidate'][:8]}  "
             f"{result['compared']} benchmarks compared ({decided(result)}), {len(result['suspects'])} wall-time "
             f"suspect(s)  machine {result.get('machine', '?')}"]
    for key, ev in result["regressions"].items():
        lines.append(f"REGRESSED {key}: {evidence(ev)}")
        if ev.get("metric") != INSTRUCTIONS:
            lines.append(f"    baseline minima {[f'{v:.4g}' for v in ev['baseline_minima']]}")
            lines.append(f"    candidate minima {[f'{v:.4g}' for v in ev['candidate_minima']]}")
    for key, ev in result["allocation_regressions"].items():
        lines.append(f"REGRESSED {key}: allocates {ev['baseline']} -> {ev['candidate']} bytes ({ev['ratio']:.2f}x) "
                     "[decided by allocated bytes]")
    if not (result["regressions"] or result["allocation_regressions"]):
        lines.append("no regression")
    return "\n".join(lines)


def markdown_report(result):
    unit = {INSTRUCTIONS: "", SECONDS: " s"}
    rows = [f"| `{k}` | {e.get('metric', SECONDS)} | {e['baseline']:.4g}{unit[e.get('metric', SECONDS)]} | "
            f"{e['candidate']:.4g}{unit[e.get('metric', SECONDS)]} | {e['ratio']:.3f}x | "
            + (f"> {e['threshold']}, deterministic |" if e.get("metric") == INSTRUCTIONS else
               f"p={e['p']:.3f}, confirmed {e['confirmation']['ratio']:.2f}x |")
            for k, e in result["regressions"].items()]
    rows += [f"| `{k}` | allocated bytes | {e['baseline']} B | {e['candidate']} B | {e['ratio']:.2f}x | tracemalloc |"
             for k, e in result["allocation_regressions"].items()]
    head = (f"### npopt regression gate: {result['candidate'][:8]} vs {result['baseline'][:8]}\n\n"
            f"{result['compared']} benchmarks compared ({decided(result)}), {len(rows)} regression(s).\n")
    return head + ("\n| benchmark | decided by | baseline | candidate | ratio | evidence |\n|---|---|---|---|---|---|\n"
                   + "\n".join(rows) if rows else "")


def add_measurement_arguments(parser):
    """The options of a gate comparison, shared by the gate's and the bisection's command lines."""
    parser.add_argument("--bench", help="only benchmark keys matching this regular expression")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"an even number (default {ROUNDS})")
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--alpha", type=float, default=ALPHA)


def check_measurement_arguments(parser, args):
    """Refuse (usage error) values with which no timing regression could be flagged or the order is unbalanced."""
    if not 0 < args.alpha < 1:
        parser.error(f"--alpha must be between 0 and 1, not {args.alpha}")
    least = min_rounds(args.alpha)
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
    os.makedirs(WORK, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=WORK, suffix=".tmp", delete=False) as f:
        json.dump(result, f, indent=1)
    os.replace(f.name, os.path.join(WORK, "last.json"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
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
            result = run_gate(args.baseline, args.candidate, args.bench, args.rounds, args.threshold, args.alpha, log)
        except CannotCompare as exc:
            print(f"gate: cannot compare: {exc}", file=sys.stderr)
            result, status = {"status": "error", "message": str(exc)}, CANNOT_COMPARE
        else:
            status = REGRESSED if result["regressions"] or result["allocation_regressions"] else OK
            result["status"] = "regressed" if status else "ok"
            print(text_report(result))
            if args.markdown:
                with open(args.markdown, "a") as f:
                    f.write(markdown_report(result) + "\n")
        record(result)
        if args.json:
            write_json(args.json, result)
        prune_builds()
        return status


if __name__ == "__main__":
    sys.exit(main())

"""The gate's decisions: wall-time suspects (ratio and Mann-Whitney test), count and allocation
regressions, and the comparison of two commits that measures and decides (docs/gate.md)."""
import math
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from measurement import change, cost
from measurement.machine import this_machine
from tools import gate
from tools.gate import builds, measure, report

THRESHOLD = 1.10  # a suspect's median round minimum, against the baseline's
ALPHA = 0.01  # a suspect's one-sided Mann-Whitney p-value, at most
ROUNDS = 6
BYTES_SLACK = (1.02, 4096)  # allocated bytes: a regression above baseline * factor + slack
COUNT_THRESHOLD = 1.015  # instructions per call: a regression above this ratio


def decided_by_counts(counts):
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
            found[key] = {"metric": gate.INSTRUCTIONS, "baseline": base["instructions"],
                          "candidate": cand["instructions"], "ratio": ratio, "threshold": threshold,
                          "cycles": [base["cycles"], cand["cycles"]], "simd": cand["simd"]}
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
    """{key: evidence} for the keys whose candidate allocates more than BYTES_SLACK allows over the baseline."""
    factor, slack = BYTES_SLACK
    return {key: {"baseline": b, "candidate": allocated["candidate"][key], "ratio": allocated["candidate"][key] / max(b, 1)}
            for key, b in allocated["baseline"].items()
            if key in allocated["candidate"] and allocated["candidate"][key] > b * factor + slack}


def compare(baseline, candidate, bench, rounds, threshold, alpha, log=print, count_threshold=COUNT_THRESHOLD):
    """Build, count (where Valgrind exists: ``cost.why_no_valgrind``; elsewhere wall time decides every benchmark),
    trace and time both commits and decide; return the comparison as a dict (see --json).
    Raises CannotCompare."""
    os.makedirs(gate.WORK, exist_ok=True)
    base, cand = builds.resolve(candidate, baseline)
    log(f"gate: baseline {base[:8]} vs candidate {cand[:8]}; building")
    sites = {"candidate": builds.build_commit(cand)}  # the candidate first: a broken build fails fast
    sites["baseline"] = builds.build_commit(base)
    started = time.monotonic()
    uncounted = cost.why_no_valgrind()  # then nothing is counted: every benchmark is decided by wall time
    if uncounted:
        log(f"gate: {report.wall_time_only(uncounted)}")
    with ThreadPoolExecutor(1) as pool:  # counts and allocated bytes are deterministic: made at once, nothing timed
        traced = pool.submit(measure.allocations, sites, bench, log)
        counts = {side: {} for side in sites} if uncounted else measure.count_builds(sites, bench, log)
        allocated = traced.result()
    by_count = decided_by_counts(counts)
    log(f"gate: counted and traced in {time.monotonic() - started:.0f} s; {len(by_count)} benchmark(s) decided by "
        f"their counts; {rounds} interleaved rounds for wall time")
    minima = measure.time_rounds(sites, bench, rounds, log, skip=by_count)  # decided by their counts: not timed
    timed = (set(minima["baseline"]) & set(minima["candidate"])) - by_count
    if not timed | by_count:
        raise gate.CannotCompare("the two commits have no benchmark in common" + (f" matching {bench!r}" if bench else ""))
    minima = {side: {k: v for k, v in m.items() if k in timed} for side, m in minima.items()}
    first = suspects(minima, threshold, alpha)
    confirmed = {}
    if first:
        log(f"gate: {len(first)} suspect(s); measuring them again in {rounds} fresh rounds")
        again = measure.time_rounds(sites, measure.exact_keys(first), rounds, log)
        second = suspects(again, threshold, alpha)
        confirmed = {k: {**first[k], "metric": gate.SECONDS, "confirmation": second[k]} for k in second if k in first}
    metrics = {**{k: gate.SECONDS for k in timed}, **{k: gate.INSTRUCTIONS for k in by_count}}
    ratios = {**{k: statistics.median(minima["candidate"][k]) / statistics.median(minima["baseline"][k])
                 for k in timed},
              **{k: counts["candidate"][k]["instructions"] / counts["baseline"][k]["instructions"] for k in by_count}}
    return {"machine": this_machine(), "baseline": base, "candidate": cand, "compared": len(metrics),
            "rounds": rounds, "metrics": dict(sorted(metrics.items())), "ratios": dict(sorted(ratios.items())),
            "threshold": threshold, "alpha": alpha, "count_threshold": count_threshold,
            "simd": sorted({f["simd"] for side in counts.values() for f in side.values()}),
            "wall_time_only": uncounted, "suspects": sorted(first),
            "regressions": {**confirmed, **count_regressions(counts, by_count, count_threshold)},
            "allocation_regressions": allocation_regressions(allocated)}

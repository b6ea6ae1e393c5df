"""The one place that decides "changed or noise" for a figure compared between two runs.

Used by the overview (NumPy versions side by side), the claims and any page that marks a change.

Figures with samples (``compare``, ``judge``): the samples of two environments measured in one run
of tools/matrix.py were taken round by round, each round visiting every environment within
seconds, so round r of one is paired with round r of the other. The test is a paired t-test on the
logarithms (scipy.stats.ttest_rel; Welch's test where the rounds are not paired), its interval the
ratio's 95% interval. A run's comparisons are one family: a change is marked only where the
Benjamini-Hochberg adjusted p-value is at most LEVEL *and* the ratio is beyond FLOOR, the effect
size below which nothing is marked (docs/measurement.md). No noise file is needed.

Figures without samples (results stored before samples were kept): two runs of one figure differ by noise alone up to the measured spread of its kind: the widest
max/min that any figure of that kind (seconds, speedups, shares of the triad) showed over repeated
runs of one commit on one machine (``make repeat`` stores every figure's spread in
noise/<machine>.json). The widest of the kind, not the figure's own: five runs are too few to
bound one figure's noise (a figure that stayed within 1.02 there moved 1.08 between environments
measured minutes apart). A difference is marked only when it is beyond that band *and*, when both
runs kept per-process samples, no sample of one run lies within the range of the other's. A kind
never measured on the machine is compared with UNMEASURED_SPREAD.
"""
import json
import math
import os
from typing import NamedTuple

import numpy as np
from scipy import stats

from tools.results import ROOT

NOISE_DIR = os.path.join(ROOT, "noise")
UNMEASURED_SPREAD = 1.25
FLOOR = 1.10  # no change smaller than 10% is marked, however significant
LEVEL = 0.01  # the false discovery rate allowed over one run's marks
CONFIDENCE = 0.95  # of the ratio's interval
MIN_SAMPLES = 3  # fewer, and a figure is judged by the band instead
SLOWER, FASTER = "slower", "faster"
HIGHER_IS_BETTER = ("track_speedup", "track_percent_of_triad")


def higher_is_better(benchmark):
    return benchmark.rsplit(".", 1)[-1] in HIGHER_IS_BETTER


def figure_key(benchmark, params):
    """'bench_x.Class.track_y' plus its parameter values: one key per stored figure."""
    return ":".join([benchmark, *map(str, params)])


def measured_machines():
    """Machines whose noise was measured."""
    return sorted(f[:-5] for f in os.listdir(NOISE_DIR) if f.endswith(".json")) if os.path.isdir(NOISE_DIR) else []


def kind(benchmark):
    """The kind of figure a benchmark (or figure key) stores: its asv method name, e.g. 'track_speedup'."""
    return benchmark.split(":")[0].rsplit(".", 1)[-1]


def spreads(machine):
    """{figure key: measured spread} for one machine ({} when none was measured)."""
    path = os.path.join(NOISE_DIR, f"{machine}.json")
    return json.load(open(path))["spread"] if os.path.exists(path) else {}


def noise(machine):
    """{kind of figure: the widest spread measured for that kind} on one machine."""
    bands = {}
    for key, spread in spreads(machine).items():
        bands[kind(key)] = max(spread, bands.get(kind(key), 1.0))
    return bands


def change(benchmark, before, after, spread=None, before_samples=None, after_samples=None):
    """SLOWER, FASTER or None for a figure that went from ``before`` to ``after``.

    benchmark: the asv name, which says the figure's direction (speedups and bandwidth shares are
    higher-is-better, seconds and bytes lower-is-better).
    """
    if before is None or after is None or before <= 0 or after <= 0:
        return None
    band = spread or UNMEASURED_SPREAD
    ratio = after / before
    if max(ratio, 1 / ratio) <= band:
        return None
    if before_samples and after_samples and len(before_samples) > 1 and len(after_samples) > 1:
        low, high = sorted((before_samples, after_samples), key=min)
        if max(low) >= min(high):
            return None  # the two runs' samples overlap: not beyond their own noise
    grew = ratio > 1
    return FASTER if grew == higher_is_better(benchmark) else SLOWER


class Comparison(NamedTuple):
    """``after`` against ``before``: the ratio after / before (the geometric mean of the paired ratios),
    its CONFIDENCE interval and the test's two-sided p-value."""

    ratio: float
    low: float
    high: float
    p: float


def compare(before, after):
    """The Comparison of two figures' samples, or None with fewer than MIN_SAMPLES in either.

    Paired by position (round r with round r) when both have as many samples, as tools/matrix.py
    takes them; otherwise Welch's test on the two sets.
    """
    if min(len(before or ()), len(after or ())) < MIN_SAMPLES:
        return None
    b, a = np.log(before), np.log(after)
    paired = len(a) == len(b)
    d = a - b if paired else None
    if paired and np.ptp(d) == 0:  # identical ratios in every round (counts): exact
        ratio = math.exp(d[0])
        return Comparison(ratio, ratio, ratio, 0.0 if d[0] else 1.0)
    test = stats.ttest_rel(a, b) if paired else stats.ttest_ind(a, b, equal_var=False)
    interval = test.confidence_interval(CONFIDENCE)
    mean = d.mean() if paired else a.mean() - b.mean()
    return Comparison(math.exp(mean), math.exp(interval.low), math.exp(interval.high), float(test.pvalue))


def larger_p(baseline, candidate):
    """The gate's test: the exact one-sided Mann-Whitney p-value that the candidate's values are not
    larger than the baseline's (scipy.stats.mannwhitneyu; ties by permutation of the mid-ranks)."""
    ties = len(set(baseline) | set(candidate)) < len(baseline) + len(candidate)
    method = stats.PermutationMethod(n_resamples=np.inf) if ties else "exact"
    return float(stats.mannwhitneyu(candidate, baseline, alternative="greater", method=method).pvalue)


def adjusted(ps):
    """Benjamini-Hochberg adjusted p-values of one family (scipy.stats.false_discovery_control)."""
    return list(stats.false_discovery_control(ps)) if ps else []


def judge(benchmarks, comparisons):
    """SLOWER, FASTER or None for each (benchmark, Comparison or None), as one family: marked where the
    adjusted p-value is at most LEVEL and the ratio beyond FLOOR."""
    tested = [i for i, c in enumerate(comparisons) if c is not None]
    qs = dict(zip(tested, adjusted([comparisons[i].p for i in tested])))
    out = []
    for i, (benchmark, c) in enumerate(zip(benchmarks, comparisons)):
        if c is None or qs[i] > LEVEL or max(c.ratio, 1 / c.ratio) < FLOOR:
            out.append(None)
        else:
            out.append(FASTER if (c.ratio > 1) == higher_is_better(benchmark) else SLOWER)
    return out


def noise_interval(samples, n, family=1):
    """The interval in which the median of n new samples of a figure falls when they differ from
    ``samples`` (a list of sample lists, pooled) by noise alone: the chance that any of ``family`` such
    medians leaves it is at most LEVEL (Bonferroni). The canaries' control: an environment's median
    must lie in the interval of the other environments' samples; an environment-wide offset beyond
    the noise leaves it. An end is infinite where the pool is too small to bound it at that level.

    Distribution-free: the median of the new samples lies between their order statistics Y(ceil(n/2))
    and Y(floor(n/2)+1), and the number of new samples below the pool's r-th smallest X(r) of m is
    beta-binomial (n, r, m - r + 1) for any continuous noise (scipy.stats.betabinom)."""
    pooled = np.sort(np.concatenate([np.asarray(s, float) for s in samples]))
    m, r, tail = pooled.size, np.arange(1, pooled.size + 1), LEVEL / 2 / family
    rank = stats.betabinom(n, r, m - r + 1)
    low = rank.sf(math.ceil(n / 2) - 1) <= tail  # P(the new median < X(r)) is at most this
    high = rank.cdf(n // 2) <= tail  # P(the new median > X(r)) is at most this
    return (float(pooled[low].max()) if low.any() else -math.inf,
            float(pooled[high].min()) if high.any() else math.inf)


def sure_bound(comparisons):
    """The p-value at or below which Benjamini-Hochberg marks a comparison of this family: LEVEL times
    the number it marks now (at least one) over the family's size. More marks only raise it."""
    tested = [c for c in comparisons if c is not None]
    marked = sum(q <= LEVEL for q in adjusted([c.p for c in tested]))
    return LEVEL * max(marked, 1) / max(len(tested), 1)


def worth_sampling(c, bound, rounds, max_rounds):
    """Whether more paired rounds could still change the mark of Comparison c, taken over ``rounds``
    rounds: its p-value is above ``bound`` (``sure_bound``: not yet sure to be marked), and the far end
    of its interval is beyond FLOOR and would be sure at ``max_rounds`` rounds, were it the true ratio
    (the interval narrows as the root of the rounds). tools/matrix.py spends its rounds on these alone.
    The far end, not the ratio: at 4 rounds a ratio is too noisy to drop a comparison by, and a kernel
    whose 1.25x change looked like 1.05x then stopped at 5 rounds, unmarked, while the next run marked
    it (docs/measurement.md)."""
    if c is None or c.p <= bound:
        return False
    far = max(abs(math.log(c.low)), abs(math.log(c.high)))
    se = (math.log(c.high) - math.log(c.low)) / 2 / stats.t.isf((1 - CONFIDENCE) / 2, rounds - 1)
    if far < math.log(FLOOR) or se == 0:
        return False
    return 2 * stats.t.sf(far / se * math.sqrt(max_rounds / rounds), max_rounds - 1) <= bound

"""The one place that decides "changed or noise" for a figure compared between two runs.

Used by the overview (NumPy versions side by side), the claims and any page that marks a change.

Figures with samples (``compare_pairs``, ``judge``): the samples of environments measured in one run
of tools/matrix.py were taken round by round, each round visiting every environment within
seconds, so round r of one is paired with round r of the other, and each process's rounds
(ROUNDS_PER_PROCESS, more for a canary's kernel: tools/matrix.py ``rounds_per_process``) came from
new worker processes. The test is a paired t-test on the logarithms, averaged per process,
with the variance pooled over the environments compared for that figure; its interval is the
ratio's 95% interval, and its null hypothesis a change no larger than FLOOR, the effect size below
which nothing is marked. A run's comparisons are one family: a change is marked only where the
Benjamini-Hochberg adjusted p-value is at most LEVEL (docs/measurement.md). No noise file is needed.

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

from .paths import ROOT

NOISE_DIR = os.path.join(ROOT, "noise")
UNMEASURED_SPREAD = 1.25
FLOOR = 1.10  # no change smaller than 10% is marked, however significant
LEVEL = 0.01  # the false discovery rate allowed over one run's marks
CONFIDENCE = 0.95  # of the ratio's interval
MIN_SAMPLES = 2  # fewer, and a figure is judged by the band instead
ROUNDS_PER_PROCESS = 1  # tools/matrix.py's rounds from one set of worker processes: the unit of replication
SLOWER, FASTER = "slower", "faster"
HIGHER_IS_BETTER = ("track_speedup", "track_percent_of_triad")


def higher_is_better(benchmark):
    return benchmark.rsplit(".", 1)[-1] in HIGHER_IS_BETTER


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
    its CONFIDENCE interval, the p-value of the test that the change is no larger than FLOOR, and the
    test's degrees of freedom."""

    ratio: float
    low: float
    high: float
    p: float
    df: float = math.inf


def process_means(d, per_process=ROUNDS_PER_PROCESS):
    """The means of ``d`` (one value per round) over each measuring process's ``per_process`` rounds,
    a last short process merged into the one before."""
    cuts = list(range(0, len(d), per_process))[:max(1, len(d) // per_process)]
    return np.array([part.mean() for part in np.split(np.asarray(d), cuts[1:])])


def _judged(mean, se, df):
    """The Comparison of a mean log ratio with standard error se on df degrees of freedom: its interval,
    and the one-sided p-value of |ratio| <= FLOOR (the test of a change beyond the floor)."""
    half = stats.t.isf((1 - CONFIDENCE) / 2, df) * se
    p = float(stats.t.sf((abs(mean) - math.log(FLOOR)) / se, df))
    return Comparison(math.exp(mean), math.exp(mean - half), math.exp(mean + half), p, float(df))


def compare_pairs(samples, pairs, per_process=ROUNDS_PER_PROCESS):
    """[Comparison or None] of samples[a] against samples[b] for each (b, a) in ``pairs``: one figure's
    samples in several environments of one run, each list one sample per round.

    tools/matrix.py takes ``per_process`` rounds from each set of worker processes, then starts new
    ones: a process is slow or fast for its whole life (where its memory landed, its allocator), so
    the process, not the round, is the unit of replication. Each pair's paired log ratios are averaged
    per process, and the variance of those means, pooled over the figure's pairs, is the test's (a
    paired t-test on the processes' means, with the pairs' degrees of freedom). Samples that are not
    paired (unequal counts) get Welch's test. None with fewer than MIN_SAMPLES in either, or nothing
    to estimate the variance from."""
    means, out = {}, {}
    for pair in pairs:
        before, after = (samples[i] for i in pair)
        if min(len(before or ()), len(after or ())) < MIN_SAMPLES:
            continue
        b, a = np.log(before), np.log(after)
        if len(a) != len(b):
            test = stats.ttest_ind(a, b, equal_var=False)
            mean = a.mean() - b.mean()
            out[pair] = _judged(mean, abs(mean / test.statistic) if test.statistic else math.inf, test.df)
        elif np.ptp(a - b) == 0:  # identical ratios in every round (counts): exact
            ratio = math.exp(a[0] - b[0])
            out[pair] = Comparison(ratio, ratio, ratio, 0.0 if abs(a[0] - b[0]) > math.log(FLOOR) else 1.0, math.inf)
        else:
            means[pair] = process_means(a - b, per_process)
    variance, df = pooled_variance(means.values())
    for pair, m in means.items():
        if variance > 0:
            out[pair] = _judged(m.mean(), math.sqrt(variance / len(m)), df)
    return [out.get(pair) for pair in pairs]


def compare(before, after, per_process=ROUNDS_PER_PROCESS):
    """The Comparison of two figures' samples (``compare_pairs`` of the one pair), or None."""
    return compare_pairs([before, after], [(0, 1)], per_process)[0]


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


def pooled_intervals(samples):
    """The CONFIDENCE interval of the geometric mean of each environment's samples of one figure (a list
    per environment of one run, None where absent): Student's t on the logarithms, their variance
    pooled over the environments with at least MIN_SAMPLES. Two samples per environment (the matrix's
    two processes) leave asv's 99% interval of their median reaching from 0 to twice the larger; pooled
    over eleven environments they give about 11 degrees of freedom. Each sample counts as independent
    (a canary's kernel takes five rounds per process: its interval is narrower than its processes
    warrant). None where nothing is pooled."""
    logs = [np.log(s) if s is not None and len(s) >= MIN_SAMPLES else None for s in samples]
    variance, df = pooled_variance(x for x in logs if x is not None)
    if not variance > 0:
        return [None] * len(samples)
    t = stats.t.isf((1 - CONFIDENCE) / 2, df)
    return [None if x is None else (math.exp(x.mean() - t * math.sqrt(variance / len(x))),
                                    math.exp(x.mean() + t * math.sqrt(variance / len(x)))) for x in logs]


def pooled_variance(groups):
    """(variance, degrees of freedom) of arrays that share one variance, each about its own mean; (0, 0)
    where no array has two values."""
    groups = list(groups)
    df = sum(len(g) - 1 for g in groups)
    return (sum(((g - g.mean()) ** 2).sum() for g in groups) / df if df else 0.0), df


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
    """Whether more rounds could still change the mark of Comparison c, taken over ``rounds`` rounds: its
    p-value is above ``bound`` (``sure_bound``: not yet sure to be marked), and the far end of its
    interval is beyond FLOOR and would be sure at ``max_rounds`` rounds, were it the true ratio (the
    interval narrows as the root of the processes, the degrees of freedom grow with them).
    tools/matrix.py spends its rounds on these alone. The far end, not the ratio: at 4 rounds a ratio
    is too noisy to drop a comparison by, and a kernel whose 1.25x change looked like 1.05x then
    stopped at 5 rounds, unmarked, while the next run marked it (docs/measurement.md)."""
    if c is None or c.p <= bound or not math.isfinite(c.df):
        return False
    far = max(abs(math.log(c.low)), abs(math.log(c.high)))
    se = (math.log(c.high) - math.log(c.low)) / 2 / stats.t.isf((1 - CONFIDENCE) / 2, c.df)
    if far < math.log(FLOOR) or se == 0:
        return False
    grown = max_rounds / rounds
    return stats.t.sf((far - math.log(FLOOR)) / se * math.sqrt(grown), c.df * grown) <= bound

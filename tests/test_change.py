"""Change marks: a difference is marked only beyond the measured noise, slower and faster apart,
and no improvement is ever called a regression (here, on the overview, or on asv's own pages)."""
import json
import math
import re

import numpy as np
import pytest
from asv import util
from scipy import stats

from measurement import change
from tools import results
from tools.reports import overview
from tools.results import CONF, Run

SECONDS = "bench_vectorization.Add.track_seconds"
SPEEDUP = "bench_vectorization.Speedup.track_speedup"


@pytest.mark.parametrize("benchmark, after, expected", [
    (SECONDS, 1.3, change.SLOWER), (SECONDS, 1 / 1.3, change.FASTER),
    (SPEEDUP, 1.3, change.FASTER), (SPEEDUP, 1 / 1.3, change.SLOWER)])
def test_a_real_1_3x_change_is_marked_in_either_direction(benchmark, after, expected):
    assert change.change(benchmark, 1.0, after, spread=1.10) == expected
    assert change.change(benchmark, 1.0, after, 1.10, [0.98, 1.0, 1.02], [after * 0.99, after, after * 1.01]) == expected


@pytest.mark.parametrize("after", [1.09, 1 / 1.09, 1.0])
def test_a_difference_within_the_measured_spread_is_not_marked(after):
    assert change.change(SECONDS, 1.0, after, spread=1.10) is None
    assert change.change(SPEEDUP, 1.0, after, spread=1.10) is None


def test_overlapping_samples_are_not_marked_even_beyond_the_spread():
    assert change.change(SECONDS, 1.0, 1.3, 1.10, [0.9, 1.0, 1.35], [1.25, 1.3, 1.4]) is None


def test_an_unmeasured_figure_needs_the_widest_allowed_spread():
    assert change.change(SECONDS, 1.0, 1.2) is None
    assert change.change(SECONDS, 1.0, 1.3) == change.SLOWER


def _runs(speedups_by_numpy, samples=None):
    """Constructed overview input: one Run per NumPy version with a speedup for one variant."""
    pair = ("vectorization.add:ufunc",)
    return [Run(f"env-{v}", v, {SPEEDUP: {pair: s}}, {SPEEDUP: {pair: samples(s)} if samples else {}})
            for v, s in speedups_by_numpy.items()]


def _marks(runs, spread):
    _, rows = overview.overview(runs, {"track_speedup": spread})
    (row,) = [r for r in rows if r["pair"] == "vectorization.add:ufunc"]
    return row["marks"]


def test_overview_marks_slower_and_faster_beyond_the_noise_only():
    runs = _runs({"1.26.4": 100.0, "2.0.2": 104.0, "2.2.6": 130.0, "2.3.5": 97.0, "2.4.6": 99.0})
    assert _marks(runs, 1.10) == [None, None, change.FASTER, change.SLOWER, None]
    assert overview.cell_text(130.0, change.FASTER).endswith("^")
    assert overview.cell_text(97.0, change.SLOWER).endswith("v")


def test_repeated_runs_of_one_commit_mark_nothing():
    """Three runs of the same code differ by at most their measured spread: no cell is marked."""
    for values in ([100.0, 108.0, 92.6], [50.0, 54.5, 50.0], [7.0, 6.5, 7.1]):
        spread = max(values) / min(values)
        runs = _runs(dict(zip(["2.2.6", "2.3.5", "2.4.6"], values)))
        assert _marks(runs, spread) == [None, None, None]


def _config():
    return util.load_json(CONF, js_comments=True)


def test_asv_regression_detection_is_off_for_every_higher_is_better_figure():
    """asv's Regressions page and Atom feed read every figure as lower-is-better: speedups and
    bandwidth shares must not reach them (a rise would be listed as a regression)."""
    from test_benchmarks import DISCOVERED

    off = [regex for regex, first in _config()["regressions_first_commits"].items() if first is None]
    higher = [b.name for b in DISCOVERED if change.higher_is_better(b.name)]
    assert higher
    for name in higher:
        assert any(re.match(regex, name) for regex in off), name
    for b in DISCOVERED:
        if b.name.endswith(".track_seconds"):
            assert not any(re.match(regex, b.name) for regex in off), b.name


def test_asv_marks_a_time_change_only_beyond_the_measured_noise():
    """asv's threshold for seconds is at least the widest spread measured for them on any machine."""
    thresholds = _config()["regressions_thresholds"]
    (threshold,) = [float(t) for regex, t in thresholds.items() if re.match(regex, SECONDS)]
    measured = [change.noise(m)["track_seconds"] for m in change.measured_machines()]
    assert measured, "no noise measurement is stored (make repeat)"
    assert 1 + threshold >= max(measured)


def test_the_band_of_a_kind_is_its_widest_measured_spread(tmp_path, monkeypatch):
    monkeypatch.setattr(change, "NOISE_DIR", str(tmp_path))
    (tmp_path / "m.json").write_text(json.dumps({"spread": {
        "b.A.track_seconds:x:1": 1.05, "b.A.track_seconds:y:1": 1.3, "b.S.track_speedup:k:v": 1.1}}))
    assert change.measured_machines() == ["m"]
    assert change.noise("m") == {"track_seconds": 1.3, "track_speedup": 1.1}
    assert change.noise("other") == {}


def test_the_simd_disabled_twin_follows_its_release_and_is_marked_against_it():
    runs = _runs({"2.4.6": 100.0, "2.5.5": 100.0})
    twin = Run("env-2.5.5-off", "2.5.5", {SPEEDUP: {("vectorization.add:ufunc",): 40.0}}, {},
               disabled_simd="X86_V3,X86_V4")
    versions, rows = overview.overview([twin] + runs, {"track_speedup": 1.10})
    assert versions == ["2.4.6", "2.5.5", "2.5.5 no SIMD"]
    (row,) = [r for r in rows if r["pair"] == "vectorization.add:ufunc"]
    assert row["marks"] == [None, None, change.SLOWER]


PER_PROCESS = 2  # rounds per measuring process in these figures


def _rounds(ratio, n=16, noise=0.05, seed=0, process=0.0):
    """Paired samples of one figure in two environments, round by round: every round's own speed (a slow
    phase of the host hits both alike), times a ratio, times each sample's noise, times each measuring
    process's own offset in each environment (sd ``process``, new processes every PER_PROCESS rounds)."""
    rng = np.random.default_rng(seed)
    phase = rng.choice([1.0, 1.6], n)  # the host's two speeds

    def offsets():
        return np.repeat(np.exp(rng.normal(0, process, n)), PER_PROCESS)[:n]

    before = phase * offsets() * np.exp(rng.normal(0, noise, n))
    return list(before), list(ratio * phase * offsets() * np.exp(rng.normal(0, noise, n)))


@pytest.mark.parametrize("ratio", [1.3, 1 / 1.3, 2.0])
def test_a_paired_test_finds_a_real_change_through_the_hosts_slow_phases(ratio):
    c = change.compare(*_rounds(ratio))
    assert c.p < 1e-4 and c.low < ratio < c.high and c.ratio == pytest.approx(ratio, rel=0.1)
    assert change.judge([SECONDS], [c]) == [change.SLOWER if ratio > 1 else change.FASTER]
    assert change.judge([SPEEDUP], [c]) == [change.FASTER if ratio > 1 else change.SLOWER]


def test_no_change_and_a_change_below_the_floor_are_not_marked():
    same, small = change.compare(*_rounds(1.0)), change.compare(*_rounds(1.05, noise=0.005))
    assert same.low < 1 < same.high
    assert 1 < small.low and small.high < change.FLOOR and small.p > 0.5  # sure, but below the effect-size floor
    assert change.judge([SECONDS, SECONDS], [same, small]) == [None, None]


def test_a_measuring_processs_own_offset_is_not_a_change():
    """Each process, taking two rounds, is off by its own 10% (sd): 700 unchanged figures, none marked,
    where a test of the rounds as if they were independent marks many; a real 2x change is still marked
    among them."""
    nulls = [change.compare(*_rounds(1.0, noise=0.02, seed=seed, process=0.1), PER_PROCESS) for seed in range(700)]
    real = change.compare(*_rounds(2.0, noise=0.02, seed=700, process=0.1), PER_PROCESS)
    assert change.judge([SECONDS] * 701, nulls + [real]) == [None] * 700 + [change.SLOWER]
    # the rule before: the rounds' paired t-test, its adjusted p-value at most LEVEL, the ratio beyond FLOOR
    ps = [stats.ttest_rel(*np.log(_rounds(1.0, noise=0.02, seed=seed, process=0.1))).pvalue for seed in range(700)]
    before = [q <= change.LEVEL and max(c.ratio, 1 / c.ratio) >= change.FLOOR for q, c in zip(change.adjusted(ps), nulls)]
    assert sum(before) >= 10  # 16 with these seeds


def test_the_variance_is_pooled_over_a_figures_pairs():
    """Two processes per environment leave one degree of freedom per pair: pooled over ten pairs, a 1.5x
    change is marked; the pair alone cannot mark it."""
    rng = np.random.default_rng(0)
    phase = rng.choice([1.0, 1.6], 4)
    envs = [phase * np.repeat(np.exp(rng.normal(0, 0.02, 2)), 2) * np.exp(rng.normal(0, 0.02, 4)) * (1.5 if i > 5 else 1)
            for i in range(11)]
    envs = [list(e) for e in envs]
    pooled = change.compare_pairs(envs, [(i - 1, i) for i in range(1, 11)], PER_PROCESS)
    assert all(c.df == 10 for c in pooled)
    assert change.judge([SECONDS] * 10, pooled) == [None] * 5 + [change.SLOWER] + [None] * 4
    alone = change.compare(envs[5], envs[6], PER_PROCESS)
    assert alone.df == 1 and change.judge([SECONDS], [alone]) == [None]


def test_too_few_samples_are_not_tested_and_unpaired_sets_use_welchs_test():
    assert change.compare([1.0], [2.0]) is None
    c = change.compare([1.0, 1.01, 0.99, 1.02], [2.0, 2.02, 1.98])
    assert c.p < 0.001 and c.ratio == pytest.approx(2.0, rel=0.02)


def test_rounds_go_to_comparisons_that_more_rounds_could_get_marked():
    bound = 0.01 / 700  # Bonferroni's bound: no comparison is marked yet
    promising = change.Comparison(1.5, 1.1, 2.0, 1e-3, 10)  # t 4.5 beyond the floor now, 8.9 at 16 rounds
    assert change.worth_sampling(promising, bound, 4, 16)
    assert not change.worth_sampling(promising, bound, 4, 6)  # one more process is not enough
    assert not change.worth_sampling(change.compare(*_rounds(2.0)), bound, 4, 16)  # already sure
    assert not change.worth_sampling(change.Comparison(1.05, 1.01, 1.09, 1e-3, 10), bound, 4, 16)  # floor
    assert not change.worth_sampling(change.Comparison(1.2, 0.8, 1.6, 0.3, 10), bound, 4, 8)  # too weak
    assert not change.worth_sampling(change.Comparison(1.02, 0.97, 1.08, 0.4, 10), bound, 4, 16)  # inside the floor
    # a ratio of 1.1 at 4 rounds whose interval reaches 1.4: the change may be that large, and 16 rounds mark it
    assert change.worth_sampling(change.Comparison(1.1, 0.9, 1.4, 0.5, 10), bound, 4, 16)
    assert not change.worth_sampling(None, bound, 4, 16)


def test_a_comparison_is_sure_below_the_p_value_benjamini_hochberg_marks_at_now():
    nulls = [change.Comparison(1.0, 0.9, 1.1, p) for p in np.linspace(0.05, 1, 690)]
    assert change.sure_bound(nulls + [None]) == pytest.approx(0.01 / 690)
    changed = [change.Comparison(2.0, 1.8, 2.2, 1e-6)] * 10
    bound = change.sure_bound(nulls + changed)
    assert bound == pytest.approx(0.01 * 10 / 700)
    assert change.judge([SECONDS] * 701, nulls + changed + [change.Comparison(1.5, 1.2, 1.8, bound)])[-1]


def test_twins_are_compared_with_their_release_line_and_lines_with_the_previous_line():
    columns = [("2.3.5", False), ("2.4.6", False), ("2.4.6", True), ("2.5.5", False), ("2.5.5", True)]
    assert results.baselines(columns) == [None, 0, 1, 1, 3]


def _host(n, seed):
    """n samples of one unchanged figure on a host with two speeds 1.9x apart, the slow one 30% of the time."""
    rng = np.random.default_rng(seed)
    return list(rng.choice([1.0, 1.9], n, p=[0.7, 0.3]) * np.exp(rng.normal(0, 0.03, n)))


def test_the_noise_interval_holds_every_unchanged_median_and_leaves_out_an_offset_beyond_the_noise():
    others = [_host(16, seed) for seed in range(8)]
    low, high = change.noise_interval(others, 16, family=300)
    medians = [float(np.median(_host(16, seed))) for seed in range(100, 400)]
    assert low <= min(medians) and max(medians) <= high  # 300 unchanged environments, none outside
    assert not low <= float(np.median(np.array(_host(16, 9)) * 2.5)) <= high


def test_a_noise_interval_is_unbounded_where_the_pool_is_too_small():
    assert change.noise_interval([_host(4, 1)], 4, family=300) == (-math.inf, math.inf)
    assert all(map(math.isfinite, change.noise_interval([_host(4, 1)] * 20, 4)))


def test_intervals_pool_the_environments_variance():
    """Two samples in each of eleven environments: asv's 99% interval of one environment's median starts
    at 0; pooled over the environments, the 95% interval of each holds its geometric mean, narrows as
    the root of its samples, and is the same width (in logarithms) wherever the count is the same."""
    rng = np.random.default_rng(0)
    samples = [list(np.exp(rng.normal(np.log(10.0 * (i + 1)), 0.05, 2))) for i in range(10)] + [
        list(np.exp(rng.normal(np.log(5.0), 0.05, 8))), None, [3.0]]
    got = change.pooled_intervals(samples)
    assert got[-2:] == [None, None]  # absent, and one sample: nothing of its own to pool
    for s, (low, high) in zip(samples[:11], got):
        assert low < stats.gmean(s) < high
    widths = [math.log(high / low) for low, high in got[:11]]
    assert widths[:10] == pytest.approx([widths[0]] * 10)
    assert widths[10] == pytest.approx(widths[0] / 2)  # 8 samples against 2
    assert 0.1 < widths[0] < 0.5
    assert change.pooled_intervals([[1.0, 1.0], [2.0, 2.0]]) == [None, None]  # no spread to pool

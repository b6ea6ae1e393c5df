"""The overview page's charts are its rows: a chart per technique with results, a series per
variant (kernel:variant) with the change marks, None (drawn as a gap) where a variant is n/a, and a
log scale only when the speedups span more than LOG_SPAN."""
import json
import re

import numpy as np
import pytest

from measurement import change
from tools.reports import overview
from tools.results import Run

SPEEDUP = "bench_vectorization.Speedup.track_speedup"
ADD, MAGNITUDE = ("vectorization.add:ufunc",), ("vectorization.magnitude:ufunc_expression",)


def _charts(add, magnitude):
    """Charts of three constructed NumPy environments; None: the variant is n/a there."""
    runs = [Run(f"env-{v}", v, {SPEEDUP: {p: s for p, s in ((ADD, a), (MAGNITUDE, m)) if s is not None}}, {})
            for v, a, m in zip(["1.26.4", "2.0.2", "2.2.6"], add, magnitude)]
    _, rows = overview.overview(runs, {"track_speedup": 1.1})
    return overview.charts(rows)


def test_one_chart_per_technique_with_results_and_a_series_per_variant():
    (chart,) = _charts([70.0, 72.0, 69.0], [100.0, None, 105.0])
    assert chart["technique"] == "vectorization"
    assert [s["label"] for s in chart["series"]] == ["add:ufunc", "magnitude:ufunc_expression"]
    assert chart["series"][1]["speedups"] == [100.0, None, 105.0]  # a gap, not a zero
    assert chart["log"] is False


def test_the_change_marks_ride_on_the_points():
    (chart,) = _charts([70.0, 72.0, 140.0], [100.0, 101.0, 99.0])
    assert chart["series"][0]["marks"] == [None, None, change.FASTER]
    assert chart["series"][1]["marks"] == [None, None, None]


def test_a_log_scale_only_when_the_speedups_span_more_than_log_span():
    (chart,) = _charts([0.5, 0.5, 0.5], [100.0, 100.0, 100.0])
    assert chart["log"] is True


def _sampled(numpy, speedup, noise, seed, **twin):
    """A Run whose speedup has 8 round-paired samples (round r: one phase of the host for every run)."""
    rng = np.random.default_rng(seed)
    phase = np.random.default_rng(99).choice([1.0, 0.7], 8)
    taken = list(speedup * phase * np.exp(rng.normal(0, noise, 8)))
    return Run(f"env-{numpy}-{sorted(twin)}", numpy, {SPEEDUP: {ADD: float(np.median(taken))}}, {SPEEDUP: {ADD: taken}},
               intervals={SPEEDUP: {ADD: (min(taken), max(taken))}}, **twin)


def test_sampled_cells_are_marked_by_the_test_and_the_controls_are_counted():
    runs = [_sampled("2.3.5", 100, 0.03, 1), _sampled("2.4.6", 100, 0.03, 2),
            _sampled("2.4.6", 100, 0.03, 3, aa_twin=True), _sampled("2.5.5", 150, 0.03, 4),
            _sampled("2.5.5", 40, 0.03, 5, disabled_simd="X86_V3")]
    versions, rows = overview.overview(runs)
    (row,) = [r for r in rows if r["pair"] == ADD[0]]
    assert versions == ["2.3.5", "2.4.6", "2.4.6 A/A", "2.5.5", "2.5.5 no SIMD"]
    assert row["marks"] == [None, None, None, change.FASTER, change.SLOWER]  # 2.5.5 against 2.4.6, not its A/A twin
    assert row["intervals"][1] == runs[1].intervals[SPEEDUP][ADD]
    checks = overview.controls(runs, rows, versions)
    assert checks["aa_twin"] == ["2.4.6 A/A"] and checks["aa_marks"] == 0 and checks["simd_twin"] == ["2.5.5 no SIMD"]
    assert "A/A twin (2.4.6 A/A) 0 marks" in overview.controls_text(checks)
    assert re.fullmatch(r"\d+(\.\d+)?x \[\d+(\.\d+)?-\d+(\.\d+)?\]", overview.cells(row)[1])


def test_canaries_spread_and_noise_intervals_are_taken_per_python():
    """Seven Python 3.11 environments of one canary, one of them 3x slower, and two of Python 3.12."""
    name, params = "bench_small_arrays.Total.track_seconds", ("python_list", 10)
    rng = np.random.default_rng(0)

    def run(py, v, level, n=16):
        taken = list(level * rng.choice([1.0, 1.8], n, p=[0.7, 0.3]) * np.exp(rng.normal(0, 0.02, n)))
        return Run(f"virtualenv-py{py}-numpy{v}", v, {name: {params: float(np.median(taken))}}, {name: {params: taken}})

    runs = [run("3.11", v, 3.0 if v == "2.4.6" else 1.0) for v in ("1.23.5", "1.24.4", "1.25.2", "1.26.4", "2.0.2",
                                                                    "2.3.5", "2.4.6")] + [run("3.12", "2.5.5", 2.0)] * 2
    checks = overview.controls(runs, [], [r.label for r in runs])
    (py311, py312) = [c for c in checks["canaries"] if c["figure"] == "small_arrays.total:python_list:10"]
    assert py311["python"] == "3.11" and py311["environments"] == 7 and py311["inside"] == 6  # the 3x one is out
    assert py311["spread"] == pytest.approx(3.0, rel=0.1) and py311["interval"][0] < 1.0 < py311["interval"][1]
    assert py312["python"] == "3.12" and py312["interval"] is None  # two environments: too few samples to bound
    assert checks["canaries_bounded"] == 1 and checks["canaries_inside"] == 0
    assert "0 of 1 with every environment's median inside" in overview.controls_text(checks)
    assert "(1 more with too few samples to bound one)" in overview.controls_text(checks)


def test_the_positive_control_counts_the_sorts_numpy_dispatches_to_simd_code_here():
    """On an AVX2-only machine the 16-bit sort is no SIMD sort (x86-simd-sort's needs AVX-512 ICL)."""
    dispatches = {("AVX2",): 1, ("AVX512_SKX",): 0, ("AVX512_ICL",): 0, ("AVX512_SPR",): 0}
    sorts = {"sorting.sort_int16:numpy_sort": (2.0, 2.0), "sorting.sort_int64:numpy_sort": (5.0, 1.0),
             "sorting.search_sorted:numpy_searchsorted": (9.0, 9.0)}
    speedup = "bench_sorting.Speedup.track_speedup"

    def run(numpy, which, **twin):
        taken = {(pair,): list(ratios[which] * np.exp(np.random.default_rng(len(pair)).normal(0, 0.02, 8)))
                 for pair, ratios in sorts.items()}
        values = {speedup: {p: float(np.median(s)) for p, s in taken.items()}, overview.DISPATCHES: dispatches}
        return Run(f"env-{numpy}-{sorted(twin)}", numpy, values, {speedup: taken}, **twin)

    runs = [run("2.5.5", 0), run("2.5.5", 1, disabled_simd="X86_V3")]
    versions, rows = overview.overview(runs)
    checks = overview.controls(runs, rows, versions)
    assert checks["simd_levels"] == ["AVX2"] and checks["simd_sorts"] == 1 and checks["simd_sorts_slower"] == 1
    assert "marks 1 of 1 SIMD sorts slower (dispatched here: AVX2)" in overview.controls_text(checks)


@pytest.mark.parametrize("avx2, said", [(0, "no SIMD twin on this machine (its NumPy dispatches to none of AVX2, "
                                                "AVX512_SKX, AVX512_ICL, AVX512_SPR)"),
                                         (1, "no SIMD twin in this run")])
def test_without_a_simd_twin_the_positive_control_says_why_instead_of_failing(avx2, said):
    """On AArch64 and Apple silicon tools/bench.py skips the twin (it would disable nothing there): the release
    line's recorded dispatches say so. On x86 a run without the twin (make bench NUMPY=...) just left it out."""
    levels = ("AVX2", "AVX512_SKX", "AVX512_ICL", "AVX512_SPR")
    dispatches = {(level,): int(level == "AVX2" and avx2) for level in levels}
    runs = [Run("env-2.5.5", "2.5.5", {SPEEDUP: {ADD: 70.0}, overview.DISPATCHES: dispatches}, {})]
    versions, rows = overview.overview(runs)
    text = overview.controls_text(overview.controls(runs, rows, versions))
    assert f"(must be 0); {said}; canaries" in text and "SIMD sorts slower" not in text


def test_the_csv_carries_intervals_marks_and_the_controls(tmp_path):
    runs = [_sampled("2.4.6", 100, 0.03, 2), _sampled("2.4.6", 100, 0.03, 3, aa_twin=True)]
    versions, rows = overview.overview(runs)
    overview.write_csv(tmp_path / "o.csv", versions, rows, overview.controls(runs, rows, versions))
    lines = (tmp_path / "o.csv").read_text().splitlines()
    assert lines[0].endswith("numpy 2.4.6 A/A,numpy 2.4.6 A/A low,numpy 2.4.6 A/A high,numpy 2.4.6 A/A mark")
    assert lines[-1].startswith("controls,") and "A/A twin (2.4.6 A/A) 0 marks" in lines[-1]


def test_make_bench_ends_with_a_short_summary_of_the_runs_controls_and_biggest_changes(tmp_path):
    from tools import bench

    runs = [_sampled("2.4.6", 100, 0.03, 2), _sampled("2.4.6", 100, 0.03, 3, aa_twin=True),
            _sampled("2.5.5", 300, 0.03, 4), _sampled("2.5.5", 20, 0.03, 5, disabled_simd="X86_V3")]
    versions, rows = overview.overview(runs)
    path = tmp_path / "overview.json"
    path.write_text(json.dumps([{"machine": "m", "commit": "abcdef123", "numpy": versions, "rows": rows,
                                 "controls": overview.controls(runs, rows, versions)}]))
    lines = bench.run_summary("m", "abcdef123", 600, path).splitlines()
    assert lines[1] == "== make bench: machine m, commit abcdef12, 10.0 min"
    assert lines[2].startswith("controls: A/A twin (2.4.6 A/A) 0 marks")
    assert lines[3] == "2 changes marked between NumPy versions; the biggest:"
    assert "on NumPy 2.5.5 no SIMD: slower" in lines[4] and "on NumPy 2.5.5: faster" in lines[5]  # |log ratio| order
    assert len(lines) == 7 and "html/overview.html" in lines[-1]

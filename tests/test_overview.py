"""The overview page's charts are its rows: a chart per technique with results, a series per
variant (kernel:variant) with the change marks, None (drawn as a gap) where a variant is n/a, and a
log scale only when the speedups span more than LOG_SPAN."""
import json
import re

import numpy as np
import pytest

from tools import change, overview
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


def test_canaries_spread_and_coverage_are_taken_per_python():
    name, params = "bench_small_arrays.Total.track_seconds", ("python_list", 10)
    runs = [Run(f"virtualenv-py{py}-numpy{v}", v, {name: {params: s}}, {}, intervals={name: {params: span}})
            for py, v, s, span in [("3.11", "2.3.5", 1.0, (0.9, 1.2)), ("3.11", "2.4.6", 1.1, (1.05, 1.15)),
                                   ("3.12", "2.5.5", 3.0, (2.9, 3.1))]]
    checks = overview.controls(runs, [], [r.label for r in runs])
    (canary,) = [c for c in checks["canaries"] if c["figure"] == "small_arrays.total:python_list:10"]
    assert canary == {"figure": "small_arrays.total:python_list:10", "python": "3.11", "spread": pytest.approx(1.1),
                      "covered": 1, "environments": 2}


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

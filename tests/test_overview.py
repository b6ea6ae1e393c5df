"""The overview page's charts are its rows: a chart per technique with results, a series per
variant (kernel:variant) with the change marks, None (drawn as a gap) where a variant is n/a, and a
log scale only when the speedups span more than LOG_SPAN."""
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

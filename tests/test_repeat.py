"""make repeat's arithmetic: every figure's spread over runs, and the per-kind summary it prints."""
import pytest

from tools import repeat
from tools.results import Run


def _run(seconds, speedup):
    return Run("env", "2.4.6", {"bench_a.Add.track_seconds": {("ufunc", 10): seconds, ("loop", 10): 2 * seconds},
                                "bench_a.Speedup.track_speedup": {("a.add:ufunc",): speedup}}, {})


def test_spread_is_max_over_min_of_each_figure_across_runs():
    spread = repeat.spreads([_run(1.0, 100.0), _run(1.2, 90.0), _run(1.1, 99.0)])
    assert spread == {"bench_a.Add.track_seconds:loop:10": pytest.approx(1.2),
                      "bench_a.Add.track_seconds:ufunc:10": pytest.approx(1.2),
                      "bench_a.Speedup.track_speedup:a.add:ufunc": pytest.approx(100 / 90)}


def test_a_figure_missing_from_a_run_has_no_spread():
    partial = Run("env", "2.4.6", {"bench_a.Add.track_seconds": {("ufunc", 10): 1.0}}, {})
    assert set(repeat.spreads([_run(1.0, 100.0), partial])) == {"bench_a.Add.track_seconds:ufunc:10"}


def test_summary_counts_figures_within_each_band():
    rows = repeat.summary_rows({"b.A.track_seconds:x": 1.05, "b.A.track_seconds:y": 1.2,
                                "b.A.track_seconds:z": 1.3, "b.S.track_speedup:p": 1.01})
    assert rows == [("track_seconds", 3, "33%", "67%", "1.300"), ("track_speedup", 1, "100%", "100%", "1.010")]


def test_one_run_is_refused():
    with pytest.raises(SystemExit):
        repeat.main(["--runs", "1"])


def test_check_counts_a_mark_between_runs_as_a_false_alarm():
    spread = {"track_seconds": 1.1, "track_speedup": 1.1}
    quiet = [_run(1.0, 100.0), _run(1.05, 97.0), _run(0.98, 103.0)]
    assert repeat.false_alarms(quiet, spread) == []
    loud = quiet + [_run(1.3, 100.0)]
    assert repeat.false_alarms(loud, spread) == [("bench_a.Add.track_seconds:ufunc:10", "slower"),
                                                 ("bench_a.Add.track_seconds:loop:10", "slower")]


def test_check_reports_alarms_and_whether_every_matrix_run_marks_the_same(capsys):
    bands = {"track_seconds": 1.1, "track_speedup": 1.1}
    by_env = {"env-a": [_run(1.0, 100.0), _run(1.02, 101.0)], "env-b": [_run(1.0, 100.0), _run(1.3, 100.0)]}
    assert repeat.check(by_env, bands) == 1
    out = capsys.readouterr().out
    assert "false alarms against the stored noise: 2 of" in out and "slower: bench_a.Add.track_seconds:ufunc:10" in out
    assert repeat.check({"env-a": by_env["env-a"]}, bands) == 0

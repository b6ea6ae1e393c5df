"""The matrix measurement: worker processes in several environments sampled round by round, each
kernel's points in every environment in turn, and the asv run that follows reading those samples."""
import json
import os
import sys
import types

import pytest

from benchmarks import common
from measurement import grids, suite, timing
from tools import matrix
from tools.results import AA_SWITCH

KERNEL = "small_arrays.total"  # cheap: a list sum and np.sum at eight small sizes


def _env(name, numpy, **variables):
    """An asv environment as tools/matrix.py reads it: this interpreter's prefix stands in for its folder."""
    return types.SimpleNamespace(name=name, _path=sys.prefix, env_vars=variables, _requirements={"numpy": numpy})


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    out = tmp_path_factory.mktemp("samples")
    envs = [_env("line", "2.4.6"), _env("aa", "2.4.6", **{AA_SWITCH: "1"})]
    started = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matrix, "MIN_ROUNDS", 2)
        patch.setattr(matrix, "MAX_ROUNDS", 5)
        patch.setattr(matrix, "CANARY_ROUNDS", 4)
        patch.setattr(matrix.Worker, "hello", lambda self, hello=matrix.Worker.hello: started.append(self) or hello(self))
        rounds = matrix.measure(envs, {**os.environ, grids.SELECT: f"^{KERNEL}$"}, str(out),
                                "abc123", log=lambda line: None)
    return out, rounds, started


def test_every_environment_gets_the_same_rounds_of_the_selected_points(measured):
    out, rounds, _ = measured
    assert set(rounds) == {KERNEL} and rounds[KERNEL] == 4  # a canary's kernel: CANARY_ROUNDS, patched to 4
    stored = {name: json.loads((out / f"{name}.json").read_text()) for name in ("line", "aa")}
    keys = [{tuple(k) for k, _ in s["samples"]} for s in stored.values()]
    assert keys[0] == keys[1] and {k[0] for k in keys[0]} == {KERNEL}  # only what --bench selects
    assert len(keys[0]) == 16  # two variants at eight sizes (every size in every release)
    for s in stored.values():
        assert s["commit"] == "abc123"
        assert all(len(taken) == rounds[KERNEL] and min(taken) > 0 for _, taken in s["samples"])


def test_the_asv_run_reads_its_environments_samples_and_measures_nothing_more_in_a_headline_run(measured, monkeypatch):
    out, rounds, _ = measured
    monkeypatch.setenv(suite.SAMPLES, str(out))
    monkeypatch.setenv("ASV_ENV_NAME", "aa")
    monkeypatch.setenv("ASV_COMMIT", "abc123")
    monkeypatch.setenv(grids.GRID, "headline")
    monkeypatch.setattr(suite, "time_suite", lambda *a, **kw: pytest.fail("measured again"))
    samples, _ = common.measure_samples()
    assert len(samples) == 16 and all(len(s) == rounds[KERNEL] for s in samples.values())
    monkeypatch.setenv("ASV_COMMIT", "another")  # samples of another commit are never read
    assert suite.interleaved() == ({}, {})


def test_new_worker_processes_take_each_set_of_rounds(measured):
    """A canary's kernel: 4 rounds (CANARY_ROUNDS, patched), 2 in each of the MIN_ROUNDS processes (patched
    to 2): two processes per environment, one after the other, never at once."""
    _, rounds, started = measured
    assert len(started) == 2 * 2
    assert len({w.process.pid for w in started}) == len(started)
    assert all(w.process.poll() is not None for w in started)


def test_the_measurement_page_states_the_constants_the_code_uses():
    from measurement import change

    page = open(os.path.join(os.path.dirname(__file__), "..", "docs", "measurement.md")).read()
    for name, value in [("MIN_ROUNDS", matrix.MIN_ROUNDS), ("MAX_ROUNDS", matrix.MAX_ROUNDS),
                        ("CANARY_ROUNDS", matrix.CANARY_ROUNDS),
                        ("ROUNDS_PER_PROCESS", matrix.ROUNDS_PER_PROCESS),
                        ("PASSES", timing.PASSES), ("LONG_PASSES", timing.LONG_PASSES),
                        ("BUDGET_SECONDS", f"{matrix.BUDGET_SECONDS:g} s"), ("REST_PROCESSES", suite.REST_PROCESSES),
                        ("WINDOW_SECONDS", f"{timing.WINDOW_SECONDS:g} s"),
                        ("LEVEL", change.LEVEL), ("FLOOR", f"{change.FLOOR:.2f}x")]:
        assert f"`{name}` ({value})" in page, name
    assert f"`SAMPLE_SECONDS` ({timing.SAMPLE_SECONDS * 1000:g} ms)" in page


def test_the_budget_is_set_aside_for_the_cheapest_kernels_rounds_first():
    rounds, least = {"cheap": 4, "dear": 4, "canary": 10}, {"cheap": 4, "dear": 4, "canary": 16}
    cost = {"cheap": 1.0, "dear": 10.0, "canary": 2.0}
    per_process = dict.fromkeys(cost, 2)
    wanted = ["dear", "cheap", "canary"]
    # the canary's 6 rounds (12 s) and the cheap kernel's 12 (12 s) are set aside: the dear one gets a
    # process's rounds (20 s)
    assert matrix.next_round(wanted, rounds, least, cost, 44.0, per_process) == ["canary", "cheap", "dear"]
    assert matrix.next_round(wanted, rounds, least, cost, 43.9, per_process) == ["canary", "cheap"]
    # what cannot pay every round left still gets one process's rounds where the budget pays them; a
    # forced kernel always
    assert matrix.next_round(wanted, rounds, least, cost, 14.5, per_process) == ["canary", "cheap"]
    assert matrix.next_round(wanted, rounds, least, cost, 0.0, per_process) == ["canary"]


def test_measuring_processes_reuse_the_heap_for_a_kernels_temporaries():
    """make bench's processes run with glibc's malloc thresholds fixed (tools/bench.py MALLOC_TUNABLES):
    an expression with three 24 MB temporaries, evaluated again and again, faults in no new pages after
    its first calls. With glibc's moving thresholds the heap is trimmed after each call and about a
    thousand pages a call are faulted in afresh."""
    import subprocess

    from tools.bench import MALLOC_TUNABLES, interpreter_env

    env = interpreter_env([])
    assert env["GLIBC_TUNABLES"] == os.environ.get("GLIBC_TUNABLES", MALLOC_TUNABLES)
    code = ("import resource, numpy as np\n"
            "a = np.ones(3_000_000)\n"
            "def f(): return ((a * 2.0) + (a * 3.0)) * (a * 4.0)\n"
            "for _ in range(3): f()\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
            "for _ in range(20): f()\n"
            "print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 20)")
    fixed, moving = (int(subprocess.check_output([sys.executable, "-c", code], env=variables))
                     for variables in ({**os.environ, "GLIBC_TUNABLES": MALLOC_TUNABLES},
                                       {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}))
    assert fixed < 10 < 100 < moving


def test_a_sample_is_the_best_of_its_passes(monkeypatch):
    """Each point is timed in PASSES passes through the requested points in turn (LONG_PASSES where
    a sample is one call), and its sample is the least of them: the cold first pass of a visit is
    dropped whichever point it hit."""
    taken = []
    times = iter([9.0, 5.0, 2.0, 7.0, 3.0])

    def timed(fn, args, number, least):
        taken.append(fn)
        return next(times)

    monkeypatch.setattr(timing, "timed", timed)
    fast, slow = (lambda: None), (lambda: None)
    assert timing.best_of_passes([((fast, ()), 10), ((slow, ()), 1)]) == [2.0, 5.0]
    assert taken == [fast, slow] * timing.LONG_PASSES + [fast] * (timing.PASSES - timing.LONG_PASSES)


def test_the_canaries_rounds_bound_their_noise_interval():
    """The matrix's nine environments of Python 3.11 and two of 3.12, 16 canary figures: a family of 176
    canary values. CANARY_ROUNDS samples in each of eight environments bound the interval of a ninth;
    a round less in each of the MIN_ROUNDS processes does not."""
    import numpy as np

    from measurement.change import noise_interval

    rng = np.random.default_rng(0)
    bounded = [all(map(np.isfinite, noise_interval([rng.normal(size=r) for _ in range(8)], r, 176)))
               for r in (matrix.CANARY_ROUNDS - matrix.MIN_ROUNDS // matrix.ROUNDS_PER_PROCESS, matrix.CANARY_ROUNDS)]
    assert bounded == [False, True]

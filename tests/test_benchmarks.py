"""The asv suite is code too: it imports, covers every registered variant, times the variant it
names, and every benchmark runs once without error (the smoke run)."""
import itertools
import json
import os
import re
import time

import numpy as np
import pytest
from asv_runner.benchmarks._base import get_setup_cache_key
from asv_runner.benchmarks.mark import SkipNotImplemented
from asv_runner.discovery import disc_benchmarks

import benchmarks.common as common
from measurement import cost, grids, inputs, suite, timing
from measurement.point import Point, benchmark_name, point, split_pair
from npopt import TECHNIQUES
from npopt.registry import KERNELS

BENCHMARK_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks")
DISCOVERED = list(disc_benchmarks(BENCHMARK_DIR))


def _instance(bench):
    return getattr(bench.func, "__self__", None)


def _kernel_benchmarks():
    return [b for b in DISCOVERED if isinstance(_instance(b), common.KernelBenchmark)]


def test_the_suite_keeps_the_asv_versions_of_its_stored_results():
    """asv publish drops a stored result whose benchmark version (a hash of the figure's source, its setup
    and the shared setup_cache) is not the suite's: a change to those bodies orphans every stored figure
    of the benchmark, so it is made on purpose, with the stored results, or not at all."""
    stored = json.load(open(os.path.join(os.path.dirname(BENCHMARK_DIR), "results", "benchmarks.json")))
    assert DISCOVERED and {b.name for b in DISCOVERED} <= set(stored)
    assert [b.name for b in DISCOVERED if stored[b.name]["version"] != b.version] == []


def test_a_point_is_spelled_as_the_suite_names_it():
    """A Point's gate key parses back to it, its asv name and parameters are those of its kernel's asv
    class, its figure key joins them, and its 'kernel:variant' pair is a parameter of its technique's
    speedup figure."""
    discovered = {b.name: b for b in DISCOVERED}
    for kernel in KERNELS.values():
        for variant in kernel.variants:
            at = point(kernel, variant, kernel.headline_n)
            assert Point.parse(at.gate_key) == at and (at.kernel, at.variant, at.n) == (kernel.key, variant, kernel.headline_n)
            assert at.technique == kernel.technique and at.order == ("C" if len(kernel.orders) > 1 else None)
            assert at.params in set(itertools.product(*discovered[at.benchmark()]._params))
            assert at.figure_key("track_instructions") == ":".join([at.benchmark("track_instructions"), *map(str, at.params)])
            if variant != kernel.reference:
                assert split_pair(at.pair) == (kernel.key, variant)
                assert at.pair in discovered[f"bench_{kernel.technique}.Speedup.track_speedup"]._params[0]


def test_every_technique_has_its_benchmark_module():
    """One module per technique, plus bench_inputs (the checksum of every technique's inputs)."""
    modules = {b.name.split(".")[0] for b in DISCOVERED}
    assert modules == {f"bench_{t}" for t in TECHNIQUES} | {"bench_inputs", "bench_simd"}


def test_inputs_come_from_numpys_frozen_stream():
    """The first draws of MT19937 seeded 0, as every NumPy release has produced them (NEP 19)."""
    from npopt._data import StableRandom

    np.testing.assert_array_equal(StableRandom(0).random(3), [0.5488135039273248, 0.7151893663724195,
                                                              0.6027633760716439])
    assert StableRandom(0).integers(0, 100, 3).tolist() == [44, 47, 64]


def test_input_checksum_covers_every_kernel_and_is_equal_in_every_stored_environment():
    """bench_inputs.track_input_checksum: one figure per kernel, and at any stored commit the
    same value in every NumPy environment (the matrix times the same data)."""
    from benchmarks.bench_inputs import input_checksum
    from tools.results import latest_commit, load, machines

    (checksum,) = [b for b in DISCOVERED if b.name == "bench_inputs.track_input_checksum"]
    assert checksum._params == [list(KERNELS)]
    kernel = KERNELS["vectorization.add"]
    assert input_checksum(kernel) != input_checksum(KERNELS["compiled.ema_with_reset"])
    compared = 0
    for machine in machines():
        commit = latest_commit(machine, widest=True)
        stored = [run.values.get(checksum.name) for run in load(commit, machine)]
        stored = [s for s in stored if s]
        for kernel_values in stored[1:]:
            assert kernel_values == stored[0], (machine, commit)
            compared += 1
    assert compared, "no stored run has the input checksum in two environments yet (make bench)"


def test_every_kernel_is_benchmarked_by_the_module_of_its_technique():
    covered = {}
    for b in _kernel_benchmarks():
        kernel = _instance(b).kernel
        assert b.name.startswith(f"bench_{kernel.technique}."), b.name
        covered.setdefault(kernel.key, set()).add(b.name)
    assert set(covered) == set(KERNELS)


def test_kernel_benchmark_class_is_named_after_its_kernel():
    for b in _kernel_benchmarks():
        kernel = _instance(b).kernel
        assert f"{b.name.rsplit('.', 1)[0]}.track_seconds" == benchmark_name(kernel), b.name


def test_kernel_benchmark_params_enumerate_every_variant_and_size():
    for b in _kernel_benchmarks():
        kernel = _instance(b).kernel
        assert b._params[0] == list(kernel.variants) and b._params[1] == list(kernel.sizes), b.name


def test_speedups_cover_every_non_reference_variant():
    tracked = {p for b in DISCOVERED if b.name.endswith("Speedup.track_speedup") for p in b._params[0]}
    expected = {f"{k.key}:{v}" for k in KERNELS.values() for v in k.variants if v != k.reference}
    assert tracked == expected


def test_every_memory_bound_variant_is_compared_with_the_triad():
    (fraction,) = [b for b in DISCOVERED if b.name.endswith("FractionOfTriad.track_percent_of_triad")]
    assert set(fraction._params[0]) == {f"{k.key}:{n}" for k in KERNELS.values()
                                        for n, v in k.variants.items() if v.bytes_moved}
    assert "bandwidth.triad:numba_one_pass" in fraction._params[0]


def test_a_selections_window_is_its_share_of_the_suites(monkeypatch):
    monkeypatch.delenv(grids.SELECT, raising=False)
    assert suite.window(common.selected()) == timing.WINDOW_SECONDS
    monkeypatch.setenv(grids.SELECT, "^fused_expressions\\.")
    share = sum(k.technique == "fused_expressions" for k in KERNELS.values()) / len(KERNELS)
    assert 0 < share < 1 and suite.window(common.selected()) == pytest.approx(timing.WINDOW_SECONDS * share)
    monkeypatch.setenv(grids.SELECT, "no kernel is named so")
    assert suite.window(common.selected()) == 0


def test_interleaved_samples_take_turns_over_the_whole_window(monkeypatch):
    """The harness: calls sampled in turn, equally often, until the window has passed and each has
    MIN_SAMPLES samples; the figure is the minimum."""
    order = []
    fast, slow = (lambda: order.append("fast")), (lambda: (order.append("slow"), time.sleep(0.02)))
    taken = timing.interleaved_samples({"f": (fast, ()), "s": (slow, ())}, window=0, min_samples=3, seconds=0.0)
    assert [len(t) for t in taken.values()] == [3, 3]
    assert order[2:] == ["fast", "slow"] * 2  # after one calibration call each, a sample: it lasted `seconds`
    assert min(taken["s"]) >= 0.02 > max(taken["f"])
    order.clear()
    taken = timing.interleaved_samples({"f": (fast, ()), "s": (slow, ())}, window=0, min_samples=3, seconds=0.01)
    assert len(taken["f"]) == 3 and len(taken["s"]) == 4  # fast's calibration call is shorter than a sample
    assert order.count("slow") == 4 and order.count("fast") > 3 and min(taken["s"]) >= 0.02
    start = time.perf_counter()
    long = timing.interleaved_samples({"f": (fast, ()), "s": (slow, ())}, window=0.2, min_samples=1, seconds=0.0)
    assert time.perf_counter() - start >= 0.2 and len(long["f"]) == len(long["s"]) >= 5
    assert list(timing.best_seconds({"f": (fast, ())}, window=0, min_samples=2, seconds=0.0)) == ["f"]


def test_a_sample_lasts_its_least_seconds_whatever_its_calls_per_batch():
    """A point calibrated to too few calls per batch (while its neighbours built) still gets samples as
    long as the others, so its first, cold call weighs as little in every process."""
    calls = []
    seconds = timing.timed(lambda: (calls.append(1), time.sleep(0.001)), (), 2, least=0.01)
    assert len(calls) > 2 and len(calls) % 2 == 0 and len(calls) * seconds >= 0.01 and seconds >= 0.001
    calls.clear()
    timing.timed(calls.append, (1,), 3)  # no least: one batch
    assert len(calls) == 3


@pytest.fixture(scope="module")
def smoke():
    """The suite's measurement points, and its asv cache from one one-call sample each and a stand-in
    count (each counted point's own figures: tests/test_cost.py counts for real): the smoke run checks
    the figures run and read the right points, not their values."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timing, "calibrate", lambda fn, args, seconds: (1, 0.0))  # no calibration call
        calls = inputs.suite_calls()
        stand_in = {at: {"instructions": i + 1.0, "cycles": i + 2.0} for i, at in enumerate(cost.cost_points())}
        return calls, common.Measured(timing.interleaved_samples(calls, window=0, min_samples=2),
                                      inputs.moved_bytes(calls), stand_in)


def test_the_measurement_times_every_registered_variant_at_every_point(smoke):
    calls, _ = smoke
    for (key, variant, *_), (fn, args) in calls.items():
        assert fn is KERNELS[key].variants[variant].fn, (key, variant)
        assert isinstance(args[0], (np.ndarray, list)) and len(args[0]) >= 1  # a list: a Python loop's storage
    for kernel in KERNELS.values():
        points = {k[1:] for k in calls if k[0] == kernel.key}
        grid_points = {p for p in itertools.product(*grids.grid(kernel)[0])
                       if kernel.variants[p[0]].unavailable is None}
        capped = {p for p in grid_points if kernel.variants[p[0]].max_n is not None
                  and p[1] > kernel.variants[p[0]].max_n}
        assert grid_points - capped <= points, kernel.key
        assert {point(kernel, v, kernel.headline_n)[1:] for v, variant in kernel.variants.items()
                if variant.unavailable is None} <= points, kernel.key


def _param_sets(bench):
    """The parameter values (asv's ``params`` holds their reprs)."""
    return list(itertools.product(*bench._params)) if bench._params else [()]


COUNTED = {"track_instructions": "instructions", "track_estimated_cycles": "cycles"}  # figure: cost figure


def _skip_expected(bench, params):
    """asv may skip a variant this process cannot run (``unavailable``: its NumPy, its CPUs) and an
    interpreted loop above its max_n; nothing else."""
    instance = _instance(bench)
    if isinstance(instance, common.SpeedupBenchmark):
        key, name = params[0].split(":")
        return KERNELS[key].variants[name].unavailable is not None
    if isinstance(instance, common.KernelBenchmark):
        variant = instance.kernel.variants[params[0]]
        return variant.unavailable is not None or (variant.max_n is not None and params[1] > variant.max_n)
    return False


@pytest.mark.parametrize("bench", DISCOVERED, ids=[b.name for b in DISCOVERED])
def test_benchmark_runs_once_and_reads_the_variant_it_names(bench, smoke):
    calls, best = smoke
    counts = best.cost
    shared = bench._setup_cache is not None
    if shared:
        assert bench.setup_cache_key == get_setup_cache_key(common.SuiteMeasurement.setup_cache)  # one, shared
        bench.set_cache(best)
    ran = 0
    for idx, params in enumerate(_param_sets(bench)):
        if bench._params:
            bench.set_param_idx(idx)
        if bench.do_setup():  # True when setup raised NotImplementedError: asv skips it
            assert _skip_expected(bench, params), f"{bench.name}{params} skipped"
            continue
        instance = _instance(bench)
        figure = COUNTED.get(bench.name.split(".")[-1])
        if figure and (instance.kernel.key, *params) not in counts:
            with pytest.raises(SkipNotImplemented, match=re.escape(cost.why_not_counted(instance.kernel, *params[:2]))):
                bench.do_run()  # asv: n/a, with the reason
            continue
        value = bench.do_run()
        if figure:
            assert value == counts[(instance.kernel.key, *params)][figure]
        if isinstance(instance, common.KernelBenchmark) and bench.name.endswith("track_seconds"):
            assert value == {"samples": best.samples[(instance.kernel.key, *params)], "number": 1}  # asv: median, interval
        if isinstance(instance, common.SpeedupBenchmark):
            kernel, variant = KERNELS[params[0].split(":")[0]], params[0].split(":")[1]
            reference, timed = (best.samples[point(kernel, v, kernel.headline_n)] for v in (kernel.reference, variant))
            assert value["samples"] == pytest.approx([r / t for r, t in zip(reference, timed)])  # round by round
        if bench.name.split(".")[-1].startswith("track_"):
            values = value["samples"] if isinstance(value, dict) else [value]
            assert all(np.isfinite(v) and v >= 0 for v in values), (bench.name, params, value)
        bench.do_teardown()
        ran += 1
    assert ran, f"{bench.name} ran for no parameters"


def test_the_suite_is_measured_in_fresh_processes_and_keeps_each_points_best(smoke):
    """What asv's shared setup_cache returns: every point of the suite, from separate processes."""
    best, moved = suite.time_suite(list(KERNELS), processes=2, window_seconds=0, min_samples=1)
    assert set(best) == set(smoke[0])
    assert all(len(taken) == 2 and all(np.isfinite(v) and v > 0 for v in taken) for taken in best.values())
    assert moved == smoke[1].moved and moved and set(moved) < set(best)  # the bytes each memory-bound point moves


def test_older_releases_are_timed_at_the_headline_points_and_the_newest_at_every_size():
    from tools.bench import time_budget
    envs = [("py3.11-numpy1.23.5", "1.23.5"), ("py3.11-numpy2.4.6", "2.4.6"),
            ("py3.12-numpy2.5.5-NPY_DISABLE_CPU_FEATURES...", "2.5.5"), ("py3.12-numpy2.5.5", "2.5.5")]
    assert time_budget(envs) == [(["py3.11-numpy1.23.5", "py3.11-numpy2.4.6",
                                   "py3.12-numpy2.5.5-NPY_DISABLE_CPU_FEATURES..."], "headline"),
                                 (["py3.12-numpy2.5.5"], "full")]
    assert time_budget(envs[-1:]) == [(["py3.12-numpy2.5.5"], "full")]


def test_a_headline_run_times_every_variant_at_its_headline_point_and_skips_the_rest(monkeypatch):
    monkeypatch.setenv(grids.GRID, "headline")
    with monkeypatch.context() as patch:
        patch.setattr(inputs, "prepared", lambda key, variant, n, order="C": (
            common.benchmarked(KERNELS[key], variant, n), (None, ()))[1])
        points = set(inputs.suite_calls())
    claimed = grids.claimed_sizes()
    assert claimed, "the release-note claims name sizes besides the headline ones"
    assert any(k.every_size_in_every_release for k in KERNELS.values())
    assert points == {point(k, v, n) for k in KERNELS.values() for v in k.variants
                      for n in (k.sizes if k.every_size_in_every_release else {k.headline_n} | claimed.get(k.key, set()))
                      if k.variants[v].unavailable is None and (n == k.headline_n or not (k.variants[v].max_n or n) < n)}
    for kernel in KERNELS.values():  # asv's params: the points timed, so no process is started for another
        params, names = grids.run_grid(kernel)
        assert names == grids.grid(kernel)[1] and params[0] == list(kernel.variants)
        assert {point(kernel, *combo[:2]) for combo in itertools.product(*params)} == {
            at for at in points if at[0] == kernel.key} | {point(kernel, v, n) for v in kernel.variants
                                                           for n in params[1] if kernel.variants[v].unavailable
                                                           or (n != kernel.headline_n and (kernel.variants[v].max_n or n) < n)}
        assert params[2:] in ([], [["C"]]) or kernel.every_size_in_every_release
    assert sum(len(grids.run_grid(k)[0][1]) for k in KERNELS.values()) < sum(len(k.sizes) for k in KERNELS.values())


@pytest.mark.parametrize("pattern, wanted", [
    # asv also selects FractionOfTriad('vectorization.add:ufunc'), which reads the triad
    ("vectorization", lambda k: k.technique == "vectorization" or k.key == "bandwidth.triad"),
    (r"bench_sorting\.SortInt16\.", lambda k: k.key == "sorting.sort_int16"),
    (r"^compiled\.ema_with_reset$", lambda k: k.key == "compiled.ema_with_reset"),
    (r"bench_dtypes\.Speedup", lambda k: k.technique == "dtypes"),
    (r"Add\.track_seconds\('python_loop', 10000\)", lambda k: k.key == "vectorization.add"),  # one point's name
    (r"Crossover", lambda k: k.technique == "small_arrays"),
    (r"FractionOfTriad\.track_percent_of_triad\('dtypes", lambda k: k.key in ("dtypes.total", "bandwidth.triad")),
])
def test_a_run_of_some_benchmarks_measures_and_counts_only_their_kernels(monkeypatch, pattern, wanted):
    """asv's --bench, passed on as SELECT: the suite's one measurement and the count cover the kernels that
    the benchmarks the regular expression selects read, by asv's rule (names bare or with parameters), or
    whose key it matches, and no others."""
    from tools.bench import selecting

    args, env = selecting(pattern, {})
    assert args == ["--bench", pattern] and env == {grids.SELECT: pattern}
    monkeypatch.setenv(grids.SELECT, pattern)
    monkeypatch.setattr(inputs, "prepared", lambda key, variant, n, order="C": (
        common.benchmarked(KERNELS[key], variant, n), (None, ()))[1])
    wanted = {k.key for k in KERNELS.values() if wanted(k)}
    assert wanted and wanted != set(KERNELS)
    assert {at[0] for at in inputs.suite_calls(common.selected())} == wanted
    assert {at[0] for at in cost.cost_points(cost.selecting(common.selected()))} <= wanted
    other = next(k for k in KERNELS.values() if k.key not in wanted)
    with pytest.raises(NotImplementedError, match="does not select"):
        common.benchmarked(other, other.reference, other.headline_n)
    assert selecting(None, {"A": "1"}) == ([], {"A": "1"})


def test_a_headline_run_has_no_count_figures_for_asv_to_start_and_a_full_run_has_them():
    """Nothing is counted in a headline-only run, and asv starts a process per parameter: the count figures
    are not there to discover (the full run, the newest release's, has them)."""
    import subprocess
    import sys

    code = ("import collections; from asv_runner.discovery import disc_benchmarks; "
            f"print(sorted(collections.Counter(b.name.rsplit('.', 1)[1] for b in disc_benchmarks({BENCHMARK_DIR!r})).items()))")
    found = {grid: dict(eval(subprocess.run([sys.executable, "-c", code], env={**os.environ, grids.GRID: grid},
                                            capture_output=True, text=True, check=True).stdout))
             for grid in ("headline", "full")}
    kernels = len(KERNELS)  # one KernelBenchmark class each
    assert found["full"]["track_instructions"] == found["full"]["track_estimated_cycles"] == kernels
    assert "track_instructions" not in found["headline"] and "track_estimated_cycles" not in found["headline"]
    assert found["headline"]["track_seconds"] == found["full"]["track_seconds"] == kernels


def test_a_headline_run_measures_in_one_process_and_a_full_run_in_several(monkeypatch):
    started = []

    def fake_run(command, check):
        started.append(command)
        with open(re.search(r"open\('([^']+)', \"w\"\)", command[2]).group(1), "w") as f:
            f.write('{"seconds": [], "bytes_moved": []}')

    monkeypatch.setattr(suite.subprocess, "run", fake_run)
    suite.time_suite(list(KERNELS), window_seconds=0)
    assert len(started) == suite.PROCESSES > 1
    monkeypatch.setenv(grids.GRID, "headline")
    suite.time_suite(list(KERNELS), window_seconds=0)
    assert len(started) == suite.PROCESSES + 1

"""The asv suite is code too: it imports, covers every registered variant, times the variant it
names, and every benchmark runs once without error (the smoke run)."""
import itertools
import os
import time

import numpy as np
import pytest
from asv_runner.discovery import disc_benchmarks

import benchmarks.common as common
from npopt import TECHNIQUES
from npopt.registry import KERNELS

BENCHMARK_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks")
DISCOVERED = list(disc_benchmarks(BENCHMARK_DIR))


def _instance(bench):
    return getattr(bench.func, "__self__", None)


def _kernel_benchmarks():
    return [b for b in DISCOVERED if isinstance(_instance(b), common.KernelBenchmark)]


def test_every_technique_has_its_benchmark_module():
    """One module per technique, plus bench_inputs (the checksum of every technique's inputs)."""
    modules = {b.name.split(".")[0] for b in DISCOVERED}
    assert modules == {f"bench_{t}" for t in TECHNIQUES} | {"bench_inputs"}


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
        camel = "".join(part.capitalize() for part in kernel.name.split("_"))
        assert b.name.split(".")[1] == camel, b.name


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


@pytest.fixture
def quick_tracks(monkeypatch):
    """Timed figures from one one-call sample each: the smoke run checks they run, not their values."""
    monkeypatch.setattr(common, "SAMPLES", 1)
    monkeypatch.setattr(common, "MIN_SAMPLES", 1)
    monkeypatch.setattr(common, "calibrate", lambda fn, args, seconds: (1, 1.0))  # no warm-up calls


def test_timed_samples_interleave_calls_and_keep_the_count_for_slow_calls(monkeypatch):
    """The harness: every call gets the same number of samples, taken in turn, never below MIN_SAMPLES."""
    order = []
    fast, slow = (lambda: order.append("fast")), (lambda: (order.append("slow"), time.sleep(0.02)))
    monkeypatch.setattr(common, "BUDGET_SECONDS", 0.05)
    taken = common.timed_samples((fast, ()), (slow, ()), seconds=0.0)
    assert [len(t) for t in taken] == [common.MIN_SAMPLES] * 2
    assert order[2:] == ["fast", "slow"] * common.MIN_SAMPLES  # after one calibration call each
    assert min(taken[1]) >= 0.02 > max(taken[0])
    assert common.best_seconds((fast, ()), samples=2, seconds=0.0)[0] >= 0


def _value(result):
    """A timed figure's value as asv receives it (see benchmarks/common.py figure)."""
    return result["samples"][0] if isinstance(result, dict) else result


def _param_sets(bench):
    """The parameter values (asv's ``params`` holds their reprs)."""
    return list(itertools.product(*bench._params)) if bench._params else [()]


@pytest.mark.parametrize("bench", DISCOVERED, ids=[b.name for b in DISCOVERED])
def test_benchmark_runs_once_and_times_the_variant_it_names(bench, quick_tracks):
    ran = 0
    for idx, params in enumerate(_param_sets(bench)):
        if bench._params:
            bench.set_param_idx(idx)
        if bench.do_setup():  # True when setup raised NotImplementedError: asv skips it
            variant = KERNELS[_instance(bench).kernel.key].variants[params[0]]
            assert variant.max_n is not None and params[1] > variant.max_n, f"{bench.name}{params} skipped"
            continue
        instance = _instance(bench)
        if isinstance(instance, common.KernelBenchmark):
            assert instance.fn is instance.kernel.variants[params[0]].fn
            assert instance.args[0].size >= 1
        if isinstance(instance, common.SpeedupBenchmark):
            kernel = KERNELS[params[0].split(":")[0]]
            assert instance.reference[0] is kernel.variants[kernel.reference].fn
            assert instance.variant[0] is kernel.variants[params[0].split(":")[1]].fn
        value = _value(bench.func(*params))
        if bench.name.split(".")[-1].startswith("track_"):
            assert np.isfinite(value) and value >= 0, (bench.name, params, value)
        bench.do_teardown()
        ran += 1
    assert ran, f"{bench.name} ran for no parameters"

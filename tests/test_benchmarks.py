"""The asv suite is code too: it imports, covers every registered variant, times the variant it
names, and every benchmark runs once without error (the smoke run)."""
import itertools
import os

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
    modules = {b.name.split(".")[0] for b in DISCOVERED}
    assert modules == {f"bench_{t}" for t in TECHNIQUES}


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
    """In-process track_ figures with one short round each: the smoke run checks they run, not their values."""
    monkeypatch.setattr(common, "PAIRED_ROUNDS", 1)
    monkeypatch.setattr(common, "SAMPLE_SECONDS", 0.0)


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
        value = bench.func(*params)
        if bench.name.split(".")[-1].startswith("track_"):
            assert np.isfinite(value) and value >= 0, (bench.name, params, value)
        bench.do_teardown()
        ran += 1
    assert ran, f"{bench.name} ran for no parameters"

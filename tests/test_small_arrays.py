"""npopt.small_arrays: every variant against its reference, its bad-input errors, and the crossover figure."""
import math

import numpy as np
import pytest

from kernel_checks import KernelChecks

from benchmarks import common
from benchmarks.bench_small_arrays import Crossover, crossover_n
from measurement import grids
from measurement.inputs import build
from npopt import small_arrays


class TestSmallArraysKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the small_arrays kernels."""


def test_benchmarked_vectors_pass_the_boundary_without_the_full_check(monkeypatch):
    """The full check costs as much as a small np.dot: the timed float64 vectors never reach it."""
    def full_check(*args):
        raise AssertionError("the full check ran")

    monkeypatch.setattr(small_arrays._check, "floating", full_check)
    for kernel in (small_arrays.TOTAL, small_arrays.DOT):
        for variant in kernel.variants:
            fn, args = build(kernel, variant, 10)
            fn(*args)


def test_python_variants_get_lists_of_floats_and_numpy_variants_arrays():
    x, y = small_arrays.DOT.inputs(5, dtype=np.int64)
    lists = small_arrays.DOT.variants["python_list"].prepare(x, y)
    assert all(type(v) is list and all(type(e) is float for e in v) for v in lists)
    assert lists[0] == x.astype(float).tolist()
    assert small_arrays.DOT.variants["numpy"].prepare(x, y) == (x, y)


def test_python_variants_refuse_bad_arrays_in_prepare_naming_them():
    """prepare converts what the kernel accepts; anything else fails there, as the numpy variant would."""
    with pytest.raises(TypeError, match=r"\bx\b"):
        small_arrays.TOTAL.variants["python_list"](np.ones(3, complex))
    with pytest.raises(ValueError, match=r"\by\b"):
        small_arrays.DOT.variants["python_list"](np.ones(3), np.ones(4))


@pytest.mark.parametrize("summing", [small_arrays.TOTAL, small_arrays.DOT], ids=lambda k: k.name)
def test_float16_is_summed_in_float32_not_float16(summing):
    """2048 + 1 + 1 ...: float16 cannot hold 2049, so a float16 accumulator would stay at 2048."""
    x = np.array([2048.0] + [1.0] * 8, np.float16)
    args = (x,) * len(summing.inputs(1))
    expected = (x.astype(float) ** len(args)).sum()
    for name, variant in summing.variants.items():
        assert variant(*args) == expected, name


def test_crossover_between_two_sizes_is_interpolated_in_log_n():
    """The ratio halves per decade: equal times halfway between 10 and 100 in log n."""
    assert crossover_n((1, 10, 100), [1.0, 1.0, 1.0], [4.0, 2.0, 0.5]) == pytest.approx(math.sqrt(10 * 100))


def test_crossover_at_a_size_where_the_times_are_equal_is_that_size():
    assert crossover_n((1, 10, 100, 1000), [1.0, 2.0, 3.0, 4.0], [5.0, 2.0, 1.0, 1.0]) == 10


def test_crossover_ignores_a_win_before_the_last_loss():
    """Noise making NumPy win at n=1 does not count: the crossing is after the last size where it loses."""
    assert 10 < crossover_n((1, 10, 100), [1.0, 1.0, 1.0], [0.9, 1.5, 0.5]) < 100


def test_crossover_when_numpy_always_or_never_wins():
    assert crossover_n((1, 10, 100), [2.0, 3.0, 4.0], [1.0, 1.0, 1.0]) == 1  # at or below the smallest size
    assert crossover_n((1, 10, 100), [1.0, 2.0, 3.0], [5.0, 5.0, 5.0]) is None
    assert crossover_n((1, 10, 100), [1.0, 2.0, 3.0], [5.0, 5.0, 3.0]) is None  # equal at the largest is no win


def _best(kernel, python, numpy):
    """A suite measurement of one kernel: seconds per call as functions of n."""
    return {(kernel.key, v, n): f(n) for n in kernel.sizes for v, f in (("python_list", python), ("numpy", numpy))}


def test_crossover_figure_reads_the_kernels_points_from_the_suite_measurement():
    kernel = small_arrays.TOTAL
    best = _best(kernel, python=lambda n: 1e-6 + 1e-8 * n, numpy=lambda n: 5e-6 + 1e-9 * n)
    figure = Crossover()
    figure.setup(best, "total")
    crossing = figure.track_crossover_n(best, "total")
    assert 300 < crossing < 1000  # the affine costs cross at 4e-6 / 9e-9 = 444
    assert crossing == crossover_n(kernel.sizes, *([best[(kernel.key, v, n)] for n in kernel.sizes]
                                                   for v in ("python_list", "numpy")))


def test_crossover_figure_is_na_when_numpy_never_wins():
    best = _best(small_arrays.DOT, python=lambda n: 1e-9 * n, numpy=lambda n: 1e-3 + 1e-9 * n)
    with pytest.raises(NotImplementedError, match="not faster"):
        Crossover().setup(best, "dot")


def test_a_headline_run_still_times_every_size_so_the_crossover_is_tracked_per_release(monkeypatch):
    monkeypatch.setenv(grids.GRID, "headline")
    for kernel in (small_arrays.TOTAL, small_arrays.DOT):
        assert grids.run_grid(kernel)[0][1] == list(kernel.sizes)
        for n in kernel.sizes:
            common.benchmarked(kernel, kernel.reference, n)  # raises NotImplementedError where not timed

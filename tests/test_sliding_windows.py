"""npopt.sliding_windows: every variant against its reference, and its bad-input errors."""
import numpy as np
import pytest

from kernel_checks import KernelChecks

from npopt import sliding_windows


class TestSlidingWindowsKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the sliding_windows kernels."""


# Tests taking ``kernel, variant`` run for every variant of every kernel (conftest.py).
REDUCTIONS = {"moving_mean": np.mean, "moving_max": np.max}


def _windows(kernel, x, window):
    """The expected answer spelled out: the kernel's NumPy reduction of every full window of x."""
    reduce = REDUCTIONS[kernel.name]
    return np.array([reduce(x[i:i + window]) for i in range(len(x) - window + 1)], dtype=np.float64)


@pytest.mark.parametrize("window", [1, 2, 3, 8, 9, 2**70])
def test_known_windows_and_no_full_window(kernel, variant, window):
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    out = kernel.variants[variant](x, window)
    assert out.dtype == np.float64 and out.shape == (max(9 - window, 0),)
    np.testing.assert_allclose(out, _windows(kernel, x, window), rtol=1e-15)


@pytest.mark.parametrize("window", [1, 3, 4])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_nan_and_infinities_spoil_only_the_windows_that_hold_them(kernel, variant, window):
    """A cumulative or running sum would carry them into every later window (Inf - Inf is NaN);
    a maximum's NaN must not stay in a queue or block past its window either."""
    x = np.arange(16.0)
    x[[2, 7, 9, 13]] = [np.nan, np.inf, -np.inf, np.inf]
    out = kernel.variants[variant](x, window)
    np.testing.assert_array_equal(out, _windows(kernel, x, window))
    clean = [not any(i <= j < i + window for j in (2, 7, 9, 13)) for i in range(out.shape[0])]
    assert 0 < sum(clean) < len(clean) and np.isfinite(out[clean]).all()


def test_integers_are_reduced_in_float64(kernel, variant):
    out = kernel.variants[variant](np.array([-128, 127, 127, -128], np.int8), 2)
    np.testing.assert_array_equal(out, {"moving_mean": [-0.5, 127.0, -0.5], "moving_max": [127.0] * 3}[kernel.name])


@pytest.mark.parametrize("window, error", [(0, ValueError), (-3, ValueError), (2.5, ValueError),
                                           (True, TypeError), (np.inf, ValueError)])
def test_bad_windows_are_refused_by_name(kernel, variant, window, error):
    with pytest.raises(error, match=r"\bwindow\b"):
        kernel.variants[variant](np.arange(10.0), window)


@pytest.mark.parametrize("variant", list(sliding_windows.MOVING_MEAN.variants))
def test_carried_sums_drift_within_the_documented_tolerance(variant):
    """After a huge value leaves the window, the running and cumulative sums keep its rounding
    (about eps * 1e12 * window): far beyond the per-window sums' few ulps, inside the kernel's bound."""
    kernel = sliding_windows.MOVING_MEAN
    x = np.random.RandomState(1).random(20_000)
    x[:50] = 1e12
    expected = kernel.variants[kernel.reference](x, 50)
    error = np.max(np.abs(kernel.variants[variant](x, 50) - expected)[50:])
    carried = variant in ("cumsum_difference", "numba")
    assert error <= kernel.tolerance((x, 50), expected)[1]
    assert (error > 1e-8) == carried, error


@pytest.mark.parametrize("variant", list(sliding_windows.MOVING_MAX.variants))
def test_maximum_leaves_with_its_window(variant):
    """Falling, rising and repeated values: the queue must drop a maximum once it is out of the window."""
    x = np.array([9.0, 7.0, 5.0, 5.0, 3.0, 1.0, 2.0, 4.0, 4.0, 8.0, -np.inf, -np.inf, -np.inf])
    out = sliding_windows.MOVING_MAX.variants[variant](x, 3)
    np.testing.assert_array_equal(out, [9.0, 7.0, 5.0, 5.0, 3.0, 4.0, 4.0, 8.0, 8.0, 8.0, -np.inf])


def test_benchmark_window_is_a_small_fraction_of_the_series():
    x, window = sliding_windows.MOVING_MEAN.inputs(sliding_windows.MOVING_MEAN.headline_n)
    assert window == sliding_windows.WINDOW and x.shape[0] >= 100 * window
    assert [sliding_windows.MOVING_MEAN.inputs(n)[1] for n in (0, 1, 17)] == [1, 1, 5]

"""npopt.compiled: every variant against its reference, and its bad-input errors."""
import numpy as np
import pytest

from kernel_checks import KernelChecks

from npopt import _recurrences, compiled


class TestCompiledKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the compiled kernels."""


def test_cython_extension_was_built_against_the_running_numpy():
    assert compiled.BUILT_WITH_NUMPY == np.__version__


@pytest.mark.parametrize("bad", [np.arange(10.0)[::2], np.arange(5, dtype=np.float32), np.arange(5)])
def test_cython_kernels_reject_what_they_cannot_read(bad):
    """Called directly, past the Python wrapper: a clear ValueError, never a misread or a crash."""
    with pytest.raises(ValueError):
        _recurrences.max_drawdown(bad)
    with pytest.raises(ValueError):
        _recurrences.ema_with_reset(bad, 0.5, 1.0, np.empty(bad.shape[0]))


def test_cython_ema_rejects_an_output_of_the_wrong_length():
    with pytest.raises(ValueError, match="out"):
        _recurrences.ema_with_reset(np.arange(5.0), 0.5, 1.0, np.empty(4))


@pytest.mark.parametrize("variant", list(compiled.EMA_WITH_RESET.variants))
def test_ema_restarts_on_a_jump_and_smooths_otherwise(variant):
    x = np.array([0.0, 1.0, 100.0, 101.0, 101.0])
    out = compiled.EMA_WITH_RESET.variants[variant].fn(x, 0.5, 10.0)
    np.testing.assert_array_equal(out, [0.0, 0.5, 100.0, 100.5, 100.75])


@pytest.mark.parametrize("variant", list(compiled.MAX_DRAWDOWN.variants))
def test_max_drawdown_of_a_known_series(variant):
    x = np.array([1.0, 3.0, 2.0, 5.0, 0.5, 4.0])
    assert compiled.MAX_DRAWDOWN.variants[variant].fn(x) == 4.5


@pytest.mark.parametrize("variant", list(compiled.MAX_DRAWDOWN.variants))
@pytest.mark.parametrize("x, expected", [
    ([np.inf, 5.0], np.inf), ([1.0, np.inf, np.inf, 2.0], np.inf), ([-np.inf, -np.inf, 3.0], 0.0), ([np.inf], 0.0),
])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_max_drawdown_through_infinite_prices(variant, x, expected):
    """inf - inf at an infinite peak is no drop (NumPy's max made it NaN)."""
    assert compiled.MAX_DRAWDOWN.variants[variant](np.array(x)) == expected

"""Compiled kernels for loops that cannot be vectorized.

Each step of a recurrence depends on the previous result through a
data-dependent branch, so no ufunc expression computes it: the choice is a
Python loop (slow), or the same loop compiled by Numba (``@njit``) or
Cython (typed memoryviews, built by setup.py). Where a pure-NumPy
formulation exists (the running maximum of a drawdown), it is a variant too.
Compiled kernels see only C-contiguous float64 arrays: the public wrappers
convert (copying strided or float32 input) before calling them.
"""
import math

import numba
import numpy as np

from . import _check, _recurrences
from ._data import random_array
from .registry import kernel

BUILT_WITH_NUMPY = _recurrences.BUILT_WITH_NUMPY


def _random_walk(rng, n, dtype, order):
    """A random walk with occasional jumps, so the reset branch is taken unpredictably."""
    steps = rng.standard_normal(n) + np.where(rng.random(n) < 0.01, 20.0, 0.0)
    walk = np.cumsum(steps)
    return (walk.astype(dtype) if dtype.kind == "f" else np.round(walk).astype(dtype)), 0.1, 5.0


def _as_float64_contiguous(x):
    """The compiled kernels' input contract: C-contiguous float64 (a copy only when needed)."""
    return np.ascontiguousarray(x, dtype=np.float64)


def _validate_ema(x, alpha, threshold):
    x = _as_float64_contiguous(_check.array(x, "x", 1))
    alpha = _check.real(alpha, "alpha", low=0.0, high=1.0, low_open=True)
    threshold = _check.real(threshold, "threshold", low=0.0)
    return x, alpha, threshold


EMA_WITH_RESET = kernel(
    "compiled", "ema_with_reset", make_inputs=_random_walk, validate=_validate_ema,
    sizes=(100_000, 10_000_000), headline_n=100_000,
)


def _ema_with_reset_loop(x, alpha, threshold, out):
    """out[i] = (1 - alpha) out[i-1] + alpha x[i], restarting at x[i] when |x[i] - out[i-1]| > threshold."""
    keep = 1.0 - alpha
    prev = out[0] = x[0]
    for i in range(1, x.shape[0]):
        xi = x[i]
        prev = xi if abs(xi - prev) > threshold else keep * prev + alpha * xi
        out[i] = prev


_ema_with_reset_jit = numba.njit(cache=True, nogil=True)(_ema_with_reset_loop)


@EMA_WITH_RESET.variant("python_loop", reference=True, max_n=100_000)
def ema_with_reset_python_loop(x, alpha, threshold):
    """EMA that restarts on jumps larger than threshold, as a plain Python loop."""
    out = np.empty_like(x)
    if x.shape[0]:
        _ema_with_reset_loop(x, alpha, threshold, out)
    return out


@EMA_WITH_RESET.variant("numba")
def ema_with_reset_numba(x, alpha, threshold):
    """The same Python loop compiled by Numba."""
    out = np.empty_like(x)
    if x.shape[0]:
        _ema_with_reset_jit(x, alpha, threshold, out)
    return out


@EMA_WITH_RESET.variant("cython")
def ema_with_reset_cython(x, alpha, threshold):
    """The same loop compiled by Cython over typed memoryviews."""
    out = np.empty_like(x)
    _recurrences.ema_with_reset(x, alpha, threshold, out)
    return out


def _validate_prices(x):
    return (_as_float64_contiguous(_check.nonempty(_check.array(x, "x", 1), "x")),)


def _prices(rng, n, dtype, order):
    return _random_walk(rng, n, dtype, order)[:1]


MAX_DRAWDOWN = kernel(
    "compiled", "max_drawdown", make_inputs=_prices, validate=_validate_prices,
    sizes=(100_000, 10_000_000), headline_n=100_000,
)


def _max_drawdown_loop(x):
    """Largest drop from a running peak, max(peak[i] - x[i]); NaN if x has a NaN (x non-empty)."""
    peak, best = x[0], 0.0
    for v in x:
        if v != v:
            return math.nan
        if v > peak:
            peak = v
        elif peak - v > best:
            best = peak - v
    return best


_max_drawdown_jit = numba.njit(cache=True, nogil=True)(_max_drawdown_loop)


@MAX_DRAWDOWN.variant("python_loop", reference=True, max_n=100_000)
def max_drawdown_python_loop(x):
    """Maximum drawdown as a plain Python loop."""
    return float(_max_drawdown_loop(x))


@MAX_DRAWDOWN.variant("numpy_accumulate")
def max_drawdown_numpy_accumulate(x):
    """The same as whole-array NumPy: running peak by np.maximum.accumulate, then one max.

    The peak turns NaN from x's first NaN on. Otherwise a NaN drop is inf - inf at an infinite
    peak, where the loop finds no drop: np.fmax skips it.
    """
    peak = np.maximum.accumulate(x)
    if np.isnan(peak[-1]):
        return math.nan
    return float(np.fmax.reduce(peak - x, initial=0.0))


@MAX_DRAWDOWN.variant("numba")
def max_drawdown_numba(x):
    """The same Python loop compiled by Numba."""
    return float(_max_drawdown_jit(x))


@MAX_DRAWDOWN.variant("cython")
def max_drawdown_cython(x):
    """The Python loop compiled by Cython over a typed memoryview."""
    return _recurrences.max_drawdown(x)

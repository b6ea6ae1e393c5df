"""Sliding windows: the mean, and the maximum, of every full window of ``window`` consecutive values.

``np.lib.stride_tricks.sliding_window_view`` shows all windows as rows of a strided view, no
copy, but reducing it still does O(n window) work. A cumulative sum gives every window's sum
as one difference, O(n); so does a running sum compiled by Numba. Both carry a sum across the
whole input, which costs two things the per-window sums do not have:

* one NaN or Inf would poison every later window (Inf - Inf is NaN). Here they sum the finite
  values only and count each window's NaN, +Inf and -Inf, so a window's mean is NaN, +-Inf or
  finite exactly as its own sum would be;
* rounding: the carried sum's error grows with everything summed before the window (see
  ``_carried_sum_tolerance``), where a per-window sum's error stays that of ``window`` terms.

Every variant computes in float64 (integers and float16/32 converted first) and returns the
``max(n - window + 1, 0)`` results of the full windows: none when window > n. Windows of finite
values whose sum overflows float64 are outside the carried sums' contract.

A maximum cannot be undone like a sum, so no cumulative difference gives it; its O(n) ways are a
blocked pair of np.maximum.accumulate passes (van Herk / Gil-Werman) and a compiled monotone queue.
"""
import math

import numba
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import _check
from ._data import random_array
from .registry import kernel

WINDOW = 50  # of the benchmarks: a few per cent of n at the small size, so O(n window) shows


def _series(rng, n, dtype, order):
    """Values and a window of WINDOW, or about a quarter of a short series (several windows)."""
    return random_array(rng, n, dtype), min(WINDOW, n // 4 + 1)


def _validate_series(x, window):
    """x as contiguous float64; a window longer than x as n + 1, the same "no full window" in int64."""
    x = np.ascontiguousarray(_check.array(x, "x", 1), dtype=np.float64)
    return x, min(_check.integer(window, "window", low=1), x.shape[0] + 1)


def _carried_sum_tolerance(args, result):
    """How far the carried sums may round from the reference's per-window sums.

    np.cumsum adds sequentially, so its k-th partial sum errs by at most k eps sum|x|: a window's
    difference of two of them by 2 n eps sum|x|, divided by window. The running sum rounds twice
    per step, each time by at most eps (window + 1) max|x| (it holds at most window + 1 terms), over
    n steps: 2 n eps (1 + 1 / window) max|x| after the division. The per-window sums err by at
    most window eps max|x|. The sum of the three bounds, over finite x (NaN and Inf compare by
    position).
    """
    x, window = np.asarray(args[0], np.float64), args[1]
    finite = np.abs(x[np.isfinite(x)])
    n, eps = x.shape[0], float(np.finfo(np.float64).eps)
    total, biggest = float(np.sum(finite)), float(np.max(finite, initial=0.0))
    return 0.0, eps * (2 * n * total / window + 2 * n * (1 + 1 / window) * biggest + window * biggest)


MOVING_MEAN = kernel(
    "sliding_windows", "moving_mean", make_inputs=_series, validate=_validate_series,
    sizes=(20_000, 500_000), headline_n=20_000, tolerance=_carried_sum_tolerance,
)


@MOVING_MEAN.variant("python_loop", reference=True, max_n=20_000)
def moving_mean_python_loop(x, window):
    """Each window summed afresh by Python's sum() over a list slice: O(n window) interpreted additions."""
    values = x.tolist()
    return np.array([sum(values[i:i + window]) / window for i in range(len(values) - window + 1)],
                    dtype=np.float64)


def _every_window(x, window):
    """The (n - window + 1, window) strided view of every full window of x; no rows when there is none."""
    return sliding_window_view(x, window) if window <= x.shape[0] else np.empty((0, 1))


def _compiled(loop, x, window):
    """Call a compiled loop that writes the result of each full window of x into a new array."""
    out = np.empty(max(x.shape[0] - window + 1, 0))
    loop(x, window, out)
    return out


@MOVING_MEAN.variant("sliding_window_view")
def moving_mean_sliding_window_view(x, window):
    """sliding_window_view(x, window).mean(axis=-1): windows as rows of a strided view, no copy,
    each reduced on its own in compiled code, still O(n window) additions."""
    return _every_window(x, window).mean(axis=-1)


def _window_sums(a, window, dtype):
    """Sums of a over every full window, as differences of one cumulative sum (zero prepended) in dtype."""
    partial = np.zeros(a.shape[0] + 1, dtype)
    np.cumsum(a, dtype=dtype, out=partial[1:])
    return partial[window:] - partial[:-window]


@MOVING_MEAN.variant("cumsum_difference")
def moving_mean_cumsum_difference(x, window):
    """(c[i + window] - c[i]) / window for c the cumulative sum of x: O(n) whatever the window.

    Non-finite values are left out of c and counted instead (a cumulative count of each of NaN,
    +Inf and -Inf), then give the windows containing them their NaN or +-Inf.
    """
    finite = np.isfinite(x)
    if finite.all():
        return _window_sums(x, window, np.float64) / window
    means = _window_sums(np.where(finite, x, 0.0), window, np.float64) / window
    high, low, nan = (_window_sums(special, window, np.intp) > 0
                      for special in (x == np.inf, x == -np.inf, np.isnan(x)))
    means[high] = np.inf
    means[low] = -np.inf
    means[nan | (high & low)] = np.nan
    return means


@numba.njit(cache=True, nogil=True)
def _special(v):
    """Which counter a non-finite value goes to: 0 NaN, 1 +Inf, 2 -Inf."""
    return 0 if v != v else (1 if v > 0 else 2)


@numba.njit(cache=True, nogil=True)
def _running_means(x, window, out):
    """One pass: a running sum of the window's finite values, and counts of its NaN, +Inf, -Inf."""
    total = 0.0
    counts = np.zeros(3, np.int64)
    for j in range(x.shape[0]):
        if math.isfinite(x[j]):
            total += x[j]
        else:
            counts[_special(x[j])] += 1
        if j >= window:
            if math.isfinite(x[j - window]):
                total -= x[j - window]
            else:
                counts[_special(x[j - window])] -= 1
        if j >= window - 1:
            if counts[0] or (counts[1] and counts[2]):
                out[j - window + 1] = math.nan
            elif counts[1] or counts[2]:
                out[j - window + 1] = math.inf if counts[1] else -math.inf
            else:
                out[j - window + 1] = total / window


@MOVING_MEAN.variant("numba")
def moving_mean_numba(x, window):
    """The running sum compiled by Numba: one pass, O(n), add the entering value, drop the leaving one."""
    return _compiled(_running_means, x, window)


MOVING_MAX = kernel(
    "sliding_windows", "moving_max", make_inputs=_series, validate=_validate_series,
    sizes=(20_000, 500_000), headline_n=20_000,
)


@MOVING_MAX.variant("python_loop", reference=True, max_n=5_000)
def moving_max_python_loop(x, window):
    """np.max of each window from a Python loop (Python's max() would skip a NaN unless it came first)."""
    return np.array([x[i:i + window].max() for i in range(x.shape[0] - window + 1)], dtype=np.float64)


@MOVING_MAX.variant("sliding_window_view")
def moving_max_sliding_window_view(x, window):
    """sliding_window_view(x, window).max(axis=-1): O(n window) comparisons, SIMD within each window.

    A maximum cannot be undone like a sum, so no cumulative trick gives it in O(n).
    """
    return _every_window(x, window).max(axis=-1)


@MOVING_MAX.variant("block_accumulate")
def moving_max_block_accumulate(x, window):
    """van Herk / Gil-Werman: O(n) with three whole-array passes, whatever the window.

    Cut x into blocks of ``window``; np.maximum.accumulate gives each block's prefix and suffix
    maxima. A window spans the end of one block and the start of the next, so its maximum is
    max(suffix[i], prefix[i + window - 1]). np.maximum propagates NaN, as np.max does.
    """
    n = x.shape[0]
    if window > n:
        return np.empty(0)
    padded = np.full(-(-n // window) * window, -np.inf)
    padded[:n] = x
    blocks = padded.reshape(-1, window)
    prefix = np.maximum.accumulate(blocks, axis=1).reshape(-1)
    suffix = np.maximum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].reshape(-1)
    return np.maximum(suffix[:n - window + 1], prefix[window - 1:n])


@numba.njit(cache=True, nogil=True)
def _running_maxima(x, window, out):
    """A queue of the window's indices whose values decrease: its head is the window's maximum.
    Each index enters and leaves once, O(n). NaN never enters; a window holding one gives NaN."""
    queue = np.empty(x.shape[0], np.int64)
    head, tail, last_nan = 0, 0, -1
    for j in range(x.shape[0]):
        if x[j] != x[j]:
            last_nan = j
        else:
            while tail > head and x[queue[tail - 1]] <= x[j]:
                tail -= 1
            queue[tail] = j
            tail += 1
        i = j - window + 1
        if i >= 0:
            while head < tail and queue[head] < i:
                head += 1
            out[i] = math.nan if last_nan >= i else x[queue[head]]


@MOVING_MAX.variant("numba")
def moving_max_numba(x, window):
    """The monotone queue compiled by Numba: O(n), a branch per comparison."""
    return _compiled(_running_maxima, x, window)

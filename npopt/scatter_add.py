"""Scatter-add: sum values into groups by integer label (a group-by sum).

``out[labels[i]] += values[i]`` cannot be written ``out[labels] += values``: fancy-index
assignment keeps only the last write to a repeated label. ``np.add.at`` is the unbuffered form;
NumPy 1.25 rewrote it (a fast path for 1-D indices into a 1-D array, and the ufunc's own inner
loop elsewhere), so it went from about as slow as a Python loop to as fast as ``np.bincount``,
which always had a compiled loop for exactly this, in float64 only. Sorting the labels and
summing the runs with ``np.add.reduceat`` is the third way: it pays an O(n log n) sort.

Sums are float64 for float values (np.bincount's accumulator) and int64 or uint64 for integer
values, exact and wrapping modulo 2**64 on overflow like NumPy's integer add.
"""
import numpy as np

from . import _check
from ._data import random_array
from .registry import kernel

N_GROUPS = 300
COLUMNS = 8  # of group_sums_2d's values
EXACT = 2**53  # float64 holds every integer up to this exactly
LIMB_BITS = 16  # integer weights summed 16 bits at a time stay exact for up to 2**37 terms


def _labelled(rng, n, dtype, order, shape):
    return random_array(rng, shape, dtype, order), rng.integers(0, N_GROUPS, n).astype(np.intp), N_GROUPS


def _labelled_values(rng, n, dtype, order):
    return _labelled(rng, n, dtype, order, n)


def _labelled_rows(rng, n, dtype, order):
    return _labelled(rng, n, dtype, order, (n, COLUMNS))


def _validator(ndim):
    """validate for values of ``ndim`` dimensions: labels checked in range and made intp."""
    what = "element" if ndim == 1 else "row"

    def validate(values, labels, n_groups):
        values = _check.array(values, "values", ndim)
        labels = _check.array(labels, "labels", 1, kinds="iu")
        n_groups = _check.integer(n_groups, "n_groups", low=0)
        if labels.shape[0] != values.shape[0]:
            raise ValueError(f"labels must have one entry per {what} of values ({values.shape[0]}), "
                             f"got {labels.shape[0]}")
        if labels.size:
            low, high = int(labels.min()), int(labels.max())
            if low < 0 or high >= n_groups:
                raise ValueError(f"labels must be in [0, n_groups) = [0, {n_groups}), got labels from {low} to {high}")
        return values, labels.astype(np.intp, copy=False), n_groups

    return validate


def _sum_dtype(values):
    """float64 for float values, int64 for signed and uint64 for unsigned integers."""
    return np.dtype({"f": np.float64, "i": np.int64, "u": np.uint64}[values.dtype.kind])


def _zeros(values, n_groups):
    """The empty group sums: one row of values' trailing shape per group."""
    return np.zeros((n_groups,) + values.shape[1:], _sum_dtype(values))


def _reordering_tolerance(args, result):
    """sort_reduceat adds each group's terms in another order than the reference's sequential loop.

    A sum of m terms errs by at most (m - 1) eps sum|x| in any order, so the two differ by at most
    twice that: the bound of the worst group (and column). Inf and NaN are compared by position.
    """
    values, labels = np.asarray(args[0], np.float64), np.asarray(args[1]).astype(np.intp)
    magnitudes = np.abs(values, where=np.isfinite(values), out=np.zeros_like(values))
    bound = np.zeros((result.shape[0],) + values.shape[1:])
    np.add.at(bound, labels, magnitudes)
    counts = np.bincount(labels, minlength=result.shape[0]).reshape((-1,) + (1,) * (values.ndim - 1))
    return 0.0, 2 * float(np.finfo(np.float64).eps) * float(np.max(counts * bound, initial=0.0))


GROUP_SUMS = kernel(
    "scatter_add", "group_sums", make_inputs=_labelled_values, validate=_validator(1),
    sizes=(100_000, 1_000_000), headline_n=100_000, tolerance=_reordering_tolerance,
)
GROUP_SUMS_2D = kernel(
    "scatter_add", "group_sums_2d", make_inputs=_labelled_rows, validate=_validator(2),
    sizes=(20_000, 200_000), headline_n=20_000, orders=("C", "F"), tolerance=_reordering_tolerance,
)


def _python_loop(values, labels, n_groups):
    """out[label] += value for one element (or row) at a time, in the interpreter.

    Values stay NumPy scalars: a Python int beyond int64 added to a uint64 became a float in NumPy 1.x.
    """
    out = _zeros(values, n_groups)
    for label, value in zip(labels.tolist(), values):
        out[label] += value
    return out


def _add_at(values, labels, n_groups):
    """np.add.at(out, labels, values): unbuffered in-place add, repeated labels accumulate.

    Before NumPy 1.25 every index went through generic per-element machinery (~100x slower than
    bincount); 1.25 gave 1-D indices into a 1-D array a fast loop, and rows the ufunc's inner loop.
    """
    out = _zeros(values, n_groups)
    np.add.at(out, labels, values)
    return out


def _exact_in_float64(weights):
    """Whether float64 sums of these weights are exact: every partial sum below 2**53 in magnitude."""
    if weights.dtype.kind == "f" or weights.size == 0:
        return True
    return weights.size * max(-int(weights.min()), int(weights.max())) < EXACT


def _limb_bincount(index, weights, length, dtype):
    """Exact integer sums through np.bincount when float64 would round them: 16 bits of the
    two's-complement words at a time (sums that stay exact), put together modulo 2**64."""
    words = weights.astype(dtype).view(np.uint64)
    total = np.zeros(length, np.uint64)
    mask = np.uint64(2**LIMB_BITS - 1)
    for shift in map(np.uint64, range(0, 64, LIMB_BITS)):
        total += np.bincount(index, (words >> shift) & mask, minlength=length).astype(np.uint64) << shift
    return total.view(dtype)


def _bincount(values, labels, n_groups):
    """np.bincount(labels, weights=values, minlength=n_groups): one compiled loop, float64 sums.

    Rows are summed as one flat bincount, labels[i] * k + j indexing element (i, j). Integer
    sums are converted back, exactly: beyond 2**53 they are summed in 16-bit limbs.
    """
    columns = values.shape[1] if values.ndim == 2 else 1
    index = (labels[:, np.newaxis] * columns + np.arange(columns)).reshape(-1) if values.ndim == 2 else labels
    weights, length, dtype = values.reshape(-1), n_groups * columns, _sum_dtype(values)
    if _exact_in_float64(weights):
        sums = np.bincount(index, weights, minlength=length).astype(dtype, copy=False)
    else:
        sums = _limb_bincount(index, weights, length, dtype)
    return sums.reshape((n_groups,) + values.shape[1:])


def _sort_reduceat(values, labels, n_groups):
    """Sort by label (np.argsort), then np.add.reduceat over each run of equal labels.

    The sort costs O(n log n) (np.argsort's quicksort is AVX-512 code since NumPy 1.25, AVX2 since
    2.0), gathering values in label order a random read per element; groups without a label stay
    zero (reduceat alone would give them a neighbour's value).
    """
    out = _zeros(values, n_groups)
    if labels.size:
        order = np.argsort(labels)
        ordered = labels[order]
        starts = np.concatenate(([0], np.flatnonzero(ordered[1:] != ordered[:-1]) + 1))
        out[ordered[starts]] = np.add.reduceat(values[order], starts, axis=0, dtype=out.dtype)
    return out


for _kernel, _max_n in ((GROUP_SUMS, 50_000), (GROUP_SUMS_2D, 20_000)):
    _kernel.variant("python_loop", reference=True, max_n=_max_n)(_python_loop)
    _kernel.variant("add_at")(_add_at)
    _kernel.variant("bincount")(_bincount)
    _kernel.variant("sort_reduceat")(_sort_reduceat)

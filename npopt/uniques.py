"""Uniques and membership: Python's hash tables (Counter, set) against NumPy's set routines.

np.unique(return_counts=True) sorts, then marks where the value changes: it rides on the sort's
SIMD speedups (1.25 for 64-bit on AVX-512). NumPy 2.3's hash-based np.unique serves only calls
without return_index/inverse/counts (through 2.5), so counts still sort. np.isin got ``kind`` in
1.24: "sort" (concatenate, stable argsort) or "table" (a boolean array over the table's span,
integers only), and its default picks the table when that span is small.
"""
import collections
import math

import numpy as np

from . import _check
from .registry import kernel

TABLE_SPAN = 2**24  # membership: largest span of table values (a 16 MiB lookup table)


def counted(dtype):
    """unique_counts' result dtype: each distinct value of ``dtype`` with how often it occurs."""
    return np.dtype([("value", dtype), ("count", np.intp)])


def _counted(values, counts, dtype):
    out = np.empty(len(counts), counted(dtype))
    out["value"], out["count"] = values, counts
    return out


def _repeated(rng, n, dtype, order):
    """n values drawn from min(n // 4, 1000) levels (at least one) of both signs: many repeats."""
    levels = max(1, min(n // 4, 1000))
    draws = rng.integers(0, levels, n) - levels // 2
    return ((draws / 4 if dtype.kind == "f" else draws).astype(dtype),)


def _validate_x(x):
    return (_check.array(x, "x", 1),)


UNIQUE_COUNTS = kernel(
    "uniques", "unique_counts", make_inputs=_repeated, validate=_validate_x,
    sizes=(100_000, 1_000_000), headline_n=1_000_000, dtypes=(np.int64, np.float64, np.int16),
)


@UNIQUE_COUNTS.variant("python_counter", reference=True, max_n=100_000)
def unique_counts_python_counter(x):
    """The distinct values of x, ascending, with their counts (a ``counted`` array): a
    collections.Counter of the Python values, its items sorted; the NaNs count as one value, last
    (as np.unique has since 1.21). A hash lookup per element, interpreted."""
    numbers = x[x == x]
    items = sorted(collections.Counter(numbers.tolist()).items())
    if numbers.size < x.size:
        items.append((math.nan, x.size - numbers.size))
    return _counted([v for v, _ in items], [c for _, c in items], x.dtype)


@UNIQUE_COUNTS.variant("numpy_unique")
def unique_counts_numpy_unique(x):
    """np.unique(x, return_counts=True): sorts a copy, then counts the runs of equal values."""
    values, counts = np.unique(x, return_counts=True)
    return _counted(values, counts, x.dtype)


@UNIQUE_COUNTS.variant("sort_diff")
def unique_counts_sort_diff(x):
    """What np.unique does, spelled out: np.sort, a mask where each run of equal values starts
    (s[1:] != s[:-1]; np.diff would turn inf - inf into NaN), run lengths by np.diff of the starts."""
    s = np.sort(x)
    starts = np.ones(s.size, bool)
    starts[1:] = s[1:] != s[:-1]
    if s.size and s[-1] != s[-1]:  # NaN != NaN, but the NaNs (sorted last) are one value here
        starts[np.searchsorted(s, s[-1]) + 1:] = False
    first = np.flatnonzero(starts)
    return _counted(s[first], np.diff(np.append(first, s.size)), x.dtype)


def _values_and_table(rng, n, dtype, order):
    """n integers in [0, 2m) and a table of m = min(n, 1000) (at least one) more: ~40% of x is in it."""
    m = max(1, min(n, 1000))
    return rng.integers(0, 2 * m, n).astype(dtype), rng.integers(0, 2 * m, m).astype(dtype)


def _validate_membership(x, table):
    """Integer arrays of one dtype, the table's values spanning fewer than TABLE_SPAN integers:
    what np.isin(kind="table") handles (it refuses floats and allocates a bool per integer of the span)."""
    x = _check.array(x, "x", 1, kinds="iu")
    table = _check.array(table, "table", 1, kinds="iu")
    if table.dtype != x.dtype:
        raise TypeError(f"table must have x's dtype {x.dtype}, got {table.dtype}")
    if table.size and int(table.max()) - int(table.min()) >= TABLE_SPAN:
        raise ValueError(f"table's values must span fewer than {TABLE_SPAN} integers, "
                         f"got {table.min()} .. {table.max()}")
    return x, table


MEMBERSHIP = kernel(
    "uniques", "membership", make_inputs=_values_and_table, validate=_validate_membership,
    sizes=(100_000, 1_000_000), headline_n=100_000, dtypes=(np.int64, np.int32, np.uint8),
    nan_ok=False, free_lengths=("table",),
)


@MEMBERSHIP.variant("python_set", reference=True, max_n=100_000)
def membership_python_set(x, table):
    """A boolean mask, True where x's value is in table: ``value in set(table)`` per element."""
    members = set(table.tolist())
    return np.array([v in members for v in x.tolist()], dtype=bool)


@MEMBERSHIP.variant("isin_default")
def membership_isin_default(x, table):
    """np.isin(x, table), NumPy's own choice: before 1.24 sort-based (or one pass per value of a tiny
    table); from 1.24 the table whenever its span is at most 6 times len(x) + len(table), as here."""
    return np.isin(x, table)


@MEMBERSHIP.variant("isin_sort", numpy_min="1.24")
def membership_isin_sort(x, table):
    """np.isin(kind="sort"): unique x and table, then a stable argsort of both: O(n log n)."""
    return np.isin(x, table, kind="sort")


@MEMBERSHIP.variant("isin_table", numpy_min="1.24")
def membership_isin_table(x, table):
    """np.isin(kind="table"): a boolean array over the table's span, read at x - min(table): O(n + span).

    Integers narrower than 64 bits are widened first: NumPy computes x - min(table) in the input
    dtype and refuses (RuntimeError) a span that overflows it, as -100 .. 100 does int8.
    """
    if x.dtype.itemsize < 8:
        x, table = x.astype(np.int64), table.astype(np.int64)
    return np.isin(x, table, kind="table")

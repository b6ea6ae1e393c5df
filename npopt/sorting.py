"""Sorting and searching: NumPy's compiled sorts against Python's sorted(), heapq and bisect.

NumPy's default sort (kind="quicksort": an introsort) is where its releases changed most:
x86-simd-sort's AVX-512 quicksort for 16- and 64-bit sort and 32/64-bit argsort in 1.25 (32-bit
sort has it in 1.23.5 already), AVX2 versions and SIMD np.partition in 2.0, and a batched binary
search for np.searchsorted in 2.5. The Python references pay the interpreter per comparison and
a Python object per value, whatever the dtype. NaN sorts after every number, as in NumPy.
"""
import bisect
import heapq
import math

import numpy as np

from . import _check
from .registry import kernel

SORT_SIZES = (100_000, 1_000_000)  # 0.2-0.8 MB (in a 2 MB L2) and 2-8 MB (beyond it) of 16- to 64-bit values
SORT_HEADLINE = 100_000  # sorted() takes ~0.1 s here
LARGEST = 100  # top_k's k in the benchmarks


def _spread(rng, n, dtype):
    """n random values over much of dtype's range: integers uniform (within int64's), floats standard normal."""
    if dtype.kind == "f":
        return rng.standard_normal(n).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(int(info.min), -2**62), min(int(info.max), 2**62), n).astype(dtype)


def _values(rng, n, dtype, order):
    return (_spread(rng, n, dtype),)


def _distinct(rng, n, dtype, order):
    """n distinct values of both signs in random order: no ties, so an unstable argsort has one
    right answer on them (narrow test dtypes may wrap into ties, which the tests want anyway)."""
    steps = rng.random(n) + 0.5 if dtype.kind == "f" else rng.integers(1, 1000, n)
    values = np.cumsum(steps)
    return (rng.permutation(values - values[n // 2] if n else values).astype(dtype),)


def _validate_x(x):
    return (_check.array(x, "x", 1),)


def _other_dtype(dtype):
    """A second dtype each kernel is tested on: float64 (with NaN) for integer kernels, int64 for float ones."""
    return np.int64 if np.dtype(dtype).kind == "f" else np.float64


def _python_sorted(x):
    """sorted() of x's Python values, then its NaNs: a Python comparison per step."""
    numbers = x[x == x]
    return np.array(sorted(numbers.tolist()) + [math.nan] * (x.size - numbers.size), dtype=x.dtype)


def _numpy_sort(x):
    """np.sort, default kind: introsort, SIMD-vectorized where the release and the CPU allow."""
    return np.sort(x)


def _simd_level(dtype):
    """Where the newest NumPy's sort and argsort of dtype are SIMD code: x86-simd-sort has AVX2 code for
    32- and 64-bit values (NumPy 2.0), and 16-bit code for AVX-512 with VBMI2 (ICL) only."""
    return "AVX512_ICL" if np.dtype(dtype).itemsize == 2 else "AVX2"


def _sort_kernel(dtype):
    """Kernel sort_<dtype>: the same two variants, benchmarked on ``dtype``, since NumPy's SIMD
    sorts arrived for different widths in different releases."""
    k = kernel("sorting", f"sort_{np.dtype(dtype).name}", make_inputs=_values, validate=_validate_x,
               sizes=SORT_SIZES, headline_n=SORT_HEADLINE, dtypes=(dtype, _other_dtype(dtype)))
    k.variant("python_sorted", reference=True, max_n=SORT_HEADLINE)(_python_sorted)
    k.variant("numpy_sort", simd_level=_simd_level(dtype))(_numpy_sort)
    return k


SORT = {np.dtype(d).name: _sort_kernel(d) for d in (np.int16, np.int64, np.float32, np.float64)}


def stable_order(args, order):
    """The stable argsort that an argsort result implies: indices of equal values (NaNs all equal)
    put in ascending order. Two results have the same stable order exactly when both are
    permutations that sort x the same way, whatever order each gave equal values."""
    x, order = np.asarray(args[0]), np.asarray(order)
    ranked = x[order]
    starts = np.ones(order.size, bool)  # where a run of equal values begins
    starts[1:] = (ranked[1:] != ranked[:-1]) & ((ranked[1:] == ranked[1:]) | (ranked[:-1] == ranked[:-1]))
    return order[np.lexsort((order, np.cumsum(starts)))]


def _python_argsort(x):
    """sorted() of the positions by x's Python values (stable), then the NaNs' positions."""
    values, is_number = x.tolist(), x == x
    ordered = sorted(np.flatnonzero(is_number).tolist(), key=values.__getitem__)
    return np.array(ordered + np.flatnonzero(~is_number).tolist(), dtype=np.intp)


def _numpy_argsort(x):
    """np.argsort, default kind: not stable, so it may order equal values either way; SIMD where available."""
    return np.argsort(x)


def _argsort_kernel(dtype):
    """Kernel argsort_<dtype>, benchmarked on distinct values, compared in ``stable_order``."""
    k = kernel("sorting", f"argsort_{np.dtype(dtype).name}", make_inputs=_distinct, validate=_validate_x,
               sizes=SORT_SIZES, headline_n=SORT_HEADLINE, dtypes=(dtype, _other_dtype(dtype)),
               canonical=stable_order)
    k.variant("python_sorted", reference=True, max_n=SORT_HEADLINE)(_python_argsort)
    k.variant("numpy_argsort", simd_level=_simd_level(dtype))(_numpy_argsort)
    return k


ARGSORT = {np.dtype(d).name: _argsort_kernel(d) for d in (np.int64, np.float64)}


def _values_and_k(rng, n, dtype, order):
    return _spread(rng, n, dtype), min(n, LARGEST)


def _validate_top_k(x, k):
    x = _check.array(x, "x", 1)
    k = _check.real(k, "k", low=0, high=x.size)
    if not k.is_integer():
        raise ValueError(f"k must be a whole number, got {k}")
    return x, int(k)


TOP_K = kernel(
    "sorting", "top_k", make_inputs=_values_and_k, validate=_validate_top_k,
    sizes=SORT_SIZES, headline_n=1_000_000, dtypes=(np.float64, np.int64, np.float32),
)


@TOP_K.variant("python_heapq", reference=True, max_n=100_000)
def top_k_python_heapq(x, k):
    """The k largest values, largest first: heapq.nlargest over the Python values, after any NaNs
    (NumPy orders NaN above every number). One pass keeping a k-heap, interpreted."""
    numbers = x[x == x]
    nans = min(k, x.size - numbers.size)
    return np.array([math.nan] * nans + heapq.nlargest(k - nans, numbers.tolist()), dtype=x.dtype)


@TOP_K.variant("full_sort")
def top_k_full_sort(x, k):
    """Sort all n values, keep the last k reversed: O(n log n) work for k values."""
    return np.sort(x)[x.size - k:][::-1]


@TOP_K.variant("partition")
def top_k_partition(x, k):
    """np.partition moves the k largest to the end in O(n) (introselect), then only those k are sorted."""
    if k == 0:
        return x[:0].copy()
    return np.sort(np.partition(x, x.size - k)[x.size - k:])[::-1]


def _haystack_and_keys(rng, n, dtype, order):
    """A sorted haystack of n values, each there twice, and max(3, n // 20) random keys, every
    other one a haystack value (so the left side of a run of equals matters)."""
    haystack = np.sort(np.repeat(_spread(rng, (n + 1) // 2, dtype), 2)[:n])
    keys = _spread(rng, max(3, n // 20), dtype)
    if n:
        keys[::2] = haystack[rng.integers(0, n, keys[::2].size)]
    return haystack, keys


def is_sorted(a):
    """Whether ``a`` is in np.sort's order: no value below the one before it, NaNs only at the end."""
    if np.any(a[1:] < a[:-1]):
        return False
    if a.dtype.kind != "f":
        return True
    nan = a != a
    return not np.any(nan[:-1] > nan[1:])


def _validate_search(haystack, keys):
    """Both 1-D arrays of one dtype (NumPy would compare int64 with uint64 as float64, Python exactly),
    haystack sorted: on an unsorted one the two binary searches return different garbage. The check
    is one O(n) pass that every variant pays, under 1% of the searches here up to NumPy 2.4."""
    haystack = _check.array(haystack, "haystack", 1)
    keys = _check.array(keys, "keys", 1)
    if keys.dtype != haystack.dtype:
        raise TypeError(f"keys must have haystack's dtype {haystack.dtype}, got {keys.dtype}")
    if not is_sorted(haystack):
        raise ValueError("haystack must be sorted in ascending order, NaNs last (as np.sort leaves it)")
    return haystack, keys


SEARCH_SORTED = kernel(
    "sorting", "search_sorted", make_inputs=_haystack_and_keys, validate=_validate_search,
    sizes=SORT_SIZES, headline_n=1_000_000, free_lengths=("keys",),
)


@SEARCH_SORTED.variant("python_bisect", reference=True, max_n=100_000)
def search_sorted_python_bisect(haystack, keys):
    """Where each key would go in the haystack, before any equal values: bisect.bisect_left per key
    over the Python values. A NaN key goes before the haystack's NaNs (which are last)."""
    numbers = haystack[haystack == haystack].tolist()
    return np.array([bisect.bisect_left(numbers, key) if key == key else len(numbers) for key in keys.tolist()],
                    dtype=np.intp)


@SEARCH_SORTED.variant("numpy_searchsorted")
def search_sorted_numpy_searchsorted(haystack, keys):
    """np.searchsorted(side="left"): a compiled binary search per key; NumPy 2.5 runs the searches
    of all keys level by level, so the first levels' pivots stay in cache."""
    return np.searchsorted(haystack, keys)

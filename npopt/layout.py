"""Memory layout: walk memory in the order it is stored.

A C-ordered array stores rows contiguously, a Fortran-ordered one columns.
In compiled code, walking against the storage order wastes most of every
cache line and defeats the prefetcher. In interpreted Python loops the
per-element interpreter cost dwarfs that (the popular advice says otherwise:
the benchmarks measure both). ``a.T`` is a Fortran-ordered view of a C array.
"""
import numba
import numpy as np

from . import _check
from ._data import random_array
from .registry import kernel, read_once, summation_tolerance


def _matrix(rng, n, dtype, order):
    return (random_array(rng, (n, n), dtype, order),)


def _validate_matrix(a):
    return (_check.array(a, "a", 2),)


def _validate_traversed_matrix(a):
    """The matrix, float16 widened to float32 (in its own memory order) for the Numba loops."""
    return (_check.without_half(_check.array(a, "a", 2)),)


TRAVERSAL = kernel(
    "layout", "traversal_sum", make_inputs=_matrix, validate=_validate_traversed_matrix,
    sizes=(1000, 3000), headline_n=1000, orders=("C", "F"), tolerance=summation_tolerance,
)


@TRAVERSAL.variant("python_row_major", reference=True, max_n=1000)
def traversal_sum_python_row_major(a):
    """Sum with nested Python loops, rows outer: contiguous for C order."""
    total = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            total += a[i, j]
    return float(total)


@TRAVERSAL.variant("python_column_major", max_n=1000)
def traversal_sum_python_column_major(a):
    """Sum with nested Python loops, columns outer: contiguous for Fortran order."""
    total = 0.0
    for j in range(a.shape[1]):
        for i in range(a.shape[0]):
            total += a[i, j]
    return float(total)


@numba.njit(cache=True)
def _sum_row_major(a):
    total = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            total += a[i, j]
    return total


@numba.njit(cache=True)
def _sum_column_major(a):
    total = 0.0
    for j in range(a.shape[1]):
        for i in range(a.shape[0]):
            total += a[i, j]
    return total


@TRAVERSAL.variant("numba_row_major")
def traversal_sum_numba_row_major(a):
    """The row-major loop compiled by Numba: streams a C array, strides through a Fortran one."""
    return float(_sum_row_major(a))


@TRAVERSAL.variant("numba_column_major")
def traversal_sum_numba_column_major(a):
    """The column-major loop compiled by Numba: streams a Fortran array, strides through a C one."""
    return float(_sum_column_major(a))


@TRAVERSAL.variant("numpy_sum", bytes_moved=read_once)
def traversal_sum_numpy(a):
    """a.sum(): NumPy picks the memory order itself and sums pairwise."""
    return float(a.sum())


ROW_SUMS = kernel(
    "layout", "row_sums", make_inputs=_matrix, validate=_validate_matrix,
    sizes=(1000, 3000), headline_n=1000, orders=("C", "F"), tolerance=summation_tolerance,
)


@ROW_SUMS.variant("python_rows", reference=True)
def row_sums_python_rows(a):
    """One a[i].sum() call per row from a Python loop."""
    return np.array([row.sum() for row in a], dtype=np.sum(a[:0], axis=1).dtype)


@ROW_SUMS.variant("axis_reduction", bytes_moved=read_once)
def row_sums_axis_reduction(a):
    """a.sum(axis=1): one reduction; NumPy iterates in storage order for C and Fortran arrays."""
    return a.sum(axis=1)


def _transposed(rng, n, dtype, order):
    """A C-ordered matrix seen through .T: the Fortran-ordered view row-wise code receives."""
    return (random_array(rng, (n, n), dtype, "C").T,)


ROW_CUMSUM = kernel(
    "layout", "transposed_row_cumsum", make_inputs=_transposed, validate=_validate_matrix,
    sizes=(1000, 3000), headline_n=3000,
)


@ROW_CUMSUM.variant("strided_view", reference=True)
def transposed_row_cumsum_strided_view(a):
    """Cumulative sums along the rows of a as given: when a is some b.T, each row is a strided column of b."""
    return np.cumsum(a, axis=1)


@ROW_CUMSUM.variant("contiguous_copy")
def transposed_row_cumsum_contiguous_copy(a):
    """Copy a to C order first (the copy is timed), then cumulative sums along contiguous rows."""
    return np.cumsum(np.ascontiguousarray(a), axis=1)

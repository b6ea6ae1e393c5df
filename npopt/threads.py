"""Threads: the same work on one thread or two, in a Numba loop and in BLAS.

A loop whose iterations are independent (one norm per row) can be split among threads: Numba's
``parallel=True`` turns ``prange`` into chunks of rows run by its thread pool. BLAS (OpenBLAS in
NumPy's wheels) splits a matrix product among its own pool. Every threaded variant sets its thread
count explicitly, whatever the defaults (Numba's and OpenBLAS's pools have one thread per CPU
the process may run on), so a figure means the same on every host. Two threads need two
CPUs to be worth measuring: a process pinned to one core (``taskset``, asv's ``--cpu-affinity``)
cannot run a ``threads=2`` variant (see ``Variant.threads``).
"""
import math

import numba
import numpy as np
import threadpoolctl

from . import _check
from ._data import random_array
from .registry import kernel

THREADS = 2
BLAS = threadpoolctl.ThreadpoolController()  # the BLAS NumPy loaded, found once


def _matrix(rng, n, dtype, order):
    return (random_array(rng, (n, n), dtype, order),)


def _validate_rows(a):
    """a as a C-contiguous float64 matrix (a copy only when needed): what the compiled loops read."""
    return (np.ascontiguousarray(_check.array(a, "a", 2), dtype=np.float64),)


ROW_NORMS = kernel(
    "threads", "row_norms", make_inputs=_matrix, validate=_validate_rows,
    sizes=(1000, 3000), headline_n=1000,
)


def _row_norms_loop(a, out):
    """out[i] = sqrt(sum_j a[i, j]**2), rows in prange: a range unless compiled with parallel=True."""
    for i in numba.prange(a.shape[0]):
        total = 0.0
        for j in range(a.shape[1]):
            v = a[i, j]
            total += v * v
        out[i] = math.sqrt(total)


_row_norms_serial = numba.njit(cache=True)(_row_norms_loop)
# Not cached: Numba's cache index does not tell parallel=True from False (numba/numba#6845), so
# two cached compilations of one function would read each other's machine code.
_row_norms_parallel = numba.njit(parallel=True)(_row_norms_loop)


def _row_norms(loop, a):
    out = np.empty(a.shape[0])
    loop(a, out)
    return out


@ROW_NORMS.variant("python_loop", reference=True, max_n=1000)
def row_norms_python_loop(a):
    """The loop run by the interpreter (prange is range there): slow, one element at a time."""
    return _row_norms(_row_norms_loop, a)


@ROW_NORMS.variant("numba_serial")
def row_norms_numba_serial(a):
    """The loop compiled by Numba without parallel=True: one thread, prange is range."""
    return _row_norms(_row_norms_serial, a)


@ROW_NORMS.variant("numba_prange", threads=THREADS)
def row_norms_numba_prange(a):
    """The same loop compiled with parallel=True, its rows split over THREADS Numba threads.

    Each row's sum runs in the serial order on one thread, so the result equals numba_serial's.
    The calling thread's Numba thread count is restored afterwards.
    """
    previous = numba.get_num_threads()
    numba.set_num_threads(THREADS)
    try:
        return _row_norms(_row_norms_parallel, a)
    finally:
        numba.set_num_threads(previous)


def _validate_square(a, b):
    """a and b as float64 matrices of one square shape (the product of two n x n matrices)."""
    a, b = _check.array(a, "a", 2), _check.array(b, "b", 2)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"a must be square, got shape {a.shape}")
    _check.same_shape(a=a, b=b)
    return a.astype(np.float64, copy=False), b.astype(np.float64, copy=False)


def _two_matrices(rng, n, dtype, order):
    return random_array(rng, (n, n), dtype, order), random_array(rng, (n, n), dtype, order)


def matmul_tolerance(args, result):
    """BLAS blocks the k-sums and fuses multiply-adds; the loop adds in order. Both errors are
    within the standard bound k * eps * (|a| @ |b|) (Higham, gamma_k): its largest finite entry."""
    a, b = (np.abs(np.asarray(x, dtype=np.float64)) for x in args)
    with np.errstate(all="ignore"):
        bound = a @ b
    finite = bound[np.isfinite(bound)]
    return 0.0, a.shape[1] * np.finfo(np.float64).eps * (float(finite.max()) if finite.size else 0.0)


MATMUL = kernel(
    "threads", "matmul", make_inputs=_two_matrices, validate=_validate_square,
    sizes=(64, 1000), headline_n=64, tolerance=matmul_tolerance,
)


@MATMUL.variant("python_loop", reference=True, max_n=64)
def matmul_python_loop(a, b):
    """The textbook triple loop: out[i, j] = sum_k a[i, k] * b[k, j], one scalar at a time."""
    n = a.shape[0]
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            total = 0.0
            for k in range(n):
                total += a[i, k] * b[k, j]
            out[i, j] = total
    return out


def _blas_matmul(a, b, threads):
    with BLAS.limit(limits=threads, user_api="blas"):
        return a @ b


@MATMUL.variant("blas_1_thread")
def matmul_blas_1_thread(a, b):
    """a @ b, BLAS limited to one thread: blocked, vectorized, cache-aware."""
    return _blas_matmul(a, b, 1)


@MATMUL.variant("blas_2_threads", threads=THREADS)
def matmul_blas_2_threads(a, b):
    """a @ b, BLAS limited to THREADS threads (OpenBLAS keeps small products on one)."""
    return _blas_matmul(a, b, THREADS)

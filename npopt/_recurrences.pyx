# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Typed-memoryview Cython kernels for npopt.compiled.

Callers (npopt.compiled) guarantee C-contiguous float64 input; the memoryview
types below reject anything else with ValueError instead of misreading memory.
"""
from libc.math cimport fabs, NAN

cdef extern from *:
    const char *NPOPT_BUILT_WITH_NUMPY

BUILT_WITH_NUMPY = NPOPT_BUILT_WITH_NUMPY.decode()


def ema_with_reset(const double[::1] x, double alpha, double threshold, double[::1] out):
    """out[i] = (1 - alpha) out[i-1] + alpha x[i], restarting at x[i] when |x[i] - out[i-1]| > threshold."""
    cdef Py_ssize_t i, n = x.shape[0]
    cdef double prev, xi, keep = 1.0 - alpha
    if out.shape[0] != n:
        raise ValueError("out must have as many elements as x")
    if n == 0:
        return
    with nogil:
        prev = x[0]
        out[0] = prev
        for i in range(1, n):
            xi = x[i]
            if fabs(xi - prev) > threshold:
                prev = xi
            else:
                prev = keep * prev + alpha * xi
            out[i] = prev


def max_drawdown(const double[::1] x):
    """Largest drop from a running peak, max(peak[i] - x[i]); NaN if x has a NaN."""
    if x.shape[0] == 0:
        raise ValueError("x must not be empty")
    return _max_drawdown(x)


cdef double _max_drawdown(const double[::1] x) noexcept nogil:
    cdef Py_ssize_t i
    cdef double peak = x[0], best = 0.0, v
    for i in range(x.shape[0]):
        v = x[i]
        if v != v:
            return NAN
        if v > peak:
            peak = v
        elif peak - v > best:
            best = peak - v
    return best

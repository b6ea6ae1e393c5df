"""Vectorization: one ufunc call over the whole array instead of a Python loop.

The loop pays interpreter dispatch and a NumPy scalar box per element; the
ufunc runs one compiled, SIMD-friendly loop. The gap is the popular
"nearly 100x" claim.
"""
import math

import numpy as np

from . import _check
from ._data import random_array
from .registry import kernel


def _two_vectors(rng, n, dtype, order):
    return random_array(rng, n, dtype), random_array(rng, n, dtype)


def _validate_pair(a, b):
    a = _check.array(a, "a", 1)
    b = _check.array(b, "b", 1)
    _check.same_shape(a=a, b=b)
    return a, b


def _validate_float_pair(a, b):
    a, b = _validate_pair(a, b)
    return _check.floating(a, "a", 1), _check.floating(b, "b", 1)


ADD = kernel(
    "vectorization", "add", make_inputs=_two_vectors, validate=_validate_pair,
    sizes=(10_000, 1_000_000, 10_000_000), headline_n=1_000_000,
)


@ADD.variant("python_loop", reference=True, max_n=1_000_000)  # 10^7 interpreted steps a call: too long for every gate round
def add_python_loop(a, b):
    """a + b one element at a time: slow, interpreter work per element."""
    out = np.empty(a.shape, np.result_type(a, b))
    for i in range(a.shape[0]):
        out[i] = a[i] + b[i]
    return out


@ADD.variant("ufunc", bytes_moved=lambda a, b: 3 * max(a.nbytes, b.nbytes))
def add_ufunc(a, b):
    """a + b as one ufunc call: a compiled loop over contiguous memory."""
    return np.add(a, b)


MAGNITUDE = kernel(
    "vectorization", "magnitude", make_inputs=_two_vectors, validate=_validate_float_pair,
    sizes=(10_000, 100_000, 10_000_000), headline_n=100_000,
)


@MAGNITUDE.variant("python_loop", reference=True, max_n=100_000)
def magnitude_python_loop(a, b):
    """sqrt(a*a + b*b) element by element with math.sqrt: slow."""
    out = np.empty(a.shape, np.result_type(a, b))
    for i in range(a.shape[0]):
        x, y = a[i], b[i]
        out[i] = math.sqrt(x * x + y * y)
    return out


@MAGNITUDE.variant("ufunc_expression")
def magnitude_ufunc_expression(a, b):
    """sqrt(a*a + b*b) as a ufunc expression: fast, though each step is a pass over memory."""
    return np.sqrt(a * a + b * b)

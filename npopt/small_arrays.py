"""Small arrays: where NumPy's per-call overhead loses to plain Python.

A NumPy call pays a fixed price before its first element (argument parsing, ``__array_function__``
dispatch, dtype resolution, a result object): microseconds. Python's built-in ``sum`` adds a list's
floats at nanoseconds each. On a short sequence the user already holds as a list, plain Python
wins up to a crossover size, which ``benchmarks/bench_small_arrays.py`` tracks per NumPy release.
The Python variants get their list from ``prepare`` (untimed: holding a list is the scenario);
the NumPy variants get arrays. npopt's full argument check costs about as much as a small np.dot,
so both kinds of variant pass the benchmarked case (a float64 vector, a list) in a few lookups: the
boundary then costs both sides alike, and the crossover stays NumPy's overhead against Python's.
"""
import numpy as np

from . import _check
from ._data import random_array
from .registry import kernel, summation_tolerance

SIZES = (1, 3, 10, 30, 100, 300, 1000, 3000)
_FLOAT64 = np.dtype(np.float64)


def _vector(x, name):
    """x as a 1-D float array: integers to float64, float16 widened to float32 (NumPy would sum in
    float16). A native float64 vector passes in three lookups, the rest through the full checks."""
    if type(x) is np.ndarray and x.dtype is _FLOAT64 and x.ndim == 1:
        return x
    return _check.without_half(_check.floating(x, name, 1))


def _sequence(x, name):
    """x if it is a list: the Python variants' storage; its elements are checked by the arithmetic."""
    if type(x) is not list:
        raise TypeError(f"{name} must be a list, got {type(x).__name__}")
    return x


def _not_real(names):
    """The Python variants' element check: the arithmetic or float() raised TypeError on a string,
    a nested list or a complex number (a try block costs nothing when nothing is wrong)."""
    return TypeError(f"{names} must hold real numbers only")


def _lists(validate):
    """prepare: the arrays as ``validate`` accepts them, then as lists of Python floats."""
    return lambda *arrays: tuple(a.tolist() for a in validate(*arrays))


def _one_vector(rng, n, dtype, order):
    return (random_array(rng, n, dtype),)


def _validate_vector(x):
    return (_vector(x, "x"),)


def _validate_list(x):
    return (_sequence(x, "x"),)


TOTAL = kernel(
    "small_arrays", "total", make_inputs=_one_vector, validate=_validate_vector,
    sizes=SIZES, headline_n=10, tolerance=summation_tolerance, every_size_in_every_release=True,
)


@TOTAL.variant("python_list", reference=True, prepare=_lists(_validate_vector), validate=_validate_list,
               canary=True)
def total_python_list(x):
    """sum(x) over a list: the built-in's float loop, no per-call setup."""
    try:
        return float(sum(x))
    except TypeError:
        raise _not_real("x") from None


@TOTAL.variant("numpy")
def total_numpy(x):
    """np.sum(x): a pairwise sum in compiled code, after NumPy's per-call overhead."""
    return float(np.sum(x))


def _two_vectors(rng, n, dtype, order):
    return random_array(rng, n, dtype), random_array(rng, n, dtype)


def _vector64(x, name):
    """``_vector`` as float64 (the benchmarked float64 vector in the same lookups): float32 products
    overflow and underflow where the reference's Python floats do not."""
    x = _vector(x, name)
    return x if x.dtype is _FLOAT64 else x.astype(np.float64)


def _validate_pair(x, y):
    x, y = _vector64(x, "x"), _vector64(y, "y")
    if x.shape != y.shape:  # only then: the named check costs about as much as a small np.dot
        _check.same_shape(x=x, y=y)
    return x, y


def _validate_list_pair(x, y):
    x, y = _sequence(x, "x"), _sequence(y, "y")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    return x, y


def dot_tolerance(args, result):
    """``summation_tolerance`` of the products: a dot product is their sum (in float32 at worst)."""
    x, y = (np.asarray(a, dtype=np.float64) for a in args)
    return summation_tolerance((x * y,), result)


DOT = kernel(
    "small_arrays", "dot", make_inputs=_two_vectors, validate=_validate_pair,
    sizes=SIZES, headline_n=10, tolerance=dot_tolerance, every_size_in_every_release=True,
)


@DOT.variant("python_list", reference=True, prepare=_lists(_validate_pair), validate=_validate_list_pair,
             canary=True)
def dot_python_list(x, y):
    """sum(a * b for a, b in zip(x, y)): one interpreted multiply and add per element."""
    try:
        return float(sum(a * b for a, b in zip(x, y)))
    except TypeError:
        raise _not_real("x and y") from None


@DOT.variant("numpy")
def dot_numpy(x, y):
    """np.dot(x, y): a BLAS dot product (ddot), after NumPy's per-call overhead."""
    return float(np.dot(x, y))

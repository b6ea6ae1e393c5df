"""Argument checks shared by every public function.

Each check names the offending argument, so bad input fails with a clear
TypeError (wrong type or dtype) or ValueError (wrong ndim, shape or value)
before any kernel, compiled or not, sees it.
"""
from __future__ import annotations

import numbers

import numpy as np


def array(x, name, ndim, kinds="fiu"):
    """Return ``x`` if it is an ndarray of dimension ``ndim`` and dtype kind in ``kinds``.

    kinds: 'f' floating, 'i' signed and 'u' unsigned integer.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype.kind not in kinds:
        wanted = " or ".join({"f": "floating", "i": "signed integer", "u": "unsigned integer"}[k] for k in kinds)
        raise TypeError(f"{name} must have a {wanted} dtype, got {x.dtype}")
    if x.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got a {x.ndim}-D array of shape {x.shape}")
    return x


def floating(x, name, ndim):
    """``array`` for float kernels: integers are converted to float64, floats kept."""
    x = array(x, name, ndim)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def same_shape(**arrays):
    """Raise ValueError unless all keyword-named arrays share one shape."""
    (first, a), *rest = arrays.items()
    for name, b in rest:
        if b.shape != a.shape:
            raise ValueError(f"{first} and {name} must have the same shape, got {a.shape} and {b.shape}")


def same_length(axis_name, **arrays):
    """Raise ValueError unless the keyword-named arrays agree along their last axis."""
    (first, a), *rest = arrays.items()
    for name, b in rest:
        if b.shape[-1] != a.shape[-1]:
            raise ValueError(
                f"{first} and {name} must have the same {axis_name}, got {a.shape[-1]} and {b.shape[-1]}"
            )


def real(value, name, *, low=-np.inf, high=np.inf, low_open=False):
    """Return ``value`` as a float if it is a real number in the given range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    if np.isnan(value) or too_low or value > high:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} must be in {bracket}{low}, {high}], got {value}")
    return value


def nonempty(x, name):
    """Raise ValueError if ``x`` has no elements."""
    if x.size == 0:
        raise ValueError(f"{name} must not be empty")
    return x

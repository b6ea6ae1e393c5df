"""Argument checks shared by every public function.

Each check names the offending argument, so bad input fails with a clear
TypeError (wrong type or dtype) or ValueError (wrong ndim, shape or value)
before any kernel, compiled or not, sees it. Arrays that pass reach the
kernels as plain ndarrays in native byte order.
"""
from __future__ import annotations

import numbers

import numpy as np


KINDS = {"f": "floating", "i": "signed integer", "u": "unsigned integer",
         "U": "fixed-width str ('<U')", "T": "StringDType", "O": "object (holding str)"}


def array(x, name, ndim, kinds="fiu"):
    """Return ``x`` as a plain, native-byte-order ndarray if it is ``ndim``-D with a dtype kind in ``kinds``.

    kinds: 'f' floating, 'i' signed and 'u' unsigned integer ('U', 'T', 'O': see ``strings``). A
    subclass (np.memmap, np.matrix, ...) is viewed as a plain ndarray, no copy, so its overrides
    cannot make variants differ; a masked array is refused, since variants would disagree on what
    to do with its mask.
    Non-native byte order is converted (a copy): compiled kernels cannot read it.
    """
    if isinstance(x, np.ma.MaskedArray):
        raise TypeError(f"{name} must be a numpy.ndarray without a mask, got a masked array")
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype.kind not in kinds:
        wanted = " or ".join(KINDS[k] for k in kinds)
        raise TypeError(f"{name} must have a {wanted} dtype, got {x.dtype}")
    if x.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got a {x.ndim}-D array of shape {x.shape}")
    if type(x) is not np.ndarray:
        x = x.view(np.ndarray)
    if not x.dtype.isnative:
        x = x.astype(x.dtype.newbyteorder("="))
    return x


class StrList(list):
    """A list whose items were all checked to be str when it was made (``str_list``).

    The storage of Python loops over strings: a plain list may hold anything, and checking each
    item costs about as much as taking its length, so it is checked once, when made, not on every
    call. Its maker vouches for it: ``str_list`` checks, and nothing else should build one.
    """


def str_list(items, name):
    """``items`` as a StrList, or TypeError naming ``name`` at the first item that is not a str."""
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold only str, got {type(item).__name__} at index {i}")
    return StrList(items)


def strings(x, name):
    """Return ``x`` if it is a 1-D sequence of str in a storage the string kernels take, else raise.

    Storages: a list (its items checked unless it is a StrList already), or a 1-D ndarray of
    fixed-width str ('<U', made native byte order), of StringDType (NumPy >= 2.0; not one with an
    ``na_object``: missing values have no length) or of object dtype. An object array's items are
    checked by whatever reads them: every conversion, and str's own methods (``str.upper``
    refuses bytes), so a kernel over an object array never pays a separate pass. Bytes ('S'),
    numbers, masked arrays and other ndims are refused naming ``name``.
    """
    if isinstance(x, list):
        return x if isinstance(x, StrList) else str_list(x, name)
    x = array(x, name, 1, kinds="UTO")
    if x.dtype.kind == "T" and hasattr(x.dtype, "na_object"):
        raise TypeError(f"{name} must be a StringDType without na_object: a missing value has no length")
    return x


def floating(x, name, ndim):
    """``array`` for float kernels: integers are converted to float64, floats kept."""
    x = array(x, name, ndim)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def without_half(x):
    """``x`` with float16 widened to float32, other dtypes kept: Numba has no float16 arithmetic.

    Kernels with a Numba variant apply it in ``validate``, so every variant computes alike.
    """
    return x.astype(np.float32) if x.dtype == np.float16 else x


def writeable(x, name):
    """Raise unless ``x``, an argument a variant writes its result into, can be written as given.

    Read-only is a ValueError; non-native byte order a TypeError, since validation would convert
    it to a copy and the caller's array would never see the result. Anything not an ndarray is
    left to ``array`` to reject.
    """
    if isinstance(x, np.ndarray):
        if not x.flags.writeable:
            raise ValueError(f"{name} is read-only, but the result is written into it")
        if not x.dtype.isnative:
            raise TypeError(f"{name} must be in native byte order to be written into, got {x.dtype}")
    return x


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


def integer(value, name, *, low=None):
    """Return ``value`` as an int if it is a whole number, at least ``low`` when given.

    A bool or a non-number is a TypeError; a fraction, NaN or Inf a ValueError, as is a number
    below ``low``. A whole float (3.0) is accepted as the int it equals.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if not isinstance(value, numbers.Integral) and not float(value).is_integer():
        raise ValueError(f"{name} must be a whole number, got {value}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")
    return value


def nonempty(x, name):
    """Raise ValueError if ``x`` has no elements."""
    if x.size == 0:
        raise ValueError(f"{name} must not be empty")
    return x

"""Dtypes: store data in the smallest type that holds it.

Half the bytes means half the memory traffic for memory-bound work and twice
the SIMD lanes; the price is precision (float32 keeps ~7 digits, float16 ~3)
and, for types the CPU has no arithmetic for (float16), conversion work that
can make the small type slower. The variants of a kernel here run the same
code on different storage: ``prepare`` converts the data once, untimed.
"""
import numpy as np

from . import _check
from ._data import random_array
from .registry import kernel, read_once, summation_tolerance

CUBIC = (0.25, 0.5, 1.5, 2.0)


def _vector(rng, n, dtype, order):
    return (random_array(rng, n, dtype),)


def _validate_float_vector(x):
    return (_check.floating(x, "x", 1),)


def _stored_as(dtype):
    """prepare: convert the data to ``dtype`` once, outside the timed region."""
    return lambda x: (_check.array(x, "x", 1).astype(dtype),)


def _holds(dtype, x):
    """Whether ``dtype`` stores x to its documented precision: every finite value 0 or within its
    normal range. Beyond it storage makes inf (which sums to NaN against -inf) or 0 of a subnormal."""
    a = np.abs(x.astype(np.float64, copy=False))
    a = a[np.isfinite(a)]
    info = np.finfo(dtype)
    return bool(np.all((a == 0) | ((a >= info.tiny) & (a <= info.max))))


def _stored_if_held(dtype):
    """prepare for sums: the data as ``dtype`` if it holds them (``_holds``), else as given (float64
    beyond float32's range), so the sum is the exact one rounded to the result dtype, never NaN."""

    def prepare(x):
        x = _check.array(x, "x", 1)
        return (x.astype(dtype) if x.dtype == dtype or _holds(dtype, x) else x,)

    return prepare


def _horner_tolerance(args, result):
    """Horner's rule in the result's dtype, from x rounded to it, errs by a few ulps of the largest
    sum of the terms' magnitudes, sum |c_k| |x|^k: relative error is unbounded where negative x
    makes the terms cancel."""
    x = args[0][np.isfinite(args[0])].astype(np.float64)
    terms = sum(c * np.abs(x) ** k for k, c in enumerate(CUBIC))
    return 0.0, 8 * float(np.finfo(result.dtype).eps) * float(np.max(terms, initial=0.0))


POLYNOMIAL = kernel(
    "dtypes", "polynomial", make_inputs=_vector, validate=_validate_float_vector,
    sizes=(10_000, 10_000_000), headline_n=10_000_000, tolerance=_horner_tolerance,
    dtypes=(np.float64, np.float32),  # float16 storage overflows beyond ~30: the cubic is for [0, 1) data
)


def _polynomial(x):
    """Evaluate 0.25 + 0.5 x + 1.5 x^2 + 2 x^3 by Horner's rule, in x's own dtype.

    The coefficients are cast to x's dtype: a Python float would still give a float32 result,
    but it stops NumPy from reusing temporaries in place (elision), doubling the memory.
    """
    c0, c1, c2, c3 = (x.dtype.type(c) for c in CUBIC)
    return ((c3 * x + c2) * x + c1) * x + c0


polynomial = POLYNOMIAL.variant("float64", reference=True, prepare=_stored_as(np.float64))(_polynomial)
POLYNOMIAL.variant("float32", prepare=_stored_as(np.float32), result_dtype=np.float32)(_polynomial)
POLYNOMIAL.variant(  # NumPy computes float16 through float32, converting every element: slow, hence max_n
    "float16", prepare=_stored_as(np.float16), max_n=1_000_000, result_dtype=np.float16)(_polynomial)


TOTAL = kernel(
    "dtypes", "total", make_inputs=_vector, validate=_validate_float_vector,
    sizes=(10_000, 10_000_000), headline_n=10_000_000, tolerance=summation_tolerance,
)


def _total(x):
    """Sum of x, accumulated in x's own dtype (pairwise summation)."""
    return np.sum(x)


total = TOTAL.variant("float64", reference=True, prepare=_stored_as(np.float64), bytes_moved=read_once)(_total)


@TOTAL.variant("float32", prepare=_stored_if_held(np.float32), bytes_moved=read_once, result_dtype=np.float32)
def total_float32(x):
    """Sum of x stored and accumulated as float32 (data float32 cannot hold: summed as given, rounded)."""
    return np.float32(np.sum(x))


@TOTAL.variant("float32_accumulate64", prepare=_stored_if_held(np.float32), bytes_moved=read_once)
def total_accumulate64(x):
    """Sum of x stored as float32 but accumulated in float64: small storage, float64 precision."""
    return np.sum(x, dtype=np.float64)


def _image(rng, n, dtype, order):
    return (np.asarray(rng.integers(0, 256, (n, n)).astype(dtype), order=order),)


def _validate_image(img):
    return (_check.array(img, "img", 2, kinds="iu"),)


def _pixels_as(dtype):
    """prepare: the image stored as ``dtype``, pixel values saturated to [0, 255] first.

    Brightening clips to [0, 170] anyway, so saturating changes no result, where a plain cast
    would wrap out-of-range pixels (-5 as uint8 is 251) into wrong ones.
    """

    def prepare(img):
        img = _validate_image(img)[0]
        return (np.clip(img, 0, min(255, np.iinfo(img.dtype).max)).astype(dtype),)

    return prepare


BRIGHTEN = kernel(
    "dtypes", "brighten", make_inputs=_image, validate=_validate_image,
    sizes=(256, 4000), headline_n=4000, orders=("C",),
    dtypes=(np.int64, np.int32, np.uint8), nan_ok=False,
)

_LEVELS = np.arange(256)
BRIGHT_LUT = (np.clip(_LEVELS, 0, 170) * 3 // 2).astype(np.uint8)


def _brighten(img):
    """Scale pixel values by 1.5 and clip to [0, 255], computed in img's dtype (at least 16 bits)."""
    wide = img if img.dtype.itemsize >= 2 else img.astype(np.int16)
    x = np.clip(wide, 0, 170)  # 170 * 3 // 2 == 255: clipping first means x * 3 cannot overflow
    x *= 3
    x //= 2
    return x


brighten = BRIGHTEN.variant("int64", reference=True, prepare=_pixels_as(np.int64))(_brighten)
BRIGHTEN.variant("int16", prepare=_pixels_as(np.int16), result_dtype=np.int16)(_brighten)


@BRIGHTEN.variant("uint8_lut", prepare=_pixels_as(np.uint8), result_dtype=np.uint8)
def brighten_lut(img):
    """The same brightening as a 256-entry lookup table applied to uint8 pixels: 1 byte per pixel."""
    if img.dtype != np.uint8:
        raise TypeError(f"img must have dtype uint8 for the lookup table, got {img.dtype}")
    return BRIGHT_LUT[img]

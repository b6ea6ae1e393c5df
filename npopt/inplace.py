"""In-place operations: write results into memory you already own.

``a * b + c`` style code allocates a fresh array per step (NumPy elides some
temporaries of binary operators, never of function calls); every fresh
large array is new pages that the kernel must fault in. ``out=`` and
augmented assignment (``x += 1``) reuse one buffer.
"""
import numpy as np

from . import _check
from ._data import random_array
from .registry import kernel


def _gaussian_inputs(rng, n, dtype, order):
    return random_array(rng, n, dtype), 0.5, 0.25


def _validate_gaussian(x, mu, sigma, *out):
    x = _check.floating(x, "x", 1)
    mu = _check.real(mu, "mu")
    sigma = _check.real(sigma, "sigma", low=0.0, low_open=True)
    return (x, mu, sigma, *out)


GAUSSIAN = kernel(
    "inplace", "gaussian", make_inputs=_gaussian_inputs, validate=_validate_gaussian,
    sizes=(10_000, 10_000_000), headline_n=10_000_000,
)


@GAUSSIAN.variant("temporaries", reference=True)
def gaussian_temporaries(x, mu, sigma):
    """exp(-(x - mu)**2 / (2 sigma^2)) as one expression: NumPy allocates the temporaries."""
    return np.exp(-((x - mu) ** 2) / (2.0 * sigma * sigma))


@GAUSSIAN.variant("augmented")
def gaussian_augmented(x, mu, sigma):
    """The same chain in one freshly allocated array, updated with out=."""
    y = np.subtract(x, mu)
    np.square(y, out=y)
    np.divide(y, -2.0 * sigma * sigma, out=y)
    return np.exp(y, out=y)


def _with_buffer(x, mu, sigma):
    """prepare: a result buffer that already exists and is faulted in, as in a loop that reuses it."""
    x = _check.floating(x, "x", 1)
    return x, mu, sigma, np.zeros_like(x)


@GAUSSIAN.variant("out_buffer", prepare=_with_buffer, mutates=("out",))
def gaussian_out_buffer(x, mu, sigma, out):
    """The same chain written into the caller's buffer ``out``: no allocation at all."""
    out = _check.array(out, "out", 1, kinds="f")
    _check.same_shape(x=x, out=out)
    if out.dtype != x.dtype:
        raise TypeError(f"out must have x's dtype {x.dtype}, got {out.dtype}")
    np.subtract(x, mu, out=out)
    np.square(out, out=out)
    np.divide(out, -2.0 * sigma * sigma, out=out)
    return np.exp(out, out=out)


def _vector_and_scalar(rng, n, dtype, order):
    return random_array(rng, n, dtype), 5


def _validate_add_scalar(a, k):
    return _check.array(a, "a", 1, kinds="f"), _check.real(k, "k")


ADD_SCALAR = kernel(
    "inplace", "add_scalar", make_inputs=_vector_and_scalar, validate=_validate_add_scalar,
    sizes=(10_000, 10_000_000), headline_n=10_000_000,
    dtypes=(np.float32, np.float64),  # float32 first: the popular claim is about 10^7 float32
)


@ADD_SCALAR.variant("new_array", reference=True, bytes_moved=lambda a, k: 2 * a.nbytes)
def add_scalar_new_array(a, k):
    """a + k: a new result array each call."""
    return a + k


def _private_copy(a, k):
    """prepare: the in-place variant overwrites its input, so give it its own (native, writeable)."""
    return _check.array(a, "a", 1, kinds="f").copy(), k


@ADD_SCALAR.variant("in_place", prepare=_private_copy, bytes_moved=lambda a, k: 2 * a.nbytes,
                    mutates=("a",))
def add_scalar_in_place(a, k):
    """a += k: overwrites a, allocates nothing."""
    a += k
    return a

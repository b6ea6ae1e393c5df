"""Memory bandwidth reference: the STREAM triad a = b + s * c.

A kernel that reads and writes big arrays once cannot beat the rate at
which this machine moves memory; the triad measures that rate, so other
memory-bound kernels can be reported as a fraction of it. Both variants
write into a caller's buffer that is already faulted in, so they time
memory traffic, not page faults. NumPy needs two passes (``out = s * c``,
then ``out += b``); a compiled loop does one.
"""
import numba
import numpy as np

from . import _check
from ._data import random_array
from .registry import kernel

SCALAR = 3.0


def _triad_inputs(rng, n, dtype, order):
    return random_array(rng, n, dtype), random_array(rng, n, dtype)


def _operands(b, c):
    """b and c as the triad computes with them: floats (integers to float64), float16 widened for Numba."""
    return _check.without_half(_check.floating(b, "b", 1)), _check.without_half(_check.floating(c, "c", 1))


def _with_output(b, c):
    """prepare: the operands, and the output buffer, allocated and faulted in outside the timed region."""
    b, c = _operands(b, c)
    return b, c, np.zeros(b.shape, np.result_type(b, c))


def _validate_triad(b, c, out):
    b, c = _operands(b, c)
    out = _check.array(out, "out", 1, kinds="f")
    _check.same_shape(b=b, c=c, out=out)
    if out.dtype != np.result_type(b, c):
        raise TypeError(f"out must have dtype {np.result_type(b, c)}, got {out.dtype}")
    return b, c, out


def triad_bytes(b, c, out):
    """Bytes the triad must move at least: read b and c, write out."""
    return b.nbytes + c.nbytes + out.nbytes


TRIAD = kernel(
    "bandwidth", "triad", make_inputs=_triad_inputs, validate=_validate_triad,
    sizes=(10_000, 10_000_000), headline_n=10_000_000, dtypes=(np.float64, np.float32),
)


@TRIAD.variant("numpy_two_pass", reference=True, prepare=_with_output, bytes_moved=triad_bytes,
               mutates=("out",))
def triad_numpy_two_pass(b, c, out):
    """out = b + 3 * c in NumPy with out=: two passes over out."""
    np.multiply(c, SCALAR, out=out)
    return np.add(out, b, out=out)


@numba.njit(cache=True, nogil=True)
def _triad(b, c, out):
    for i in range(out.shape[0]):
        out[i] = b[i] + SCALAR * c[i]


@TRIAD.variant("numba_one_pass", prepare=_with_output, bytes_moved=triad_bytes, mutates=("out",))
def triad_numba_one_pass(b, c, out):
    """out = b + 3 * c in one compiled pass: the STREAM triad, this machine's memory rate."""
    _triad(b, c, out)
    return out

"""Fused expressions: evaluate a whole elementwise expression in one pass over memory.

NumPy evaluates ``2*a + 3*b**2 - a*b/(c+1)`` one operator at a time: each step is a full pass
that writes a temporary array as large as the inputs, so a memory-bound size moves several
times the bytes the expression needs (read a, b, c; write the result). numexpr compiles the
string into a virtual machine that runs all steps on cache-sized blocks; Numba compiles one
loop with no temporaries at all; NumPy itself can do numexpr's trick with ``out=`` ufuncs over
cache-sized chunks. Every variant applies the same operations in the same order and dtype, so
all agree to the last bit.
"""
import numba
import numexpr
import numpy as np

from . import _check
from ._data import random_array
from .registry import kernel

EXPRESSION_TEXT = "2*a + 3*b**2 - a*b/(c+1)"  # integer constants: numexpr keeps float32 as float32
CHUNK_BYTES = 128 * 1024  # per array: a chunk of the inputs, out and two temporaries (768 KiB) fits L2


def _three_vectors(rng, n, dtype, order):
    return tuple(random_array(rng, n, dtype) for _ in range(3))


def _validate_operands(a, b, c):
    """a, b and c as floats of one shape and one dtype, the one NumPy would compute the result in.

    Integers become float64 and float16 float32 (numexpr and Numba have no float16), and the
    three share their result dtype: every variant then computes each step in the same dtype.
    """
    arrays = {name: _check.without_half(_check.floating(x, name, 1)) for name, x in zip("abc", (a, b, c))}
    _check.same_shape(**arrays)
    dtype = np.result_type(*arrays.values())
    return tuple(x.astype(dtype, copy=False) for x in arrays.values())


def expression_bytes(a, b, c):
    """Bytes the expression must move at least: read a, b and c, write the result."""
    return a.nbytes + b.nbytes + c.nbytes + max(a.nbytes, b.nbytes, c.nbytes)


EXPRESSION = kernel(  # 10^4: all in L1/L2; 3 * 10^6: 24 MB an array, memory-bound
    "fused_expressions", "expression", make_inputs=_three_vectors, validate=_validate_operands,
    sizes=(10_000, 3_000_000), headline_n=3_000_000, dtypes=(np.float64, np.float32),
)


@EXPRESSION.variant("numpy_temporaries", reference=True, bytes_moved=expression_bytes)
def expression_numpy_temporaries(a, b, c):
    """2*a + 3*b**2 - a*b/(c+1) as written: NumPy allocates a temporary per step (reusing a few)."""
    return 2 * a + 3 * b**2 - a * b / (c + 1)


def _numexpr_one_thread():
    """numexpr runs on one thread, like every other variant: the comparison is about fusion.

    numexpr's thread count is process-wide and changing it costs tens of microseconds (its
    threads are joined or started), so it is set once, when first needed, and left at 1.
    """
    if numexpr.get_num_threads() != 1:
        numexpr.set_num_threads(1)


@EXPRESSION.variant("numexpr", bytes_moved=expression_bytes)
def expression_numexpr(a, b, c):
    """The same expression compiled by numexpr: all steps on one block of ~4096 elements at a time.

    Sets numexpr to one thread for the whole process (see ``_numexpr_one_thread``).
    """
    _numexpr_one_thread()
    return numexpr.evaluate(EXPRESSION_TEXT, local_dict={"a": a, "b": b, "c": c})


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _expression_loop(a, b, c, out, two, three, one):
    for i in range(out.shape[0]):
        x, y = a[i], b[i]
        out[i] = two * x + three * (y * y) - x * y / (c[i] + one)


@EXPRESSION.variant("numba_loop", bytes_moved=expression_bytes)
def expression_numba_loop(a, b, c):
    """One Numba loop: each element read once, the result written once, no temporaries.

    The constants are passed in the arrays' dtype: a literal 2 would make Numba compute a float32
    expression in float64. error_model="numpy": x/0 is inf or NaN, as in NumPy, not an exception.
    """
    out = np.empty(a.shape, a.dtype)
    k = a.dtype.type
    _expression_loop(a, b, c, out, k(2), k(3), k(1))
    return out


@EXPRESSION.variant("numpy_chunked", bytes_moved=expression_bytes)
def expression_numpy_chunked(a, b, c):
    """The same NumPy steps with out=, chunk by chunk: the temporaries are two chunk-sized buffers
    that stay in cache, and each input is read from memory once."""
    out = np.empty(a.shape, a.dtype)
    k = a.dtype.type
    step = max(1, min(CHUNK_BYTES // a.dtype.itemsize, a.shape[0]))
    t, u = np.empty(step, a.dtype), np.empty(step, a.dtype)
    for start in range(0, a.shape[0], step):
        s = slice(start, start + step)
        x, y, o = a[s], b[s], out[s]
        v, w = t[:o.shape[0]], u[:o.shape[0]]
        np.multiply(x, k(2), out=v)  # 2*a
        np.square(y, out=o)  # b**2
        np.multiply(o, k(3), out=o)  # 3*b**2
        np.add(v, o, out=o)  # 2*a + 3*b**2
        np.multiply(x, y, out=v)  # a*b
        np.add(c[s], k(1), out=w)  # c+1
        np.divide(v, w, out=v)  # a*b/(c+1)
        np.subtract(o, v, out=o)
    return out

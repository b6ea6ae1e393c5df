"""Hostile inputs and the comparison every variant must pass against its kernel's reference.

In the manner of bottleneck's slow-vs-fast checks: each kernel's reference is
the slow, obvious implementation; every other variant must agree with it on
empty, one-element and odd sizes, strided views, Fortran order, each dtype the
kernel covers, and NaN where the kernel defines it (NaN propagates). Beyond
that grid, like bottleneck's ``array_generator``: every integer and float
width with mixed signs, byte-swapped storage, Inf/-Inf and subnormals, values
beyond the range of every narrower float (a variant storing them in one must
not turn the answer into NaN) and coordinates whose squares overflow;
read-only, subclassed (np.matrix for 2-D arguments too), masked, memory-mapped
and unaligned arrays. ``cases`` yields them all and drives every per-case test.

Kernels over strings declare str dtypes (``np.str_`` first): for them the widths are replaced by
hostile text (``TEXTS``), stored as '<U' arrays plain, strided and byte-swapped, and results are
compared as Python values (str or int), whatever container each variant returns.
"""
import functools
import inspect
import re
import tempfile

import numpy as np
import pytest

SIZES = (0, 1, 2, 17, 1001)
SIZES_2D = (0, 1, 2, 17, 101)
WIDTHS = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
          np.float16, np.float32, np.float64)
WIDTH_N = 17  # every width at one odd size: the grid above covers sizes
TEXTS = {  # hostile text for kernels over strings (no lone surrogates: UTF-8 cannot hold them)
    "empty": ["", "", ""],
    "case-growing": ["ß", "straße", "ŉ", "ǰ", "ΐ", "ﬃ", "ᾳ"],  # upper() is longer, 'straße' fills the width
    "non-ascii": ["é", "e\u0301", "İ", "ı", "ǅ", "Σς", "中文", "\u00a0", "ÿ"],
    "emoji": ["😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "a😀b"],  # astral code points, modifiers, ZWJ sequences
    "control": ["a\x00b", "\x00a", "\t\n\r", " ", "\x7f\x80"],  # inner NULs: '<U' drops trailing ones
    "long": ["ß" * 5_000, "x" * 1_000, "😀" * 2_000],  # 5000 'ß' fill the width and double in upper()
}


def strided(x):
    """The same values as a non-contiguous view: every other element along every axis."""
    if not isinstance(x, np.ndarray) or x.ndim == 0:
        return x
    buffer = np.zeros(tuple(2 * s for s in x.shape), x.dtype)
    view = buffer[(slice(None, None, 2),) * x.ndim]
    view[...] = x
    return view


def fortran(x):
    return np.asfortranarray(x) if isinstance(x, np.ndarray) and x.ndim >= 2 else x


def with_nans(x):
    """A copy with every 7th element NaN (floating arrays of size > 0 only)."""
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f" or x.size == 0:
        return x
    x = x.copy()
    x.reshape(-1)[::7] = np.nan
    return x


def _arrays_only(transform):
    """Apply ``transform`` to ndarray arguments, pass scalars through."""
    return functools.wraps(transform)(lambda x: transform(x) if isinstance(x, np.ndarray) else x)


def _order(x):
    """x's memory order, "F" or "C", for copies that keep it (Fortran-ordered inputs stay so)."""
    return "F" if x.ndim > 1 and x.flags.f_contiguous and not x.flags.c_contiguous else "C"


def _copy_and_flat(x):
    """A copy in x's memory order and a flat view of it, to set elements through."""
    x = x.copy(order=_order(x))
    return x, x.reshape(-1, order=_order(x))


@_arrays_only
def mixed_signs(x):
    """A copy with every other element negated (signed integer and float arrays)."""
    x, flat = _copy_and_flat(x)
    if x.dtype.kind in "if":
        flat[1::2] *= -1
    return x


@_arrays_only
def byte_swapped(x):
    """The same values stored in the other byte order."""
    return x.astype(x.dtype.newbyteorder())


@_arrays_only
def non_finite(x):
    """A float copy with Inf, -Inf and the smallest and largest subnormals of either sign mixed in."""
    if x.dtype.kind != "f":
        return x
    info = np.finfo(x.dtype)
    specials = [np.inf, -np.inf, info.smallest_subnormal, -info.smallest_subnormal,
                info.smallest_normal - info.smallest_subnormal]
    x, flat = _copy_and_flat(x)
    for i, value in enumerate(specials):
        flat[i::2 * len(specials)] = value
    return x


def _scaled(x, factor):
    """A float copy times ``factor(np.finfo(x.dtype))``; other dtypes as given."""
    return x * factor(np.finfo(x.dtype)) if x.dtype.kind == "f" else x


@_arrays_only
def huge(x):
    """Float data up to 1/1024 of its dtype's largest value: beyond every narrower float's range,
    while sums of the magnitudes of a 17 x 17 matrix of them stay finite."""
    return _scaled(x, lambda info: info.max / 1024)


@_arrays_only
def tiny(x):
    """Float data as its dtype's subnormals (fewer than 64 times the smallest): a narrower float
    flushes them to zero."""
    return _scaled(x, lambda info: info.smallest_subnormal * 64)


@_arrays_only
def squares_overflow(x):
    """Float data up to twice the square root of its dtype's largest value: squares and products
    overflow, most differences' squares do not."""
    return _scaled(x, lambda info: 2 * np.sqrt(info.max))


@_arrays_only
def read_only(x):
    x, _ = _copy_and_flat(x)
    x.flags.writeable = False
    return x


class Sub(np.ndarray):
    """A trivial ndarray subclass: every variant must treat it as its base array."""


@_arrays_only
def subclassed(x):
    return x.view(Sub)


@_arrays_only
def masked(x):
    """A masked array with nothing masked: refused like any masked array, naming the argument."""
    return np.ma.masked_array(x)


def matrix(x):
    """A 2-D array as an np.matrix (whose ``*``, reductions and iteration differ); others as given."""
    return np.asmatrix(x) if isinstance(x, np.ndarray) and x.ndim == 2 else x


@_arrays_only
def memory_mapped(x):
    """A copy in an np.memmap over an unnamed temporary file (the mapping outlives the file object)."""
    with tempfile.TemporaryFile() as f:
        m = np.memmap(f, x.dtype, "w+", shape=x.shape, order=_order(x))
    m[...] = x
    return m


@_arrays_only
def unaligned(x):
    """The same values at an address one byte off the dtype's alignment."""
    buffer = np.zeros(x.nbytes + 1, np.uint8)
    y = buffer[1:].view(x.dtype).reshape(x.shape, order=_order(x))
    y[...] = x
    return y


def is_text(kernel):
    """Whether the kernel is over strings: its first dtype is a str type."""
    return np.dtype(kernel.dtypes[0]).kind == "U"


def is_2d(kernel):
    return any(isinstance(a, np.ndarray) and a.ndim == 2 for a in kernel.inputs(3))


def cases(kernel):
    """(label, args) pairs covering the hostile inputs for one kernel."""
    for dtype in kernel.dtypes:
        name = np.dtype(dtype).name
        for n in SIZES_2D if is_2d(kernel) else SIZES:
            args = kernel.inputs(n, dtype=dtype, seed=n)
            yield f"{name}-n{n}", args
            yield f"{name}-n{n}-strided", tuple(strided(a) for a in args)
            if is_2d(kernel):
                yield f"{name}-n{n}-fortran", tuple(fortran(a) for a in args)
            if kernel.nan_ok and np.dtype(dtype).kind == "f" and n:
                yield f"{name}-n{n}-nan", tuple(with_nans(a) for a in args)
    yield from hostile_arrays(kernel)


def hostile_texts(kernel):
    """(label, args) with every str array argument replaced by each of TEXTS, plain, strided and byte-swapped."""
    for label, texts in TEXTS.items():
        args = tuple(np.array(texts) if isinstance(a, np.ndarray) and a.dtype.kind == "U" else a
                     for a in kernel.inputs(len(texts)))
        yield f"text-{label}", args
        yield f"text-{label}-strided", tuple(strided(a) for a in args)
        yield f"text-{label}-swapped", tuple(byte_swapped(a) for a in args)


def data_arguments(kernel):
    """Per argument, whether the kernel builds it in the dtype it is asked for (data), rather than
    in a dtype of its own (labels, indices: their signs and values stay as built)."""
    asked = zip(kernel.inputs(3, dtype=np.int8), kernel.inputs(3, dtype=np.float32))
    return [isinstance(a, np.ndarray) and a.dtype != b.dtype for a, b in asked]


def hostile_widths(kernel):
    """(label, args) at every width: data of mixed signs, byte-swapped, Inf and subnormals, and for
    floats scaled huge, tiny and to squares that overflow."""
    data = data_arguments(kernel)
    for dtype in WIDTHS:
        dtype = np.dtype(dtype)
        built = kernel.inputs(WIDTH_N, dtype=dtype, seed=WIDTH_N)
        args = tuple(mixed_signs(a) if is_data else a for a, is_data in zip(built, data))
        yield f"{dtype.name}-n{WIDTH_N}-signed", args
        if dtype.itemsize > 1:
            yield f"{dtype.name}-n{WIDTH_N}-swapped", tuple(byte_swapped(a) for a in args)
        if dtype.kind == "f":
            yield f"{dtype.name}-n{WIDTH_N}-inf-subnormal", tuple(non_finite(a) for a in args)
            for scale in (huge, tiny, squares_overflow):
                yield (f"{dtype.name}-n{WIDTH_N}-{scale.__name__.replace('_', '-')}",
                       tuple(scale(a) if is_data else a for a, is_data in zip(args, data)))


def hostile_arrays(kernel):
    """(label, args) beyond the grid: every width (hostile text for a kernel over strings), then
    the kernel's first dtype read-only, subclassed, masked, memory-mapped, unaligned and, for a
    kernel of 2-D arrays, as np.matrix."""
    yield from (hostile_texts if is_text(kernel) else hostile_widths)(kernel)
    args = kernel.inputs(WIDTH_N, seed=WIDTH_N)
    name = np.dtype(kernel.dtypes[0]).name
    transforms = [read_only, subclassed, masked, memory_mapped, unaligned] + ([matrix] if is_2d(kernel) else [])
    for transform in transforms:
        yield f"{name}-n{WIDTH_N}-{transform.__name__.replace('_', '-')}", tuple(transform(a) for a in args)


BAD_ARRAYS = {
    "a list": (lambda a: a.tolist(), TypeError),
    "a complex array": (lambda a: a.astype(np.complex128), TypeError),
    "a bool array": (lambda a: a.astype(bool), TypeError),
    "a masked array": (lambda a: np.ma.masked_array(a, mask=np.ones(a.shape, bool)), TypeError),
    "one more dimension": (lambda a: a[np.newaxis], ValueError),
    "a 0-d array": (lambda a: np.array(a.reshape(-1)[0]), ValueError),
}


BAD_TEXT = {  # for kernels over strings, whose storages include a list of str and an object array
    "a float array": (lambda words: np.linspace(0, 1, len(words)), TypeError),
    "an int array": (lambda words: np.arange(len(words)), TypeError),
    "a bool array": (lambda words: np.ones(len(words), bool), TypeError),
    "a bytes array": (lambda words: np.array([w.encode() for w in words], dtype="S"), TypeError),
    "bytes in a list": (lambda words: [w.encode() for w in words], TypeError),
    "bytes in an object array": (lambda words: np.array([w.encode() for w in words], dtype=object), TypeError),
    "a number in a list": (lambda words: words[:-1] + [1.0], TypeError),
    "None in an object array": (lambda words: np.array(words[:-1] + [None], dtype=object), TypeError),
    "a nested list": (lambda words: [words], TypeError),
    "one str": (lambda words: words[0], TypeError),
    "a masked array": (lambda words: np.ma.masked_array(np.array(words), mask=True), TypeError),
    "one more dimension": (lambda words: np.array(words)[np.newaxis], ValueError),
    "a 0-d array": (lambda words: np.array(words[0]), ValueError),
}


def bad_inputs(kernel):
    """{label: (corrupt, error class)} of bad input for an array argument of this kernel's kind."""
    return BAD_TEXT if is_text(kernel) else BAD_ARRAYS


def outcome(variant, args):
    """The variant's result, or the TypeError/ValueError it raised, whose message must name an argument.

    Any other exception (Numba's TypingError, an AttributeError, ...) fails the test: bad input
    must be refused at the boundary, never deep inside a kernel. NumPy's warnings about Inf, NaN
    and integer wrap-around are silenced: the results they warn about are what gets compared.
    """
    try:
        with np.errstate(all="ignore"):
            return variant(*args)
    except (TypeError, ValueError) as exc:
        names = inspect.signature(variant.fn).parameters
        assert any(re.search(rf"\b{name}\b", str(exc)) for name in names), (
            f"{variant.name} raised {exc!r}, which names none of its arguments {list(names)}")
        return exc
    except Exception as exc:  # noqa: BLE001  (any other type is the failure under test)
        pytest.fail(f"{variant.name} raised {type(exc).__module__}.{type(exc).__name__}: {exc}")


def python_values(result):
    """A 1-D result as a list of Python values (str, int), whether a list or an array of any dtype holds them."""
    return result.tolist() if isinstance(result, np.ndarray) else list(result)


def assert_agrees(kernel, variant, args, expected, actual):
    """actual equals expected, in the reference's result dtype or the one ``variant`` declares:
    exactly for integers and booleans, within dtype-aware tolerance for floats, field by field for
    a structured result, as Python values of the same types for a kernel over strings; all in the
    kernel's ``canonical`` form if it has one. An error must be of the same class, a result of an
    ndarray subclass of the reference's type. ``canonical`` and ``tolerance`` see array arguments
    as plain ndarrays, as the variants do (``_check.array``)."""
    args = tuple(a.view(np.ndarray) if isinstance(a, np.ndarray) else a for a in args)
    if isinstance(expected, Exception):
        assert type(actual) is type(expected), f"reference raised {expected!r}, variant gave {actual!r}"
        return
    assert not isinstance(actual, Exception), f"variant raised {actual!r}, reference did not"
    if isinstance(actual, np.ndarray) and type(actual) is not np.ndarray:  # an np.matrix let through
        assert type(actual) is type(expected), f"result is a {type(actual).__name__}, the reference's is not"
    if kernel.canonical is not None:
        expected, actual = kernel.canonical(args, expected), kernel.canonical(args, actual)
    if is_text(kernel):
        expected, actual = python_values(expected), python_values(actual)
        assert [type(v) for v in actual] == [type(v) for v in expected], "results hold values of other types"
        assert actual == expected
        return
    expected, actual = np.asarray(expected), np.asarray(actual)
    declared = kernel.variants[variant].result_dtype
    if declared is not None and declared.kind == "f":
        with np.errstate(over="ignore"):  # the answer rounded to the declared dtype: float16 overflows to inf
            expected = expected.astype(declared)
    dtype = expected.dtype if declared is None else declared
    assert actual.dtype == dtype, f"result dtype {actual.dtype}, expected {dtype}"
    assert actual.shape == expected.shape
    if expected.dtype.names is None:
        _assert_values_agree(kernel, args, expected, actual)
    for field in expected.dtype.names or ():
        _assert_values_agree(kernel, args, expected[field], actual[field])


def _assert_values_agree(kernel, args, expected, actual):
    """Equal values of one numeric dtype: integers and booleans exactly, floats within tolerance."""
    if expected.dtype.kind in "biu" and actual.dtype.kind in "biu":
        np.testing.assert_array_equal(actual, expected)
        return
    coarser = min((d for d in (expected.dtype, actual.dtype) if d.kind == "f"), key=lambda d: d.itemsize)
    rtol, atol = 8 * np.finfo(coarser).eps, 0.0
    if kernel.tolerance is not None:
        rtol, atol = kernel.tolerance(args, actual if actual.dtype == coarser else expected)
        rtol = max(rtol, 8 * np.finfo(coarser).eps)
    np.testing.assert_allclose(actual.astype(np.float64), expected.astype(np.float64), rtol=rtol, atol=atol)

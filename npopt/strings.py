"""Strings: where the text is stored decides what a string operation costs.

The same strings four ways: a Python list (a loop of str methods), an object array (NumPy only
hands each element to a Python function, ``np.frompyfunc``: np.char refuses object arrays),
a fixed-width '<U' array (UTF-32, every string padded to the longest; ``np.char``) and a
StringDType array (NumPy >= 2.0: UTF-8, variable width; ``np.strings``). What NumPy does with
them differs by operation: ``str_len`` calls Python's ``str.__len__`` on each element in NumPy
1.x and is a compiled ufunc from 2.0; ``upper`` calls Python's ``str.upper`` on each element in
every release up to 2.4.6 at least (``_vec_string``, StringDType included), converting each
element to a Python str and back. ``prepare`` converts the kernel's input into each storage,
outside the timed region; results are compared as Python values (str or int), whatever
container holds them.

The kernels follow Python's str: ``len`` counts code points and ``upper`` applies Unicode's full
case mapping, so 'ß'.upper() == 'SS' and a string can grow (at most 3 code points per code
point). A fixed-width array keeps its width: np.char.upper writes into the input's dtype and
silently cuts such strings short (['straße'] -> ['STRASS'] in NumPy 1.23.5 and 2.4.6; a
StringDType result grows as needed); the fixed_width variant re-does those in a wider array.
Two inputs cannot be stored everywhere, and converting them into the storage
that cannot hold them raises ValueError: a trailing NUL ('<U' drops it) and a lone surrogate
(StringDType's UTF-8 cannot encode it: given one, string_dtype raises where the others compute,
so the kernels are defined on surrogate-free text).
"""
import numpy as np

from . import _check
from .registry import kernel

ALPHABET = "abcdefghijklmnopqrstuvwxyz éüßα😀"  # mostly ASCII; 1, 2, 3 and 4 UTF-8 bytes; 'ß' grows in upper()
WIDTH = 16  # the longest word, in code points
EXPANSION = 3  # upper() maps one code point to at most this many


def _words(rng, n, dtype, order):
    """n seeded words of 0 to WIDTH code points drawn from ALPHABET, as a '<U16' array (or object array of str).

    Built as UTF-32 code points, so the same StableRandom draws give the same words in every NumPy.
    """
    codes = np.array([ord(ch) for ch in ALPHABET], np.uint32)[rng.integers(0, len(ALPHABET), (n, WIDTH))]
    codes[np.arange(WIDTH) >= rng.integers(0, WIDTH + 1, (n, 1))] = 0  # NUL-padded past each word's length
    words = codes.view(np.dtype(("U", WIDTH))).reshape(n)
    return (words if dtype.kind == "U" else words.astype(dtype),)


def _validate_words(x):
    return (_check.strings(x, "x"),)


def _in_storage(x, kind):
    """Whether x is an ndarray of dtype kind ``kind`` already ('O' object, 'U' fixed width, 'T' StringDType)."""
    return isinstance(x, np.ndarray) and x.dtype.kind == kind


def _as_list(x):
    """x as a checked list of str (a StrList): itself when it is one."""
    return x if isinstance(x, list) else _check.str_list(x.tolist(), "x")


def _as_objects(x):
    """x as an object array of str: itself when it is one (its items are checked by str's methods)."""
    return x if _in_storage(x, "O") else np.array(_as_list(x), dtype=object)


def _as_fixed_width(x):
    """x as a fixed-width '<U' array: itself when it is one."""
    if _in_storage(x, "U"):
        return x
    words = _as_list(x)
    if any(w.endswith("\0") for w in words):
        raise ValueError("x holds a string ending in NUL, which a fixed-width '<U' array drops")
    return np.array(words, dtype=str)


def _as_string_dtype(x):
    """x as a StringDType array: itself when it is one."""
    if _in_storage(x, "T"):
        return x
    try:
        return np.array(_as_list(x), dtype=np.dtypes.StringDType())
    except UnicodeEncodeError as exc:
        raise ValueError(f"x holds a lone surrogate, which StringDType (UTF-8) cannot store: {exc}") from None


def _stored(convert):
    """prepare: x checked and converted to a variant's storage once, outside the timed region."""
    return lambda x: (convert(_check.strings(x, "x")),)


def _each(method, x):
    """np.frompyfunc(method) over an object array; str's unbound methods refuse any item not a str."""
    try:
        return np.frompyfunc(method, 1, 1)(x)
    except TypeError as exc:
        raise TypeError(f"x must hold only str: {exc}") from None


STRING_DTYPES = (np.str_, np.object_)  # the kernels' inputs: '<U' (benchmarked) and object arrays of str

LENGTHS = kernel(
    "strings", "lengths", make_inputs=_words, validate=_validate_words,
    sizes=(1_000, 100_000), headline_n=100_000, dtypes=STRING_DTYPES,
)


@LENGTHS.variant("python_list", reference=True, prepare=_stored(_as_list))
def lengths_python_list(x):
    """[len(s) for s in x] over a list of str: a list of ints."""
    return [len(s) for s in _as_list(x)]


@LENGTHS.variant("object_array", prepare=_stored(_as_objects))
def lengths_object_array(x):
    """str.__len__ on each element of an object array (np.frompyfunc): an object array of ints.

    str.__len__, not len: it refuses an item that is not a str, where len would count bytes.
    """
    return _each(str.__len__, _as_objects(x))


@LENGTHS.variant("fixed_width", prepare=_stored(_as_fixed_width))
def lengths_fixed_width(x):
    """np.char.str_len on a '<U' array: an int array. A ufunc from NumPy 2.0 (np.strings.str_len); in
    1.x it calls str.__len__ on each element."""
    return np.char.str_len(_as_fixed_width(x))


@LENGTHS.variant("string_dtype", prepare=_stored(_as_string_dtype), numpy_min="2.0")
def lengths_string_dtype(x):
    """np.strings.str_len on a StringDType array: counts UTF-8 code points, an int array."""
    return np.strings.str_len(_as_string_dtype(x))


UPPER = kernel(
    "strings", "upper", make_inputs=_words, validate=_validate_words,
    sizes=(1_000, 100_000), headline_n=100_000, dtypes=STRING_DTYPES,
)


@UPPER.variant("python_list", reference=True, prepare=_stored(_as_list))
def upper_python_list(x):
    """[s.upper() for s in x] over a list of str: a list of str."""
    return [s.upper() for s in _as_list(x)]


@UPPER.variant("object_array", prepare=_stored(_as_objects))
def upper_object_array(x):
    """str.upper on each element of an object array (np.frompyfunc): an object array of str."""
    return _each(str.upper, _as_objects(x))


def _codes(words):
    """A contiguous '<U' array's code points, one row per string, NUL past each string's end."""
    return words.view(np.uint32).reshape(words.shape[0], words.dtype.itemsize // 4)


@UPPER.variant("fixed_width", prepare=_stored(_as_fixed_width))
def upper_fixed_width(x):
    """np.char.upper on a '<U' array (str.upper per element, up to NumPy 2.4.6 at least), in the input's
    width, and the strings that came out filling it (only they can have been cut short) again in a
    3x wider array; the result is widened when one of them needed it."""
    x = _as_fixed_width(x)
    out = np.char.upper(x)
    width = out.dtype.itemsize // 4
    full = _codes(out)[:, -1] != 0
    if full.any():
        wide = np.char.upper(x[full].astype(np.dtype(("U", EXPANSION * width))))
        needed = np.flatnonzero(_codes(wide).any(axis=0))[-1] + 1
        if needed > width:
            out = out.astype(np.dtype(("U", needed)))
            out[full] = wide
    return out


@UPPER.variant("string_dtype", prepare=_stored(_as_string_dtype), numpy_min="2.0")
def upper_string_dtype(x):
    """np.strings.upper on a StringDType array (str.upper per element, through a Python str each, as
    of NumPy 2.4.6): a StringDType array, each string as long as it needs."""
    return np.strings.upper(_as_string_dtype(x))

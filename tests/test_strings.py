"""npopt.strings: every variant against its reference, its bad-input errors, and Unicode's corners."""
import sys

import numpy as np
import pytest

from kernel_checks import KernelChecks

from npopt import _check, strings
from npopt.registry import release


class TestStringsKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the strings kernels."""


HAS_STRING_DTYPE = release(np.__version__) >= (2, 0)
needs_string_dtype = pytest.mark.skipif(not HAS_STRING_DTYPE, reason=f"StringDType needs NumPy >= 2.0, this is "
                                                                      f"{np.__version__}")
CODE_POINTS = [chr(c) for c in range(1, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]  # NUL: '<U' drops it


def _variants(kernel):
    return [pytest.param(name, marks=[pytest.mark.skip(reason=v.unavailable)] if v.unavailable else [])
            for name, v in kernel.variants.items()]


def test_upper_grows_a_code_point_to_at_most_expansion():
    assert max(len(ch.upper()) for ch in CODE_POINTS) == strings.EXPANSION


def test_plain_fixed_width_upper_cuts_growing_strings_short():
    """The NumPy behaviour upper_fixed_width works around (NumPy 1.23 to 2.4 at least): the result keeps
    the input's width. If a release fixes it, this fails and the work-around can go."""
    assert np.char.upper(np.array(["ß", "straße"])).tolist() == ["SS", "STRASS"]


@pytest.mark.parametrize("variant", _variants(strings.UPPER))
def test_upper_follows_str_upper_on_every_code_point(variant):
    """Full case mapping as Python's str.upper, one code point per string: 'ß' -> 'SS', 'ΐ' -> 3 code
    points, 'ﬃ' -> 'FFI'; the longest code point fills the fixed width, so growth needs widening."""
    words = np.array(CODE_POINTS)
    assert [str(s) for s in strings.UPPER.variants[variant](words)] == [ch.upper() for ch in CODE_POINTS]


@pytest.mark.parametrize("variant", _variants(strings.LENGTHS))
def test_lengths_count_code_points_not_bytes_or_graphemes(variant):
    words = np.array(["é", "e\u0301", "😀", "👨‍👩‍👧", "中文", "a\x00b", ""])
    assert [int(n) for n in strings.LENGTHS.variants[variant](words)] == [1, 2, 1, 5, 2, 3, 0]


@pytest.mark.parametrize("variant", _variants(strings.UPPER))
def test_upper_widens_a_fixed_width_result_only_as_far_as_needed(variant):
    words = np.array(["ß" * 6, "ab", "straße"], dtype="<U6")
    result = strings.UPPER.variants[variant](words)
    assert [str(s) for s in result] == ["SS" * 6, "AB", "STRASSE"]
    if variant == "fixed_width":
        assert result.dtype == np.dtype("<U12")
        assert strings.upper_fixed_width(np.array(["abc", "ß"])).dtype == np.dtype("<U3")  # nothing grew past


@pytest.mark.parametrize("variant", _variants(strings.UPPER))
def test_every_storage_is_accepted_by_every_variant(variant):
    """A variant converts other storages into its own (untimed in the benchmarks, where prepare did it)."""
    words = ["straße", "😀", ""]
    storages = [words, np.array(words), np.array(words, dtype=object)]
    if HAS_STRING_DTYPE:
        storages.append(np.array(words, dtype=np.dtypes.StringDType()))
    for x in storages:
        assert [str(s) for s in strings.UPPER.variants[variant].fn(x)] == ["STRASSE", "😀", ""]


def test_prepare_gives_each_variant_its_own_storage():
    (x,) = strings.LENGTHS.inputs(5)
    assert type(strings.LENGTHS.variants["python_list"].prepare(x)[0]) is _check.StrList
    assert strings.LENGTHS.variants["object_array"].prepare(x)[0].dtype == object
    assert strings.LENGTHS.variants["fixed_width"].prepare(x)[0].dtype.kind == "U"
    if HAS_STRING_DTYPE:
        assert strings.LENGTHS.variants["string_dtype"].prepare(x)[0].dtype.kind == "T"


def test_a_plain_list_is_checked_and_a_checked_one_is_not_copied():
    body = strings.lengths_python_list.__wrapped__  # the function the registry wraps in its checks
    checked = _check.strings(["a", "bc"], "x")
    assert type(checked) is _check.StrList and _check.strings(checked, "x") is checked
    assert body(checked) == [1, 2]
    with pytest.raises(TypeError, match=r"\bx\b.*bytes at index 1"):
        _check.strings(["a", b"bc"], "x")


def test_inputs_are_the_same_words_in_every_numpy():
    """Drawn from StableRandom as code points: a change here changes every stored benchmark input."""
    (x,) = strings.LENGTHS.inputs(4, seed=1)
    assert x.dtype == np.dtype("<U16")
    assert x.tolist() == strings.LENGTHS.inputs(4, dtype=np.object_, seed=1)[0].tolist()
    assert x.tolist() == ["flm", "gzsu", "xxjrxαawnjj", "baüriyntpkzi"]


@pytest.mark.parametrize("variant", ["python_list", "object_array", "fixed_width"])
def test_trailing_nul_is_refused_where_fixed_width_would_drop_it(variant):
    """'<U' arrays drop trailing NULs, so the kernels' '<U' inputs never hold one; given as a list,
    only the fixed-width conversion refuses it (the others keep it and count it)."""
    fn = strings.LENGTHS.variants[variant].fn
    if variant == "fixed_width":
        with pytest.raises(ValueError, match=r"\bx\b.*NUL"):
            fn(["a\x00"])
    else:
        assert [int(n) for n in fn(["a\x00"])] == [2]


@needs_string_dtype
def test_lone_surrogate_is_refused_by_string_dtype_naming_x():
    with pytest.raises(ValueError, match=r"\bx\b.*surrogate"):
        strings.LENGTHS.variants["string_dtype"](np.array(["a\ud800"]))
    assert strings.LENGTHS.variants["python_list"](np.array(["a\ud800"])) == [2]  # str holds one


@needs_string_dtype
def test_string_dtype_with_missing_values_is_refused():
    x = np.array(["a", None], dtype=np.dtypes.StringDType(na_object=None))
    for kernel in (strings.LENGTHS, strings.UPPER):
        for v in kernel.variants.values():
            with pytest.raises(TypeError, match=r"\bx\b.*na_object"):
                v.fn(x)


@pytest.mark.skipif(HAS_STRING_DTYPE, reason="NumPy >= 2.0 has StringDType")
def test_string_dtype_variant_names_the_release_it_needs():
    for kernel in (strings.LENGTHS, strings.UPPER):
        v = kernel.variants["string_dtype"]
        assert v.unavailable and "NumPy >= 2.0" in v.unavailable
        with pytest.raises(NotImplementedError, match=r"NumPy >= 2\.0"):
            v(*kernel.inputs(3))

"""npopt.sorting: every variant against its reference, and its bad-input errors."""
import numpy as np
import pytest

from hostile import assert_agrees, cases, outcome
from kernel_checks import KernelChecks

from npopt import sorting


class TestSortingKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the sorting kernels."""


KERNELS_OF_X = list(sorting.SORT.values()) + list(sorting.ARGSORT.values())


def _variants(kernel):
    """pytest params for each variant of a kernel (the sorting ones all run on every NumPy)."""
    return [pytest.param(v, id=name) for name, v in kernel.variants.items()]


@pytest.mark.parametrize("sorter", list(sorting.SORT.values()), ids=lambda k: k.name)
def test_sort_kernels_are_benchmarked_on_the_dtype_they_name(sorter):
    (x,) = sorter.inputs(1000)
    assert sorter.name == f"sort_{x.dtype.name}"
    assert np.unique(x).size > 900  # values spread over the dtype's range, not a handful of levels


@pytest.mark.parametrize("sorter", list(sorting.ARGSORT.values()), ids=lambda k: k.name)
def test_argsort_benchmark_inputs_have_no_ties(sorter):
    """On distinct values every correct argsort is the same permutation: the timed one has no ties to break."""
    for n in sorter.sizes:
        (x,) = sorter.inputs(n)
        assert np.unique(x).size == n and (x < 0).any() and (x > 0).any()


def test_stable_order_accepts_any_order_of_ties_and_nothing_else():
    x = np.array([3.0, 1.0, 3.0, np.nan, 1.0, np.nan, -0.0, 0.0])
    stable = np.argsort(x, kind="stable")
    assert stable.tolist() == [6, 7, 1, 4, 0, 2, 3, 5]
    other_ties = np.array([7, 6, 4, 1, 2, 0, 5, 3])
    same = sorting.stable_order((x,), other_ties)
    np.testing.assert_array_equal(same, stable)
    wrong = stable.copy()
    wrong[[3, 4]] = wrong[[4, 3]]  # a 1 after a 3: not sorted
    assert not np.array_equal(sorting.stable_order((x,), wrong), stable)
    repeated = stable.copy()
    repeated[0] = repeated[1]  # sorted values, but not a permutation
    assert not np.array_equal(sorting.stable_order((x,), repeated), stable)


@pytest.mark.parametrize("sorter", KERNELS_OF_X, ids=lambda k: k.name)
def test_uint64_values_beyond_int64_sort_as_unsigned(sorter):
    """The benchmark inputs stay below 2**62: the top half of uint64 must not read as negative."""
    x = np.array([2**64 - 1, 0, 2**63, 5, 2**63 - 1], np.uint64)
    expected = [1, 3, 4, 2, 0] if sorter.name.startswith("argsort") else [0, 5, 2**63 - 1, 2**63, 2**64 - 1]
    for variant in sorter.variants.values():
        np.testing.assert_array_equal(variant(x), expected)


@pytest.mark.parametrize("variant", _variants(sorting.TOP_K))
def test_top_k_puts_nans_first_and_takes_whole_k_from_0_to_n(variant):
    x = np.array([1.0, np.nan, 3.0, 2.0, np.nan, -np.inf])
    np.testing.assert_array_equal(variant(x, 3), [np.nan, np.nan, 3.0])
    np.testing.assert_array_equal(variant(x, 6.0), [np.nan, np.nan, 3.0, 2.0, 1.0, -np.inf])
    assert variant(x, 0).shape == (0,) and variant(x, 0).dtype == x.dtype
    for bad in (2.5, 7, -1):
        with pytest.raises(ValueError, match=r"\bk\b"):
            variant(x, bad)


@pytest.mark.parametrize("variant", _variants(sorting.SEARCH_SORTED))
def test_search_sorted_goes_left_of_equal_values_and_nans(variant):
    haystack = np.array([-np.inf, 1.0, 2.0, 2.0, 2.0, 3.0, np.nan, np.nan])
    keys = np.array([2.0, -np.inf, 4.0, np.nan, 1.0, np.inf])
    np.testing.assert_array_equal(variant(haystack, keys), [2, 0, 6, 6, 1, 6])
    assert variant(np.array([], np.int64), np.array([5, -5])).tolist() == [0, 0]


@pytest.mark.parametrize("haystack", [[1, 0], [np.nan, 1.0], [1.0, np.nan, 2.0], [2.0, np.nan, 1.0]])
@pytest.mark.parametrize("variant", _variants(sorting.SEARCH_SORTED))
def test_unsorted_haystack_is_rejected_by_name(variant, haystack):
    haystack = np.array(haystack)
    with pytest.raises(ValueError, match=r"\bhaystack\b"):
        variant(haystack, haystack[:1])


@pytest.mark.parametrize("variant", _variants(sorting.SEARCH_SORTED))
def test_keys_of_another_dtype_are_rejected_by_name(variant):
    with pytest.raises(TypeError, match=r"\bkeys\b"):
        variant(np.arange(4, dtype=np.int64), np.arange(4, dtype=np.uint64))


@pytest.mark.parametrize("case", list(cases(sorting.SEARCH_SORTED)), ids=lambda c: c[0])
def test_search_sorted_agrees_on_hostile_keys_in_sorted_haystacks(case):
    """The generic hostile cases unsort the haystack (signs, Inf, NaN) and so test only its
    rejection: here the same values sorted, with the keys as hostile as given."""
    label, (haystack, keys) = case
    args = (np.sort(haystack), keys)
    search = sorting.SEARCH_SORTED
    expected = outcome(search.variants[search.reference], args)
    assert not isinstance(expected, ValueError)
    assert_agrees(search, "numpy_searchsorted", args, expected, outcome(search.variants["numpy_searchsorted"], args))


def test_search_sorted_benchmark_keys_hit_and_miss_a_sorted_haystack():
    haystack, keys = sorting.SEARCH_SORTED.inputs(sorting.SEARCH_SORTED.headline_n)
    assert sorting.is_sorted(haystack) and keys.size == haystack.size // 20
    assert np.isin(keys[::2], haystack).all() and not np.isin(keys[1::2], haystack).any()

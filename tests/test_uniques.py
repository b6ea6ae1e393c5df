"""npopt.uniques: every variant against its reference, and its bad-input errors."""
import numpy as np
import pytest

from kernel_checks import KernelChecks

from npopt import uniques


class TestUniquesKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the uniques kernels."""


def _variants(kernel):
    """pytest params for each variant of a kernel, skipped (with the reason) where this NumPy lacks it."""
    return [pytest.param(kernel.variants[name], id=name, marks=[pytest.mark.skip(reason=v.unavailable)]
                         if v.unavailable else []) for name, v in kernel.variants.items()]


@pytest.mark.parametrize("variant", _variants(uniques.UNIQUE_COUNTS))
def test_unique_counts_count_nans_as_one_value_and_infinities_as_values(variant):
    x = np.array([2.0, np.nan, 1.0, 2.0, np.nan, np.inf, -np.inf, np.inf, -0.0, 0.0])
    result = variant(x)
    assert result.dtype == uniques.counted(np.float64)
    np.testing.assert_array_equal(result["value"], [-np.inf, 0.0, 1.0, 2.0, np.inf, np.nan])
    assert result["count"].tolist() == [1, 2, 1, 2, 2, 2]
    assert variant(np.array([], np.uint8)).dtype == uniques.counted(np.uint8)


def test_unique_counts_benchmark_input_repeats_a_thousand_values():
    (x,) = uniques.UNIQUE_COUNTS.inputs(uniques.UNIQUE_COUNTS.headline_n)
    assert x.dtype == np.int64 and np.unique(x).size == 1000


@pytest.mark.parametrize("x, table, expected", [
    (np.array([-100, 100, 0, 5], np.int8), np.array([-100, 100], np.int8), [True, True, False, False]),
    (np.array([255, 0, 7], np.uint8), np.array([0, 255], np.uint8), [True, True, False]),
    (np.array([2**64 - 1, 2**63, 5], np.uint64), np.array([2**64 - 1, 2**64 - 9], np.uint64), [True, False, False]),
    (np.array([3, 4], np.int32), np.array([], np.int32), [False, False]),
], ids=["int8-span-overflows-int8", "uint8-full-range", "uint64-above-int64", "empty-table"])
@pytest.mark.parametrize("variant", _variants(uniques.MEMBERSHIP))
def test_membership_at_the_edges_of_integer_dtypes(variant, x, table, expected):
    """np.isin(kind="table") computes x - min(table) in the input dtype: int8's span -100 .. 100 overflows it."""
    np.testing.assert_array_equal(variant(x, table), expected)


@pytest.mark.parametrize("variant", _variants(uniques.MEMBERSHIP))
def test_membership_refuses_floats_other_dtypes_and_wide_tables_by_name(variant):
    ints = np.arange(5)
    with pytest.raises(TypeError, match=r"\bx\b"):
        variant(ints.astype(np.float64), ints.astype(np.float64))  # kind="table" has no float version
    with pytest.raises(TypeError, match=r"\btable\b"):
        variant(ints, ints.astype(np.int32))
    with pytest.raises(ValueError, match=r"\btable\b"):
        variant(ints, np.array([0, uniques.TABLE_SPAN]))
    assert variant(ints, np.array([0, uniques.TABLE_SPAN - 1])).tolist() == [True, False, False, False, False]

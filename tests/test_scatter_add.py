"""npopt.scatter_add: every variant against its reference, and its bad-input errors."""
import numpy as np
import pytest

from hostile import WIDTHS, assert_agrees, byte_swapped, mixed_signs
from kernel_checks import KernelChecks

from npopt import scatter_add


class TestScatterAddKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the scatter_add kernels."""


# Tests taking ``kernel, variant`` run for every variant of both kernels (conftest.py).


def _as_kernel_values(kernel, values):
    """1-D values as the kernel takes them: themselves, or as two columns (the second doubled)."""
    values = np.asarray(values)
    return values if kernel is scatter_add.GROUP_SUMS else np.stack([values, 2 * values], axis=1)


def test_repeated_labels_accumulate_and_empty_groups_stay_zero(kernel, variant):
    """out[labels] += values would keep one write per label (7 -> 3, 4 -> 5); groups 1, 3, 5 get none."""
    values = _as_kernel_values(kernel, [1.0, 2.0, 3.0, 4.0, 5.0])
    out = kernel.variants[variant](values, np.array([2, 0, 2, 4, 0]), 6)
    np.testing.assert_array_equal(out, _as_kernel_values(kernel, [7.0, 0.0, 4.0, 0.0, 4.0, 0.0]))


@pytest.mark.parametrize("values, expected", [
    (np.array([2**53, 1, 1], np.int64), 2**53 + 2),  # float64 sums: 2**53 + 1 rounds to 2**53, twice
    (np.array([2**62, 2**62 - 1, -(2**62), 3], np.int64), 2**62 + 2),
    (np.array([2**63 - 1, 1], np.int64), -(2**63)),  # wraps like NumPy's int64 add
    (np.array([2**64 - 1, 2**64 - 1, 3], np.uint64), 2**64 - 1 + 2),  # modulo 2**64
])
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_integer_sums_are_exact_beyond_float64(kernel, variant, values, expected):
    labels = np.ones(values.shape[0], np.intp)
    out = kernel.variants[variant](_as_kernel_values(kernel, values), labels, 2)
    assert out.dtype == np.dtype(np.uint64 if values.dtype.kind == "u" else np.int64)
    wrap = np.int64 if values.dtype.kind == "i" else np.uint64
    first = [0, expected] if kernel is scatter_add.GROUP_SUMS else [[0, 0], [expected, 2 * expected]]
    np.testing.assert_array_equal(out, np.array(np.array(first, object) % 2**64, np.uint64).astype(wrap))


@pytest.mark.parametrize("dtype, result", [(np.int8, np.int64), (np.uint16, np.uint64), (np.float16, np.float64),
                                           (np.float32, np.float64), (np.int64, np.int64)])
def test_result_dtype_is_the_exact_accumulator(kernel, variant, dtype, result):
    values = _as_kernel_values(kernel, np.array([100, 100, 100], dtype))
    out = kernel.variants[variant](values, np.zeros(3, np.intp), 1)
    assert out.dtype == result and out.reshape(-1)[0] == 300  # int8 would have wrapped to 44


@pytest.mark.parametrize("label_dtype", [np.int8, np.uint8, np.int16, np.uint32, np.int64, np.uint64])
@pytest.mark.parametrize("swap", [False, True], ids=["native", "swapped"])
def test_every_label_width_gives_the_references_sums(kernel, label_dtype, swap):
    """Labels of every integer width and byte order, against values of every width (mixed signs)."""
    for value_dtype in WIDTHS:
        values, labels, n_groups = kernel.inputs(40, dtype=value_dtype, seed=3)
        values, labels = mixed_signs(values), (labels % 100).astype(label_dtype)
        args = (values, byte_swapped(labels) if swap else labels, 100)
        expected = kernel.variants[kernel.reference](*args)
        for variant in kernel.variants:
            assert_agrees(kernel, variant, args, expected, kernel.variants[variant](*args))


def test_nan_and_infinities_spoil_only_their_own_group(kernel, variant):
    values = _as_kernel_values(kernel, [1.0, np.nan, 2.0, np.inf, np.inf, 3.0, np.inf, -np.inf])
    with np.errstate(invalid="ignore"):
        out = kernel.variants[variant](values, np.array([0, 1, 0, 2, 2, 0, 3, 3]), 5)
    np.testing.assert_array_equal(out, _as_kernel_values(kernel, [6.0, np.nan, np.inf, np.nan, 0.0]))


@pytest.mark.parametrize("labels, n_groups, error, named", [
    (np.array([0, -1, 2]), 3, ValueError, "labels"),
    (np.array([0, 3, 2]), 3, ValueError, "labels"),  # == n_groups
    (np.array([0, 1, 2], np.uint64), 2, ValueError, "labels"),
    (np.array([0.0, 1.0, 2.0]), 3, TypeError, "labels"),
    (np.array([0, 1, 2]), -1, ValueError, "n_groups"),
    (np.array([0, 1, 2]), 2.5, ValueError, "n_groups"),
    (np.array([0, 1, 2]), True, TypeError, "n_groups"),
    (np.array([0, 1]), 3, ValueError, "labels"),  # one label short
])
def test_bad_labels_and_group_counts_are_refused_by_name(kernel, variant, labels, n_groups, error, named):
    values = _as_kernel_values(kernel, [1.0, 2.0, 3.0])
    with pytest.raises(error, match=rf"\b{named}\b"):
        kernel.variants[variant](values, labels, n_groups)


def test_a_whole_float_group_count_and_no_values_at_all(kernel, variant):
    values = _as_kernel_values(kernel, np.zeros(0))
    out = kernel.variants[variant](values, np.zeros(0, np.uint8), 4.0)
    assert out.shape == (4,) + values.shape[1:] and not out.any()
    assert kernel.variants[variant](values, np.zeros(0, np.intp), 0).shape == (0,) + values.shape[1:]


def test_benchmark_labels_fall_in_every_group():
    """The headline inputs exercise a few hundred groups, every one of them non-empty."""
    for kernel in (scatter_add.GROUP_SUMS, scatter_add.GROUP_SUMS_2D):
        values, labels, n_groups = kernel.inputs(kernel.headline_n)
        assert labels.dtype == np.intp and values.shape[0] == labels.shape[0] == kernel.headline_n
        assert np.bincount(labels, minlength=n_groups).min() > 0 and n_groups >= 100

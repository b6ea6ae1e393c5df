"""npopt.inplace: every variant against its reference, and its bad-input errors."""
import numpy as np
import pytest

from kernel_checks import KernelChecks

from measurement.inputs import peak_traced_bytes
from npopt import inplace


class TestInplaceKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the inplace kernels."""


def _allocated(kernel, variant, n=100_000):
    v = kernel.variants[variant]
    return peak_traced_bytes(v.fn, v.prepare(*kernel.inputs(n)))


def test_out_buffer_chain_allocates_nothing_and_augmented_one_array():
    x_bytes = inplace.GAUSSIAN.inputs(100_000)[0].nbytes
    assert _allocated(inplace.GAUSSIAN, "out_buffer") < x_bytes / 10
    assert _allocated(inplace.GAUSSIAN, "augmented") < 1.1 * x_bytes
    assert _allocated(inplace.GAUSSIAN, "temporaries") >= 1.9 * x_bytes


def test_add_scalar_in_place_returns_its_input_and_allocates_nothing():
    a = np.zeros(100_000)
    assert inplace.add_scalar_in_place(a, 5) is a and a[0] == 5
    assert _allocated(inplace.ADD_SCALAR, "in_place") < a.nbytes / 10


def test_out_buffer_of_another_dtype_is_rejected_by_name():
    x = np.zeros(4)
    with pytest.raises(TypeError, match=r"\bout\b"):
        inplace.gaussian_out_buffer(x, 0.0, 1.0, np.zeros(4, np.float32))


def test_add_scalar_rejects_integer_arrays_it_would_have_to_cast():
    with pytest.raises(TypeError, match=r"\ba\b"):
        inplace.add_scalar_in_place(np.zeros(4, np.int64), 1)

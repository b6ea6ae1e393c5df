"""npopt.layout: every variant against its reference, and its bad-input errors."""
import pytest

from kernel_checks import KernelChecks

from npopt import layout


class TestLayoutKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the layout kernels."""


@pytest.mark.parametrize("matrix_kernel", [layout.TRAVERSAL, layout.ROW_SUMS])
def test_benchmark_orders_build_arrays_in_that_order(matrix_kernel):
    assert matrix_kernel.inputs(8, order="C")[0].flags.c_contiguous
    assert matrix_kernel.inputs(8, order="F")[0].flags.f_contiguous
    assert not matrix_kernel.inputs(8, order="F")[0].flags.c_contiguous


def test_transposed_input_is_the_fortran_view_of_a_c_array():
    (a,) = layout.ROW_CUMSUM.inputs(8)
    assert a.flags.f_contiguous and not a.flags.c_contiguous and a.base is not None

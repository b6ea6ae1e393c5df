"""npopt.bandwidth: every variant against its reference, and its bad-input errors."""
import numpy as np
import pytest

from kernel_checks import KernelChecks

from npopt import bandwidth


class TestBandwidthKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the bandwidth kernels."""


def test_triad_output_of_another_dtype_is_rejected_by_name():
    b = np.zeros(4)
    with pytest.raises(TypeError, match=r"\bout\b"):
        bandwidth.triad_numba_one_pass(b, b, np.zeros(4, np.float32))


def test_triad_bytes_counts_two_reads_and_one_write():
    b = np.zeros(10)
    assert bandwidth.triad_bytes(b, b, b) == 240

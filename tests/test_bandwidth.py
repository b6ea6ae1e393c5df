"""npopt.bandwidth: every variant against its reference, and its bad-input errors."""
from kernel_checks import *  # noqa: F401,F403  (the checks every kernel gets)

TECHNIQUE = "bandwidth"


import numpy as np  # noqa: E402
import pytest  # noqa: E402

from npopt import bandwidth  # noqa: E402


def test_triad_output_of_another_dtype_is_rejected_by_name():
    b = np.zeros(4)
    with pytest.raises(TypeError, match=r"\bout\b"):
        bandwidth.triad_numba_one_pass(b, b, np.zeros(4, np.float32))


def test_triad_bytes_counts_two_reads_and_one_write():
    b = np.zeros(10)
    assert bandwidth.triad_bytes(b, b, b) == 240

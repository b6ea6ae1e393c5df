"""npopt.vectorization: every variant against its reference, and its bad-input errors."""
import numpy as np
import pytest

from kernel_checks import KernelChecks

from npopt import vectorization


class TestVectorizationKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the vectorization kernels."""


@pytest.mark.parametrize("pair_kernel", [vectorization.ADD, vectorization.MAGNITUDE])
def test_mixed_dtypes_promote_the_same_way_in_every_variant(pair_kernel):
    a, b = np.arange(5, dtype=np.float32), np.arange(5, dtype=np.int64)
    results = [v.fn(a, b) for v in pair_kernel.variants.values()]
    assert {r.dtype for r in results} == {np.result_type(results[0])}
    for r in results[1:]:
        np.testing.assert_allclose(r, results[0], rtol=1e-15)

"""npopt.vectorization: every variant against its reference, and its bad-input errors."""
from kernel_checks import *  # noqa: F401,F403  (the checks every kernel gets)

TECHNIQUE = "vectorization"


import numpy as np  # noqa: E402
import pytest  # noqa: E402

from npopt import vectorization  # noqa: E402


@pytest.mark.parametrize("pair_kernel", [vectorization.ADD, vectorization.MAGNITUDE])
def test_mixed_dtypes_promote_the_same_way_in_every_variant(pair_kernel):
    a, b = np.arange(5, dtype=np.float32), np.arange(5, dtype=np.int64)
    results = [v.fn(a, b) for v in pair_kernel.variants.values()]
    assert {r.dtype for r in results} == {np.result_type(results[0])}
    for r in results[1:]:
        np.testing.assert_allclose(r, results[0], rtol=1e-15)

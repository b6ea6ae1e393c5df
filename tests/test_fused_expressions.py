"""npopt.fused_expressions: every variant against its reference, and its bad-input errors."""
import numexpr
import numpy as np
import pytest

from kernel_checks import KernelChecks

from npopt import fused_expressions as fe


class TestFusedExpressionsKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the fused_expressions kernels."""


VARIANTS = list(fe.EXPRESSION.variants)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_variant_keeps_the_dtype_and_agrees_to_the_last_bit(variant, dtype):
    """Same operations in the same order and dtype: no variant may round differently (numexpr with
    float constants, or Numba with integer literals, would compute float32 in float64)."""
    n = 3 * (fe.CHUNK_BYTES // np.dtype(dtype).itemsize) + 7  # several chunks and a partial one
    args = fe.EXPRESSION.inputs(n, dtype=dtype, seed=1)
    expected = fe.expression_numpy_temporaries(*args)
    actual = fe.EXPRESSION.variants[variant](*args)
    assert expected.dtype == actual.dtype == dtype
    np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("variant", VARIANTS)
def test_division_by_zero_gives_inf_and_nan_as_in_numpy(variant):
    a, b, c = np.array([1.0, 0.0, -1.0]), np.array([1.0, 0.0, 2.0]), np.array([-1.0, -1.0, -1.0])
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(fe.EXPRESSION.variants[variant](a, b, c), [-np.inf, np.nan, np.inf])


@pytest.mark.parametrize("variant", VARIANTS)
def test_integers_are_computed_as_float64_and_mixed_floats_in_their_result_dtype(variant):
    fn = fe.EXPRESSION.variants[variant]
    ints = (np.arange(4), np.arange(4, dtype=np.int8), np.arange(4, dtype=np.uint16))
    np.testing.assert_array_equal(fn(*ints), fe.expression_numpy_temporaries(*(x.astype(float) for x in ints)))
    assert fn(*ints).dtype == np.float64
    assert fn(np.ones(3, np.float32), np.ones(3, np.float16), np.ones(3, np.float32)).dtype == np.float32
    assert fn(np.ones(3, np.float32), np.ones(3, np.float64), np.ones(3, np.float32)).dtype == np.float64


def test_numexpr_variant_runs_numexpr_on_one_thread():
    numexpr.set_num_threads(2)
    try:
        fe.expression_numexpr(*fe.EXPRESSION.inputs(10))
        assert numexpr.get_num_threads() == 1
    finally:
        numexpr.set_num_threads(1)


def test_chunked_variant_allocates_chunks_not_temporaries():
    """At 10^6 elements the reference holds several full-size arrays at once; the chunked and
    compiled variants only their result (plus two chunks)."""
    from measurement.inputs import peak_traced_bytes

    args = fe.EXPRESSION.inputs(1_000_000)
    result = args[0].nbytes
    assert peak_traced_bytes(fe.expression_numpy_temporaries, args) >= 2 * result
    for fn in (fe.expression_numpy_chunked, fe.expression_numba_loop):
        fn(*args)  # compiled outside the traced call
        assert peak_traced_bytes(fn, args) <= result + 2 * fe.CHUNK_BYTES + 4096

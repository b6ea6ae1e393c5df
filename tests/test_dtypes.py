"""npopt.dtypes: every variant against its reference, and its bad-input errors."""
import numpy as np
import pytest

from kernel_checks import KernelChecks

from npopt import dtypes


class TestDtypesKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the dtypes kernels."""


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.uint16, np.int64])
def test_brighten_never_overflows_small_integer_types(dtype):
    img = np.array([[0, 1, 100, 127]], dtype=dtype)
    np.testing.assert_array_equal(dtypes.brighten(img), [[0, 1, 150, 190]])


def test_brighten_clips_negative_and_bright_pixels():
    np.testing.assert_array_equal(dtypes.brighten(np.array([[-5, 170, 171, 1000]])), [[0, 255, 255, 255]])


def test_lookup_table_needs_uint8_pixels():
    with pytest.raises(TypeError, match=r"\bimg\b"):
        dtypes.brighten_lut(np.zeros((2, 2), np.int16))


def test_float32_polynomial_allocates_half_the_bytes_of_float64():
    """Holds only while NumPy can elide temporaries: Python-float scalars would defeat it for float32."""
    from measurement.inputs import peak_traced_bytes

    x = dtypes.POLYNOMIAL.inputs(1_000_000)[0]
    f64 = peak_traced_bytes(dtypes.polynomial, (x,))
    f32 = peak_traced_bytes(dtypes.polynomial, (x.astype(np.float32),))
    assert f32 <= 0.55 * f64


@pytest.mark.parametrize("variant", list(dtypes.BRIGHTEN.variants))
@pytest.mark.parametrize("img, expected", [
    (np.array([[-5, -128, 100, 127]], np.int8), [[0, 0, 150, 190]]),  # a uint8 cast gave 255, 192 (-5 read as 251)
    (np.array([[65_541, 2**40, -70_000]]), [[255, 255, 0]]),  # an int16 cast wrapped these: 7, 0, 0
    (np.array([[2**63 + 5, 3]], np.uint64), [[255, 4]]),  # an int64 cast made 2**63 + 5 negative: 0
])
def test_every_brighten_variant_saturates_pixels_outside_its_storage_type(variant, img, expected):
    np.testing.assert_array_equal(dtypes.BRIGHTEN.variants[variant](img), expected)

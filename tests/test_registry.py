"""The registry's own rules: variants a NumPy release lacks are skipped with the reason, never hidden."""
import numpy as np
import pytest

from measurement.grids import check_benchmarked
from npopt.registry import Kernel, release


def _kernel():
    k = Kernel("demo", "double", make_inputs=lambda rng, n, dtype, order: (np.arange(n, dtype=dtype),),
               validate=lambda x: (x,), sizes=(10,), headline_n=10)
    k.variant("loop", reference=True)(lambda x: np.array([2 * v for v in x], dtype=x.dtype))
    k.variant("future", numpy_min="99.0")(lambda x: 2 * x)
    k.variant("present", numpy_min="1.0")(lambda x: 2 * x)
    return k


def test_release_reads_major_and_minor():
    assert release("2.0.2") == (2, 0)
    assert release("2.5.0rc1") == (2, 5)
    assert release("1.23.5") < release("1.25") < release("2.0")


def test_variant_needing_a_later_numpy_names_the_release_it_needs():
    k = _kernel()
    reason = k.variants["future"].unavailable
    assert "NumPy >= 99.0" in reason and np.__version__ in reason
    with pytest.raises(NotImplementedError, match=r"NumPy >= 99\.0"):
        k.variants["future"](*k.inputs(3))
    with pytest.raises(NotImplementedError, match=r"NumPy >= 99\.0"):
        check_benchmarked(k, "future", 10)  # asv: n/a, with the reason


def test_variant_whose_release_is_here_runs():
    k = _kernel()
    assert k.variants["present"].unavailable is None
    np.testing.assert_array_equal(k.variants["present"](*k.inputs(3)), [0, 2, 4])
    check_benchmarked(k, "present", 10)


def test_reference_must_run_on_every_numpy():
    k = _kernel()
    with pytest.raises(ValueError, match="reference"):
        Kernel("demo", "other", make_inputs=k.make_inputs, validate=k.validate, sizes=(1,),
               headline_n=1).variant("loop", reference=True, numpy_min="2.0")(lambda x: x)


def test_the_headline_size_is_one_of_the_sizes():
    """A headline-only run times a kernel at the headline among its sizes (measurement.grids.run_grid)."""
    k = _kernel()
    with pytest.raises(ValueError, match=r"headline_n=100 is not one of its sizes \(10,\)"):
        Kernel("demo", "other", make_inputs=k.make_inputs, validate=k.validate, sizes=(10,), headline_n=100)

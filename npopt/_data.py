"""Seeded input data shared by the kernels' input builders, the same in every NumPy release."""
import numpy as np


class StableRandom(np.random.RandomState):
    """Seeded random numbers whose streams NumPy keeps fixed across releases.

    ``numpy.random.Generator`` may change its algorithms between releases; the legacy
    ``RandomState`` methods are frozen (NEP 19), so every environment of the NumPy matrix times
    the same inputs. ``integers`` mirrors the Generator method the input builders call.
    ``benchmarks/bench_inputs.py`` tracks a checksum of every benchmark input to prove it.
    """

    def integers(self, low, high, size=None):
        return self.randint(low, high, size, dtype=np.int64)


def random_array(rng, shape, dtype, order="C"):
    """Uniform [0, 1) floats or integers in [0, 100), written once so every page is faulted in."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        x = rng.random(shape).astype(dtype, copy=False)
    else:
        x = rng.integers(0, 100, shape).astype(dtype, copy=False)
    return np.asarray(x, order=order)

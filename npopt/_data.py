"""Seeded input data shared by the kernels' input builders."""
import numpy as np


def random_array(rng, shape, dtype, order="C"):
    """Uniform [0, 1) floats or integers in [0, 100), written once so every page is faulted in."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        x = rng.random(shape).astype(dtype, copy=False)
    else:
        x = rng.integers(0, 100, shape).astype(dtype, copy=False)
    return np.asarray(x, order=order)

"""npopt: NumPy optimization techniques, each as naive and optimized variants of the same kernels.

Importing the package registers every kernel in ``npopt.registry.KERNELS``.
"""
from . import bandwidth, broadcasting, compiled, dtypes, inplace, layout, sorting, uniques, vectorization  # noqa: F401
from .registry import KERNELS, Kernel, Variant, by_technique

TECHNIQUES = ("vectorization", "broadcasting", "dtypes", "inplace", "layout", "compiled", "bandwidth", "sorting",
              "uniques")

__all__ = ["KERNELS", "Kernel", "Variant", "TECHNIQUES", "by_technique"]

"""npopt: NumPy optimization techniques, each as naive and optimized variants of the same kernels.

Importing the package registers every kernel in ``npopt.registry.KERNELS``.
"""
from . import (  # noqa: F401
    bandwidth, broadcasting, compiled, dtypes, fused_expressions, inplace, layout, strings, vectorization,
)
from .registry import KERNELS, Kernel, Variant, by_technique

TECHNIQUES = ("vectorization", "broadcasting", "dtypes", "inplace", "layout", "compiled", "bandwidth",
              "strings", "fused_expressions")

__all__ = ["KERNELS", "Kernel", "Variant", "TECHNIQUES", "by_technique"]

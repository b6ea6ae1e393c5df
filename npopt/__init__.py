"""npopt: NumPy optimization techniques, each as naive and optimized variants of the same kernels.

Importing the package registers every kernel in ``npopt.registry.KERNELS``.
"""
from . import bandwidth, broadcasting, compiled, dtypes, inplace, layout, vectorization  # noqa: F401
from . import fused_expressions, scatter_add, sliding_windows, small_arrays, sorting, strings, threads, uniques  # noqa: F401
from .registry import KERNELS, Kernel, Variant, by_technique

TECHNIQUES = ("vectorization", "broadcasting", "dtypes", "inplace", "layout", "compiled", "bandwidth",
              "scatter_add", "sorting", "uniques", "strings", "fused_expressions", "sliding_windows",
              "small_arrays", "threads")

__all__ = ["KERNELS", "Kernel", "Variant", "TECHNIQUES", "by_technique"]

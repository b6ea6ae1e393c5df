"""npopt: NumPy optimization techniques, each as naive and optimized variants of the same kernels.

Importing the package registers every kernel in ``npopt.registry.KERNELS``.
"""
from . import bandwidth, broadcasting, compiled, dtypes, inplace, layout, vectorization  # noqa: F401
from . import scatter_add, sliding_windows, sorting, uniques  # noqa: F401
from . import fused_expressions, strings  # noqa: F401
from .registry import KERNELS, Kernel, Variant, by_technique

TECHNIQUES = ("vectorization", "broadcasting", "dtypes", "inplace", "layout", "compiled", "bandwidth",
              "scatter_add", "sorting", "uniques", "sliding_windows", "strings", "fused_expressions")

__all__ = ["KERNELS", "Kernel", "Variant", "TECHNIQUES", "by_technique"]

"""npopt.scatter_add: group sums by Python loop, np.add.at (rewritten in NumPy 1.25), np.bincount and sort + reduceat."""
from npopt import scatter_add

from .common import KernelBenchmark, SpeedupBenchmark


class GroupSums(KernelBenchmark):
    kernel = scatter_add.GROUP_SUMS


class GroupSums2d(KernelBenchmark):
    kernel = scatter_add.GROUP_SUMS_2D


class Speedup(SpeedupBenchmark):
    technique = "scatter_add"

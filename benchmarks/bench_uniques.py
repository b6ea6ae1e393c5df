"""npopt.uniques: collections.Counter and set against np.unique and np.isin's kinds."""
from npopt import uniques

from .common import KernelBenchmark, SpeedupBenchmark


class UniqueCounts(KernelBenchmark):
    kernel = uniques.UNIQUE_COUNTS


class Membership(KernelBenchmark):
    kernel = uniques.MEMBERSHIP


class Speedup(SpeedupBenchmark):
    technique = "uniques"

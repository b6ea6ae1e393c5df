"""npopt.broadcasting: loops and tiled copies vs broadcasting, in time and allocated bytes."""
from npopt import broadcasting

from .common import AllocationBenchmark, SpeedupBenchmark


class AddRowCol(AllocationBenchmark):
    kernel = broadcasting.ADD_ROW_COL


class PairwiseDistances(AllocationBenchmark):
    kernel = broadcasting.PAIRWISE_DISTANCES


class Speedup(SpeedupBenchmark):
    technique = "broadcasting"

"""npopt.broadcasting: loops and tiled copies vs broadcasting, in time and allocated bytes."""
from npopt import broadcasting

from .common import AllocationBenchmark, SpeedupBenchmark, grid, variant_pairs


class AddRowCol(AllocationBenchmark):
    kernel = broadcasting.ADD_ROW_COL
    params, param_names = grid(kernel)


class PairwiseDistances(AllocationBenchmark):
    kernel = broadcasting.PAIRWISE_DISTANCES
    params, param_names = grid(kernel)


class Speedup(SpeedupBenchmark):
    technique = "broadcasting"
    params, param_names = [variant_pairs(technique)], ["kernel_variant"]

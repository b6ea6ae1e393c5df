"""npopt.layout: traversal order vs storage order, in Python loops and compiled loops."""
from npopt import layout

from .common import KernelBenchmark, SpeedupBenchmark, grid, variant_pairs


class TraversalSum(KernelBenchmark):
    kernel = layout.TRAVERSAL
    params, param_names = grid(kernel)


class RowSums(KernelBenchmark):
    kernel = layout.ROW_SUMS
    params, param_names = grid(kernel)


class TransposedRowCumsum(KernelBenchmark):
    kernel = layout.ROW_CUMSUM
    params, param_names = grid(kernel)


class Speedup(SpeedupBenchmark):
    technique = "layout"
    params, param_names = [variant_pairs(technique)], ["kernel_variant"]

"""npopt.layout: traversal order vs storage order, in Python loops and compiled loops."""
from npopt import layout

from .common import KernelBenchmark, SpeedupBenchmark


class TraversalSum(KernelBenchmark):
    kernel = layout.TRAVERSAL


class RowSums(KernelBenchmark):
    kernel = layout.ROW_SUMS


class TransposedRowCumsum(KernelBenchmark):
    kernel = layout.ROW_CUMSUM


class Speedup(SpeedupBenchmark):
    technique = "layout"

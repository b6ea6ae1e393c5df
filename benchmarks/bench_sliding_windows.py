"""npopt.sliding_windows: moving means and maxima per window (O(n window)) and carried along (O(n))."""
from npopt import sliding_windows

from .common import KernelBenchmark, SpeedupBenchmark


class MovingMean(KernelBenchmark):
    kernel = sliding_windows.MOVING_MEAN


class MovingMax(KernelBenchmark):
    kernel = sliding_windows.MOVING_MAX


class Speedup(SpeedupBenchmark):
    technique = "sliding_windows"

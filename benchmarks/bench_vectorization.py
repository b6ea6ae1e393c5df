"""npopt.vectorization: Python loops vs ufunc expressions."""
from npopt import vectorization

from .common import KernelBenchmark, SpeedupBenchmark


class Add(KernelBenchmark):
    kernel = vectorization.ADD


class Magnitude(KernelBenchmark):
    kernel = vectorization.MAGNITUDE


class Speedup(SpeedupBenchmark):
    technique = "vectorization"

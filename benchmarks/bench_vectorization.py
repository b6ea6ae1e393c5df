"""npopt.vectorization: Python loops vs ufunc expressions."""
from npopt import vectorization

from .common import KernelBenchmark, SpeedupBenchmark, grid, variant_pairs


class Add(KernelBenchmark):
    kernel = vectorization.ADD
    params, param_names = grid(kernel)


class Magnitude(KernelBenchmark):
    kernel = vectorization.MAGNITUDE
    params, param_names = grid(kernel)


class Speedup(SpeedupBenchmark):
    technique = "vectorization"
    params, param_names = [variant_pairs(technique)], ["kernel_variant"]

"""npopt.inplace: temporaries vs out= and augmented assignment, in time and allocated bytes."""
from npopt import inplace

from .common import AllocationBenchmark, SpeedupBenchmark, grid, variant_pairs


class Gaussian(AllocationBenchmark):
    kernel = inplace.GAUSSIAN
    params, param_names = grid(kernel)


class AddScalar(AllocationBenchmark):
    kernel = inplace.ADD_SCALAR
    params, param_names = grid(kernel)


class Speedup(SpeedupBenchmark):
    technique = "inplace"
    params, param_names = [variant_pairs(technique)], ["kernel_variant"]

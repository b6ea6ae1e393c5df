"""npopt.inplace: temporaries vs out= and augmented assignment, in time and allocated bytes."""
from npopt import inplace

from .common import AllocationBenchmark, SpeedupBenchmark


class Gaussian(AllocationBenchmark):
    kernel = inplace.GAUSSIAN


class AddScalar(AllocationBenchmark):
    kernel = inplace.ADD_SCALAR


class Speedup(SpeedupBenchmark):
    technique = "inplace"

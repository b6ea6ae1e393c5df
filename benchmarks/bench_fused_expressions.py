"""npopt.fused_expressions: NumPy's temporaries vs numexpr, one Numba loop and NumPy over chunks, in time and bytes."""
from npopt import fused_expressions

from .common import AllocationBenchmark, SpeedupBenchmark


class Expression(AllocationBenchmark):
    kernel = fused_expressions.EXPRESSION


class Speedup(SpeedupBenchmark):
    technique = "fused_expressions"

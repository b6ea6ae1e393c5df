"""npopt.fused_expressions: NumPy's temporaries vs numexpr, a Numba loop and chunked NumPy, in time and bytes."""
from npopt import fused_expressions

from .common import AllocationBenchmark, SpeedupBenchmark


class Expression(AllocationBenchmark):
    kernel = fused_expressions.EXPRESSION


class Speedup(SpeedupBenchmark):
    technique = "fused_expressions"

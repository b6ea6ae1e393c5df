"""npopt.compiled: a Python-loop recurrence vs the same loop compiled by Numba and by Cython."""
import numpy

from npopt import compiled

from .common import KernelBenchmark, SpeedupBenchmark


class EmaWithReset(KernelBenchmark):
    kernel = compiled.EMA_WITH_RESET


class MaxDrawdown(KernelBenchmark):
    kernel = compiled.MAX_DRAWDOWN


class Speedup(SpeedupBenchmark):
    technique = "compiled"


def track_cython_built_with_numpy():
    """1 when the Cython extension was compiled against the NumPy this environment runs, else 0."""
    return int(compiled.BUILT_WITH_NUMPY == numpy.__version__)


track_cython_built_with_numpy.unit = "match"

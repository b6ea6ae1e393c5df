"""npopt.dtypes: the same work on float64 / float32 / float16 and int64 / int16 / uint8 storage.

Time, allocated bytes, and the precision each smaller type costs.
"""
import numpy as np

from measurement.inputs import build
from npopt import dtypes
from npopt.registry import KERNELS

from .common import AllocationBenchmark, SpeedupBenchmark, variant_pairs


class Polynomial(AllocationBenchmark):
    kernel = dtypes.POLYNOMIAL


class Total(AllocationBenchmark):
    kernel = dtypes.TOTAL


class Brighten(AllocationBenchmark):
    kernel = dtypes.BRIGHTEN


class Speedup(SpeedupBenchmark):
    technique = "dtypes"


class Precision:
    """Normwise relative error of each smaller-dtype variant vs the float64/int64 reference."""

    params, param_names = [variant_pairs("dtypes")], ["kernel_variant"]
    rounds = 1
    n_max = 1_000_000  # enough elements for the worst case to show; 10^7 only costs time

    def setup(self, pair):
        key, variant = pair.split(":")
        kernel = KERNELS[key]
        n = min(kernel.headline_n, self.n_max)
        self.results = [np.asarray(fn(*args), dtype=np.float64)
                        for fn, args in (build(kernel, name, n) for name in (kernel.reference, variant))]

    def track_relative_error(self, pair):
        reference, result = self.results
        return float(np.max(np.abs(result - reference)) / np.max(np.abs(reference)))

    track_relative_error.unit = "relative error"

"""npopt.small_arrays: plain Python on a list vs one NumPy call, n = 1 .. 3000, and where they cross."""
import math

from npopt import small_arrays
from npopt.registry import KERNELS, by_technique

from .common import KernelBenchmark, SpeedupBenchmark, SuiteMeasurement


class Total(KernelBenchmark):
    kernel = small_arrays.TOTAL


class Dot(KernelBenchmark):
    kernel = small_arrays.DOT


class Speedup(SpeedupBenchmark):
    technique = "small_arrays"


def crossover_n(sizes, reference, variant):
    """The n from which on ``variant`` is faster than ``reference`` (seconds per call at ``sizes``, ascending).

    The crossing after the last size where the variant is not faster (so a noisy early win does
    not count), found by interpolating log(variant / reference) linearly in log n between that
    size and the next: the n where the two times are equal. sizes[0] when the variant is faster
    at every size (the crossover is at or below it); None when it is not faster at the largest
    (no crossover up to sizes[-1]).
    """
    slower = [i for i, (r, v) in enumerate(zip(reference, variant)) if v >= r]
    if not slower:
        return sizes[0]
    i = slower[-1]
    if i == len(sizes) - 1:
        return None
    before, after = math.log(variant[i] / reference[i]), math.log(variant[i + 1] / reference[i + 1])
    return sizes[i] * (sizes[i + 1] / sizes[i]) ** (before / (before - after))


class Crossover(SuiteMeasurement):
    """Smallest n from which on the numpy variant beats the Python list (``crossover_n``), from the
    suite's one measurement. Lower is better: NumPy's per-call overhead pays off sooner. n/a when
    NumPy is not faster even at the largest size. Every release times these kernels at every size
    (``every_size_in_every_release``), so the crossover is tracked per NumPy version."""

    timeout = 120
    params, param_names = [[k.name for k in by_technique("small_arrays")]], ["kernel"]

    @classmethod
    def reads(cls, name):
        return (f"small_arrays.{name}",)

    @staticmethod
    def crossover(best, name):
        kernel = KERNELS[f"small_arrays.{name}"]
        seconds = {v: [best[(kernel.key, v, n)] for n in kernel.sizes] for v in (kernel.reference, "numpy")}
        return crossover_n(kernel.sizes, seconds[kernel.reference], seconds["numpy"])

    def setup(self, best, name):
        if self.crossover(best, name) is None:
            raise NotImplementedError(f"numpy is not faster than Python at any n up to {max(small_arrays.SIZES)}")

    def track_crossover_n(self, best, name):
        return self.crossover(best, name)

    track_crossover_n.unit = "n"

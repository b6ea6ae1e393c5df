"""npopt.bandwidth: the STREAM triad, and every memory-bound variant as a fraction of its rate."""
from measurement.point import point, split_pair
from npopt import bandwidth
from npopt.registry import KERNELS

from .common import KernelBenchmark, SpeedupBenchmark, SuiteMeasurement, benchmarked


class Triad(KernelBenchmark):
    kernel = bandwidth.TRIAD


class Speedup(SpeedupBenchmark):
    technique = "bandwidth"


TRIAD = "bandwidth.triad:numba_one_pass"


def memory_bound_pairs():
    """'kernel:variant' for every variant that declares the bytes it must move."""
    return [f"{k.key}:{name}" for k in KERNELS.values() for name, v in k.variants.items() if v.bytes_moved]


class FractionOfTriad(SuiteMeasurement):
    """Bytes a memory-bound variant must move per second, as % of the one-pass triad's rate.

    Every variant and the triad at their kernel's largest benchmark size (far beyond the caches),
    from the suite's one measurement (measurement/suite.py). Above 100% is possible:
    the triad also pays write-allocate traffic that a read-only reduction does not.
    """

    params, param_names = [memory_bound_pairs()], ["kernel_variant"]

    @classmethod
    def reads(cls, pair):
        return split_pair(pair)[0], split_pair(TRIAD)[0]

    def setup(self, best, pair):
        for key, variant in (pair.split(":"), TRIAD.split(":")):
            kernel, n = KERNELS[key], max(KERNELS[key].sizes)
            benchmarked(kernel, variant, n)  # n/a, with the reason: a NumPy that lacks it, a run of other kernels
            if point(kernel, variant, n) not in best:
                raise NotImplementedError(f"{key}:{variant} is not timed at its largest size, n={n}, in this run")

    @staticmethod
    def rate(best, pair):
        """Bytes per second of a memory-bound variant at its kernel's largest size."""
        kernel, variant = KERNELS[pair.split(":")[0]], pair.split(":")[1]
        at = point(kernel, variant, max(kernel.sizes))
        return best.moved[at] / best[at]

    def track_percent_of_triad(self, best, pair):
        return 100.0 * self.rate(best, pair) / self.rate(best, TRIAD)

    track_percent_of_triad.unit = "%"

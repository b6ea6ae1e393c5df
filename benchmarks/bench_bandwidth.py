"""npopt.bandwidth: the STREAM triad, and every memory-bound variant as a fraction of its rate."""
from npopt import bandwidth
from npopt.registry import KERNELS

from .common import KernelBenchmark, SpeedupBenchmark, best_seconds, build, figure


class Triad(KernelBenchmark):
    kernel = bandwidth.TRIAD


class Speedup(SpeedupBenchmark):
    technique = "bandwidth"


def memory_bound_pairs():
    """'kernel:variant' for every variant that declares the bytes it must move."""
    return [f"{k.key}:{name}" for k in KERNELS.values() for name, v in k.variants.items() if v.bytes_moved]


class FractionOfTriad:
    """Bytes a memory-bound variant must move per second, as % of the one-pass triad's rate.

    Both run at the kernel's largest benchmark size (far beyond the caches),
    timed alike and interleaved in each process (benchmarks/common.py). Above 100% is possible: the
    triad also pays write-allocate traffic that a read-only reduction does not.
    """

    params, param_names = [memory_bound_pairs()], ["kernel_variant"]
    timeout = 120

    def setup(self, pair):
        key, variant = pair.split(":")
        kernel = KERNELS[key]
        self.triad = build(bandwidth.TRIAD, "numba_one_pass", max(bandwidth.TRIAD.sizes))
        self.kernel = build(kernel, variant, max(kernel.sizes))
        self.kernel_bytes = kernel.variants[variant].bytes_moved(*self.kernel[1])
        self.triad_bytes = bandwidth.triad_bytes(*self.triad[1])

    def track_percent_of_triad(self, pair):
        triad, kernel = best_seconds(self.triad, self.kernel)
        return figure(100.0 * (self.kernel_bytes / kernel) / (self.triad_bytes / triad))

    track_percent_of_triad.unit = "%"

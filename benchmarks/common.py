"""Shared benchmark machinery, and the one place that says how a figure is measured.

Every timed figure (asv's ``track_seconds``, ``track_speedup`` and ``track_percent_of_triad``, the
regression gate and the repeat command) comes from ``timed_samples``: warm calls, the number of
calls per sample calibrated so a sample lasts at least SAMPLE_SECONDS, garbage collection off,
the calls being compared interleaved sample by sample, and the *minimum* of SAMPLES samples kept
(noise on a CPU only ever adds time). asv runs each figure in ROUNDS separate processes (one
process can be slow for its whole life) and stores the median of the per-process figures, with
every per-process figure kept as a sample for the change tests. README "How a figure is measured"
gives the spread this method reaches, measured with ``make repeat``.

The base classes are abstract (``kernel``/``technique`` unset), so asv skips
them; a technique's module declares one small subclass per kernel.
"""
import abc
import gc
import math
import time
import tracemalloc

from npopt.registry import KERNELS, Kernel

SAMPLE_SECONDS = 0.01  # each sample lasts at least this long (calls per sample are calibrated)
SAMPLES = 7  # samples per process; a figure keeps their minimum
MIN_SAMPLES = 3  # ... and never fewer, however slow the call
BUDGET_SECONDS = 2.0  # sampling time per process above which calls get fewer than SAMPLES samples
ROUNDS = 3  # processes per figure (asv run -a rounds=ROUNDS, tools/bench.py); asv stores their median


def figure(value):
    """A per-process figure in the form asv keeps as a sample: rounds add samples, asv stores their median."""
    return {"samples": [value], "number": 1}


def calibrate(fn, args, seconds):
    """(calls per sample, seconds per call): enough calls of fn(*args) to last ``seconds``.

    The timed call is also the warm-up of a call that was not called before (an interpreted
    reference); compiled variants were called once in setup, so their compilation is never timed.
    """
    start = time.perf_counter()
    fn(*args)
    once = max(time.perf_counter() - start, 1e-9)
    return max(1, math.ceil(seconds / once)), once


def timed_samples(*calls, samples=None, seconds=SAMPLE_SECONDS):
    """Seconds per call of each (fn, args) in ``calls``: the same number of samples each, interleaved.

    Sample i of every call is taken before sample i + 1 of any, so a slow phase of the machine
    hits all of them alike. ``samples`` defaults to SAMPLES, fewer (never below MIN_SAMPLES) when
    one round of samples would take longer than BUDGET_SECONDS / SAMPLES (a Python loop over
    10^7 elements). Returns one list of samples per call, in order.
    """
    calibrated = [calibrate(fn, args, seconds) for fn, args in calls]
    if samples is None:
        round_seconds = sum(number * once for number, once in calibrated)
        samples = max(MIN_SAMPLES, min(SAMPLES, int(BUDGET_SECONDS / round_seconds)))
    out = [[] for _ in calls]
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(samples):
            for (fn, args), (number, _), taken in zip(calls, calibrated, out):
                start = time.perf_counter()
                for _ in range(number):
                    fn(*args)
                taken.append((time.perf_counter() - start) / number)
    finally:
        if enabled:
            gc.enable()
    return out


def best_seconds(*calls, **options):
    """The minimum over ``timed_samples`` of each call, in order."""
    return [min(taken) for taken in timed_samples(*calls, **options)]


def grid(kernel):
    """asv ``params`` and ``param_names`` for a kernel: variant x size (x memory order)."""
    params, names = [list(kernel.variants), list(kernel.sizes)], ["variant", "n"]
    if len(kernel.orders) > 1:
        params.append(list(kernel.orders))
        names.append("order")
    return params, names


def build(kernel, variant, n, order="C"):
    """The variant's function and its seeded arguments of size n, converted by its prepare."""
    v = kernel.variants[variant]
    return v.fn, v.prepare(*kernel.inputs(n, order=order))


def prepared(kernel_key, variant, n, order="C"):
    """``build``, then one call: it compiles Numba kernels and faults in pages outside the timed region.

    Interpreted loops raise NotImplementedError (asv: skipped) above their max_n.
    """
    kernel = KERNELS[kernel_key]
    max_n = kernel.variants[variant].max_n
    if max_n is not None and n > max_n:
        raise NotImplementedError(f"{kernel_key}:{variant} is only benchmarked up to n={max_n}")
    fn, args = build(kernel, variant, n, order)
    fn(*args)
    return fn, args


class KernelBenchmark(abc.ABC):
    """Times each variant of ``kernel`` on inputs built in setup.

    A subclass sets ``kernel``; its asv ``params`` (variant x size x order) come from the
    registry, so a variant added there is benchmarked with no edit here.
    """

    timeout = 120

    @property
    @abc.abstractmethod
    def kernel(self):
        """The registered npopt kernel this class benchmarks."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("kernel"), Kernel):
            cls.params, cls.param_names = grid(cls.kernel)

    def setup(self, variant, n, order="C"):
        self.fn, self.args = prepared(self.kernel.key, variant, n, order)

    def track_seconds(self, *params):
        """Seconds per call of the variant: the best of calibrated samples (see the module docstring)."""
        (seconds,) = best_seconds((self.fn, self.args))
        return figure(seconds)

    track_seconds.unit = "seconds"


def peak_traced_bytes(fn, args):
    """Peak bytes allocated while fn(*args) runs, as traced by tracemalloc (NumPy reports its buffers)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class AllocationBenchmark(KernelBenchmark):
    """KernelBenchmark that also tracks the bytes each variant allocates: deterministic, unlike peakmem_."""

    def track_allocated_bytes(self, *params):
        return peak_traced_bytes(self.fn, self.args)

    track_allocated_bytes.unit = "bytes"


def variant_pairs(technique, skip=()):
    """'kernel:variant' for every non-reference variant of a technique's kernels."""
    return [f"{k.key}:{name}" for k in KERNELS.values() if k.technique == technique
            for name in k.variants if name != k.reference and name not in skip]


class SpeedupBenchmark(abc.ABC):
    """Speedup of each variant over its kernel's reference at the kernel's headline size.

    Both are timed alike, interleaved, in each process; the figure is best reference time /
    best variant time (higher is better).
    """

    timeout = 120
    param_names = ["kernel_variant"]

    @property
    @abc.abstractmethod
    def technique(self):
        """The npopt technique whose kernels this class covers."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("technique"), str):
            cls.params = [variant_pairs(cls.technique)]

    def setup(self, pair):
        key, variant = pair.split(":")
        kernel = KERNELS[key]
        self.reference = build(kernel, kernel.reference, kernel.headline_n)
        self.variant = build(kernel, variant, kernel.headline_n)

    def track_speedup(self, pair):
        reference, variant = best_seconds(self.reference, self.variant)
        return figure(reference / variant)

    track_speedup.unit = "x"

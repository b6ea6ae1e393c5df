"""Shared benchmark machinery: every class times the variants of one registered kernel.

The base classes are abstract (``kernel``/``technique`` unset), so asv skips
them; a technique's module declares one small subclass per kernel.
"""
import abc
import functools
import statistics
import time
import tracemalloc

from npopt.registry import KERNELS, Kernel

SAMPLE_SECONDS = 0.02  # each in-process sample of a track_ figure lasts at least this long
PAIRED_ROUNDS = 3


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


@functools.lru_cache(maxsize=1)
def prepared(kernel_key, variant, n, order="C"):
    """``build``, then one call: it compiles Numba kernels and faults in pages outside the timed region.

    Cached, because asv re-runs setup before each sample. Interpreted loops
    raise NotImplementedError (asv: skipped) above their max_n.
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

    warmup_time = 0.0  # setup already called the kernel once
    rounds = 1  # one process per benchmark: the suite must stay quick across the NumPy matrix
    repeat = (3, 5, 0.4)

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

    def time_kernel(self, *params):
        self.fn(*self.args)


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


def sample_seconds(fn, args):
    """Seconds per call, averaged over enough calls to last SAMPLE_SECONDS (one call if it is that slow)."""
    start = time.perf_counter()
    fn(*args)
    once = time.perf_counter() - start
    if once >= SAMPLE_SECONDS:
        return once
    number = int(SAMPLE_SECONDS / max(once, 1e-9))
    start = time.perf_counter()
    for _ in range(number):
        fn(*args)
    return (time.perf_counter() - start) / number


def paired_seconds(first, second, rounds=PAIRED_ROUNDS):
    """Median seconds of two (fn, args) pairs timed in alternating rounds, so drift hits both."""
    a, b = [], []
    for _ in range(rounds):
        a.append(sample_seconds(*first))
        b.append(sample_seconds(*second))
    return statistics.median(a), statistics.median(b)


def variant_pairs(technique, skip=()):
    """'kernel:variant' for every non-reference variant of a technique's kernels."""
    return [f"{k.key}:{name}" for k in KERNELS.values() if k.technique == technique
            for name in k.variants if name != k.reference and name not in skip]


class SpeedupBenchmark(abc.ABC):
    """Speedup of each variant over its kernel's reference at the kernel's headline size.

    Both are timed in one process, in alternating rounds; the figure is
    reference time / variant time (higher is better).
    """

    rounds = 1
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
        fn, args = self.variant
        fn(*args)  # compile and fault in; the reference is never compiled, and each sample's first call warms it

    def track_speedup(self, pair):
        reference, variant = paired_seconds(self.reference, self.variant)
        return reference / variant

    track_speedup.unit = "x"

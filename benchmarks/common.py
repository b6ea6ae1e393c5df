"""asv's benchmark classes of the suite, thin declarations over the measurement package (measurement/).

One asv ``setup_cache`` (``SuiteMeasurement``, shared by every timed class, run once per
environment) takes the suite's samples (measurement/suite.py: the matrix's interleaved samples, and
the rest timed in fresh processes) and counts (measurement/cost.py); every ``track_`` figure then
reads its point's value: every figure measured under the same conditions.

asv's selection (--bench, passed on as SELECT by tools/asv_plugin.py and tools/bench.py) is read here,
by asv's rule over the names of these classes' figures: the measurement package is told which
kernels to measure.

The bodies of ``setup_cache``, ``setup`` and the ``track_`` methods are part of each benchmark's asv
version (a hash of their source): asv publish drops a stored result whose version differs, so they
are kept as they are (tests/test_benchmarks.py holds the versions to the stored ones).

The base classes are abstract (``kernel``/``technique`` unset), so asv skips
them; a technique's module declares one small subclass per kernel.
"""
import abc
import functools
import importlib
import itertools
import os
import pkgutil
import re
import statistics

from asv_runner.benchmarks.mark import SkipNotImplemented

from measurement import cost, grids, suite
from measurement.grids import PROFILE, SELECT, headline_only, run_grid, why_nothing_counted
from measurement.inputs import peak_traced_bytes, prepared, speedups
from measurement.point import pair, split_pair
from measurement.timing import calibrate, timed
from npopt.registry import KERNELS, Kernel


def unselected(kernel):
    """Why this run does not measure kernel, or None: SELECT (asv's --bench, set by tools/asv_plugin.py
    or tools.bench: asv runs setup_cache without saying which benchmarks will read it) matches none of
    the asv names that read the kernel (``selected_kernels``) nor its key ('technique.kernel', as the
    gate's keys start)."""
    pattern = os.environ.get(SELECT)
    if pattern and kernel.key not in selected_kernels(pattern):
        return f"{SELECT}={pattern!r} does not select {kernel.key}: it is not measured in this run"
    return None


@functools.cache
def selected_kernels(pattern):
    """{kernel key} that the benchmarks asv's --bench ``pattern`` selects read, by asv's rule: a benchmark
    is selected where the pattern is found in its name, bare or with one of its parameter combinations
    ("bench_vectorization.Add.track_seconds('loop', 1000)"); each class says what it reads (``reads``).
    A key the pattern is found in is selected too."""
    for module in pkgutil.iter_modules([os.path.dirname(__file__)]):
        if module.name.startswith("bench_"):
            importlib.import_module(f"{__package__}.{module.name}")
    keys = {key for key in KERNELS if re.search(pattern, key)}
    for cls in suite_classes(SuiteMeasurement):
        params = getattr(cls, "params", [])
        params = params if not params or isinstance(params[0], list) else [params]
        figures = [f"{cls.__module__.split('.', 1)[-1]}.{cls.__name__}.{name}" for name in dir(cls)
                   if name.startswith("track_")]
        for combo in itertools.product(*params):
            named = [f"{figure}({', '.join(map(repr, combo))})" for figure in figures] if params else []
            if any(re.search(pattern, name) for name in figures + named):
                keys.update(cls.reads(*combo))
    return keys


def suite_classes(base):
    """The concrete (asv-benchmarked) subclasses of base, at any depth."""
    for cls in base.__subclasses__():
        if not getattr(cls, "__abstractmethods__", None):
            yield cls
        yield from suite_classes(cls)


def selected():
    """The keys of the kernels this run measures (``unselected``)."""
    return [key for key, kernel in KERNELS.items() if unselected(kernel) is None]


def benchmarked(kernel, variant, n):
    """Raise NotImplementedError (asv: skipped, n/a) where a point of the grid is not benchmarked
    (``grids.check_benchmarked``) or its kernel is not selected in this run. (A participle for a
    function that raises: the name is in the source of the setups asv hashes into their versions.)"""
    reason = unselected(kernel)
    if reason is not None:
        raise NotImplementedError(reason)
    grids.check_benchmarked(kernel, variant, n)


def measure_samples():
    """``suite.samples`` of the selected kernels."""
    return suite.samples(selected())


def measure_cost():
    """``suite.counts`` of the selected kernels."""
    return suite.counts(selected())


def reported(samples):
    """What a ``track_`` figure returns for asv: a lone value, or, from several samples, asv's timing
    result form ({"samples", "number"}), from which asv stores the median, its 99% interval and the
    quartiles (``asv_runner.statistics.compute_stats``) and, with --record-samples, the samples."""
    return samples[0] if len(samples) == 1 else {"samples": list(samples), "number": 1}


class Measured(dict):
    """{(kernel key, *asv parameters): median seconds} of the suite's samples, the samples themselves in
    ``samples`` (one per round or measuring process), the bytes its memory-bound points move in
    ``moved``, and the suite's counts in ``cost`` (``measure_cost``)."""

    def __init__(self, samples, moved, cost):
        super().__init__((key, statistics.median(taken)) for key, taken in samples.items())
        self.samples, self.moved, self.cost = samples, moved, cost


class SuiteMeasurement:
    """The one measurement every timed and counted class reads: asv runs this ``setup_cache`` once per
    environment (the classes share it because they share this function) and hands each figure's
    process its ``Measured``: every point's samples and bytes moved, and the counts."""

    def setup_cache(self):
        return Measured(*measure_samples(), measure_cost())

    setup_cache.timeout = 1800

    @classmethod
    def reads(cls, *params):
        """The kernel keys the figures at these asv parameters read (``selected_kernels``): here every
        kernel, which a class reading fewer narrows."""
        return KERNELS.keys()


def profiled_calls(*points):
    """The prepared calls at ``points`` (kernel key, *asv parameters) when asv profiles (PROFILE), else none.

    asv profile runs a figure's function under cProfile after its setup, and a track_ figure only
    reads the suite's measurement: under PROFILE, setup prepares the figure's kernel calls and the
    figure makes them (``call_profiled``), so the profile shows the kernel."""
    return [prepared(*at) for at in points] if os.environ.get(PROFILE) else []


def call_profiled(calls):
    """Call each of ``calls`` (``profiled_calls``) for about 0.1 s."""
    for fn, args in calls:
        timed(fn, args, calibrate(fn, args, 0.1)[0])


def counted(measured, kernel, params):
    """The cost figures of a point; asv shows n/a (SkipNotImplemented) where it is not counted, with the
    reason: the point's own, else no Valgrind for this platform, else the run's."""
    if isinstance(measured.cost, str):
        raise cost.CostUnavailable(measured.cost)
    at = (kernel.key, *params)
    if at not in measured.cost:
        raise SkipNotImplemented(cost.why_not_counted(kernel, *params[:2]) or cost.why_no_valgrind()
                                 or why_nothing_counted())
    return measured.cost[at]


class KernelBenchmark(SuiteMeasurement, abc.ABC):
    """Seconds per call of each variant of ``kernel``, at every size and order, and its counted cost
    at the kernel's smallest size (``cost.count_size``).

    A subclass sets ``kernel``; its asv ``params`` (variant x size x order) come from the
    registry, so a variant added there is benchmarked with no edit here. ``setup`` skips the
    points an interpreted loop is not benchmarked at (asv: n/a).
    """

    timeout = 120

    @property
    @abc.abstractmethod
    def kernel(self):
        """The registered npopt kernel this class benchmarks."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("kernel"), Kernel):
            cls.params, cls.param_names = run_grid(cls.kernel)

    @classmethod
    def reads(cls, *params):
        return (cls.kernel.key,)

    def setup(self, best, variant, n, *order):
        benchmarked(self.kernel, variant, n)
        self.profiled = profiled_calls((self.kernel.key, variant, n, *order))

    def track_seconds(self, measured, *params):
        """Seconds per call of the variant: its samples, each the best calibrated sample of a round or
        process (see the module docstring); asv keeps their median and interval."""
        call_profiled(self.profiled)
        return reported(measured.samples[(self.kernel.key, *params)])

    track_seconds.unit = "seconds"

    if not headline_only():  # nothing is counted there (measure_cost): asv would start a process per n/a point
        def track_instructions(self, measured, *params):
            """Instructions per call on Valgrind's cache simulator (benchmarks/cost.py), of the code NumPy and
            Numba run there: AVX2 at most, since Valgrind runs no AVX-512 (the gate's report names the level)."""
            return counted(measured, self.kernel, params)["instructions"]

        track_instructions.unit = "instructions"

        def track_estimated_cycles(self, measured, *params):
            """Estimated cycles per call on the simulator, Ir + 10 L1 misses + 100 LL misses: a model, not
            this machine's cycles (benchmarks/cost.py)."""
            return counted(measured, self.kernel, params)["cycles"]

        track_estimated_cycles.unit = "cycles"


class AllocationBenchmark(KernelBenchmark):
    """KernelBenchmark that also tracks the bytes each variant allocates: deterministic, unlike peakmem_."""

    def track_allocated_bytes(self, best, *params):
        return peak_traced_bytes(*prepared(self.kernel.key, *params))

    track_allocated_bytes.unit = "bytes"


def variant_pairs(technique, skip=()):
    """'kernel:variant' for every non-reference variant of a technique's kernels."""
    return [pair(k.key, name) for k in KERNELS.values() if k.technique == technique
            for name in k.variants if name != k.reference and name not in skip]


class SpeedupBenchmark(SuiteMeasurement, abc.ABC):
    """Speedup of each variant over its kernel's reference at the kernel's headline size.

    Both timed alike in the suite's one measurement (``SuiteMeasurement``); the figure is best
    reference time / best variant time (higher is better).
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

    @classmethod
    def reads(cls, pair):
        return (split_pair(pair)[0],)

    def setup(self, best, pair):
        key, variant = pair.split(":")
        reason = KERNELS[key].variants[variant].unavailable or unselected(KERNELS[key])
        if reason is not None:
            raise NotImplementedError(reason)
        at = (KERNELS[key].headline_n, *(("C",) if len(KERNELS[key].orders) > 1 else ()))
        self.profiled = profiled_calls(*((key, v, *at) for v in (KERNELS[key].reference, variant)))

    def track_speedup(self, measured, pair):
        """Reference seconds / variant seconds, one ratio per round (or process): both were timed within
        the same visit of the kernel, so a slow phase of the host hits both alike."""
        kernel, variant = KERNELS[pair.split(":")[0]], pair.split(":")[1]
        call_profiled(self.profiled)
        return reported(speedups(measured.samples, kernel, variant))

    track_speedup.unit = "x"

"""Shared benchmark machinery, and the one place that says how a figure is measured.

Every timed figure (asv's ``track_seconds``, ``track_speedup`` and ``track_percent_of_triad``, the
regression gate and the repeat command) comes from ``interleaved_samples``: each call warmed,
the number of calls per sample calibrated so a sample lasts at least SAMPLE_SECONDS, garbage
collection off, the calls of one benchmark class sampled in turn (round-robin) until
WINDOW_SECONDS have passed and each has MIN_SAMPLES samples, and the *minimum* kept (noise on a
CPU only ever adds time).

Why a window: on the shared hosts here a pure-CPU loop runs alternately at two speeds about 1.5x
apart, in phases of seconds (docs/measurement.md). A process that times its
figure in a fraction of a second is in one phase or the other; a minimum over samples spread
across several seconds reaches the fast phase. So one asv ``setup_cache`` (``SuiteMeasurement``,
shared by every timed class, run once per environment) times every point of the suite in
PROCESSES fresh processes one after another, each sampling every point in turn over its window
(a point's samples are a full pass, seconds, apart); each figure keeps its minimum over all of
them. Every ``track_`` figure then reads its point's value: every figure measured under the same
conditions, and three measuring processes instead of one per parameter. The same setup_cache
also counts the suite's cost on a cache simulator (benchmarks/cost.py), for the
``track_instructions`` and ``track_estimated_cycles`` figures that do not move with the host's load.

The base classes are abstract (``kernel``/``technique`` unset), so asv skips
them; a technique's module declares one small subclass per kernel.
"""
import abc
import contextlib
import functools
import gc
import importlib
import itertools
import json
import math
import os
import pkgutil
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import tracemalloc

import numpy as np
from asv_runner.benchmarks.mark import SkipNotImplemented

from npopt.registry import KERNELS, Kernel, usable_cpus

from . import cost

SAMPLE_SECONDS = 0.005  # each sample lasts at least this long (calls per sample are calibrated)
WINDOW_SECONDS = 12.0  # each measuring process of the whole suite spreads its samples over at least this long
PROCESSES = 3  # measuring processes, one after another; each figure keeps its best
REST_PROCESSES = 2  # ... for the points that tools/matrix.py did not sample (compared across no environments)
MIN_SAMPLES = 3  # ... and each call gets at least this many, however slow it is
ALIGNMENT = 64  # bytes every benchmark array starts on: a cache line, and one AVX-512 vector
GRID = "NPOPT_GRID"  # "headline": time each variant at its kernel's headline points only (older NumPy releases)
SELECT = "NPOPT_BENCH"  # a regular expression: measure only the kernels it selects (asv's --bench: tools/asv_plugin.py)
QUICK = "NPOPT_QUICK"  # set for asv's --quick and asv profile (tools/asv_plugin.py): one short measuring process, no count
PROFILE = "NPOPT_PROFILE"  # set for asv profile (tools/asv_plugin.py): a timed figure calls its kernel, for cProfile
FIGURES = ("track_seconds", "track_instructions", "track_estimated_cycles", "track_allocated_bytes")


CLAIMS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "claims", "numpy_release_notes.toml")


def headline_only():
    """True when this run times the headline points only, in one measuring process: ``make bench``
    gives the older NumPy releases (and the SIMD-disabled twin) the points their speedups, charts and
    release-note claims are read at, and the newest release every size in PROCESSES processes
    (docs/matrix.md, "What each environment times")."""
    return os.environ.get(GRID) == "headline"


def quick():
    """True when this run is a quick look (asv --quick, asv profile): one measuring process, each point
    sampled once, nothing counted. asv does not tell setup_cache; tools/asv_plugin.py sets QUICK."""
    return bool(os.environ.get(QUICK))


def uncounting():
    """Why this run counts nothing (a headline-only or quick run), or None."""
    if headline_only():
        return f"{GRID}=headline: nothing is counted"
    return f"{QUICK}: a quick run counts nothing" if quick() else None


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


def load_claims(path=CLAIMS):
    """The release-note claims of the data file (tools/claims.py judges them), in its order (a list of dicts)."""
    with open(path, "rb") as f:
        return tomllib.load(f)["claim"]


def claimed_sizes():
    """{kernel key: {n}}: the sizes other than the headline at which a release-note claim reads a kernel."""
    sizes = {}
    for claim in load_claims():
        if "n" in claim:
            sizes.setdefault(claim["kernel"], set()).add(claim["n"])
    return sizes


def calibrate(fn, args, seconds):
    """(calls per sample, the seconds of the first call made to find out): enough calls of fn(*args) to
    last ``seconds``, from the first call and, where that was shorter, batches of calls.

    The timed call is also the warm-up of a call that was not called before (an interpreted
    reference); compiled variants were called once when prepared, so compilation is never timed.
    """
    start = time.perf_counter()
    fn(*args)
    elapsed = time.perf_counter() - start
    number = max(1, math.ceil(seconds / max(elapsed, 1e-9)))
    # A first call is cold, and a batch can be preempted: either would leave a fast call too few calls per
    # sample, each sample then mostly the cold start of its first call. Batches grow until one lasts half
    # a sample.
    while number > 1:
        batch = timed(fn, args, number) * number
        if batch >= seconds / 2:
            break
        number = math.ceil(number * seconds / max(batch, 1e-12))
    return number, elapsed


def timed(fn, args, number, least=0.0):
    """Seconds per call of fn(*args) over batches of ``number`` calls in a row, as many batches as last
    ``least`` seconds: one sample.

    The first call after the process was idle is slow (a 64x64 matmul: 300 us, against 25 us warm),
    and a point calibrated while its neighbours built (``calibrate``) can get a few calls per batch:
    its samples would then be mostly that first call, and it alone slower than the same point in
    another process. A sample of at least ``least`` seconds bounds that share whatever the batch.
    """
    calls, begin = 0, time.perf_counter()
    while True:
        for _ in range(number):
            fn(*args)
        calls += number
        elapsed = time.perf_counter() - begin
        if elapsed >= least:
            return elapsed / calls


def interleaved_samples(calls, window=None, min_samples=None, seconds=None):
    """{key: [seconds per call, one per sample]} for ``calls`` = {key: (fn, args)}.

    The calls are sampled in turn, one sample each per pass, so a slow phase of the machine hits
    all of them alike; passes continue until ``window`` seconds have passed and every call has
    ``min_samples`` samples. A calibration call that lasts a sample is a one-call sample like the
    others, which spares a call of the slowest points (an interpreted loop: a third of a second a
    call). Defaults: WINDOW_SECONDS, MIN_SAMPLES, SAMPLE_SECONDS.
    """
    window = WINDOW_SECONDS if window is None else window
    min_samples = MIN_SAMPLES if min_samples is None else min_samples
    seconds = SAMPLE_SECONDS if seconds is None else seconds
    enabled = gc.isenabled()
    gc.disable()
    try:
        numbers, out = {}, {}
        for key, (fn, args) in calls.items():
            numbers[key], elapsed = calibrate(fn, args, seconds)
            out[key] = [elapsed] if elapsed >= seconds else []
        start = time.perf_counter()
        while calls and (min(map(len, out.values())) < min_samples or time.perf_counter() - start < window):
            for key, (fn, args) in calls.items():
                out[key].append(timed(fn, args, numbers[key], seconds / 2))
    finally:
        if enabled:
            gc.enable()
    return out


def best_seconds(calls, **options):
    """{key: the minimum of its ``interleaved_samples``}."""
    return {key: min(taken) for key, taken in interleaved_samples(calls, **options).items()}


def benchmark_name(kernel, figure="track_seconds"):
    """asv's name of a kernel's figure: its benchmark class is the kernel's name in CamelCase
    ("group_sums_2d" -> "bench_scatter_add.GroupSums2d.track_seconds")."""
    return f"bench_{kernel.technique}.{''.join(part.capitalize() for part in kernel.name.split('_'))}.{figure}"


def grid(kernel, headline=False):
    """``params`` and ``param_names`` of a kernel's grid: variant x size (x memory order); with headline,
    the points a headline-only run times (``run_grid``): the headline and claimed sizes, C order, but
    every size of a kernel read across sizes (``every_size_in_every_release``). The names are the same."""
    sizes, orders = list(kernel.sizes), list(kernel.orders)
    if headline and not kernel.every_size_in_every_release:
        kept = {kernel.headline_n} | claimed_sizes().get(kernel.key, set())
        sizes, orders = [n for n in sizes if n in kept], ["C"]
    params, names = [list(kernel.variants), sizes], ["variant", "n"]
    if len(kernel.orders) > 1:
        params.append(orders)
        names.append("order")
    return params, names


def run_grid(kernel):
    """The grid this run times, asv's ``params`` and ``param_names``: the whole ``grid``, or in a headline-only
    run its headline points, so asv starts no process for a point that is not timed (docs/matrix.md, "What each environment times")."""
    return grid(kernel, headline=headline_only())


def aligned(x):
    """A contiguous array moved to memory that starts on an ALIGNMENT-byte boundary (same values and order).

    Where an array starts decides whether SIMD loads split across cache lines: malloc aligns to
    16 bytes only, and which offset a process gets varies, so an in-cache ufunc ran 1.5x apart
    between processes (docs/measurement.md). Views that are not contiguous, arrays
    already aligned, and arrays of references (object, StringDType: raw bytes cannot hold what
    they point to) are returned as they are.
    """
    if not isinstance(x, np.ndarray) or x.ctypes.data % ALIGNMENT == 0 or x.dtype.hasobject or not (
            x.flags.c_contiguous or x.flags.f_contiguous):
        return x
    raw = np.empty(x.nbytes + ALIGNMENT, np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    order = "F" if x.flags.f_contiguous and not x.flags.c_contiguous else "C"
    out = np.ndarray(x.shape, x.dtype, raw[start:start + x.nbytes].data, order=order)
    out[...] = x
    return out


_shared = None  # inside sharing_inputs(): [(kernel, n, order), its inputs], the inputs made last


@contextlib.contextmanager
def sharing_inputs():
    """Inside, ``build`` gives the variants built one after another at the same size and order
    (``by_size``) the same inputs, made once: making them is most of what building a point costs, and
    every variant leaves them as they are (prepare gives a variant that writes its own copies: the tests
    hold it to that). Outside, each build makes its own and keeps nothing (the count's processes)."""
    global _shared
    _shared = [None, None]
    try:
        yield
    finally:
        _shared = None


def kernel_inputs(kernel, n, order):
    """The kernel's seeded inputs of size n and order, aligned: made anew, or inside sharing_inputs() the last
    ones made if they are of this kernel, size and order (aligned once, so the variants that use them as
    they are share one copy: a measuring process holds every headline point at once)."""
    if _shared is None:
        return kernel.inputs(n, order=order)
    made = _shared[0]
    if made is None or made[0] is not kernel or made[1:] != (n, order):
        _shared[:] = (kernel, n, order), tuple(aligned(a) for a in kernel.inputs(n, order=order))
    return _shared[1]


def build(kernel, variant, n, order="C"):
    """The variant's function and its seeded arguments of size n, converted by its prepare and aligned."""
    v = kernel.variants[variant]
    return v.fn, tuple(aligned(a) for a in v.prepare(*kernel_inputs(kernel, n, order)))


def by_size(params):
    """The points (variant, n[, order]) of a grid's ``params``, those of one size and order together, so
    that they share their inputs (``sharing_inputs``)."""
    variants, *rest = params
    return [(variant, *at) for at in itertools.product(*rest) for variant in variants]


def benchmarked(kernel, variant, n):
    """Raise NotImplementedError (asv: skipped, n/a) where a point of the grid is not benchmarked: a
    variant in a NumPy that lacks its API (the reason names the release it needs), a kernel this run
    does not select, and an interpreted loop above its max_n."""
    reason = kernel.variants[variant].unavailable or unselected(kernel)
    if reason is not None:
        raise NotImplementedError(reason)
    max_n = kernel.variants[variant].max_n
    if max_n is not None and n > max_n:
        raise NotImplementedError(f"{kernel.key}:{variant} is only benchmarked up to n={max_n}")


def prepared(kernel_key, variant, n, order="C"):
    """``build``, then one call: it compiles Numba kernels and faults in pages outside the timed region.

    Interpreted loops raise NotImplementedError (asv: skipped) above their max_n.
    """
    kernel = KERNELS[kernel_key]
    benchmarked(kernel, variant, n)
    fn, args = build(kernel, variant, n, order)
    fn(*args)
    return fn, args


def kernel_calls(kernel, skip=frozenset()):
    """{asv parameter tuple: prepared (fn, args)} for every benchmarked point of the grid this run times,
    but those whose (kernel key, *asv parameters) are in ``skip``."""
    calls = {}
    for combo in by_size(run_grid(kernel)[0]):
        if (kernel.key, *combo) in skip:
            continue
        try:
            calls[combo] = prepared(kernel.key, *combo)
        except NotImplementedError:
            continue
    return calls


def point(kernel, variant, n):
    """The measurement's key of a variant at size n: (kernel key, *asv parameters), C order where orders vary."""
    return (kernel.key, variant, n) + (("C",) if len(kernel.orders) > 1 else ())


def suite_calls(skip=()):
    """{(kernel key, *asv parameters): (fn, args)}: every point of every kernel's grid, plus every
    variant at its kernel's headline size (where the speedups are taken; a reference loop is timed
    there even above its max_n), but the points in ``skip``. Variants this NumPy lacks are left out."""
    calls, skip = {}, {tuple(key) for key in skip}
    with sharing_inputs():
        for kernel in KERNELS.values():
            calls.update(((kernel.key, *combo), call) for combo, call in kernel_calls(kernel, skip).items())
            for variant, v in kernel.variants.items():
                at = point(kernel, variant, kernel.headline_n)
                if at not in calls and at not in skip and v.unavailable is None and unselected(kernel) is None:
                    calls[at] = build(kernel, variant, kernel.headline_n, *at[3:])
    return calls


def moved_bytes(calls):
    """{key: bytes} that each point of ``calls`` whose variant declares ``bytes_moved`` must move per call."""
    return {key: KERNELS[key[0]].variants[key[1]].bytes_moved(*args) for key, (_, args) in calls.items()
            if KERNELS[key[0]].variants[key[1]].bytes_moved}


_CHILD = """import json, sys
sys.path.append({root!r})  # after site-packages: npopt is the environment's build, benchmarks/ this suite
from benchmarks.common import best_seconds, moved_bytes, suite_calls
calls = suite_calls(skip={skip!r})
best = best_seconds(calls, window={window!r}, min_samples={min_samples!r})
with open({out!r}, "w") as f:
    json.dump({{"seconds": [[list(key), seconds] for key, seconds in best.items()],
               "bytes_moved": [[list(key), moved] for key, moved in moved_bytes(calls).items()]}}, f)
"""


def suite_window():
    """WINDOW_SECONDS times the share of the registry's kernels this run selects (SELECT): a selection's
    processes last in proportion to it, as asv's --bench users expect, instead of a whole-suite window
    for a few points. A smaller window leaves fewer, closer samples: their interval says so."""
    selected = sum(unselected(kernel) is None for kernel in KERNELS.values())
    return WINDOW_SECONDS * selected / len(KERNELS)


def measure_suite(processes=None, window=None, min_samples=None, skip=()):
    """({(kernel key, *asv parameters): [best seconds of each process]}, {point: ``moved_bytes``}):
    ``processes`` fresh processes (PROCESSES, or one in a headline-only run), one after another,
    each timing every point of ``suite_calls`` but those in ``skip`` over ``window`` (``suite_window``).

    Several processes, because a process can be slow for its whole life (where its large arrays
    landed, whether it got huge pages) and because the host's slow phases can outlast one window.
    The points every environment shares are measured across the environments at once instead
    (``interleaved``, docs/measurement.md); this measures the rest.
    """
    samples, moved = {}, {}
    kernels = sorted(k.key for k in KERNELS.values() if unselected(k) is None)
    print(f"measuring {len(kernels)} kernel(s): {' '.join(kernels)}", file=sys.stderr, flush=True)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "best.json")
        if quick():
            window, min_samples = 0, 1
        code = _CHILD.format(root=root, out=out, window=suite_window() if window is None else window,
                             min_samples=MIN_SAMPLES if min_samples is None else min_samples,
                             skip=sorted(skip))
        for _ in range(processes or (1 if headline_only() or quick() else PROCESSES)):
            subprocess.run([sys.executable, "-c", code], check=True)
            with open(out) as f:
                report = json.load(f)
            for key, seconds in report["seconds"]:
                samples.setdefault(tuple(key), []).append(seconds)
            moved.update((tuple(key), n) for key, n in report["bytes_moved"])
    return samples, moved


SAMPLES = "NPOPT_SAMPLES"  # a folder of interleaved samples, one file per asv environment (tools/matrix.py)


def interleaved():
    """({point: [seconds per round]}, {point: bytes moved}) that tools/matrix.py measured for this asv
    environment (asv names it in ASV_ENV_NAME) at this commit, or ({}, {}) when none was.

    Those points were timed in every environment of the matrix at once, round after round, so that
    a slow phase of the host hits every environment alike (docs/measurement.md)."""
    folder, env, commit = os.environ.get(SAMPLES), os.environ.get("ASV_ENV_NAME"), os.environ.get("ASV_COMMIT")
    path = folder and env and os.path.join(folder, f"{env}.json")
    if not path or not os.path.exists(path):
        return {}, {}
    with open(path) as f:
        stored = json.load(f)
    if commit and stored["commit"] != commit:
        return {}, {}
    return ({tuple(key): seconds for key, seconds in stored["samples"]},
            {tuple(key): moved for key, moved in stored["bytes_moved"]})


def measure_samples():
    """({point: [seconds]}, {point: bytes moved}): this environment's interleaved samples (``interleaved``),
    and the points they lack measured here (``measure_suite``); a headline-only run with interleaved
    samples has nothing left to measure."""
    samples, moved = interleaved()
    if not (samples and headline_only()):  # the sizes only this run times, in fewer processes beside samples
        more, more_moved = measure_suite(processes=REST_PROCESSES if samples else None, skip=set(samples))
        samples, moved = {**more, **samples}, {**more_moved, **moved}
    return samples, moved


def measure_cost():
    """{point: figures} of ``cost.count()`` for every counted point (none in a headline-only run), or,
    where the count cannot be made, the reason (a string): then the count figures fail with it and
    the timed ones stand."""
    if uncounting():
        return {}
    try:
        return cost.count(parts=usable_cpus())  # nothing is timed meanwhile: a child per core
    except cost.CostUnavailable as exc:
        return str(exc)


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
    """The cost figures of a point; asv shows n/a (SkipNotImplemented) where it is not counted."""
    if isinstance(measured.cost, str):
        raise cost.CostUnavailable(measured.cost)
    at = (kernel.key, *params)
    if at not in measured.cost:
        raise SkipNotImplemented(cost.uncounted(kernel, *params[:2]) or uncounting())
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

    def track_allocated_bytes(self, best, *params):
        return peak_traced_bytes(*prepared(self.kernel.key, *params))

    track_allocated_bytes.unit = "bytes"


def speedups(samples, kernel, variant):
    """[reference seconds / variant seconds] at the kernel's headline size, sample by sample."""
    reference, taken = (samples[point(kernel, v, kernel.headline_n)] for v in (kernel.reference, variant))
    return [r / t for r, t in zip(reference, taken)]


def variant_pairs(technique, skip=()):
    """'kernel:variant' for every non-reference variant of a technique's kernels."""
    return [f"{k.key}:{name}" for k in KERNELS.values() if k.technique == technique
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
        return (pair.split(":")[0],)

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

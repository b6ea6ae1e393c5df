"""The single list of kernels and their variants.

Tests and benchmarks both enumerate ``KERNELS``: adding a variant to a kernel
(one decorated function in its technique module) makes it tested against the
reference on hostile inputs and benchmarked, with nothing else to edit.
"""
from __future__ import annotations

import functools
import inspect
import os
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import _check
from ._data import StableRandom

KERNELS: dict[str, "Kernel"] = {}


def _unchanged(*args):
    return args


@dataclass(frozen=True)
class Variant:
    """One implementation of a kernel.

    ``prepare`` turns the kernel's inputs into this variant's own storage
    (another dtype, a private copy to mutate, an output buffer); it runs in
    benchmark setup, never in the timed region. ``max_n`` caps the benchmark
    size for interpreted loops that would take seconds per call.
    ``bytes_moved(*prepared_args)`` marks a memory-bound variant: the bytes
    it must read and write at least, to compare its rate with the machine's
    memory bandwidth.

    ``mutates`` names the arguments ``fn`` writes into by design (an output
    buffer, an in-place update); ``fn`` must leave every other argument as it
    was, and ``prepare`` must give it its own copies of these, so calling the
    variant never changes the caller's arrays. ``result_dtype`` declares the
    dtype of the result when it differs from the reference's by design (the
    dtypes technique computes in its smaller storage type); None means the
    reference's result dtype. The tests compare such a variant with the
    reference's answer rounded to its float dtype (float16 overflows to inf)
    or, for an integer dtype, exactly.

    ``numpy_min`` ("2.0") marks a variant built on an API older NumPy releases
    lack: there it is ``unavailable``, calling it raises NotImplementedError
    naming the release it needs, asv shows it as n/a and pytest skips it with
    that reason.

    ``canary`` marks a variant that calls no NumPy code in its timed region (a built-in loop over a
    list): no NumPy release can change its time, so its spread across the environments of one run
    is that run's measured noise floor (docs/measurement.md).

    ``simd_level`` ("AVX2") names the lowest of bench_simd's SIMD levels at which the newest NumPy
    runs the variant's call as SIMD code (x86-simd-sort's sorts): on a machine whose NumPy
    dispatches to that level, the SIMD-disabled twin must be marked slower there, the run's
    positive control (docs/measurement.md).

    ``threads`` (2) marks a variant that runs that many threads by design: in a process that may
    run on fewer CPUs (its affinity mask, as ``taskset`` or asv's ``--cpu-affinity`` set it) the
    threads would share a core, so the variant is ``unavailable`` there, with that reason.
    """

    name: str
    fn: Callable
    prepare: Callable = _unchanged
    max_n: int | None = None
    bytes_moved: Callable | None = None
    mutates: tuple = ()
    result_dtype: np.dtype | None = None
    numpy_min: str | None = None
    threads: int = 1
    canary: bool = False
    simd_level: str | None = None

    @property
    def unavailable(self) -> str | None:
        """Why this process cannot run this variant as meant (its NumPy, its CPUs), or None when it can."""
        if self.numpy_min is not None and release(np.__version__) < release(self.numpy_min):
            return f"{self.name} needs NumPy >= {self.numpy_min}; this is NumPy {np.__version__}"
        if self.threads > usable_cpus():
            return f"{self.name} runs {self.threads} threads; this process may run on {usable_cpus()} CPU(s)"
        return None

    def __call__(self, *args):
        if self.unavailable is not None:  # before prepare, which may use the API this NumPy lacks
            raise NotImplementedError(self.unavailable)
        return self.fn(*self.prepare(*args))


def usable_cpus() -> int:
    """CPUs this process may run on now: its affinity mask where the OS keeps one, else the CPU count."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def release(version: str) -> tuple:
    """(major, minor) of a NumPy version string: "2.0.2" -> (2, 0), "2.5.0rc1" -> (2, 5)."""
    return tuple(int(part) for part in re.findall(r"\d+", version)[:2])


@dataclass
class Kernel:
    """A computation with a reference variant and faster variants.

    ``make_inputs(rng, n, dtype, order)`` builds the arguments for size ``n``;
    ``validate`` normalises and checks arguments at every variant's boundary.
    ``sizes`` are the benchmark sizes, ``headline_n`` the size at which the
    one-process speedup is tracked. ``orders`` lists memory orders worth
    benchmarking. ``dtypes`` lists input dtypes the tests cover; the first is benchmarked.
    ``tolerance(args, result) -> (rtol, atol)`` widens the default float
    comparison for kernels whose variants legitimately round differently.
    ``canonical(args, result)`` maps a result to the one form every correct result shares, for
    kernels whose answer is not unique (an unstable argsort orders equal values freely); the tests
    compare variants in that form. ``free_lengths`` names the array arguments whose length is
    independent of the others (keys to look up, a table): a shorter one is valid input.
    ``every_size_in_every_release`` has a headline-only benchmark run (the older
    NumPy releases) time this kernel at all its sizes: for a figure read across sizes, such as a
    crossover, that must be tracked per release.
    """

    technique: str
    name: str
    make_inputs: Callable
    validate: Callable
    sizes: tuple
    headline_n: int
    orders: tuple = ("C",)
    dtypes: tuple = (np.float64, np.float32, np.int64)
    tolerance: Callable | None = None
    canonical: Callable | None = None
    free_lengths: tuple = ()
    every_size_in_every_release: bool = False
    nan_ok: bool = True
    variants: dict = field(default_factory=dict)
    reference: str | None = None

    def __post_init__(self):
        if self.headline_n not in self.sizes:  # a headline-only run times the headline among the sizes
            raise ValueError(f"{self.technique}.{self.name}: headline_n={self.headline_n} is not one of its "
                             f"sizes {self.sizes}")

    @property
    def key(self) -> str:
        return f"{self.technique}.{self.name}"

    def variant(self, name, *, reference=False, prepare=_unchanged, max_n=None, bytes_moved=None,
                mutates=(), result_dtype=None, numpy_min=None, threads=1, validate=None, canary=False,
                simd_level=None):
        """Register the decorated function as variant ``name``.

        The function is wrapped so that every call validates its arguments
        first: the variants share one boundary check and differ only in how
        they compute. The arguments it ``mutates`` are checked before that to
        be writeable as given (see ``_check.writeable``). A variant whose
        ``prepare`` gives it storage other than the kernel's arrays (a Python
        list) checks that storage with its own ``validate`` instead.
        """
        check = self.validate if validate is None else validate

        def register(fn):
            parameters = list(inspect.signature(fn).parameters)
            if not set(mutates) <= set(parameters):
                raise ValueError(f"{self.key}.{name} mutates {mutates}, but takes only {parameters}")
            written = [(parameters.index(p), p) for p in mutates]
            if reference and result_dtype is not None:
                raise ValueError(f"{self.key}'s reference defines the result dtype; it cannot declare one")
            if reference and numpy_min is not None:
                raise ValueError(f"{self.key}'s reference must run on every NumPy; it cannot need {numpy_min}")

            missing = Variant(name, fn, numpy_min=numpy_min).unavailable  # this process's NumPy never changes

            @functools.wraps(fn)
            def checked(*args):
                if missing is not None:
                    raise NotImplementedError(missing)
                for i, p in written:
                    if i < len(args):
                        _check.writeable(args[i], p)
                return fn(*check(*args))

            if name in self.variants:
                raise ValueError(f"{self.key} already has a variant {name!r}")
            dtype = None if result_dtype is None else np.dtype(result_dtype)
            self.variants[name] = Variant(name, checked, prepare, max_n, bytes_moved, tuple(mutates), dtype,
                                          numpy_min, threads, canary, simd_level)
            if reference:
                if self.reference is not None:
                    raise ValueError(f"{self.key} already has a reference")
                self.reference = name
            return checked

        return register

    def inputs(self, n, *, dtype=None, order="C", seed=0):
        """Seeded arguments for size ``n``, of the kernel's first dtype unless told otherwise."""
        dtype = np.dtype(self.dtypes[0] if dtype is None else dtype)
        return self.make_inputs(StableRandom(seed), n, dtype, order)


def read_once(x, *_):
    """bytes_moved of a reduction: its first argument read once."""
    return x.nbytes


def summation_tolerance(args, result):
    """Sums of n terms round about log2(n) times: allow that many float32 ulps of sum(|x|).

    float32 is the coarsest accumulator any summing variant uses.
    """
    x = args[0]
    eps = np.finfo(np.float32).eps
    bound = float(np.sum(np.abs(x), where=np.isfinite(x), dtype=np.float64))  # Inf, NaN: compared by position
    return 0.0, 4 * eps * max(np.log2(max(x.size, 2)), 1.0) * bound


def kernel(technique, name, **kwargs) -> Kernel:
    """Create a kernel and add it to ``KERNELS``."""
    k = Kernel(technique, name, **kwargs)
    if k.key in KERNELS:
        raise ValueError(f"kernel {k.key} is defined twice")
    KERNELS[k.key] = k
    return k


def by_technique(technique: str) -> list[Kernel]:
    """The kernels of one technique, in definition order."""
    return [k for k in KERNELS.values() if k.technique == technique]

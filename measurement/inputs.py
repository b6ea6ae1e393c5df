"""A point's call built: the kernel's seeded inputs, made once per size and order, aligned, converted by
the variant's prepare, and called once outside any timed region."""
import contextlib
import tracemalloc

import numpy as np

from npopt.registry import KERNELS

from .grids import by_size, check_benchmarked, run_grid
from .point import point

ALIGNMENT = 64  # bytes every benchmark array starts on: a cache line, and one AVX-512 vector


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


def prepared(kernel_key, variant, n, order="C"):
    """``build``, then one call: it compiles Numba kernels and faults in pages outside the timed region.

    Interpreted loops raise NotImplementedError (asv: skipped) above their max_n.
    """
    kernel = KERNELS[kernel_key]
    check_benchmarked(kernel, variant, n)
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


def suite_calls(kernels=None, skip=()):
    """{(kernel key, *asv parameters): (fn, args)}: every point of the grid of each of ``kernels`` (keys;
    default every registered kernel), plus every variant at its kernel's headline size (where the
    speedups are taken; a reference loop is timed there even above its max_n), but the points in
    ``skip``. Variants this NumPy lacks are left out."""
    calls, skip = {}, {tuple(key) for key in skip}
    with sharing_inputs():
        for kernel in (KERNELS.values() if kernels is None else map(KERNELS.get, kernels)):
            calls.update(((kernel.key, *combo), call) for combo, call in kernel_calls(kernel, skip).items())
            for variant, v in kernel.variants.items():
                at = point(kernel, variant, kernel.headline_n)
                if at not in calls and at not in skip and v.unavailable is None:
                    calls[at] = build(kernel, variant, kernel.headline_n, *at[3:])
    return calls


def moved_bytes(calls):
    """{key: bytes} that each point of ``calls`` whose variant declares ``bytes_moved`` must move per call."""
    return {key: KERNELS[key[0]].variants[key[1]].bytes_moved(*args) for key, (_, args) in calls.items()
            if KERNELS[key[0]].variants[key[1]].bytes_moved}


def peak_traced_bytes(fn, args):
    """Peak bytes allocated while fn(*args) runs, as traced by tracemalloc (NumPy reports its buffers)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def speedups(samples, kernel, variant):
    """[reference seconds / variant seconds] at the kernel's headline size, sample by sample."""
    reference, taken = (samples[point(kernel, v, kernel.headline_n)] for v in (kernel.reference, variant))
    return [r / t for r, t in zip(reference, taken)]

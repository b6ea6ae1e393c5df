"""Which SIMD kernels this environment's NumPy dispatches to: a fact recorded beside every run.

NumPy compiles its hot loops for several x86 targets and picks, at import, the widest one the CPU
supports and ``NPY_DISABLE_CPU_FEATURES`` does not disable. The matrix's SIMD-disabled environment
(asv.conf.json) differs from its twin only here, so this figure says what each of its speedups
is measured without. NumPy 2.5 groups targets by x86-64 level: X86_V3 holds AVX2, X86_V4 AVX-512.
"""
LEVELS = ["AVX2", "AVX512_SKX", "AVX512_ICL", "AVX512_SPR"]
GROUPS = {"X86_V3": "AVX2", "X86_V4": "AVX512_SKX"}  # NumPy >= 2.5's names for the same levels


def _umath():
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # NumPy 1.x
        from numpy.core import _multiarray_umath as umath
    return umath


def dispatched_targets():
    """The SIMD targets NumPy dispatches to here (as ``numpy.show_runtime()`` reports them)."""
    umath = _umath()
    found = umath.__cpu_features__
    return [target for target in umath.__cpu_dispatch__ if found.get(target)]


def cpu_features():
    """Every CPU feature NumPy detects here, named as in its ``__cpu_features__`` ('AVX2', 'AVX512_SKX')."""
    return frozenset(name for name, found in _umath().__cpu_features__.items() if found)


def track_numpy_dispatches(level):
    """1 when NumPy runs kernels compiled for this SIMD level here, else 0."""
    return int(level in {GROUPS.get(target, target) for target in dispatched_targets()})


track_numpy_dispatches.params = [LEVELS]
track_numpy_dispatches.param_names = ["simd"]
track_numpy_dispatches.unit = "dispatched"

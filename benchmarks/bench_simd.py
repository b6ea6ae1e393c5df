"""Which SIMD kernels this environment's NumPy dispatches to: a fact recorded beside every run.

NumPy compiles its hot loops for several x86 targets and picks, at import, the widest one the CPU
supports and ``NPY_DISABLE_CPU_FEATURES`` does not disable. The matrix's SIMD-disabled environment
(asv.conf.json) differs from its twin only here, so this figure says what each of its speedups
is measured without. NumPy 2.5 groups targets by x86-64 level: X86_V3 holds AVX2, X86_V4 AVX-512.
"""
from measurement.machine import dispatched_targets

LEVELS = ["AVX2", "AVX512_SKX", "AVX512_ICL", "AVX512_SPR"]
GROUPS = {"X86_V3": "AVX2", "X86_V4": "AVX512_SKX"}  # NumPy >= 2.5's names for the same levels


def track_numpy_dispatches(level):
    """1 when NumPy runs kernels compiled for this SIMD level here, else 0."""
    return int(level in {GROUPS.get(target, target) for target in dispatched_targets()})


track_numpy_dispatches.params = [LEVELS]
track_numpy_dispatches.param_names = ["simd"]
track_numpy_dispatches.unit = "dispatched"

"""Hostile inputs and the comparison every variant must pass against its kernel's reference.

In the manner of bottleneck's slow-vs-fast checks: each kernel's reference is
the slow, obvious implementation; every other variant must agree with it on
empty, one-element and odd sizes, strided views, Fortran order, each dtype the
kernel covers, and NaN where the kernel defines it (NaN propagates).
"""
import numpy as np

SIZES = (0, 1, 2, 17, 1001)
SIZES_2D = (0, 1, 2, 17, 101)


def strided(x):
    """The same values as a non-contiguous view: every other element along every axis."""
    if not isinstance(x, np.ndarray) or x.ndim == 0:
        return x
    buffer = np.zeros(tuple(2 * s for s in x.shape), x.dtype)
    view = buffer[(slice(None, None, 2),) * x.ndim]
    view[...] = x
    return view


def fortran(x):
    return np.asfortranarray(x) if isinstance(x, np.ndarray) and x.ndim >= 2 else x


def with_nans(x):
    """A copy with every 7th element NaN (floating arrays of size > 0 only)."""
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f" or x.size == 0:
        return x
    x = x.copy()
    x.reshape(-1)[::7] = np.nan
    return x


def is_2d(kernel):
    return any(isinstance(a, np.ndarray) and a.ndim == 2 for a in kernel.inputs(3))


def cases(kernel):
    """(label, args) pairs covering the hostile inputs for one kernel."""
    for dtype in kernel.dtypes:
        name = np.dtype(dtype).name
        for n in SIZES_2D if is_2d(kernel) else SIZES:
            args = kernel.inputs(n, dtype=dtype, seed=n)
            yield f"{name}-n{n}", args
            yield f"{name}-n{n}-strided", tuple(strided(a) for a in args)
            if is_2d(kernel):
                yield f"{name}-n{n}-fortran", tuple(fortran(a) for a in args)
            if kernel.nan_ok and np.dtype(dtype).kind == "f" and n:
                yield f"{name}-n{n}-nan", tuple(with_nans(a) for a in args)


def outcome(variant, args):
    """The variant's result, or the type of exception it raised."""
    try:
        return variant(*args)
    except (TypeError, ValueError) as exc:
        return type(exc)


def assert_agrees(kernel, args, expected, actual):
    """actual equals expected: exactly for integers, within dtype-aware tolerance for floats."""
    if isinstance(expected, type):
        assert actual is expected, f"reference raised {expected.__name__}, variant gave {actual!r}"
        return
    assert not isinstance(actual, type), f"variant raised {actual.__name__}, reference did not"
    expected, actual = np.asarray(expected), np.asarray(actual)
    assert actual.shape == expected.shape
    if expected.dtype.kind in "iu" and actual.dtype.kind in "iu":
        np.testing.assert_array_equal(actual, expected)
        return
    coarser = min((d for d in (expected.dtype, actual.dtype) if d.kind == "f"), key=lambda d: d.itemsize)
    rtol, atol = 8 * np.finfo(coarser).eps, 0.0
    if kernel.tolerance is not None:
        rtol, atol = kernel.tolerance(args, actual if actual.dtype == coarser else expected)
        rtol = max(rtol, 8 * np.finfo(coarser).eps)
    np.testing.assert_allclose(actual.astype(np.float64), expected.astype(np.float64), rtol=rtol, atol=atol)

"""Broadcasting: combine arrays of different shapes without materialising copies.

A (n,) row or (n, 1) column is "stretched" by a zero stride, so no tiled copy
is ever written; the explicit ``np.tile``/``np.repeat`` variants build those
copies first and pay for the extra memory traffic.
"""
import functools
import math

import numpy as np

from . import _check
from ._data import random_array
from .registry import kernel


def _matrix_row_col(rng, n, dtype, order):
    return (random_array(rng, (n, n + 1), dtype, order),
            random_array(rng, n + 1, dtype), random_array(rng, n, dtype))


def _validate_matrix_row_col(m, row, col):
    m = _check.array(m, "m", 2)
    row = _check.array(row, "row", 1)
    col = _check.array(col, "col", 1)
    if row.shape[0] != m.shape[1]:
        raise ValueError(f"row must have m.shape[1] = {m.shape[1]} elements, got {row.shape[0]}")
    if col.shape[0] != m.shape[0]:
        raise ValueError(f"col must have m.shape[0] = {m.shape[0]} elements, got {col.shape[0]}")
    return m, row, col


ADD_ROW_COL = kernel(
    "broadcasting", "add_row_col", make_inputs=_matrix_row_col, validate=_validate_matrix_row_col,
    sizes=(300, 2000), headline_n=300,
)


@ADD_ROW_COL.variant("python_loops", reference=True, max_n=300)
def add_row_col_python_loops(m, row, col):
    """m[i, j] + row[j] + col[i], one element at a time."""
    out = np.empty(m.shape, np.result_type(m, row, col))
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            out[i, j] = m[i, j] + row[j] + col[i]
    return out


@ADD_ROW_COL.variant("tiled_copies")
def add_row_col_tiled_copies(m, row, col):
    """Materialise row and col as full matrices with tile/repeat, then add: two extra arrays."""
    rows = np.tile(row, (m.shape[0], 1))
    cols = np.repeat(col[:, np.newaxis], m.shape[1], axis=1)
    return m + rows + cols


@ADD_ROW_COL.variant("broadcast")
def add_row_col_broadcast(m, row, col):
    """m + row + col[:, None]: zero-stride views, no copies."""
    return m + row + col[:, np.newaxis]


def _point_sets(rng, n, dtype, order):
    return random_array(rng, (n, 3), dtype, order), random_array(rng, (n + 1, 3), dtype, order)


def _validate_point_sets(x, y):
    x = _check.floating(x, "x", 2)
    y = _check.floating(y, "y", 2)
    _check.same_length("number of coordinates", x=x, y=y)
    return x, y


def _distance_tolerance(args, result):
    """The Gram-matrix variant loses about sqrt(eps) * |point| near zero distance (finite points)."""
    eps = np.finfo(result.dtype).eps
    scale = max((float(np.max(np.abs(a), where=np.isfinite(a), initial=0.0)) for a in args), default=0.0)
    return 8 * eps, 4 * math.sqrt(eps) * scale * math.sqrt(args[0].shape[1] or 1)


PAIRWISE_DISTANCES = kernel(
    "broadcasting", "pairwise_distances", make_inputs=_point_sets, validate=_validate_point_sets,
    sizes=(200, 700), headline_n=200, orders=("C", "F"), tolerance=_distance_tolerance,
)


def _scale(x, y):
    """1.0 when squared distances of x and y neither overflow nor underflow beyond the tolerance
    (their largest finite |coordinate| is within [sqrt(tiny / eps), sqrt(max / 4d)]), else the
    power of two at or just below that coordinate, in their dtype: dividing by it is exact."""
    info = np.finfo(np.result_type(x, y))
    big = max(float(np.max(np.abs(a), where=np.isfinite(a), initial=0.0)) for a in (x, y))
    if big == 0.0 or math.sqrt(info.tiny / info.eps) <= big <= math.sqrt(info.max / (4 * max(x.shape[1], 1))):
        return 1.0
    return np.ldexp(info.dtype.type(1), math.frexp(big)[1] - 1)


def _hypot_scaled(distances):
    """``distances`` computed, as np.hypot does, on both point sets divided by ``_scale`` and the
    result multiplied back, so no square overflows to inf or underflows to 0; unscaled (the
    common case) when the squares are safe."""

    @functools.wraps(distances)
    def scaled(x, y):
        s = _scale(x, y)
        return distances(x, y) if s == 1.0 else distances(x / s, y / s) * s

    return scaled


@PAIRWISE_DISTANCES.variant("python_loops", reference=True, max_n=200)
@_hypot_scaled
def pairwise_distances_python_loops(x, y):
    """Euclidean distance of every x[i] to every y[j], with three nested Python loops."""
    out = np.empty((x.shape[0], y.shape[0]), np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(y.shape[0]):
            total = 0.0
            for k in range(x.shape[1]):
                d = float(x[i, k]) - float(y[j, k])
                total += d * d
            out[i, j] = math.sqrt(total)
    return out


@PAIRWISE_DISTANCES.variant("tiled_copies")
@_hypot_scaled
def pairwise_distances_tiled_copies(x, y):
    """Repeat x and tile y into (n*m, d) copies, subtract, reduce: two big temporaries."""
    n, m = x.shape[0], y.shape[0]
    diff = np.repeat(x, m, axis=0) - np.tile(y, (n, 1))
    return np.sqrt((diff * diff).sum(axis=1)).reshape(n, m)


@PAIRWISE_DISTANCES.variant("broadcast")
@_hypot_scaled
def pairwise_distances_broadcast(x, y):
    """x[:, None, :] - y[None, :, :] broadcast to (n, m, d): no tiled copies, one (n, m, d) temporary."""
    diff = x[:, np.newaxis, :] - y[np.newaxis, :, :]
    return np.sqrt((diff * diff).sum(axis=2))


@PAIRWISE_DISTANCES.variant("gram_matmul")
@_hypot_scaled
def pairwise_distances_gram_matmul(x, y):
    """|x|^2 + |y|^2 - 2 x.y^T: one BLAS matrix product, no (n, m, d) temporary; loses accuracy near 0.

    A point with an infinite coordinate makes that inf - inf (NaN) where its distance is inf:
    its row or column is computed from differences instead. Coordinates whose squares would
    overflow (|x|^2 near 1e300^2) or underflow are scaled first (``_hypot_scaled``).
    """
    sq = (x * x).sum(axis=1)[:, np.newaxis] + (y * y).sum(axis=1)[np.newaxis, :] - 2.0 * (x @ y.T)
    out = np.sqrt(np.maximum(sq, 0.0))
    infinite_x, infinite_y = np.isinf(x).any(axis=1), np.isinf(y).any(axis=1)
    if infinite_x.any():
        out[infinite_x] = pairwise_distances_broadcast(x[infinite_x], y)
    if infinite_y.any():
        out[:, infinite_y] = pairwise_distances_broadcast(x, y[infinite_y])
    return out

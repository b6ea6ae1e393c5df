"""npopt.broadcasting: every variant against its reference, and its bad-input errors."""
from kernel_checks import KernelChecks

from measurement.inputs import peak_traced_bytes
from npopt import broadcasting


class TestBroadcastingKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the broadcasting kernels."""


def test_broadcasting_allocates_no_stretched_copies():
    """Claim 2 in bytes: the tiled variant materialises the row and column, broadcasting does not."""
    m, row, col = broadcasting.ADD_ROW_COL.inputs(300)
    broadcast = peak_traced_bytes(broadcasting.add_row_col_broadcast, (m, row, col))
    tiled = peak_traced_bytes(broadcasting.add_row_col_tiled_copies, (m, row, col))
    assert broadcast < 2.1 * m.nbytes  # the result and one temporary
    assert tiled >= broadcast + 0.9 * m.nbytes  # at least one stretched copy more

"""npopt.broadcasting: every variant against its reference, and its bad-input errors."""
from kernel_checks import *  # noqa: F401,F403  (the checks every kernel gets)

TECHNIQUE = "broadcasting"


from measurement.inputs import peak_traced_bytes  # noqa: E402
from npopt import broadcasting  # noqa: E402


def test_broadcasting_allocates_no_stretched_copies():
    """Claim 2 in bytes: the tiled variant materialises the row and column, broadcasting does not."""
    m, row, col = broadcasting.ADD_ROW_COL.inputs(300)
    broadcast = peak_traced_bytes(broadcasting.add_row_col_broadcast, (m, row, col))
    tiled = peak_traced_bytes(broadcasting.add_row_col_tiled_copies, (m, row, col))
    assert broadcast < 2.1 * m.nbytes  # the result and one temporary
    assert tiled >= broadcast + 0.9 * m.nbytes  # at least one stretched copy more

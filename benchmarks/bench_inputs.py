"""The suite's inputs themselves: a checksum of the benchmark inputs, equal in every NumPy environment.

A figure compared across NumPy versions is only about NumPy if every version times the same data;
npopt/_data.py draws it from streams NumPy keeps fixed, and this checksum (CRC-32 of the bytes of
every argument each kernel's benchmarks build at the points every environment times: its headline
grid, ``grid(kernel, headline=True)``) proves it per run. The sizes only the newest release times
are left out: building the inputs of every size took 5-6 s in each environment (docs/matrix.md, "What each environment times").
"""
import zlib

import numpy as np

from measurement.grids import grid
from npopt.registry import KERNELS


def input_checksum(kernel):
    """CRC-32 of the bytes (and scalar reprs) of the kernel's benchmark inputs at the sizes and orders of its
    headline grid."""
    crc = 0
    _, sizes, *orders = grid(kernel, headline=True)[0]
    for n in sizes:
        for order in orders[0] if orders else ["C"]:
            for arg in kernel.inputs(n, order=order):
                data = np.ascontiguousarray(arg).tobytes() if isinstance(arg, np.ndarray) else repr(arg).encode()
                crc = zlib.crc32(data, crc)
    return crc


def track_input_checksum(kernel_key):
    return input_checksum(KERNELS[kernel_key])


track_input_checksum.params = [list(KERNELS)]
track_input_checksum.param_names = ["kernel"]
track_input_checksum.unit = "crc32"

"""npopt.threads: a Numba loop and a BLAS product on one thread and on two (n/a in a process pinned to one CPU)."""
from npopt import threads

from .common import KernelBenchmark, SpeedupBenchmark


class RowNorms(KernelBenchmark):
    kernel = threads.ROW_NORMS


class Matmul(KernelBenchmark):
    kernel = threads.MATMUL


class Speedup(SpeedupBenchmark):
    technique = "threads"

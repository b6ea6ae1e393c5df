"""npopt.sorting: sorted(), heapq and bisect against NumPy's sorts, partition and searchsorted."""
from npopt import sorting

from .common import KernelBenchmark, SpeedupBenchmark


class SortInt16(KernelBenchmark):
    kernel = sorting.SORT["int16"]


class SortInt64(KernelBenchmark):
    kernel = sorting.SORT["int64"]


class SortFloat32(KernelBenchmark):
    kernel = sorting.SORT["float32"]


class SortFloat64(KernelBenchmark):
    kernel = sorting.SORT["float64"]


class ArgsortInt64(KernelBenchmark):
    kernel = sorting.ARGSORT["int64"]


class ArgsortFloat64(KernelBenchmark):
    kernel = sorting.ARGSORT["float64"]


class TopK(KernelBenchmark):
    kernel = sorting.TOP_K


class SearchSorted(KernelBenchmark):
    kernel = sorting.SEARCH_SORTED


class Speedup(SpeedupBenchmark):
    technique = "sorting"

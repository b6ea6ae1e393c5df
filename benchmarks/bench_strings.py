"""npopt.strings: the same strings as a Python list, an object array, fixed-width '<U' and StringDType."""
from npopt import strings

from .common import KernelBenchmark, SpeedupBenchmark


class Lengths(KernelBenchmark):
    kernel = strings.LENGTHS


class Upper(KernelBenchmark):
    kernel = strings.UPPER


class Speedup(SpeedupBenchmark):
    technique = "strings"

"""One benchmark point, and every way it is spelled.

A point is a kernel's variant at a size (and, for a kernel measured in several memory orders, an
order). The same point is a key of the samples and counts (the tuple), the gate's key
('technique.kernel:variant:n[:order]'), a 'kernel:variant' pair (a speedup's asv parameter), and the
parameters of a figure of its kernel's asv benchmark class (``benchmark_name``), whose stored values
are keyed by ``figure_key``. ``Point`` owns those spellings.
"""
from npopt.registry import KERNELS


class Point(tuple):
    """(kernel key, variant, n[, order]): equal to, and hashed as, the plain tuple, so a stored key (a
    JSON list made a tuple) finds its point."""

    def __new__(cls, kernel, variant, n, order=None):
        return super().__new__(cls, (kernel, variant, n) if order is None else (kernel, variant, n, order))

    @classmethod
    def parse(cls, gate_key):
        """The point of a gate key 'technique.kernel:variant:n[:order]'."""
        kernel, variant, n, *order = gate_key.split(":")
        return cls(kernel, variant, int(n), *order)

    kernel = property(lambda self: self[0], doc="the kernel's key, 'technique.kernel'")
    variant = property(lambda self: self[1])
    n = property(lambda self: self[2])
    order = property(lambda self: self[3] if len(self) > 3 else None)
    technique = property(lambda self: self[0].split(".")[0])

    @property
    def gate_key(self):
        return ":".join(map(str, self))

    @property
    def pair(self):
        return pair(self.kernel, self.variant)

    @property
    def params(self):
        """asv's parameters of the point in its kernel's benchmark class: (variant, n[, order])."""
        return tuple(self[1:])

    def benchmark(self, figure="track_seconds"):
        """asv's name of a figure of the point's kernel class ('bench_sorting.SortInt64.track_seconds')."""
        return benchmark_name(KERNELS[self.kernel], figure)

    def figure_key(self, figure="track_seconds"):
        """The key of the point's stored figure: its asv name and parameters."""
        return figure_key(self.benchmark(figure), self.params)


def point(kernel, variant, n):
    """The Point of a registered kernel's variant at size n, in C order where the kernel's orders vary:
    where speedups and claims are read."""
    return Point(kernel.key, variant, n, "C" if len(kernel.orders) > 1 else None)


def pair(kernel_key, variant):
    """'technique.kernel:variant': a variant named apart from any size (a speedup's asv parameter)."""
    return f"{kernel_key}:{variant}"


def split_pair(text):
    """(kernel key, variant) of a 'technique.kernel:variant' pair."""
    kernel_key, variant = text.split(":")
    return kernel_key, variant


def benchmark_name(kernel, figure="track_seconds"):
    """asv's name of a kernel's figure: its benchmark class is the kernel's name in CamelCase
    ("group_sums_2d" -> "bench_scatter_add.GroupSums2d.track_seconds")."""
    return f"bench_{kernel.technique}.{''.join(part.capitalize() for part in kernel.name.split('_'))}.{figure}"


def figure_key(benchmark, params):
    """'bench_x.Class.track_y' plus its parameter values: one key per stored figure."""
    return ":".join([benchmark, *map(str, params)])

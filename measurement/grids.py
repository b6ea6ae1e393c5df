"""Which points a run measures: a kernel's grid (variant x size x order), the headline-only grid of the
older NumPy releases, a quick look, and the sizes the release-note claims read."""
import itertools
import os
import tomllib

from .paths import CLAIMS

GRID = "NPOPT_GRID"  # "headline": time each variant at its kernel's headline points only (older NumPy releases)
SELECT = "NPOPT_BENCH"  # asv's --bench, a regular expression: the asv suite measures only the kernels it selects
QUICK = "NPOPT_QUICK"  # set for asv's --quick and asv profile (tools/asv_plugin.py): one short measuring process, no count
PROFILE = "NPOPT_PROFILE"  # set for asv profile (tools/asv_plugin.py): a timed figure calls its kernel, for cProfile


def headline_only():
    """True when this run times the headline points only, in one measuring process: ``make bench``
    gives the older NumPy releases (and the SIMD-disabled twin) the points their speedups, charts and
    release-note claims are read at, and the newest release every size in PROCESSES processes
    (docs/matrix.md, "What each environment times")."""
    return os.environ.get(GRID) == "headline"


def quick():
    """True when this run is a quick look (asv --quick, asv profile): one measuring process, each point
    sampled once, nothing counted. asv does not tell setup_cache; tools/asv_plugin.py sets QUICK."""
    return bool(os.environ.get(QUICK))


def why_nothing_counted():
    """Why this run counts nothing (a headline-only or quick run), or None."""
    if headline_only():
        return f"{GRID}=headline: nothing is counted"
    return f"{QUICK}: a quick run counts nothing" if quick() else None


def load_claims(path=CLAIMS):
    """The release-note claims of the data file (tools/reports/claims.py judges them), in its order (a list of dicts)."""
    with open(path, "rb") as f:
        return tomllib.load(f)["claim"]


def claimed_sizes():
    """{kernel key: {n}}: the sizes other than the headline at which a release-note claim reads a kernel."""
    sizes = {}
    for claim in load_claims():
        if "n" in claim:
            sizes.setdefault(claim["kernel"], set()).add(claim["n"])
    return sizes


def grid(kernel, headline=False):
    """``params`` and ``param_names`` of a kernel's grid: variant x size (x memory order); with headline,
    the points a headline-only run times (``run_grid``): the headline and claimed sizes, C order, but
    every size of a kernel read across sizes (``every_size_in_every_release``). The names are the same."""
    sizes, orders = list(kernel.sizes), list(kernel.orders)
    if headline and not kernel.every_size_in_every_release:
        kept = {kernel.headline_n} | claimed_sizes().get(kernel.key, set())
        sizes, orders = [n for n in sizes if n in kept], ["C"]
    params, names = [list(kernel.variants), sizes], ["variant", "n"]
    if len(kernel.orders) > 1:
        params.append(orders)
        names.append("order")
    return params, names


def run_grid(kernel):
    """The grid this run times, asv's ``params`` and ``param_names``: the whole ``grid``, or in a headline-only
    run its headline points, so asv starts no process for a point that is not timed (docs/matrix.md, "What each environment times")."""
    return grid(kernel, headline=headline_only())


def by_size(params):
    """The points (variant, n[, order]) of a grid's ``params``, those of one size and order together, so
    that they share their inputs (``sharing_inputs``)."""
    variants, *rest = params
    return [(variant, *at) for at in itertools.product(*rest) for variant in variants]


def check_benchmarked(kernel, variant, n):
    """Raise NotImplementedError (asv: skipped, n/a) where a point of the grid is not benchmarked: a
    variant in a NumPy that lacks its API (the reason names the release it needs), and an interpreted
    loop above its max_n."""
    reason = kernel.variants[variant].unavailable
    if reason is not None:
        raise NotImplementedError(reason)
    max_n = kernel.variants[variant].max_n
    if max_n is not None and n > max_n:
        raise NotImplementedError(f"{kernel.key}:{variant} is only benchmarked up to n={max_n}")

"""The one place that decides "changed or noise" for a figure compared between two runs.

Used by the overview (NumPy versions side by side), the claims and any page that marks a change.
Two runs of one figure differ by noise alone up to the measured spread of its kind: the widest
max/min that any figure of that kind (seconds, speedups, shares of the triad) showed over repeated
runs of one commit on one machine (``make repeat`` stores every figure's spread in
noise/<machine>.json). The widest of the kind, not the figure's own: five runs are too few to
bound one figure's noise (a figure that stayed within 1.02 there moved 1.08 between environments
measured minutes apart). A difference is marked only when it is beyond that band *and*, when both
runs kept per-process samples, no sample of one run lies within the range of the other's. A kind
never measured on the machine is compared with UNMEASURED_SPREAD.
"""
import json
import os

from tools.results import ROOT

NOISE_DIR = os.path.join(ROOT, "noise")
UNMEASURED_SPREAD = 1.25
SLOWER, FASTER = "slower", "faster"
HIGHER_IS_BETTER = ("track_speedup", "track_percent_of_triad")


def higher_is_better(benchmark):
    return benchmark.rsplit(".", 1)[-1] in HIGHER_IS_BETTER


def figure_key(benchmark, params):
    """'bench_x.Class.track_y' plus its parameter values: one key per stored figure."""
    return ":".join([benchmark, *map(str, params)])


def measured_machines():
    """Machines whose noise was measured."""
    return sorted(f[:-5] for f in os.listdir(NOISE_DIR) if f.endswith(".json")) if os.path.isdir(NOISE_DIR) else []


def kind(benchmark):
    """The kind of figure a benchmark (or figure key) stores: its asv method name, e.g. 'track_speedup'."""
    return benchmark.split(":")[0].rsplit(".", 1)[-1]


def spreads(machine):
    """{figure key: measured spread} for one machine ({} when none was measured)."""
    path = os.path.join(NOISE_DIR, f"{machine}.json")
    return json.load(open(path))["spread"] if os.path.exists(path) else {}


def noise(machine):
    """{kind of figure: the widest spread measured for that kind} on one machine."""
    bands = {}
    for key, spread in spreads(machine).items():
        bands[kind(key)] = max(spread, bands.get(kind(key), 1.0))
    return bands


def change(benchmark, before, after, spread=None, before_samples=None, after_samples=None):
    """SLOWER, FASTER or None for a figure that went from ``before`` to ``after``.

    benchmark: the asv name, which says the figure's direction (speedups and bandwidth shares are
    higher-is-better, seconds and bytes lower-is-better).
    """
    if before is None or after is None or before <= 0 or after <= 0:
        return None
    band = spread or UNMEASURED_SPREAD
    ratio = after / before
    if max(ratio, 1 / ratio) <= band:
        return None
    if before_samples and after_samples and len(before_samples) > 1 and len(after_samples) > 1:
        low, high = sorted((before_samples, after_samples), key=min)
        if max(low) >= min(high):
            return None  # the two runs' samples overlap: not beyond their own noise
    grew = ratio > 1
    return FASTER if grew == higher_is_better(benchmark) else SLOWER

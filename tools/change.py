"""The one place that decides "changed or noise" for a figure compared between two runs.

Used by the overview (NumPy versions side by side), the claims and any page that marks a change.
Two runs of one figure differ by noise alone up to the figure's measured spread: the max/min of
that figure over repeated runs of one commit on one machine (``make repeat`` stores it in
noise/<machine>.json). A difference is marked only when it is beyond that spread *and*, when both
runs kept their per-process samples, no sample of one run lies within the range of the other's.
A figure whose spread was never measured is compared with UNMEASURED_SPREAD, the largest spread
this method is allowed (README "How a figure is measured").
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


def noise(machine):
    """{figure key: measured spread} for one machine ({} when none was measured)."""
    path = os.path.join(NOISE_DIR, f"{machine}.json")
    return json.load(open(path))["spread"] if os.path.exists(path) else {}


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

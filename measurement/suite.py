"""The suite's timed samples in one asv environment: the points tools/matrix.py sampled across the
environments at once (``interleaved``), and the rest timed here in fresh processes, one after another
(``time_suite``), each sampling every point in turn over its window; and the suite's counts.

Several processes, because a process can be slow for its whole life (where its large arrays landed,
whether it got huge pages) and because the host's slow phases can outlast one window
(docs/measurement.md).
"""
import json
import os
import subprocess
import sys
import tempfile

from npopt.registry import KERNELS, usable_cpus

from . import cost
from .grids import headline_only, quick, why_nothing_counted
from .paths import ROOT
from .timing import MIN_SAMPLES, WINDOW_SECONDS

PROCESSES = 3  # measuring processes, one after another; each figure keeps its best
REST_PROCESSES = 2  # ... for the points that tools/matrix.py did not sample (compared across no environments)
SAMPLES = "NPOPT_SAMPLES"  # a folder of interleaved samples, one file per asv environment (tools/matrix.py)

_CHILD = """import json, sys
sys.path.append({root!r})  # after site-packages: npopt is the environment's build, measurement/ this checkout's
from measurement.inputs import moved_bytes, suite_calls
from measurement.timing import best_seconds
calls = suite_calls({kernels!r}, skip={skip!r})
best = best_seconds(calls, window={window!r}, min_samples={min_samples!r})
with open({out!r}, "w") as f:
    json.dump({{"seconds": [[list(key), seconds] for key, seconds in best.items()],
               "bytes_moved": [[list(key), moved] for key, moved in moved_bytes(calls).items()]}}, f)
"""


def window(kernels):
    """WINDOW_SECONDS times the share of the registry's kernels that ``kernels`` (keys) are: a selection's
    processes last in proportion to it, as asv's --bench users expect, instead of a whole-suite window
    for a few points. A smaller window leaves fewer, closer samples: their interval says so."""
    return WINDOW_SECONDS * len(kernels) / len(KERNELS)


def time_suite(kernels, processes=None, window_seconds=None, min_samples=None, skip=()):
    """({(kernel key, *asv parameters): [best seconds of each process]}, {point: bytes moved}) of
    ``kernels`` (keys): ``processes`` fresh processes (PROCESSES, or one in a headline-only or quick
    run), one after another, each timing every point of ``suite_calls`` but those in ``skip`` over
    ``window_seconds`` (``window``)."""
    samples, moved = {}, {}
    print(f"measuring {len(kernels)} kernel(s): {' '.join(sorted(kernels))}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "best.json")
        if quick():
            window_seconds, min_samples = 0, 1
        code = _CHILD.format(root=ROOT, out=out, kernels=sorted(kernels), skip=sorted(skip),
                             window=window(kernels) if window_seconds is None else window_seconds,
                             min_samples=MIN_SAMPLES if min_samples is None else min_samples)
        for _ in range(processes or (1 if headline_only() or quick() else PROCESSES)):
            subprocess.run([sys.executable, "-c", code], check=True)
            with open(out) as f:
                report = json.load(f)
            for key, seconds in report["seconds"]:
                samples.setdefault(tuple(key), []).append(seconds)
            moved.update((tuple(key), n) for key, n in report["bytes_moved"])
    return samples, moved


def interleaved():
    """({point: [seconds per round]}, {point: bytes moved}) that tools/matrix.py measured for this asv
    environment (asv names it in ASV_ENV_NAME) at this commit, or ({}, {}) when none was.

    Those points were timed in every environment of the matrix at once, round after round, so that
    a slow phase of the host hits every environment alike (docs/measurement.md)."""
    folder, env, commit = os.environ.get(SAMPLES), os.environ.get("ASV_ENV_NAME"), os.environ.get("ASV_COMMIT")
    path = folder and env and os.path.join(folder, f"{env}.json")
    if not path or not os.path.exists(path):
        return {}, {}
    with open(path) as f:
        stored = json.load(f)
    if commit and stored["commit"] != commit:
        return {}, {}
    return ({tuple(key): seconds for key, seconds in stored["samples"]},
            {tuple(key): moved for key, moved in stored["bytes_moved"]})


def samples(kernels):
    """({point: [seconds]}, {point: bytes moved}) of ``kernels`` (keys): this environment's interleaved
    samples (``interleaved``), and the points they lack timed here (``time_suite``); a headline-only run
    with interleaved samples has nothing left to time."""
    taken, moved = interleaved()
    if not (taken and headline_only()):  # the sizes only this run times, in fewer processes beside samples
        more, more_moved = time_suite(kernels, processes=REST_PROCESSES if taken else None, skip=set(taken))
        taken, moved = {**more, **taken}, {**more_moved, **moved}
    return taken, moved


def counts(kernels):
    """{point: figures} of ``cost.count()`` for every counted point of ``kernels`` (keys; none in a
    headline-only or quick run, nor where Valgrind cannot exist: ``cost.why_no_valgrind``), or, where
    the count fails, the reason (a string): then the count figures fail with it and the timed ones stand."""
    if why_nothing_counted() or cost.why_no_valgrind() or not kernels:
        return {}
    try:  # nothing is timed meanwhile: a child per core
        return cost.count(cost.selecting(kernels), parts=usable_cpus())
    except cost.CostUnavailable as exc:
        return str(exc)

"""A measuring process that lives in one asv environment for one set of tools/matrix.py's rounds.

It builds the points of this run (``suite_calls``: the headline grid in a headline-only run, only the
kernels SELECT names), calls each once to calibrate its calls per sample, says which points it has,
then answers each request, a list of point indices, with one sample of each, garbage collection off.
The coordinator asks every environment's worker for the same points in turn, so the samples of one
round were taken seconds apart in every environment (docs/measurement.md).

A sample is the best of PASSES passes over the requested points in a row (LONG_PASSES for a point
whose sample is a single call): the first pass of a visit runs cold, just after the other
environments' workers ran, or, in a process's first visit, after the later points were built
(which left the earlier ones cold: the allocator's heap and free lists, the pages of their
temporaries). The measurement is in docs/measurement.md.

Protocol: JSON lines. The worker first writes {"keys": [...], "bytes_moved": [[key, bytes], ...]};
then, for each line {"sample": [i, ...]} it reads, {"seconds": [...]}, in that order.
"""
import gc
import json
import math
import os
import sys

from .common import SAMPLE_SECONDS, calibrate, moved_bytes, suite_calls, timed

PASSES = 3
LONG_PASSES = 2  # for a point whose sample is one call


def serve(requests=sys.stdin):
    """Answer ``requests`` until they end; the replies go to the original standard output, and anything
    the kernels print goes to standard error, never into the protocol."""
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    calls = suite_calls()
    keys = list(calls)
    numbers = [calibrate(*calls[key], SAMPLE_SECONDS)[0] for key in keys]
    replies.write(json.dumps({"keys": keys, "bytes_moved": [[list(k), m] for k, m in moved_bytes(calls).items()]})
                  + "\n")
    gc.disable()
    for line in requests:
        wanted = [(calls[keys[i]], numbers[i]) for i in json.loads(line)["sample"]]
        replies.write(json.dumps({"seconds": best_of_passes(wanted)}) + "\n")


def best_of_passes(wanted):
    """One sample of each (call, calls per sample) of ``wanted``: the least seconds per call over PASSES
    passes through them all in turn (LONG_PASSES where a sample is one call)."""
    best = [math.inf] * len(wanted)
    for p in range(PASSES):
        for i, ((fn, args), number) in enumerate(wanted):
            if p < (PASSES if number > 1 else LONG_PASSES):
                best[i] = min(best[i], timed(fn, args, number, SAMPLE_SECONDS / 2))
    return best

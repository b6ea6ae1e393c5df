"""A measuring process that lives in one asv environment for one set of tools/matrix.py's rounds.

It builds the points of this run (``suite_calls``: the headline grid in a headline-only run, only the
kernels asv's selection SELECT reads, ``common.selected``), calls each once to calibrate its calls per
sample, says which points it has, then answers each request, a list of point indices, with one sample of each, garbage collection off.
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
import os
import sys

from measurement.inputs import moved_bytes, suite_calls
from measurement.timing import SAMPLE_SECONDS, best_of_passes, calibrate

from .common import selected


def serve(requests=sys.stdin):
    """Answer ``requests`` until they end; the replies go to the original standard output, and anything
    the kernels print goes to standard error, never into the protocol."""
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    calls = suite_calls(selected())
    keys = list(calls)
    numbers = [calibrate(*calls[key], SAMPLE_SECONDS)[0] for key in keys]
    replies.write(json.dumps({"keys": keys, "bytes_moved": [[list(k), m] for k, m in moved_bytes(calls).items()]})
                  + "\n")
    gc.disable()
    for line in requests:
        wanted = [(calls[keys[i]], numbers[i]) for i in json.loads(line)["sample"]]
        replies.write(json.dumps({"seconds": best_of_passes(wanted)}) + "\n")

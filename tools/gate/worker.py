"""One measurement round of the regression gate, in its own process (run by tools/gate/measure.py).

Imports npopt from the build given on PYTHONPATH (a baseline or candidate commit), times every
kernel variant of the asv grid with the repository's benchmark harness, and writes JSON:
{"npopt": where npopt came from, "results": {key: {"seconds": [samples]}}}.
Samples come from the suite's harness (measurement/timing.py interleaved_samples): K samples per
key (SAMPLE_SECONDS each) and no window, because the gate interleaves whole rounds of the two
commits instead; the gate uses their minimum. With --bytes it times nothing
and gives each key's allocated bytes instead ({"bytes": peak} of one call under tracemalloc, which is
deterministic, so the gate asks once per build; traced, a Python loop runs several times slower).

Usage: PYTHONPATH=BUILD python tools/gate/worker.py OUT.json [--bench REGEX] [--skip REGEX] [--samples K | --bytes]

It runs as a script, not as `python -m tools.gate.worker`: -m from the checkout would put the
checkout first on sys.path, and npopt would come from the checkout instead of the build. Run as a
script, Python puts this file's folder first on sys.path instead, where tools/gate/bisect.py would
stand in for the standard library's bisect (which random and statistics import): the worker takes
that folder off and appends the checkout, after the build, for measurement/.
"""
import argparse
import json
import os
import re
import sys

if __name__ == "__main__":
    HERE = os.path.dirname(os.path.realpath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.realpath(p) != HERE] + [os.path.dirname(os.path.dirname(HERE))]

from measurement.grids import by_size, check_benchmarked, grid  # noqa: E402
from measurement.inputs import build, peak_traced_bytes, sharing_inputs  # noqa: E402
from measurement.point import Point  # noqa: E402
from measurement.timing import interleaved_samples  # noqa: E402
import npopt  # noqa: E402  from PYTHONPATH: the commit under test, not this checkout
from npopt.registry import KERNELS  # noqa: E402


def keys_and_params(pattern, skip=None):
    """('technique.kernel:variant:n[:order]', kernel, params) for the asv time grid, filtered: the keys
    matching pattern but not skip, and the points asv times here (not an interpreted loop above its max_n,
    nor a variant this process cannot run)."""
    for kernel in KERNELS.values():
        for combo in by_size(grid(kernel)[0]):
            key = Point(kernel.key, *combo).gate_key
            if (pattern and not re.search(pattern, key)) or (skip and re.search(skip, key)):
                continue
            try:
                check_benchmarked(kernel, *combo[:2])
            except NotImplementedError:
                continue
            yield key, kernel, combo


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--bench", help="only keys matching this regular expression")
    parser.add_argument("--skip", help="not the keys matching this regular expression")
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--bytes", action="store_true", help="allocated bytes of one call, no timing")
    args = parser.parse_args(argv)
    results = {}
    with sharing_inputs():
        for key, kernel, (variant, n, *order) in keys_and_params(args.bench, args.skip):
            fn, call_args = build(kernel, variant, n, *order)
            fn(*call_args)  # compile and fault in pages outside the timed samples, as asv's setup does
            if args.bytes:
                results[key] = {"bytes": peak_traced_bytes(fn, call_args)}
            else:
                results[key] = {"seconds": interleaved_samples({key: (fn, call_args)}, window=0,
                                                               min_samples=args.samples)[key]}
            del fn, call_args
    with open(args.out, "w") as f:
        json.dump({"npopt": os.path.dirname(npopt.__file__), "results": results}, f)


if __name__ == "__main__":
    main()

"""Print what one asv run measured: every variant's time (the median of its samples, with asv's 99% interval) and its speedup over the reference.

Reads the stored asv results (never re-runs anything) for one machine and commit, one table per
benchmark environment. Usage: python -m tools.reports.summary [--commit REV] [--machine NAME] [--numpy V] [--json F]
"""
import argparse
import json
import sys

from asv.util import human_value

from measurement.machine import this_machine
from tools.results import CONF, latest_commit, load


def with_interval(value, interval, unit):
    """'1.23ms [1.20ms-1.31ms]': a value in asv's units, and its interval where it has one."""
    text = human_value(value, unit)
    return text + (f" [{human_value(interval[0], unit)}-{human_value(interval[1], unit)}]" if interval else "")


def time_rows(data, intervals=None):
    """Rows (technique, kernel, variant, size, time [interval], speedup vs reference, bytes allocated).

    A kernel's benchmark class is its name in CamelCase (a test holds the suite to that).
    """
    from measurement.point import benchmark_name
    from npopt.registry import KERNELS

    kernels = {benchmark_name(k): k for k in KERNELS.values()}
    rows = []
    for name, values in sorted(data.items()):
        if name not in kernels:
            continue
        module, cls = name.split(".")[:2]
        kernel = kernels[name]
        allocated = data.get(f"{module}.{cls}.track_allocated_bytes", {})
        spans = (intervals or {}).get(name, {})
        for params, seconds in values.items():
            variant, n, *order = params
            reference = values.get((kernel.reference, n, *order))
            size = f"{n}" + (f" {order[0]}" if order else "")
            speedup = f"{reference / seconds:.1f}x" if reference else "-"
            memory = human_value(allocated[params], "bytes") if params in allocated else "-"
            rows.append((kernel.technique, kernel.name, variant, size, with_interval(seconds, spans.get(params), "seconds"), speedup,
                         memory))
    return rows


def track_rows(data, intervals=None):
    """Rows (figure, kernel:variant, value [interval]) for the in-process track_ figures."""
    labels = {"track_speedup": ("speedup at headline size", "{:.1f}x"),
              "track_percent_of_triad": ("% of triad bandwidth", "{:.0f}%"),
              "track_relative_error": ("relative error vs reference", "{:.2g}")}
    rows = []
    for name, values in sorted(data.items()):
        method = name.split(".")[-1]
        if method in labels:
            label, fmt = labels[method]
            spans = (intervals or {}).get(name, {})
            rows.extend((label, pair, fmt.format(v) + (" [" + "-".join(fmt.format(e) for e in spans[(pair,)]) + "]"
                                                      if (pair,) in spans else ""))
                        for (pair,), v in sorted(values.items()))
    return rows


def table(headers, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = lambda r: "  ".join(str(x).ljust(w) for x, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", help="default: the newest commit with stored results")
    parser.add_argument("--machine", default=None, help="default: this host's fingerprint name")
    parser.add_argument("--numpy", action="append", help="only these NumPy versions (repeatable)")
    parser.add_argument("--json", help="also write the rows as JSON to this file")
    parser.add_argument("--config", default=CONF, help="the asv configuration whose results to read")
    args = parser.parse_args(argv)
    args.machine = args.machine or this_machine()
    commit = latest_commit(args.machine, args.commit, args.config)
    runs = [run for run in load(commit, args.machine, args.config)
            if not args.numpy or run.numpy in args.numpy] if commit else []
    if not runs:
        print(f"no stored asv results for machine {args.machine!r} at {args.commit or 'any commit'}", file=sys.stderr)
        return 1
    report = []
    for run in runs:
        times, tracks = time_rows(run.values, run.intervals), track_rows(run.values, run.intervals)
        print(f"\n== {run.env_name} (NumPy {run.label}), commit {commit[:8]}, machine {args.machine}")
        print(table(("technique", "kernel", "variant", "n", "time", "vs reference", "allocated"), times))
        print()
        print(table(("figure", "kernel:variant", "value"), tracks))
        report.append({"environment": run.env_name, "numpy": run.numpy, "disabled_simd": run.disabled_simd,
                       "times": times, "figures": tracks})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"commit": commit, "machine": args.machine, "runs": report}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Print what one asv run measured: every variant's median time and its speedup over the reference.

Reads the stored asv results (never re-runs anything) for one machine and commit, one table per
benchmark environment. Usage: python -m tools.summary [--commit REV] [--machine NAME] [--numpy V] [--json F]
"""
import argparse
import itertools
import json
import math
import os
import re
import socket
import subprocess
import sys

from asv import results as asv_results
from asv.config import Config
from asv.util import human_value

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _unquote(value):
    """asv stores parameter values as their repr: "'ufunc'" -> 'ufunc', '10000' -> 10000."""
    try:
        return json.loads(value.replace("'", '"'))
    except ValueError:
        return value


def measurements(result):
    """{benchmark name: {parameter tuple: value}} for one asv Results object."""
    out = {}
    for key in result.get_all_result_keys():
        values = result.get_result_value(key, result.get_result_params(key))
        params = result.get_result_params(key)
        combos = [tuple(_unquote(p) for p in c) for c in itertools.product(*params)] if params else [()]
        values = values if isinstance(values, list) else [values]
        out[key] = {c: v for c, v in zip(combos, values) if v is not None and not math.isnan(v)}
    return out


CONF = os.path.join(ROOT, "asv.conf.json")


def results_dir(config=CONF):
    return os.path.join(ROOT, Config.load(config).results_dir)


def latest_commit(machine, rev=None, config=CONF, widest=False):
    """``rev`` as a full hash, or else the newest commit with stored results for ``machine`` (None if none).

    widest: the newest of the commits stored in the most environments (a history run over one
    environment does not hide the last full NumPy matrix).
    """
    if rev:
        return subprocess.check_output(["git", "rev-parse", rev], cwd=ROOT, text=True).strip()
    envs, dates = {}, {}
    for r in asv_results.iter_results_for_machine(results_dir(config), machine):
        envs.setdefault(r.commit_hash, set()).add(r.env_name)
        dates[r.commit_hash] = max(dates.get(r.commit_hash, 0), r.date)
    if not dates:
        return None
    return max(dates, key=lambda c: ((len(envs[c]) if widest else 0), dates[c]))


def load(commit, machine, config=CONF):
    """(environment name, NumPy version, measurements) for each environment of one run."""
    runs = []
    for result in asv_results.iter_results_for_machine_and_hash(results_dir(config), machine, commit):
        numpy_version = next((v for k, v in result.params.items() if k.endswith("numpy")), "?")
        runs.append((result.env_name, numpy_version, measurements(result)))
    return sorted(runs, key=lambda run: run[0])


def time_rows(data):
    """Rows (technique, kernel, variant, size, time, speedup vs reference, bytes allocated).

    A kernel's benchmark class is its name in CamelCase (a test holds the suite to that).
    """
    from npopt.registry import KERNELS

    rows = []
    for name, values in sorted(data.items()):
        if not name.endswith(".time_kernel"):
            continue
        module, cls = name.split(".")[:2]
        kernel = KERNELS[f"{module.removeprefix('bench_')}.{re.sub(r'(?<!^)(?=[A-Z])', '_', cls).lower()}"]
        allocated = data.get(f"{module}.{cls}.track_allocated_bytes", {})
        for params, seconds in values.items():
            variant, n, *order = params
            reference = values.get((kernel.reference, n, *order))
            size = f"{n}" + (f" {order[0]}" if order else "")
            speedup = f"{reference / seconds:.1f}x" if reference else "-"
            memory = human_value(allocated[params], "bytes") if params in allocated else "-"
            rows.append((kernel.technique, kernel.name, variant, size, human_value(seconds, "seconds"), speedup, memory))
    return rows


def track_rows(data):
    """Rows (figure, kernel:variant, value) for the in-process track_ figures."""
    labels = {"track_speedup": ("speedup at headline size", "{:.1f}x"),
              "track_percent_of_triad": ("% of triad bandwidth", "{:.0f}%"),
              "track_relative_error": ("relative error vs reference", "{:.2g}")}
    rows = []
    for name, values in sorted(data.items()):
        method = name.split(".")[-1]
        if method in labels:
            label, fmt = labels[method]
            rows.extend((label, pair, fmt.format(v)) for (pair,), v in sorted(values.items()))
    return rows


def table(headers, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = lambda r: "  ".join(str(x).ljust(w) for x, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", help="default: the newest commit with stored results")
    parser.add_argument("--machine", default=socket.gethostname())
    parser.add_argument("--numpy", action="append", help="only these NumPy versions (repeatable)")
    parser.add_argument("--json", help="also write the rows as JSON to this file")
    parser.add_argument("--config", default=CONF, help="the asv configuration whose results to read")
    args = parser.parse_args(argv)
    commit = latest_commit(args.machine, args.commit, args.config)
    runs = [run for run in load(commit, args.machine, args.config)
            if not args.numpy or run[1] in args.numpy] if commit else []
    if not runs:
        print(f"no stored asv results for machine {args.machine!r} at {args.commit or 'any commit'}", file=sys.stderr)
        return 1
    report = []
    for env_name, numpy_version, data in runs:
        times, tracks = time_rows(data), track_rows(data)
        print(f"\n== {env_name} (NumPy {numpy_version}), commit {commit[:8]}, machine {args.machine}")
        print(table(("technique", "kernel", "variant", "n", "time", "vs reference", "allocated"), times))
        print()
        print(table(("figure", "kernel:variant", "value"), tracks))
        report.append({"environment": env_name, "numpy": numpy_version, "times": times, "figures": tracks})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"commit": commit, "machine": args.machine, "runs": report}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Compare NumPy versions at one commit: every variant's speedup over its naive reference, per NumPy.

asv graphs one benchmark across commits; it has no view of all NumPy environments side by side at
one commit. This reads the stored ``track_speedup`` results (never runs anything) and prints that
table, marks each cell that changed beyond the measured noise since the previous NumPy version
(measurement/change.py: 'v' slower, '^' faster), and writes it as CSV, JSON and an ``overview.html`` page:
per technique a chart of those rows (tools/dashboard/overview.js, drawn with the dashboard's vendored
flot), then the table, linking to each benchmark's asv graph.

Usage: python -m tools.reports.overview [--commit REV] [--machine NAME] [--csv F] [--json F] [--html F]
"""
import argparse
import csv
import json
import math
import sys
from urllib.parse import quote

import numpy as np

from measurement.change import FASTER, SLOWER, change, compare_pairs, judge, kind, noise, noise_interval
from measurement.machine import this_machine
from measurement.point import benchmark_name, point
from npopt import TECHNIQUES
from npopt.registry import KERNELS
from tools.dashboard import pages
from tools.matrix import rounds_per_process
from tools.reports.summary import table
from tools.results import baselines, in_release_order, latest_commit, load, python_of

SPEEDUP = "bench_{technique}.Speedup.track_speedup"
DISPATCHES = "bench_simd.track_numpy_dispatches"  # 1 or 0 per SIMD level
MARKS = {SLOWER: " v", FASTER: " ^", None: ""}
LOG_SPAN = 10  # a chart whose speedups span more than this factor gets a log scale


def overview(runs, bands=None):
    """(numpy versions, rows): a row per non-reference variant, speedups (with asv's intervals) in
    NumPy-version order, and each cell's change mark against the column it is compared with
    (``results.baselines``: a twin with its release line, a release line with the previous one).

    Cells with samples are judged as one family (measurement/change.py ``judge``); cells without, by the
    band of bands: {kind of figure: measured spread} (measurement/change.py ``change``).
    """
    bands = bands or {}
    by_numpy = in_release_order(runs)
    versions = [run.label for run in by_numpy]
    against = baselines([(run.numpy, run.twin) for run in by_numpy])
    rows, tested = [], []
    for technique in TECHNIQUES:
        for kernel in (k for k in KERNELS.values() if k.technique == technique):
            for variant in kernel.variants:
                if variant == kernel.reference:
                    continue
                pair = f"{kernel.key}:{variant}"
                name = SPEEDUP.format(technique=technique)
                cells = [run.values.get(name, {}).get((pair,)) for run in by_numpy]
                samples = [run.samples.get(name, {}).get((pair,)) for run in by_numpy]
                row = {"technique": technique, "kernel": kernel.name, "variant": variant,
                       "reference": kernel.reference, "benchmark": name, "pair": pair, "speedups": cells,
                       "intervals": [run.intervals.get(name, {}).get((pair,)) for run in by_numpy],
                       "marks": [None] * len(cells), "ratios": [None] * len(cells)}
                pairs = [(b, i) for i, b in enumerate(against)
                         if b is not None and cells[i] is not None and cells[b] is not None]
                for (b, i), c in zip(pairs, compare_pairs(samples, pairs, rounds_per_process(kernel))):
                    if c is None:
                        row["marks"][i] = change(name, cells[b], cells[i], bands.get(kind(name)), samples[b], samples[i])
                    else:
                        tested.append((row, i, c))
                rows.append(row)
    for (row, i, c), mark in zip(tested, judge([r["benchmark"] for r, _, _ in tested], [c for _, _, c in tested])):
        row["marks"][i], row["ratios"][i] = mark, (c.ratio, c.low, c.high)
    return versions, rows


def why_no_simd_twin(by_numpy):
    """Why a run (its runs in release order) has no SIMD-disabled twin: on this machine NumPy dispatches to
    none of the levels the twin disables (its newest release line's ``bench_simd.track_numpy_dispatches``
    all 0: AArch64, Apple silicon; tools/bench.py skips the twin there), or the run left it out."""
    recorded = [run.values[DISPATCHES] for run in by_numpy if not run.twin and run.values.get(DISPATCHES)]
    if recorded and all(on == 0 for on in recorded[-1].values()):
        levels = ", ".join(level for (level,) in recorded[-1])
        return f"no SIMD twin on this machine (its NumPy dispatches to none of {levels})"
    return "no SIMD twin in this run"


def controls(runs, rows, versions):
    """The run's own controls: the marks its A/A twin got (there must be none), the SIMD-disabled twin's
    marks on the SIMD sorts NumPy dispatches to on this machine (``Variant.simd_level``; they must be
    slower) or why there is no such twin (``why_no_simd_twin``), and the canaries (``Variant.canary``:
    no NumPy release can change them): the widest max/min of a canary's seconds across the environments
    of one Python, and how many canaries have every such environment's median inside the noise interval
    of the others' samples (measurement/change.py ``noise_interval``, the run's canary values one family)."""
    by_numpy = in_release_order(runs)
    aa = [i for i, run in enumerate(by_numpy) if run.aa_twin]
    simd = [i for i, run in enumerate(by_numpy) if run.disabled_simd]
    against = baselines([(run.numpy, run.twin) for run in by_numpy])
    levels = {level for i in simd if against[i] is not None
              for (level,), on in by_numpy[against[i]].values.get(DISPATCHES, {}).items() if on}
    sorts = [r for r in rows if KERNELS[f"{r['technique']}.{r['kernel']}"].variants[r["variant"]].simd_level in levels]
    out = {"aa_twin": [versions[i] for i in aa], "aa_marks": sum(1 for r in rows for i in aa if r["marks"][i]),
           "simd_twin": [versions[i] for i in simd], "no_simd_twin": None if simd else why_no_simd_twin(by_numpy),
           "simd_levels": sorted(levels),
           "simd_sorts_slower": sum(1 for r in sorts for i in simd if r["marks"][i] == SLOWER),
           "simd_sorts": sum(1 for r in sorts for i in simd if r["speedups"][i] is not None), "canaries": []}
    groups = []  # (figure, python, runs) of each canary with samples in at least two environments of one Python
    for kernel in KERNELS.values():
        for variant in (name for name, v in kernel.variants.items() if v.canary):
            name = benchmark_name(kernel)
            for n in kernel.sizes:
                params = point(kernel, variant, n).params
                by_python = {}
                for run in by_numpy:
                    if run.samples.get(name, {}).get(params):
                        by_python.setdefault(python_of(run), []).append(run.samples[name][params])
                groups += [(f"{kernel.key}:{variant}:{n}", python, same) for python, same in by_python.items() if len(same) > 1]
    family = sum(len(same) for _, _, same in groups)
    for figure, python, same in groups:
        values = [float(np.median(s)) for s in same]
        spans = [noise_interval(same[:i] + same[i + 1:], len(same[i]), family) for i in range(len(same))]
        bounded = all(map(math.isfinite, (end for span in spans for end in span)))
        out["canaries"].append({"figure": figure, "python": python, "spread": max(values) / min(values),
                                "interval": list(noise_interval(same, min(map(len, same)), family)) if bounded else None,
                                "inside": sum(low <= value <= high for value, (low, high) in zip(values, spans)),
                                "environments": len(same)})
    out["canary_spread"] = max((c["spread"] for c in out["canaries"]), default=None)
    out["canaries_bounded"] = sum(c["interval"] is not None for c in out["canaries"])
    out["canaries_inside"] = sum(c["interval"] is not None and c["inside"] == c["environments"] for c in out["canaries"])
    return out


def controls_text(c):
    """One paragraph on the run's controls."""
    spread = "-" if c["canary_spread"] is None else f"{c['canary_spread']:.2f}"
    unbounded = len(c["canaries"]) - c["canaries_bounded"]
    simd = (f"SIMD-disabled twin ({', '.join(c['simd_twin'])}) marks {c['simd_sorts_slower']} of {c['simd_sorts']} "
            f"SIMD sorts slower (dispatched here: {', '.join(c['simd_levels']) or 'none'})" if c["simd_twin"]
            else c["no_simd_twin"])
    return (f"controls: A/A twin ({', '.join(c['aa_twin']) or 'none'}) {c['aa_marks']} marks (must be 0); {simd}; "
            f"canaries: widest spread across environments {spread}, {c['canaries_inside']} of "
            f"{c['canaries_bounded']} with every environment's median inside the noise interval of the others"
            + (f" ({unbounded} {'more ' if c['canaries_bounded'] else ''}with too few samples to bound one)"
               if unbounded else ""))


def charts(rows):
    """The rows as charts: one per technique with any result, a series per variant (None where n/a)."""
    by_technique = {}
    for r in rows:
        by_technique.setdefault(r["technique"], []).append(
            {"label": f"{r['kernel']}:{r['variant']}", "speedups": r["speedups"], "marks": r["marks"],
             "intervals": r["intervals"]})
    out = []
    for technique, series in by_technique.items():
        values = [v for s in series for v in s["speedups"] if v is not None]
        if values:
            out.append({"technique": technique, "log": max(values) / min(values) > LOG_SPAN, "series": series})
    return out


def cell_text(value, mark, interval=None):
    """'12.3x [11.8-12.9] ^': the speedup, asv's 99% interval where it has samples, and the mark."""
    if value is None:
        return "-"
    span = f" [{interval[0]:.3g}-{interval[1]:.3g}]" if interval else ""
    return f"{value:.3g}x{span}" + MARKS[mark]


def cells(row):
    return [cell_text(v, m, i) for v, m, i in zip(row["speedups"], row["marks"], row["intervals"])]


def print_table(versions, rows, header, checks=None):
    print(header)
    body = [(r["technique"], r["kernel"], r["variant"], *cells(r)) for r in rows]
    print(table(("technique", "kernel", "variant vs reference", *(f"numpy {v}" for v in versions)), body))
    print("  (speedup = reference time / variant time at the kernel's headline size, the median of its samples "
          "[asv's 99% interval]; 'v' slower / '^' faster than the column it is compared with (a twin: its "
          "release line; a release: the previous one), by a test on the run's samples)")
    if checks:
        print("  " + controls_text(checks))


def write_csv(path, versions, rows, checks):
    """The table, each cell with its interval and mark, then one row with the run's controls."""
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["technique", "kernel", "variant", "reference",
                      *(f"numpy {v}{part}" for v in versions for part in ("", " low", " high", " mark"))])
        for r in rows:
            out.writerow([r["technique"], r["kernel"], r["variant"], r["reference"],
                          *(x for v, i, m in zip(r["speedups"], r["intervals"], r["marks"])
                            for x in ("" if v is None else f"{v:.4g}", *((f"{e:.4g}" for e in i) if i else ("", "")), m or ""))])
        out.writerow(["controls", controls_text(checks)])


def graph_link(row):
    """The asv dashboard's graph of this variant's speedup (index.html#benchmark?p-param=value)."""
    return f"index.html#{row['benchmark']}?p-kernel_variant={quote(repr(row['pair']))}"


def write_page(path, sections):
    """The overview page at path: per machine of sections, the charts (drawn by tools/dashboard/overview.js)
    and the table."""
    pages.write(path, "overview.html",
                charts=[{"machine": machine, "numpy": versions, "charts": charts(rows)}
                        for machine, _, versions, rows, _ in sections],
                sections=[{"machine": machine, "commit": commit[:8], "numpy": versions, "controls": controls_text(checks),
                           "rows": [{**r, "link": graph_link(r), "cells": list(zip(r["marks"], cells(r)))} for r in rows]}
                          for machine, commit, versions, rows, checks in sections])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", help="default: the newest commit stored for the most NumPy environments")
    parser.add_argument("--machine", action="append",
                        help="repeatable; default: this host's name. The html page covers every machine given")
    parser.add_argument("--csv")
    parser.add_argument("--json")
    parser.add_argument("--html")
    args = parser.parse_args(argv)
    machines = args.machine or [this_machine()]
    sections, report = [], []
    for machine in machines:
        commit = latest_commit(machine, args.commit, widest=True)
        runs = load(commit, machine) if commit else []
        if not runs:
            print(f"no stored results for machine {machine!r}", file=sys.stderr)
            return 1
        versions, rows = overview(runs, noise(machine))
        checks = controls(runs, rows, versions)
        print_table(versions, rows, f"\n== speedup vs naive per NumPy version: machine {machine}, commit {commit[:8]}",
                    checks)
        sections.append((machine, commit, versions, rows, checks))
        report.append({"machine": machine, "commit": commit, "numpy": versions, "rows": rows, "controls": checks})
    if args.csv:
        write_csv(args.csv, *sections[0][2:5])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    if args.html:
        write_page(args.html, sections)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Compare NumPy versions at one commit: every variant's speedup over its naive reference, per NumPy.

asv graphs one benchmark across commits; it has no view of all NumPy environments side by side at
one commit. This reads the stored ``track_speedup`` results (never runs anything) and prints that
table, marks each cell that changed beyond the measured noise since the previous NumPy version
(tools/change.py: 'v' slower, '^' faster), and writes it as CSV, JSON and an ``overview.html`` page:
per technique a chart of those rows (tools/overview.js, drawn with the dashboard's vendored flot),
then the table, linking to each benchmark's asv graph.

Usage: python -m tools.overview [--commit REV] [--machine NAME] [--csv F] [--json F] [--html F]
"""
import argparse
import csv
import html
import json
import os
import sys
from urllib.parse import quote


from npopt import TECHNIQUES
from npopt.registry import KERNELS
from tools.change import FASTER, SLOWER, change, kind, noise
from tools.machine import this_machine
from tools.offline_assets import FLOT_JS, JQUERY_JS
from tools.results import in_release_order, latest_commit, load
from tools.summary import table

SPEEDUP = "bench_{technique}.Speedup.track_speedup"
MARKS = {SLOWER: " v", FASTER: " ^", None: ""}
LOG_SPAN = 10  # a chart whose speedups span more than this factor gets a log scale
CHART_JS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "overview.js")


def overview(runs, bands=None):
    """(numpy versions, rows): a row per non-reference variant, speedups in NumPy-version order.

    bands: {kind of figure: measured spread} of this machine (tools/change.py), for the change marks.
    """
    bands = bands or {}
    by_numpy = in_release_order(runs)
    versions = [run.label for run in by_numpy]
    rows = []
    for technique in TECHNIQUES:
        for kernel in (k for k in KERNELS.values() if k.technique == technique):
            for variant in kernel.variants:
                if variant == kernel.reference:
                    continue
                pair = f"{kernel.key}:{variant}"
                name = SPEEDUP.format(technique=technique)
                cells = [run.values.get(name, {}).get((pair,)) for run in by_numpy]
                samples = [run.samples.get(name, {}).get((pair,)) for run in by_numpy]
                rows.append({"technique": technique, "kernel": kernel.name, "variant": variant,
                             "reference": kernel.reference, "benchmark": name, "pair": pair, "speedups": cells,
                             "marks": marks(name, cells, samples, bands.get(kind(name)))})
    return versions, rows


def marks(benchmark, cells, samples, spread):
    """Per cell: SLOWER, FASTER or None against the nearest earlier NumPy version that has a value."""
    out, previous = [], None
    for value, taken in zip(cells, samples):
        out.append(change(benchmark, previous[0], value, spread, previous[1], taken) if previous else None)
        previous = (value, taken) if value is not None else previous
    return out


def charts(rows):
    """The rows as charts: one per technique with any result, a series per variant (None where n/a)."""
    by_technique = {}
    for r in rows:
        by_technique.setdefault(r["technique"], []).append(
            {"label": f"{r['kernel']}:{r['variant']}", "speedups": r["speedups"], "marks": r["marks"]})
    out = []
    for technique, series in by_technique.items():
        values = [v for s in series for v in s["speedups"] if v is not None]
        if values:
            out.append({"technique": technique, "log": max(values) / min(values) > LOG_SPAN, "series": series})
    return out


def cell_text(value, mark):
    return "-" if value is None else f"{value:.1f}x" + MARKS[mark]


def print_table(versions, rows, header):
    print(header)
    body = [(r["technique"], r["kernel"], r["variant"],
             *(cell_text(v, m) for v, m in zip(r["speedups"], r["marks"]))) for r in rows]
    print(table(("technique", "kernel", "variant vs reference", *(f"numpy {v}" for v in versions)), body))
    print("  (speedup = reference time / variant time at the kernel's headline size; "
          "'v' slower / '^' faster than the previous NumPy version, beyond the measured noise)")


def write_csv(path, versions, rows):
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["technique", "kernel", "variant", "reference", *(f"numpy {v}" for v in versions)])
        for r in rows:
            out.writerow([r["technique"], r["kernel"], r["variant"], r["reference"],
                          *("" if v is None else f"{v:.4g}" for v in r["speedups"])])


def graph_link(row):
    """The asv dashboard's graph of this variant's speedup (index.html#benchmark?p-param=value)."""
    return f"index.html#{row['benchmark']}?p-kernel_variant={quote(repr(row['pair']))}"


def write_html(path, sections):
    """One page: per machine, the charts (tools/overview.js, on the vendored jQuery and flot) and the table."""
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>npopt: NumPy versions compared</title>"
             "<link rel='icon' href='swallow.ico'>",  # asv's, beside the page
             "<style>body{font-family:sans-serif;margin:2em}table.speedups{border-collapse:collapse;margin-bottom:2em}"
             ".speedups td,.speedups th{border:1px solid #ccc;padding:3px 8px;text-align:right}td.name{text-align:left}"
             "td.slower{background:#f8d0d0;font-weight:bold}td.faster{background:#d0f0d0;font-weight:bold}"
             ".charts{display:flex;flex-wrap:wrap;gap:1em 2em}.chart{margin:0 0 1em;width:600px}"
             ".chart figcaption{font-weight:bold}.plot{height:280px}.legend{font-size:85%}"
             ".chart-tip{position:absolute;background:#fff;border:1px solid #888;padding:2px 6px;font-size:90%}"
             "</style></head><body>",
             "<h1>Speedup over the naive variant, per NumPy version</h1>",
             "<p><a href='index.html'>asv dashboard</a>. Each cell: reference time / variant time at the "
             "kernel's headline size (best of calibrated samples). Red 'v' (&#9660; on the charts): slower, "
             "green '^' (&#9650;): faster than on the previous NumPy version, beyond this figure's measured "
             "noise (README: How a figure is measured). A gap in a line: the variant is n/a in that NumPy.</p>"]
    data = []
    for n, (machine, commit, versions, rows) in enumerate(sections):
        data.append({"machine": machine, "numpy": versions, "charts": charts(rows)})
        parts.append(f"<h2 id='{html.escape(machine)}'>machine {html.escape(machine)}, commit {commit[:8]}</h2>")
        parts.append(f"<div class='charts' id='charts-{n}' data-machine='{html.escape(machine)}'></div>")
        parts.append("<table class='speedups'><tr><th>technique</th><th>kernel</th><th>variant</th>"
                     + "".join(f"<th>numpy {html.escape(v)}</th>" for v in versions) + "</tr>")
        for r in rows:
            cells = "".join(f"<td class='{m or ''}'>{cell_text(v, m)}</td>" for v, m in zip(r["speedups"], r["marks"]))
            parts.append(f"<tr class='technique-{r['technique']}'><td class='name'>{r['technique']}</td>"
                         f"<td class='name'>{r['kernel']}</td><td class='name'><a href='{html.escape(graph_link(r))}'>"
                         f"{r['variant']}</a> vs {r['reference']}</td>{cells}</tr>")
        parts.append("</table>")
    chart_data = json.dumps(data).replace("</", "<\\/")  # no "</script>" inside the script element
    parts.append(f"<script type='application/json' id='chart-data'>{chart_data}</script>")
    parts += [f"<script src='{asset.local_path}'></script>" for asset in (JQUERY_JS, FLOT_JS)]
    with open(CHART_JS) as f:
        parts.append(f"<script>\n{f.read()}</script>")
    parts.append("</body></html>")
    with open(path, "w") as f:
        f.write("\n".join(parts))


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
        print_table(versions, rows, f"\n== speedup vs naive per NumPy version: machine {machine}, commit {commit[:8]}")
        sections.append((machine, commit, versions, rows))
        report.append({"machine": machine, "commit": commit, "numpy": versions, "rows": rows})
    if args.csv:
        write_csv(args.csv, *sections[0][2:])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    if args.html:
        write_html(args.html, sections)
    return 0


if __name__ == "__main__":
    sys.exit(main())

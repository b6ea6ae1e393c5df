"""The stored machines side by side: per technique, each variant's speedup on every machine at its newest
stored NumPy, and per NumPy release-note claim, the verdict on every machine.

Reads the stored results only (tools/report.py's Machine: the newest commit stored in the most
environments of each machine). A machine whose results come from an older suite is labelled so
("older suite: N of M figures present"); where it did not measure a technique or a claim's figure,
that is said once per technique (or once for the claims) instead of a column of dashes.

Usage: python -m tools.machines [--html F]     (the terminal table; --html writes the dashboard page)
"""
import argparse
import html
import sys

from measurement.grids import load_claims
from npopt import TECHNIQUES
from npopt.registry import KERNELS
from tools import claims as claims_tool
from tools.report import Machine, current_suite, release_claims, speedup, times
from tools.results import machines as stored_machines
from tools.summary import table


def stored():
    """Every machine with stored results, those with the most current figures first."""
    suite = current_suite()
    ms = [Machine(name, suite) for name in stored_machines()]
    return sorted((m for m in ms if m.runs), key=lambda m: (m.older_suite, -m.figures_present, m.name))


def technique_rows(ms, technique):
    """(machines that measured the technique, rows): a row per non-reference variant any of them stored,
    a cell per such machine: the speedup text, or 'not in its suite' where that machine lacks the variant."""
    having = [m for m in ms if technique in m.techniques]
    rows = []
    for key, kernel in KERNELS.items():
        if kernel.technique != technique:
            continue
        for variant in kernel.variants:
            if variant == kernel.reference:
                continue
            found = [speedup(m.newest, key, variant) for m in having]
            if any(v is not None for v, _ in found):
                rows.append({"kernel": kernel.name, "variant": variant, "reference": kernel.reference,
                             "cells": [times(*f) if f[0] is not None else "not in its suite" for f in found]})
    return having, rows


def claim_rows(ms):
    """(machines with any claim's figure stored, rows): per release-note claim, each such machine's verdict."""
    verdicts = {m.name: release_claims(m) for m in ms}
    having = [m for m in ms if any(r["verdict"] != claims_tool.NOT_MEASURED for r in verdicts[m.name])]
    rows = []
    for i, claim in enumerate(load_claims()):
        rows.append({"claim": claim, "cells": [verdicts[m.name][i] for m in having]})
    return having, rows


def verdict_text(r):
    return r["verdict"] + (f" ({claims_tool.factor_text(r['factor'], r['interval'])})" if r["factor"] else "")


def header(m):
    return (f"{m.name}: {m.facts.get('cpu', '?').split(';')[0]}, commit {m.short}, {m.numpy}, {m.suite_label}")


def missing_text(ms, having, what):
    absent = [m for m in ms if m not in having]
    return [f"not measured on {m.name} ({m.suite_label}): {what}" for m in absent]


def print_report(ms):
    print("== the stored machines side by side")
    for m in ms:
        print("  " + header(m))
    for technique in TECHNIQUES:
        having, rows = technique_rows(ms, technique)
        print(f"\n-- {technique}")
        if rows:
            print(table(("kernel", "variant vs reference", *(f"{m.name} ({m.newest.label})" for m in having)),
                        [(r["kernel"], f"{r['variant']} vs {r['reference']}", *r["cells"]) for r in rows]))
        for line in missing_text(ms, having, "its suite has no such technique"):
            print("  " + line)
    having, rows = claim_rows(ms)
    print("\n-- NumPy release-note claims (tools/claims.py, each machine judged on its own results)")
    if having:
        print(table(("release", "PR", "claim", "claimed", *(m.name for m in having)),
                    [(r["claim"]["release"], f"gh-{r['claim']['pr']}", r["claim"]["what"], f"{r['claim']['factor']:g}x",
                      *(verdict_text(c) for c in r["cells"])) for r in rows]))
    for line in missing_text(ms, having, "none of the claims' figures is stored"):
        print("  " + line)


def page(ms):
    """html/machines.html: a self-contained page (inline style, no scripts)."""
    e = html.escape
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>npopt: machines side by side</title>",
             "<link rel='icon' href='swallow.ico'>",
             "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
             "td,th{border:1px solid #ccc;padding:3px 8px;vertical-align:top}td.num{text-align:right}"
             ".older{color:#8a5a00;font-weight:bold}.absent{color:#666;font-style:italic}"
             ".verdict-confirmed{background:#d0f0d0}.verdict-smaller{background:#f0f0c0}"
             ".verdict-not-reproduced{background:#f8d0d0}"
             ".verdict-not-applicable-on-this-machine,.verdict-not-measured{background:#e8e8e8}</style></head><body>",
             "<h1>The stored machines side by side</h1>",
             "<p><a href='index.html'>asv dashboard</a>. Per technique, each variant's speedup over its naive "
             "reference (reference time / variant time at the kernel's headline size, asv's 99% interval in "
             "brackets where stored) on every machine, at that machine's newest stored NumPy; then the verdict on "
             "every NumPy release-note claim, each machine judged on its own results (docs/dashboard.md).</p>",
             "<table id='machines'><tr><th>machine</th><th>CPU</th><th>commit</th><th>newest NumPy</th>"
             "<th>suite</th></tr>"]
    for m in ms:
        parts.append(f"<tr class='machine'><td>{e(m.name)}</td><td>{e(m.facts.get('cpu', '?'))}</td><td>{e(m.short)}</td>"
                     f"<td>{e(m.numpy)}</td><td class='{'older' if m.older_suite else ''}'>{e(m.suite_label)}</td></tr>")
    parts.append("</table>")
    for technique in TECHNIQUES:
        having, rows = technique_rows(ms, technique)
        parts.append(f"<h2 id='technique-{e(technique)}'>{e(technique)}</h2>")
        if rows:
            parts.append(f"<table class='technique' data-technique='{e(technique)}'><tr><th>kernel</th><th>variant</th>"
                         + "".join(f"<th>{e(m.name)}<br>NumPy {e(m.newest.label)}</th>" for m in having) + "</tr>")
            for r in rows:
                parts.append(f"<tr class='variant'><td>{e(r['kernel'])}</td><td>{e(r['variant'])} vs {e(r['reference'])}</td>"
                             + "".join(f"<td class='num'>{e(c)}</td>" for c in r["cells"]) + "</tr>")
            parts.append("</table>")
        parts += [f"<p class='absent'>{e(line)}</p>" for line in missing_text(ms, having, "its suite has no such technique")]
    having, rows = claim_rows(ms)
    parts.append("<h2 id='claims'>NumPy release-note claims</h2>")
    if having:
        parts.append("<table class='claims'><tr><th>release</th><th>PR</th><th>claim</th><th>claimed</th>"
                     + "".join(f"<th>{e(m.name)}</th>" for m in having) + "</tr>")
        for r in rows:
            c = r["claim"]
            parts.append(f"<tr class='claim'><td>{e(c['release'])}</td><td>gh-{c['pr']}</td><td>{e(c['what'])}</td>"
                         f"<td class='num'>{c['factor']:g}x</td>"
                         + "".join(f"<td class='{claims_tool.css_class(v['verdict'])}' title='{e(v['reason'])}'>"
                                   f"{e(verdict_text(v))}</td>" for v in r["cells"]) + "</tr>")
        parts.append("</table>")
    parts += [f"<p class='absent'>{e(line)}</p>" for line in missing_text(ms, having, "none of the claims' figures is stored")]
    return "\n".join(parts + ["</body></html>"])


def write_page(path):
    with open(path, "w") as f:
        f.write(page(stored()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", help="also write the dashboard page")
    args = parser.parse_args(argv)
    ms = stored()
    if not ms:
        print("no stored results", file=sys.stderr)
        return 1
    print_report(ms)
    if args.html:
        with open(args.html, "w") as f:
            f.write(page(ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The stored machines side by side: per technique, each variant's speedup on every machine at its newest
stored NumPy, and per NumPy release-note claim, the verdict on every machine.

Reads the stored results only (tools/reports/report.py's Machine: the newest commit stored in the most
environments of each machine). A machine whose results come from an older suite is labelled so
("older suite: N of M figures present"); where it did not measure a technique or a claim's figure,
that is said once per technique (or once for the claims) instead of a column of dashes.

Usage: python -m tools.reports.machines [--html F]     (the terminal table; --html writes the dashboard page)
"""
import argparse
import sys

from measurement.grids import load_claims
from npopt import TECHNIQUES
from npopt.registry import KERNELS
from tools.dashboard import pages
from tools.reports import claims as claims_tool
from tools.reports.report import Machine, current_suite, release_claims, speedup, times
from tools.reports.summary import table
from tools.results import machines as stored_machines


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
    print("\n-- NumPy release-note claims (tools/reports/claims.py, each machine judged on its own results)")
    if having:
        print(table(("release", "PR", "claim", "claimed", *(m.name for m in having)),
                    [(r["claim"]["release"], f"gh-{r['claim']['pr']}", r["claim"]["what"], f"{r['claim']['factor']:g}x",
                      *(verdict_text(c) for c in r["cells"])) for r in rows]))
    for line in missing_text(ms, having, "none of the claims' figures is stored"):
        print("  " + line)


def page(ms):
    """html/machines.html: the machines ms side by side (no scripts), as a string."""
    techniques = []
    for technique in TECHNIQUES:
        having, rows = technique_rows(ms, technique)
        techniques.append({"name": technique, "machines": [(m.name, m.newest.label) for m in having], "rows": rows,
                           "absent": missing_text(ms, having, "its suite has no such technique")})
    having, rows = claim_rows(ms)
    claims = {"machines": [m.name for m in having], "absent": missing_text(ms, having, "none of the claims' figures is stored"),
              "rows": [{"release": r["claim"]["release"], "pr": r["claim"]["pr"], "what": r["claim"]["what"],
                        "claimed": f"{r['claim']['factor']:g}x",
                        "verdicts": [{"css_class": claims_tool.css_class(v["verdict"]), "reason": v["reason"],
                                      "text": verdict_text(v)} for v in r["cells"]]} for r in rows]}
    return pages.render("machines.html", techniques=techniques, claims=claims,
                        machines=[{"name": m.name, "cpu": m.facts.get("cpu", "?"), "commit": m.short, "numpy": m.numpy,
                                   "suite": m.suite_label, "older": m.older_suite} for m in ms])


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

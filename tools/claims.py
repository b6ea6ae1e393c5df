"""NumPy's release-note speed claims, checked against this machine's stored results.

claims/numpy_release_notes.toml lists the claims, each with the npopt figure that measures it (a
variant's ``track_seconds``). For one commit this reads the stored results (tools/results.py; it
never runs anything) and compares the figure in the newest stored NumPy release older than the
claim's with the figure in the claim's release, or the nearest stored release after it:
measured factor = seconds before / seconds after. The verdict, with tools/change.py deciding
"changed or noise" with the measured noise of seconds on this machine (its band B):

  confirmed                       faster beyond the noise, and measured factor x B >= claimed factor
  smaller                         faster beyond the noise, but short of the claim even allowing B
  not reproduced                  no change beyond the noise, or slower
  not applicable on this machine  the claim needs a CPU feature this machine lacks (named)
  not measured                    a release, the kernel or the figure is not stored (said which)

Usage: python -m tools.claims [--commit REV] [--html F]
"""
import argparse
import html
import re
import sys

from benchmarks.bench_simd import cpu_features
from benchmarks.common import benchmark_name, load_claims, point
from npopt.registry import KERNELS, release
from tools.change import FASTER, UNMEASURED_SPREAD, change, noise
from tools.machine import this_machine
from tools.results import in_release_order, latest_commit, load
from tools.summary import table

FIGURE = "track_seconds"
CONFIRMED, SMALLER, NOT_REPRODUCED = "confirmed", "smaller", "not reproduced"
NOT_APPLICABLE, NOT_MEASURED = "not applicable on this machine", "not measured"
PULL = "https://github.com/numpy/numpy/pull/{}"


def figure(claim):
    """(asv benchmark, params) of the figure measuring a claim: its class is the kernel's name in
    CamelCase, its params those of the suite's measurement (benchmarks/common.py)."""
    kernel = KERNELS[claim["kernel"]]
    name = benchmark_name(kernel, FIGURE)
    return name, point(kernel, claim["variant"], claim.get("n", kernel.headline_n))[1:]


def compared(claim_release, runs):
    """(run before, run after): the newest run of a NumPy release older than the claim's release, and
    the oldest at or after it (None where there is none). SIMD-disabled twins are not NumPy as shipped."""
    ordered = [run for run in in_release_order(runs) if not run.disabled_simd]
    before = [run for run in ordered if release(run.numpy) < release(claim_release)]
    after = [run for run in ordered if release(run.numpy) >= release(claim_release)]
    return (before[-1] if before else None), (after[0] if after else None)


def _python(run):
    """The Python version in an asv environment name ('virtualenv-py3.12-...'), or None."""
    found = re.search(r"-py(\d+\.\d+)", run.env_name)
    return found and found.group(1)


def _params(params):
    return "(" + ", ".join(map(str, params)) + ")"


def evaluate(claim, runs, band=None, features=frozenset()):
    """{claim, figure, compared, factor, verdict, reason} for one claim from one machine's runs at one commit.

    band: the measured noise of seconds on the machine (tools/change.py noise()); None if unmeasured.
    features: the machine's CPU features, as NumPy names them (benchmarks/bench_simd.py cpu_features()).
    """
    result = {"claim": claim, "figure": "", "compared": "", "factor": None}

    def judged(verdict, reason):
        return {**result, "verdict": verdict, "reason": reason}

    lacking = [feature for feature in claim["needs"] if feature not in features]
    if lacking:
        return judged(NOT_APPLICABLE, f"needs {', '.join(lacking)}, which this machine lacks")
    if claim["variant"] not in getattr(KERNELS.get(claim["kernel"]), "variants", {}):
        return judged(NOT_MEASURED, f"npopt's registry has no {claim['kernel']}:{claim['variant']}")
    name, params = figure(claim)
    result["figure"] = name + _params(params)
    before, after = compared(claim["release"], runs)
    if before is None or after is None:
        side = "older than" if before is None else "at or after"
        return judged(NOT_MEASURED, f"no stored NumPy release {side} {claim['release']}")
    result["compared"] = f"{before.numpy} -> {after.numpy}" + (
        "" if _python(before) == _python(after) else f" (Python {_python(before)} -> {_python(after)})")
    old, new = (run.values.get(name, {}).get(params) for run in (before, after))
    for run, value in ((before, old), (after, new)):
        if value is None:
            return judged(NOT_MEASURED, f"{result['figure']} is not stored for NumPy {run.numpy}")
    result["factor"] = factor = old / new
    spread = band or UNMEASURED_SPREAD
    mark = change(name, old, new, spread, *(run.samples.get(name, {}).get(params) for run in (before, after)))
    if mark != FASTER:
        return judged(NOT_REPRODUCED, "slower beyond the noise" if mark else
                      f"no change beyond the noise (x{spread:.2f} for seconds)")
    if factor * spread >= claim["factor"]:
        return judged(CONFIRMED, f"reaches {claim['factor']:g}x within the noise (x{spread:.2f} for seconds)")
    return judged(SMALLER, f"faster, but short of {claim['factor']:g}x even allowing the noise (x{spread:.2f})")


def factor_text(value):
    return "-" if value is None else f"{value:.2f}x"


def print_table(rows, header):
    print(header)
    print(table(("release", "PR", "claim", "claimed", "figure", "NumPy compared", "measured", "verdict", "why"),
                [(r["claim"]["release"], f"gh-{r['claim']['pr']}", r["claim"]["what"], f"{r['claim']['factor']:g}x",
                  r["figure"] or r["claim"]["kernel"], r["compared"] or "-", factor_text(r["factor"]), r["verdict"],
                  r["reason"]) for r in rows]))
    print("  (measured = seconds in the NumPy before / seconds in the NumPy of the claim, from the stored results)")


def css_class(verdict):
    return "verdict-" + re.sub(r"[^a-z]+", "-", verdict)


def page(machine, commit, rows):
    """A self-contained page (inline style, no scripts), one row per claim, as a string."""
    e = html.escape
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>npopt: NumPy release-note claims</title>",
             "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:3px 8px;vertical-align:top}td.num{text-align:right}"
             ".note{color:#666;font-size:smaller}.verdict-confirmed{background:#d0f0d0}"
             ".verdict-smaller{background:#f0f0c0}.verdict-not-reproduced{background:#f8d0d0}"
             ".verdict-not-applicable-on-this-machine,.verdict-not-measured{background:#e8e8e8}</style></head><body>",
             "<h1>NumPy's release-note speed claims, measured</h1>",
             f"<p><a href='index.html'>asv dashboard</a>. Machine {e(machine)}, commit "
             f"{e(commit[:8]) if commit else 'none stored'}. Each claim is quoted from NumPy's release notes "
             "(hover over it); measured = the figure's seconds in the newest stored NumPy release before the "
             "claim's / its seconds in the claim's release (or the nearest stored one after it). Confirmed: "
             "faster beyond this machine's measured noise for seconds and within that noise of the claimed "
             "factor; smaller: faster, but short of it; not reproduced: no change beyond the noise, or slower "
             "(README: How a figure is measured).</p>",
             "<table><tr><th>release</th><th>PR</th><th>claim</th><th>claimed</th><th>needs</th><th>figure</th>"
             "<th>NumPy compared</th><th>measured</th><th>verdict</th></tr>"]
    for r in rows:
        c = r["claim"]
        note = f"<div class='note'>{e(c['note'])}</div>" if c.get("note") else ""
        parts.append(f"<tr class='claim {css_class(r['verdict'])}'><td>{e(c['release'])}</td>"
                     f"<td><a href='{PULL.format(c['pr'])}'>gh-{c['pr']}</a></td>"
                     f"<td title='{e(c['wording'])}'>{e(c['what'])}{note}</td><td class='num'>{c['factor']:g}x</td>"
                     f"<td>{e(', '.join(c['needs']) or '-')}</td><td>{e(r['figure'] or c['kernel'])}</td>"
                     f"<td>{e(r['compared'] or '-')}</td><td class='num'>{factor_text(r['factor'])}</td>"
                     f"<td>{e(r['verdict'])}<div class='note'>{e(r['reason'])}</div></td></tr>")
    return "\n".join(parts + ["</table></body></html>"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", help="default: the newest commit stored for the most NumPy environments")
    parser.add_argument("--html", help="also write the table as a page")
    args = parser.parse_args(argv)
    machine = this_machine()
    commit = latest_commit(machine, args.commit, widest=True)
    runs = load(commit, machine) if commit else []
    band, features = noise(machine).get(FIGURE), cpu_features()
    rows = [evaluate(claim, runs, band, features) for claim in load_claims()]
    at = commit[:8] if commit else "none stored"
    print_table(rows, f"\n== NumPy release-note claims: machine {machine}, commit {at}")
    if args.html:
        with open(args.html, "w") as f:
            f.write(page(machine, commit, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""NumPy's release-note speed claims, checked against this machine's stored results.

claims/numpy_release_notes.toml lists the claims, each with the npopt figure that measures it (a
variant's ``track_seconds``). For one commit this reads the stored results (tools/results.py; it
never runs anything) and compares the figure in the newest stored NumPy release older than the
claim's with the figure in the claim's release, or the nearest stored release after it:
measured factor = seconds before / seconds after, with its 95% interval. Where both figures have
samples (tools/matrix.py measured them in the same run), measurement/change.py tests them, the claims
being one family:

  confirmed                       faster by the test, and the interval reaches the claimed factor
  smaller                         faster by the test, but the whole interval is short of the claim
  not reproduced                  not faster by the test (or faster by less than FLOOR)

Results stored without samples are judged by the measured noise of seconds on the machine (band B):
confirmed where faster beyond B and factor x B >= the claim, smaller where faster but short of it.
The other verdicts:

  not applicable on this machine  the claim needs a CPU feature this machine lacks (named)
  not measured                    a release, the kernel or the figure is not stored (said which)

Usage: python -m tools.reports.claims [--commit REV] [--html F]
"""
import argparse
import re
import sys

from measurement.change import FASTER, FLOOR, LEVEL, UNMEASURED_SPREAD, adjusted, change, compare_pairs, noise
from measurement.grids import load_claims
from measurement.machine import cpu_features, this_machine
from measurement.point import point
from npopt.registry import KERNELS, release
from tools.dashboard import pages
from tools.matrix import rounds_per_process
from tools.reports import overview
from tools.reports.summary import table
from tools.results import baselines, in_release_order, latest_commit, load, python_of

FIGURE = "track_seconds"
CONFIRMED, SMALLER, NOT_REPRODUCED = "confirmed", "smaller", "not reproduced"
NOT_APPLICABLE, NOT_MEASURED = "not applicable on this machine", "not measured"
PULL = "https://github.com/numpy/numpy/pull/{}"


def figure(claim):
    """(asv benchmark, params) of the figure measuring a claim: its class is the kernel's name in
    CamelCase, its params those of the suite's measurement (measurement/point.py)."""
    kernel = KERNELS[claim["kernel"]]
    at = point(kernel, claim["variant"], claim.get("n", kernel.headline_n))
    return at.benchmark(FIGURE), at.params


def compared(claim_release, runs):
    """(run before, run after): the newest run of a NumPy release older than the claim's release, and
    the oldest at or after it (None where there is none). SIMD-disabled twins are not NumPy as shipped."""
    ordered = [run for run in in_release_order(runs) if not run.disabled_simd]
    before = [run for run in ordered if release(run.numpy) < release(claim_release)]
    after = [run for run in ordered if release(run.numpy) >= release(claim_release)]
    return (before[-1] if before else None), (after[0] if after else None)


def _params(params):
    return "(" + ", ".join(map(str, params)) + ")"


def evaluate(claim, runs, band=None, features=frozenset()):
    """{claim, figure, compared, factor, verdict, reason} for one claim from one machine's runs at one commit.

    band: the measured noise of seconds on the machine (measurement/change.py noise()); None if unmeasured.
    features: the machine's CPU features, as NumPy names them (measurement/machine.py cpu_features()).
    """
    result = {"claim": claim, "figure": "", "compared": "", "factor": None, "interval": None}

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
        "" if python_of(before) == python_of(after) else f" (Python {python_of(before)} -> {python_of(after)})")
    old, new = (run.values.get(name, {}).get(params) for run in (before, after))
    result["samples"] = min(len(run.samples.get(name, {}).get(params) or [0]) for run in (before, after))
    for run, value in ((before, old), (after, new)):
        if value is None:
            return judged(NOT_MEASURED, f"{result['figure']} is not stored for NumPy {run.numpy}")
    result["factor"] = factor = old / new
    c = compared_samples(runs, name, params, before, after, rounds_per_process(KERNELS[claim["kernel"]]))
    if c is not None:
        return sampled(result, c, LEVEL)
    spread = band or UNMEASURED_SPREAD
    mark = change(name, old, new, spread, *(run.samples.get(name, {}).get(params) for run in (before, after)))
    if mark != FASTER:
        return judged(NOT_REPRODUCED, "slower beyond the noise" if mark else
                      f"no change beyond the noise (x{spread:.2f} for seconds)")
    if factor * spread >= claim["factor"]:
        return judged(CONFIRMED, f"reaches {claim['factor']:g}x within the noise (x{spread:.2f} for seconds)")
    return judged(SMALLER, f"faster, but short of {claim['factor']:g}x even allowing the noise (x{spread:.2f})")


def compared_samples(runs, name, params, before, after, per_process):
    """The Comparison of the figure's samples in ``after`` against ``before``, its variance pooled over
    the run's environments as the overview compares them (measurement/change.py ``compare_pairs``, each
    process's ``per_process`` rounds averaged), or None."""
    ordered = in_release_order(runs)
    pairs = [(b, a) for a, b in enumerate(baselines([(run.numpy, run.twin) for run in ordered])) if b is not None]
    asked = (ordered.index(before), ordered.index(after))
    samples = [run.samples.get(name, {}).get(params) for run in ordered]
    return compare_pairs(samples, [asked] + [pair for pair in pairs if pair != asked], per_process)[0]


def sampled(result, c, level, adjusted_p=None):
    """The verdict on a claim from the Comparison c of its figure's samples (after against before): the
    measured factor is before / after with its interval; confirmed where it is faster by the test (p, or
    the family's adjusted p, at most level, and beyond FLOOR) and the interval reaches the claimed
    factor, smaller where the whole interval falls short of it."""
    claimed, q = result["claim"]["factor"], c.p if adjusted_p is None else adjusted_p
    result = {**result, "factor": 1 / c.ratio, "interval": (1 / c.high, 1 / c.low), "comparison": c}
    if q > level or 1 / c.ratio < FLOOR:
        verdict = (NOT_REPRODUCED, f"not faster by the test on {result['samples']} samples (p={q:.2g})")
    elif 1 / c.low >= claimed:
        verdict = (CONFIRMED, f"faster (p={q:.2g}); the interval reaches {claimed:g}x")
    else:
        verdict = (SMALLER, f"faster (p={q:.2g}), but the whole interval is short of {claimed:g}x")
    return {**result, "verdict": verdict[0], "reason": verdict[1]}


def evaluate_all(claims, runs, band=None, features=frozenset()):
    """``evaluate`` for every claim, the sampled ones judged as one family (Benjamini-Hochberg adjusted
    p-values, measurement/change.py)."""
    rows = [evaluate(claim, runs, band, features) for claim in claims]
    tested = [i for i, r in enumerate(rows) if "comparison" in r]
    for i, q in zip(tested, adjusted([rows[i]["comparison"].p for i in tested])):
        rows[i] = sampled(rows[i], rows[i]["comparison"], LEVEL, q)
    return rows


def factor_text(value, interval=None):
    if value is None:
        return "-"
    return f"{value:.2f}x" + (f" [{interval[0]:.2f}-{interval[1]:.2f}]" if interval else "")


def print_table(rows, header):
    print(header)
    print(table(("release", "PR", "claim", "claimed", "figure", "NumPy compared", "measured", "verdict", "why"),
                [(r["claim"]["release"], f"gh-{r['claim']['pr']}", r["claim"]["what"], f"{r['claim']['factor']:g}x",
                  r["figure"] or r["claim"]["kernel"], r["compared"] or "-", factor_text(r["factor"], r["interval"]), r["verdict"],
                  r["reason"]) for r in rows]))
    print("  (measured = seconds in the NumPy before / seconds in the NumPy of the claim, from the stored results,"
          " with its 95% interval where both have samples)")


def css_class(verdict):
    return "verdict-" + re.sub(r"[^a-z]+", "-", verdict)


def page_row(r):
    """The texts of one claim's row on the claims page, from its verdict r."""
    c = r["claim"]
    return {"verdict_class": css_class(r["verdict"]), "release": c["release"], "pr": c["pr"], "link": PULL.format(c["pr"]),
            "wording": c["wording"], "what": c["what"], "note": c.get("note"), "claimed": f"{c['factor']:g}x",
            "needs": ", ".join(c["needs"]) or "-", "figure": r["figure"] or c["kernel"], "compared": r["compared"] or "-",
            "measured": factor_text(r["factor"], r["interval"]), "verdict": r["verdict"], "reason": r["reason"]}


def page(machine, commit, rows, checks=None):
    """The dashboard's claims page (no scripts), one row per claim, as a string."""
    return pages.render("claims.html", machine=machine, commit=commit[:8] if commit else "none stored",
                        controls=overview.controls_text(checks) if checks else None, rows=[page_row(r) for r in rows])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", help="default: the newest commit stored for the most NumPy environments")
    parser.add_argument("--html", help="also write the table as a page")
    args = parser.parse_args(argv)
    machine = this_machine()
    commit = latest_commit(machine, args.commit, widest=True)
    runs = load(commit, machine) if commit else []
    band, features = noise(machine).get(FIGURE), cpu_features()
    rows = evaluate_all(load_claims(), runs, band, features)
    checks = None
    if runs:
        versions, cells = overview.overview(runs)
        checks = overview.controls(runs, cells, versions)
    at = commit[:8] if commit else "none stored"
    print_table(rows, f"\n== NumPy release-note claims: machine {machine}, commit {at}")
    if checks:
        print("  " + overview.controls_text(checks))
    if args.html:
        with open(args.html, "w") as f:
            f.write(page(machine, commit, rows, checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())

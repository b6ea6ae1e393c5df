"""The results pages, generated from the stored results: docs/results/<machine>.md and the README's table.

Nothing here is measured or copied by hand: every figure is read from results/ (tools/results.py) at
the newest commit stored in the most environments of each machine, and names its machine, commit and
NumPy, with asv's 99% interval where the results have samples. Per machine the page holds:

  - the popular claims of the article this project measures (POPULAR below), each with a verdict
    (confirmed, refuted, depends) by a rule stated beside it, from the project's own figures;
  - the headline speedups at the newest stored NumPy (track_speedup);
  - the NumPy-versions table (tools/reports/overview.py) and the run's controls;
  - NumPy's release-note claims (tools/reports/claims.py evaluate_all);
  - precision (track_relative_error) and allocated bytes (track_allocated_bytes).

A machine whose results come from an older version of the suite (figures under names the current
suite no longer has) is labelled "older suite: N of M figures present", and what it lacks is named
once instead of drawn as rows of dashes. The README's results table is the block between START and
END; the same command rewrites it. tests/test_report.py fails when the committed pages differ from
what this writes from the committed results.

Usage: python -m tools.reports.report [--check]     (--check: exit 1 if a page differs, write nothing)
"""
import argparse
import json
import math
import os
import sys

from measurement.change import FLOOR, noise
from measurement.grids import load_claims
from measurement.paths import ROOT
from measurement.point import benchmark_name, point
from npopt import TECHNIQUES
from npopt.registry import KERNELS
from tools.reports import claims as claims_tool
from tools.reports import overview as overview_tool
from tools.results import in_release_order, latest_commit, load, machines, python_of, results_dir

README = os.path.join(ROOT, "README.md")
PAGES = os.path.join(ROOT, "docs", "results")
START, END = "<!-- report:start -->", "<!-- report:end -->"
SUITE = os.path.join(ROOT, "results", "benchmarks.json")
SIMD_FIGURE = "bench_simd.track_numpy_dispatches"
OLD_SECONDS = "time_kernel"  # the older suite's name for seconds per call (an asv time_ benchmark)
NEARLY = 1.5  # "nearly 100x": a measured factor within 1.5x of the article's figure, either way
LARGE = 10  # "large speedups" from compiled loops: at least 10x the Python loop


# ---- reading one machine ----------------------------------------------------------------------------

def current_suite(path=SUITE):
    """The figure names of the current benchmark suite (asv's benchmarks.json)."""
    with open(path) as f:
        return {name for name in json.load(f) if name != "version"}


def machine_facts(machine):
    """asv's machine.json of a machine, its RAM in GiB where asv stored bytes."""
    with open(os.path.join(results_dir(), machine, "machine.json")) as f:
        facts = json.load(f)
    if str(facts.get("ram", "")).isdigit():
        facts["ram"] = f"{int(facts['ram']) / 2 ** 30:.1f} GiB"
    return facts


class Machine:
    """One machine's stored results at its newest commit stored in the most environments."""

    def __init__(self, name, suite=None):
        self.name = name
        self.facts = machine_facts(name)
        self.commit = latest_commit(name, widest=True)
        self.runs = in_release_order(load(self.commit, name)) if self.commit else []
        releases = [run for run in self.runs if not run.twin]
        self.newest = releases[-1] if releases else None
        suite = current_suite() if suite is None else suite
        stored = {name for run in self.runs for name, values in run.values.items() if values}
        self.figures_total = len(suite)
        self.figures_present = len(stored & suite)
        self.older_suite = bool(stored - suite)
        self.techniques = [t for t in TECHNIQUES
                           if any(run.values.get(overview_tool.SPEEDUP.format(technique=t)) for run in self.runs)]

    @property
    def short(self):
        return self.commit[:8] if self.commit else "none"

    @property
    def suite_label(self):
        what = "older suite" if self.older_suite else "current suite"
        return f"{what}: {self.figures_present} of {self.figures_total} figures present"

    @property
    def numpy(self):
        """The newest stored NumPy, with its Python."""
        run = self.newest
        return f"NumPy {run.numpy} (Python {python_of(run)})" if run else "no NumPy stored"

    def features(self, claims):
        """The CPU features NumPy dispatched to, as recorded (bench_simd); where the suite did not record
        them (an older suite), every feature a claim names (the claim is then judged by its figures)."""
        recorded = self.newest.values.get(SIMD_FIGURE) if self.newest else None
        if not recorded:
            return frozenset(f for c in claims for f in c["needs"])
        return frozenset(level for (level,), on in recorded.items() if on)


# ---- figures ----------------------------------------------------------------------------------------

def speedup(run, key, variant):
    """(value, interval or None) of a variant's track_speedup, or (None, None)."""
    kernel = KERNELS[key]
    name = overview_tool.SPEEDUP.format(technique=kernel.technique)
    params = (f"{key}:{variant}",)
    return run.values.get(name, {}).get(params), run.intervals.get(name, {}).get(params)


def figure(run, key, variant, n, figure_name, order=None):
    """(value, interval) of a parametrized figure of a kernel's class at (variant, n[, order])."""
    at = point(KERNELS[key], variant, n)
    params = at.params if not (order and at.order) else (variant, n, order)
    name = at.benchmark(figure_name)
    return run.values.get(name, {}).get(params), run.intervals.get(name, {}).get(params)


def seconds(run, key, variant, n, order=None):
    """Seconds per call: track_seconds, or the older suite's time_kernel at the same parameters."""
    value, interval = figure(run, key, variant, n, "track_seconds", order)
    if value is None:
        value, interval = figure(run, key, variant, n, OLD_SECONDS, order)
    return value, interval


def allocated(run, key, variant, n):
    return figure(run, key, variant, n, "track_allocated_bytes")[0]


def ratio(a, b):
    """a / b of two (value, interval) figures, the interval from both intervals' ends where both have one."""
    (va, ia), (vb, ib) = a, b
    if va is None or vb is None or not vb:
        return None, None
    return va / vb, ((ia[0] / ib[1], ia[1] / ib[0]) if ia and ib and ib[0] > 0 else None)


def times(value, interval=None):
    if value is None:
        return "-"
    return f"{value:.3g}x" + (f" [{interval[0]:.3g}-{interval[1]:.3g}]" if interval else "")


def secs(value):
    if value is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value * 1e9:.3g} ns"


def nbytes(value):
    if value is None:
        return "-"
    if value < 10 ** 4:
        return f"{value:.0f} B"
    if value < 10 ** 6:
        return f"{value / 1e3:.3g} kB"
    return f"{value / 1e6:.3g} MB"


def size(n):
    """10^7, 3x10^6 for the vector sizes; matrix sides (at most 4000) as they are."""
    if n < 10 ** 4:
        return str(n)
    exponent = int(math.floor(math.log10(n)))
    lead = n / 10 ** exponent
    return f"10^{exponent}" if lead == 1 else f"{lead:g}x10^{exponent}"


def largest(run, key, variants, reader):
    """The largest size of kernel ``key`` at which ``reader`` has a value for every variant, or None."""
    common = [n for n in sorted(KERNELS[key].sizes, reverse=True)
              if all(reader(run, key, v, n) not in (None, (None, None)) for v in variants)]
    return common[0] if common else None


def low(value, interval):
    """The pessimistic end of a speedup: its interval's low end where there is one."""
    return interval[0] if interval else value


def high(value, interval):
    return interval[1] if interval else value


# ---- the popular claims (../shared/claims.md), judged on the project's own figures ------------------

CONFIRMED, REFUTED, DEPENDS, UNMEASURED = "confirmed", "refuted", "depends", "not measured"


def judged(number, technique, claim, rule, verdict, short, detail):
    return {"number": number, "technique": technique, "claim": claim, "rule": rule, "verdict": verdict,
            "short": short, "detail": detail}


def claim_vectorization(run):
    claim, rule = ("`a + b` is \"nearly 100x\" a Python loop (10^7 float64)",
                   f"confirmed when the speedup is within {NEARLY}x of 100x, either way; refuted otherwise")
    s = speedup(run, "vectorization.add", "ufunc")
    if s[0] is None:
        return judged("1", "vectorization", claim, rule, UNMEASURED, "-", "add:ufunc's speedup is not stored")
    ok = 100 / NEARLY <= low(*s) and high(*s) <= 100 * NEARLY
    n = largest(run, "vectorization.add", ("python_loop", "ufunc"), seconds)
    at = (f"; at n={size(n)}: loop {secs(seconds(run, 'vectorization.add', 'python_loop', n)[0])}, "
          f"`a + b` {secs(seconds(run, 'vectorization.add', 'ufunc', n)[0])}") if n else ""
    return judged("1", "vectorization", claim, rule, CONFIRMED if ok else REFUTED, times(*s),
                  f"`np.add` {times(*s)} the Python loop (track_speedup, headline size){at}")


def claim_broadcasting(run):
    claim, rule = ("broadcasting a row and a column avoids copies, saving memory and time",
                   "confirmed when broadcasting both allocates less and runs faster than `tile`/`repeat` "
                   "copies; depends when only one holds; refuted when neither")
    key = "broadcasting.add_row_col"
    b, t = speedup(run, key, "broadcast"), speedup(run, key, "tiled_copies")
    n = largest(run, key, ("broadcast", "tiled_copies"), allocated)
    if b[0] is None or t[0] is None or n is None:
        return judged("2", "broadcasting", claim, rule, UNMEASURED, "-", "add_row_col's figures are not stored")
    faster = ratio(b, t)
    less = allocated(run, key, "broadcast", n), allocated(run, key, "tiled_copies", n)
    holds = [low(*faster) > 1, less[0] < less[1]]
    verdict = CONFIRMED if all(holds) else DEPENDS if any(holds) else REFUTED
    return judged("2", "broadcasting", claim, rule, verdict, f"{times(*faster)} faster, {nbytes(less[0])} vs {nbytes(less[1])}",
                  f"matrix + row + column: broadcasting {times(*faster)} the speed of tiled copies (headline size); "
                  f"at {n}x{n + 1}: {nbytes(less[0])} allocated vs {nbytes(less[1])}")


def claim_dtypes(run):
    claim, rule = ("float32 halves the bytes; smaller dtypes are \"sometimes\" faster; beware precision",
                   f"confirmed when every smaller float storage is faster (beyond {FLOOR}x); refuted when none is; "
                   "depends otherwise")
    pairs = [("dtypes.polynomial", "float32"), ("dtypes.polynomial", "float16"), ("dtypes.total", "float32")]
    found = [(key, v, speedup(run, key, v)) for key, v in pairs]
    found = [(key, v, s) for key, v, s in found if s[0] is not None]
    if not found:
        return judged("3", "dtypes", claim, rule, UNMEASURED, "-", "the dtypes speedups are not stored")
    faster = [low(*s) > FLOOR for _, _, s in found]
    verdict = CONFIRMED if all(faster) else DEPENDS if any(faster) else REFUTED
    parts = [f"{key.split('.')[1]} {v} {times(*s)}" for key, v, s in found]
    n = largest(run, "dtypes.polynomial", ("float64", "float32"), allocated)
    if n:
        parts.append(f"cubic at {size(n)}: {nbytes(allocated(run, 'dtypes.polynomial', 'float32', n))} allocated in "
                     f"float32 vs {nbytes(allocated(run, 'dtypes.polynomial', 'float64', n))} in float64")
    error = run.values.get("bench_dtypes.Precision.track_relative_error", {})
    for v in ("float32", "float16"):
        if (f"dtypes.polynomial:{v}",) in error:
            parts.append(f"{v} cubic relative error {error[(f'dtypes.polynomial:{v}',)]:.2g}")
    short = ", ".join(f"{v} {times(s[0])}" for key, v, s in found if key == "dtypes.polynomial")
    return judged("3", "dtypes", claim, rule, verdict, short, "speedup over float64: " + "; ".join(parts))


def claim_inplace(run):
    claim, rule = ("`arr += 5` avoids an allocation; the time difference on 10^7 float32 \"might not be huge\"",
                   "confirmed when in place allocates less and is less than 1.5x faster; refuted when it is "
                   "1.5x faster or more (the difference is large), or allocates as much")
    key = "inplace.add_scalar"
    s = speedup(run, key, "in_place")
    n = largest(run, key, ("in_place", "new_array"), allocated)
    if s[0] is None or n is None:
        return judged("4", "in-place", claim, rule, UNMEASURED, "-", "add_scalar's figures are not stored")
    less = allocated(run, key, "in_place", n), allocated(run, key, "new_array", n)
    verdict = CONFIRMED if less[0] < less[1] and high(*s) < 1.5 else REFUTED
    return judged("4", "in-place", claim, rule, verdict, f"{times(*s)} faster",
                  f"`a += 5` {times(*s)} the speed of `a + 5` (headline size); at {size(n)}: "
                  f"{nbytes(less[0])} allocated vs {nbytes(less[1])}")


def claim_layout(run):
    claim, rule = ("pure-Python nested loops: row-major ~200 ms vs column-major ~500 ms on a C-ordered array, "
                   "reversed on Fortran order",
                   "confirmed when the loop against the storage order is at least 1.5x slower in both orders; "
                   f"refuted when it is within {FLOOR}x in both; depends otherwise")
    key, n = "layout.traversal_sum", KERNELS["layout.traversal_sum"].headline_n
    found = {}
    for order, along, against in (("C", "python_row_major", "python_column_major"),
                                  ("F", "python_column_major", "python_row_major")):
        a, b = seconds(run, key, along, n, order), seconds(run, key, against, n, order)
        if a[0] is None or b[0] is None:
            return judged("5", "memory layout", claim, rule, UNMEASURED, "-", "the Python traversals are not stored")
        found[order] = (a, b, ratio(b, a))
    slower = [low(*r) >= 1.5 for _, _, r in found.values()]
    same = [1 / FLOOR <= low(*r) and high(*r) <= FLOOR for _, _, r in found.values()]
    verdict = CONFIRMED if all(slower) else REFUTED if all(same) else DEPENDS
    parts = [f"{o} order: {secs(a[0])} along the storage order vs {secs(b[0])} against it"
             for o, (a, b, _) in found.items()]
    m = largest(run, key, ("numba_row_major", "numba_column_major"), seconds)
    if m:
        along, against = seconds(run, key, "numba_row_major", m), seconds(run, key, "numba_column_major", m)
        parts.append(f"the same loops compiled with Numba at {m}x{m}, C order: {secs(along[0])} vs {secs(against[0])} "
                     f"({times(*ratio(against, along))})")
    return judged("5", "memory layout", claim, rule, verdict,
                  f"{times(*found['C'][2])} (C), {times(*found['F'][2])} (F)", f"Python, {n}x{n}: " + "; ".join(parts))


def claim_transposed(run):
    claim, rule = ("row-wise work on `a.T` is slower than on `a.T.copy(order='C')`",
                   f"confirmed when the copy (timed) wins by more than {FLOOR}x at every stored size; refuted when "
                   "it wins at none; depends otherwise")
    key = "layout.transposed_row_cumsum"
    found = []
    for n in KERNELS[key].sizes:
        view, copy = seconds(run, key, "strided_view", n), seconds(run, key, "contiguous_copy", n)
        if view[0] is not None and copy[0] is not None:
            found.append((n, view, copy, ratio(view, copy)))
    if not found:
        return judged("5b", "memory layout", claim, rule, UNMEASURED, "-", "the transposed cumsum is not stored")
    wins = [low(*r) > FLOOR for *_, r in found]
    verdict = CONFIRMED if all(wins) else DEPENDS if any(wins) else REFUTED
    return judged("5b", "memory layout", claim, rule, verdict, ", ".join(f"{times(r[0])} at {n}" for n, *_, r in found),
                  "cumsum along the rows of `a.T`: " + "; ".join(
                      f"{n}x{n}: {secs(v[0])} on the view vs {secs(c[0])} with the copy ({times(*r)})"
                      for n, v, c, r in found))


def claim_compiled(run):
    claim, rule = ("Numba / typed Cython give large speedups on loops that cannot be vectorized",
                   f"confirmed when every Numba and Cython variant is at least {LARGE}x the Python loop; refuted "
                   "when none is; depends otherwise")
    found = [(key, v, speedup(run, key, v)) for key in ("compiled.ema_with_reset", "compiled.max_drawdown")
             for v in ("numba", "cython")]
    found = [(key, v, s) for key, v, s in found if s[0] is not None]
    if not found:
        return judged("6", "compiled", claim, rule, UNMEASURED, "-", "the compiled speedups are not stored")
    large = [low(*s) >= LARGE for *_, s in found]
    verdict = CONFIRMED if all(large) else DEPENDS if any(large) else REFUTED
    return judged("6", "compiled", claim, rule, verdict, f"{times(min(s[0] for *_, s in found))}-"
                  f"{times(max(s[0] for *_, s in found))}",
                  "; ".join(f"{key.split('.')[1]} {v} {times(*s)}" for key, v, s in found))


POPULAR = (claim_vectorization, claim_broadcasting, claim_dtypes, claim_inplace, claim_layout, claim_transposed,
           claim_compiled)


def popular(run):
    return [rule(run) for rule in POPULAR] if run else []


# ---- the pages --------------------------------------------------------------------------------------

def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


def release_claims(m):
    """tools/reports/claims.py's verdicts for machine m: [(claim rows)], judged with m's own noise and CPU features."""
    claims = load_claims()
    return claims_tool.evaluate_all(claims, m.runs, noise(m.name).get(claims_tool.FIGURE), m.features(claims))


def headline_rows(m):
    rows = []
    for key, kernel in KERNELS.items():
        for variant in kernel.variants:
            if variant != kernel.reference and m.newest:
                s = speedup(m.newest, key, variant)
                if s[0] is not None:
                    rows.append((kernel.technique, kernel.name, f"{variant} vs {kernel.reference}", times(*s)))
    return rows


def machine_page(m):
    """docs/results/<machine>.md as a string."""
    cpu = m.facts.get("cpu", "?")
    lines = [f"# Results: `{m.name}`", "",
             "Generated by `make report` (`tools/reports/report.py`) from `results/`; edit the generator, not this page.", "",
             f"- CPU: {cpu}; {m.facts.get('num_cpu', '') and m.facts['num_cpu'] + ' CPUs; '}RAM {m.facts.get('ram', '?')}",
             f"- commit `{m.short}` (the newest stored in the most environments); {len(m.runs)} environments: "
             + ", ".join(run.label for run in m.runs),
             f"- newest stored: {m.numpy}", f"- {m.suite_label}"]
    if m.older_suite:
        missing = [t for t in TECHNIQUES if t not in m.techniques]
        lines.append(f"- its suite measured {len(m.techniques)} of {len(TECHNIQUES)} techniques; not measured there: "
                     + ", ".join(missing) + "; its seconds are asv `time_kernel` figures")
    where = f"machine `{m.name}`, commit `{m.short}`, {m.numpy}"
    lines += ["", "## The popular claims", "",
              f"The claims of the article in `../shared/claims.md`, on {where}. "
              "Each verdict follows the rule in its row; [a-b] is asv's 99% interval where stored.", ""]
    lines += md_table(("#", "technique", "claim", "verdict", "measured", "rule"),
                      [(c["number"], c["technique"], c["claim"], f"**{c['verdict']}**", c["detail"], c["rule"])
                       for c in popular(m.newest)])
    lines += ["", "## Headline speedups", "",
              f"Reference time / variant time at each kernel's headline size (`track_speedup`), {where}.", ""]
    lines += md_table(("technique", "kernel", "variant", "speedup"), headline_rows(m))
    versions, rows = overview_tool.overview(m.runs, noise(m.name))
    rows = [r for r in rows if any(v is not None for v in r["speedups"])]
    checks = overview_tool.controls(m.runs, rows, versions)
    lines += ["", "## Across NumPy versions", "",
              f"Speedup over the naive variant per NumPy version (`tools/reports/overview.py`), machine `{m.name}`, commit "
              f"`{m.short}`; `v` slower / `^` faster than the column it is compared with (docs/measurement.md). "
              "Rows with no stored figure are left out.", ""]
    lines += md_table(("technique", "kernel", "variant", *versions),
                      [(r["technique"], r["kernel"], r["variant"], *overview_tool.cells(r)) for r in rows])
    if checks["aa_twin"] or checks["simd_twin"] or checks["canaries"]:
        lines += ["", overview_tool.controls_text(checks)]
    else:
        lines += ["", "This machine's results carry no controls (no A/A twin, no SIMD-disabled twin, no canaries)."]
    verdicts = release_claims(m)
    lines += ["", "## NumPy release-note claims", ""]
    if all(r["verdict"] == claims_tool.NOT_MEASURED for r in verdicts):
        lines.append(f"None of the {len(verdicts)} claims of `claims/numpy_release_notes.toml` has its figure stored "
                     f"on this machine ({m.suite_label}).")
    else:
        lines += [f"`tools/reports/claims.py` on machine `{m.name}`, commit `{m.short}`: measured = seconds in the NumPy before "
                  "/ seconds in the claim's NumPy, with its 95% interval where both have samples.", ""]
        lines += md_table(("release", "PR", "claim", "claimed", "NumPy compared", "measured", "verdict"),
                          [(r["claim"]["release"], f"gh-{r['claim']['pr']}", r["claim"]["what"],
                            f"{r['claim']['factor']:g}x", r["compared"] or "-",
                            claims_tool.factor_text(r["factor"], r["interval"]), f"{r['verdict']}: {r['reason']}")
                           for r in verdicts])
    error = m.newest.values.get("bench_dtypes.Precision.track_relative_error", {}) if m.newest else {}
    lines += ["", "## Precision", "",
              f"Relative error against float64 (`track_relative_error`, deterministic), {where}.", ""]
    lines += md_table(("kernel:variant", "relative error"), [(p[0], f"{v:.3g}") for p, v in sorted(error.items())])
    lines += ["", "## Allocated bytes", "",
              f"Bytes allocated per call at each kernel's largest stored size (`track_allocated_bytes`, "
              f"deterministic), {where}.", ""]
    lines += md_table(("kernel", "variant", "size", "bytes"), allocated_rows(m))
    return "\n".join(lines) + "\n"


def allocated_rows(m):
    rows = []
    if not m.newest:
        return rows
    for key, kernel in KERNELS.items():
        values = m.newest.values.get(benchmark_name(kernel, "track_allocated_bytes"), {})
        if not values:
            continue
        n = max(p[1] for p in values)
        for params, value in values.items():
            if params[1] == n and (len(params) < 3 or params[2] == "C"):
                rows.append((kernel.name, params[0], size(n), nbytes(value)))
    return rows


def readme_block(ms):
    """The README's results table: the popular claims' verdicts, one column per machine."""
    lines = [START, "",
             "Generated by `make report` from the stored results (one column per machine; the full pages, with "
             "intervals, rules and every figure, are linked):", ""]
    for m in ms:
        lines.append(f"- [`{m.name}`](docs/results/{m.name}.md): {m.facts.get('cpu', '?').split(';')[0]}, "
                     f"commit `{m.short}`, {m.numpy}, {m.suite_label}")
    lines.append("")
    judged_by = [popular(m.newest) for m in ms]
    rows = []
    for i, rule in enumerate(POPULAR):
        first = next(j[i] for j in judged_by if j)
        rows.append((first["number"], first["technique"], first["claim"],
                     *(f"**{j[i]['verdict']}** ({j[i]['short']})" if j else "-" for j in judged_by)))
    labels = [f"`{m.name.split('-')[0]} {m.name.rsplit('-', 1)[-1]}`" for m in ms]  # vendor and hash: unique
    lines += md_table(("#", "technique", "popular claim", *labels), rows)
    lines += ["", END]
    return "\n".join(lines)


def with_block(readme, block):
    """README text with its report block replaced (or appended when it has none)."""
    if START in readme and END in readme:
        head, rest = readme.split(START, 1)
        return head + block + rest.split(END, 1)[1]
    return readme.rstrip("\n") + "\n\n" + block + "\n"


def pages():
    """{path: text} of every page this command writes, from the committed results."""
    suite = current_suite()
    ms = [Machine(name, suite) for name in machines()]
    ms = sorted((m for m in ms if m.runs), key=lambda m: (m.older_suite, -m.figures_present, m.name))
    out = {os.path.join(PAGES, f"{m.name}.md"): machine_page(m) for m in ms}
    with open(README) as f:
        out[README] = with_block(f.read(), readme_block(ms))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed page differs; write nothing")
    args = parser.parse_args(argv)
    stale = []
    for path, text in pages().items():
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            stale.append(os.path.relpath(path, ROOT))
            if not args.check:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
    print(("differs: " if args.check else "wrote: ") + (", ".join(stale) or "nothing (up to date)"))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())

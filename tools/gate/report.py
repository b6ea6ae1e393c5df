"""A gate comparison in words: the text report (the gate's standard output and the dashboard's gate
page) and the Markdown table (a pull request's job summary)."""
from tools.gate import INSTRUCTIONS, SECONDS


def decided(result):
    """'N by instructions (callgrind, AVX2 code), M by wall time': which metric decided how many verdicts."""
    metrics = list(result.get("metrics", {}).values())
    simd = f" (callgrind, {'/'.join(result['simd'])} code)" if result.get("simd") else ""  # nothing counted: none
    return ", ".join(f"{metrics.count(m)} by {m}{simd if m == INSTRUCTIONS else ''}" for m in (INSTRUCTIONS, SECONDS))


def wall_time_only(reason):
    """The line saying that nothing was counted and why: every verdict is by wall time."""
    return f"decided by wall time: {reason}"


def evidence(ev):
    """One regression's figures and test, in words, ending with the metric that decided it."""
    if ev.get("metric") == INSTRUCTIONS:
        cycles = ev["cycles"]
        return (f"{ev['baseline']:.6g} -> {ev['candidate']:.6g} instructions per call, {ev['ratio']:.4f}x > "
                f"{ev['threshold']} (estimated cycles {cycles[0]:.6g} -> {cycles[1]:.6g}) [decided by {INSTRUCTIONS}]")
    conf = ev["confirmation"]
    return (f"{ev['baseline']:.4g} s -> {ev['candidate']:.4g} s, {ev['ratio']:.2f}x (Mann-Whitney p={ev['p']:.3f} on "
            f"round minima; confirmed {conf['ratio']:.2f}x, p={conf['p']:.3f}) [decided by {SECONDS}]")


def text_report(result):
    """The comparison's summary line, then each regression with its evidence, or 'no regression'."""
    lines = [f"baseline {result['baseline'][:8]}  candidate {result['candidate'][:8]}  "
             f"{result['compared']} benchmarks compared ({decided(result)}), {len(result['suspects'])} wall-time "
             f"suspect(s)  machine {result.get('machine', '?')}"]
    if result.get("wall_time_only"):
        lines.append(wall_time_only(result["wall_time_only"]))
    for key, ev in result["regressions"].items():
        lines.append(f"REGRESSED {key}: {evidence(ev)}")
        if ev.get("metric") != INSTRUCTIONS:
            lines.append(f"    baseline minima {[f'{v:.4g}' for v in ev['baseline_minima']]}")
            lines.append(f"    candidate minima {[f'{v:.4g}' for v in ev['candidate_minima']]}")
    for key, ev in result["allocation_regressions"].items():
        lines.append(f"REGRESSED {key}: allocates {ev['baseline']} -> {ev['candidate']} bytes ({ev['ratio']:.2f}x) "
                     "[decided by allocated bytes]")
    if not (result["regressions"] or result["allocation_regressions"]):
        lines.append("no regression")
    return "\n".join(lines)


def markdown_report(result):
    """A heading, the comparison's summary and a table of its regressions, if any."""
    unit = {INSTRUCTIONS: "", SECONDS: " s"}
    rows = [f"| `{k}` | {e.get('metric', SECONDS)} | {e['baseline']:.4g}{unit[e.get('metric', SECONDS)]} | "
            f"{e['candidate']:.4g}{unit[e.get('metric', SECONDS)]} | {e['ratio']:.3f}x | "
            + (f"> {e['threshold']}, deterministic |" if e.get("metric") == INSTRUCTIONS else
               f"p={e['p']:.3f}, confirmed {e['confirmation']['ratio']:.2f}x |")
            for k, e in result["regressions"].items()]
    rows += [f"| `{k}` | allocated bytes | {e['baseline']} B | {e['candidate']} B | {e['ratio']:.2f}x | tracemalloc |"
             for k, e in result["allocation_regressions"].items()]
    head = (f"### npopt regression gate: {result['candidate'][:8]} vs {result['baseline'][:8]}\n\n"
            f"{result['compared']} benchmarks compared ({decided(result)}), {len(rows)} regression(s).\n"
            + (f"\n{wall_time_only(result['wall_time_only'])}.\n" if result.get("wall_time_only") else ""))
    return head + ("\n| benchmark | decided by | baseline | candidate | ratio | evidence |\n|---|---|---|---|---|---|\n"
                   + "\n".join(rows) if rows else "")

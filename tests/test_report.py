"""The generated pages: the README's results table and docs/results/<machine>.md must be exactly what
`make report` (tools/reports/report.py) writes from the committed results, and its rules must judge as stated.

When new results are committed, `make report` is re-run and its output committed with them.
"""
import os

import pytest

from measurement.paths import ROOT
from tools.reports import report
from tools.results import Run



@pytest.fixture(scope="module")
def generated():
    return report.pages()


def test_the_committed_pages_are_what_make_report_writes(generated):
    stale = []
    for path, text in generated.items():
        committed = open(path).read() if os.path.exists(path) else None
        if committed != text:
            stale.append(os.path.relpath(path, ROOT))
    assert not stale, f"run `make report` and commit: {', '.join(stale)} differ from the stored results"


def test_no_results_page_is_left_for_a_machine_without_results(generated):
    written = {os.path.basename(p) for p in generated if os.path.dirname(p) == report.PAGES}
    on_disk = {f for f in os.listdir(report.PAGES) if f.endswith(".md")} if os.path.isdir(report.PAGES) else set()
    assert on_disk <= written


def test_the_readme_has_one_generated_block_linking_every_machine_page(generated):
    readme = generated[report.README]
    assert readme.count(report.START) == 1 and readme.count(report.END) == 1
    block = readme.split(report.START)[1].split(report.END)[0]
    for path in generated:
        if os.path.dirname(path) == report.PAGES:
            assert f"docs/results/{os.path.basename(path)}" in block


def test_the_readme_stays_short():
    with open(report.README) as f:
        assert len(f.read().splitlines()) <= 200


def test_every_figure_names_machine_commit_and_numpy(generated):
    for path, text in generated.items():
        if os.path.dirname(path) == report.PAGES:
            machine = os.path.basename(path)[:-3]
            m = report.Machine(machine)
            assert f"commit `{m.short}`" in text and f"machine `{machine}`" in text and m.numpy in text
            assert m.suite_label in text


def test_an_older_suite_is_labelled_and_never_a_row_of_dashes(generated):
    for path, text in generated.items():
        if os.path.dirname(path) != report.PAGES:
            continue
        m = report.Machine(os.path.basename(path)[:-3])
        for line in text.splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if line.startswith("|") and len(cells) > 3 and not set(cells) <= {"---", ""}:
                assert any(c not in ("-", "") for c in cells[3:]), line
        if m.older_suite:
            assert "older suite:" in text and "not measured there:" in text


def test_the_block_is_replaced_in_place():
    text = f"head\n{report.START}\nold\n{report.END}\ntail\n"
    assert report.with_block(text, f"{report.START}\nnew\n{report.END}") == f"head\n{report.START}\nnew\n{report.END}\ntail\n"


def run(speedups, seconds=None, allocated=None):
    """A Run with the given track_speedup values ({"key:variant": x}) and seconds/bytes figures."""
    values = {}
    for pair, x in speedups.items():
        technique = pair.split(".")[0]
        values.setdefault(f"bench_{technique}.Speedup.track_speedup", {})[(pair,)] = x
    for (name, params), x in {**(seconds or {}), **(allocated or {})}.items():
        values.setdefault(name, {})[params] = x
    return Run("env", "2.4.6", values, {})


def test_the_vectorization_rule_holds_nearly_100x_and_refutes_far_off():
    assert report.claim_vectorization(run({"vectorization.add:ufunc": 120.0}))["verdict"] == report.CONFIRMED
    assert report.claim_vectorization(run({"vectorization.add:ufunc": 20.0}))["verdict"] == report.REFUTED
    assert report.claim_vectorization(run({}))["verdict"] == report.UNMEASURED


def test_the_compiled_rule_depends_when_only_some_loops_gain_10x():
    pairs = {"compiled.ema_with_reset:numba": 50.0, "compiled.ema_with_reset:cython": 60.0,
             "compiled.max_drawdown:numba": 5.0, "compiled.max_drawdown:cython": 40.0}
    assert report.claim_compiled(run(pairs))["verdict"] == report.DEPENDS
    assert report.claim_compiled(run({k: 30.0 for k in pairs}))["verdict"] == report.CONFIRMED


def test_the_inplace_rule_refutes_a_large_time_difference():
    name = "bench_inplace.AddScalar.track_allocated_bytes"
    bytes_ = {(name, ("new_array", 10 ** 7)): 4e7, (name, ("in_place", 10 ** 7)): 204}
    assert report.claim_inplace(run({"inplace.add_scalar:in_place": 3.0}, allocated=bytes_))["verdict"] == report.REFUTED
    assert report.claim_inplace(run({"inplace.add_scalar:in_place": 1.2}, allocated=bytes_))["verdict"] == report.CONFIRMED


def test_the_layout_rule_reads_seconds_of_both_orders():
    name = "bench_layout.TraversalSum.track_seconds"
    same = {(name, (v, 1000, o)): 0.17 for v in ("python_row_major", "python_column_major") for o in "CF"}
    assert report.claim_layout(run({}, seconds=same))["verdict"] == report.REFUTED
    slow = {**same, (name, ("python_column_major", 1000, "C")): 0.5, (name, ("python_row_major", 1000, "F")): 0.5}
    assert report.claim_layout(run({}, seconds=slow))["verdict"] == report.CONFIRMED


def matrix_numpy():
    from asv import util
    conf = util.load_json(os.path.join(ROOT, "asv.conf.json"), js_comments=True)
    return conf["matrix"]["req"]["numpy"]


def test_the_prose_names_the_matrix_asv_conf_json_builds():
    """README ("nine NumPy releases") and docs/matrix.md (every release line) state the configured matrix."""
    numbers = {9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}
    versions = matrix_numpy()
    assert f"across {numbers.get(len(versions), len(versions))} NumPy releases" in open(report.README).read()
    matrix = open(os.path.join(ROOT, "docs", "matrix.md")).read()
    assert all(v in matrix for v in versions)


def test_docs_results_describes_the_older_suite_as_stored():
    """docs/results.md: the AMD EPYC machine's older suite has seven techniques, time_kernel seconds and
    no release-note claim's figure."""
    text = open(os.path.join(ROOT, "docs", "results.md")).read()
    older = [report.Machine(name) for name in report.machines()]
    older = [m for m in older if m.older_suite]
    for m in older:
        assert f"`{m.name}`" in text
        numbers = {7: "seven"}
        assert f"{numbers.get(len(m.techniques), len(m.techniques))} techniques" in text
        assert any(report.OLD_SECONDS in name for run in m.runs for name in run.values)
        assert all(r["verdict"] == "not measured" for r in report.release_claims(m))

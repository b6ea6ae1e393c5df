"""The regression gate's decisions and exit codes (its detection power is measured by
testing/trials.py and described in docs/gate.md, not timed here)."""
import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from measurement import change
from measurement.paths import ROOT
from tools import gate
from tools.gate import __main__ as cli
from tools.gate import builds, measure, report, verdict



def test_mann_whitney_exact_p_values():
    assert change.larger_p([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) == pytest.approx(1 / 252)
    assert change.larger_p([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]) == 1.0
    assert 0.3 < change.larger_p([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]) < 0.5  # interleaved: no evidence


def test_a_suspect_needs_both_the_ratio_and_significance():
    base = [1.00, 1.01, 0.99, 1.02, 1.00]
    minima = {"baseline": {"slow": base, "noisy": base, "same": base},
              "candidate": {"slow": [1.30, 1.31, 1.29, 1.32, 1.30],  # 1.3x, separated: a suspect
                            "noisy": [0.90, 2.00, 0.95, 1.90, 1.05],  # median 1.05x, overlapping
                            "same": [1.00, 1.02, 0.99, 1.01, 1.00]}}
    found = verdict.suspects(minima, threshold=1.10, alpha=0.01)
    assert list(found) == ["slow"]
    assert found["slow"]["ratio"] == pytest.approx(1.30 / 1.00)


def test_faster_is_never_a_regression():
    minima = {"baseline": {"k": [1.0] * 5}, "candidate": {"k": [0.5] * 5}}
    assert verdict.suspects(minima, 1.10, 0.01) == {}


def test_allocations_regress_deterministically_beyond_the_slack():
    allocated = {"baseline": {"a": 80_000_000, "b": 1000, "c": 80_000_000},
                 "candidate": {"a": 160_000_000, "b": 2000, "c": 80_000_100}}
    assert list(verdict.allocation_regressions(allocated)) == ["a"]


def _accepts(*argv):
    """Whether the measurement options pass the command line's checks (the gate's and bisect's)."""
    parser = argparse.ArgumentParser()
    cli.add_measurement_arguments(parser)
    try:
        cli.check_measurement_arguments(parser, parser.parse_args(list(argv)))
    except SystemExit:
        return False
    return True


@pytest.mark.parametrize("alpha", [0.05, 0.01, 0.001])
def test_the_minimum_rounds_are_the_fewest_that_can_reach_alpha(alpha):
    least = verdict.min_rounds(alpha)
    # the smallest p-value the gate's own test can give (all candidate minima above all baseline ones)
    assert change.larger_p(list(range(least)), list(range(least, 2 * least))) <= alpha
    assert change.larger_p(list(range(least - 1)), list(range(least - 1, 2 * least - 2))) > alpha
    assert 1 / math.comb(2 * least, least) <= alpha
    assert not _accepts("--alpha", str(alpha), "--rounds", str(least - 1))


def test_too_few_or_odd_rounds_are_usage_errors(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--rounds", "4"])  # 1/C(8, 4) = 0.014 > 0.01: no timing regression could ever be flagged
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "--rounds 4" in err and "r = 5" in err and "minimum is --rounds 6" in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["--rounds", "7"])
    assert exc.value.code == 2 and "must be even" in capsys.readouterr().err
    assert _accepts() and verdict.ROUNDS % 2 == 0


def test_every_accepted_round_count_gives_both_sides_the_same_mean_position():
    accepted = [r for r in range(0, 41) if _accepts("--rounds", str(r))]
    assert accepted == list(range(6, 41, 2))
    for rounds in accepted:
        order = measure.schedule(rounds)
        positions = {side: [i for i, s in enumerate(order) if s == side] for side in ("baseline", "candidate")}
        assert len(positions["baseline"]) == len(positions["candidate"]) == rounds
        assert sum(positions["baseline"]) == sum(positions["candidate"]), rounds


def test_measure_runs_the_rounds_in_schedule_order(monkeypatch):
    order = []

    def run_worker(site, bench, what=()):
        order.append((site, what))
        return {"k": {"bytes": 8 * len(order)} if what else {"seconds": [len(order)]}}

    monkeypatch.setattr(measure, "run_worker", run_worker)
    sites = {"baseline": "baseline", "candidate": "candidate"}
    minima = measure.time_rounds(sites, None, 6, lambda message: None)
    assert order == [(side, ()) for side in measure.schedule(6)]
    assert len(minima["baseline"]["k"]) == len(minima["candidate"]["k"]) == 6
    assert measure.allocations(sites, None, lambda message: None) == {"baseline": {"k": 8 * 13}, "candidate": {"k": 8 * 14}}
    assert order[12:] == [("baseline", ("--bytes",)), ("candidate", ("--bytes",))]  # once per build, untimed


def _result():
    return {"baseline": "a" * 40, "candidate": "b" * 40, "compared": 1, "suspects": [], "regressions": {},
            "allocation_regressions": {}}


def test_the_result_always_goes_to_last_json_and_also_to_json_f(tmp_path, monkeypatch):
    monkeypatch.setattr(gate, "WORK", str(tmp_path / "work"))
    monkeypatch.setattr(verdict, "compare", lambda *args: _result())
    assert cli.main(["--json", str(tmp_path / "gate.json")]) == gate.OK
    last = json.loads((tmp_path / "work" / "last.json").read_text())
    assert last == json.loads((tmp_path / "gate.json").read_text()) and last["status"] == "ok"

    def cannot(*args):
        raise gate.CannotCompare("no baseline")

    monkeypatch.setattr(verdict, "compare", cannot)  # a later run replaces it, atomically (no temporary file left)
    assert cli.main([]) == gate.CANNOT_COMPARE
    assert json.loads((tmp_path / "work" / "last.json").read_text())["status"] == "error"
    assert os.listdir(tmp_path / "work") == ["last.json"]


def _stub_install(monkeypatch, seconds=0.0):
    """Replace the pip build with one that takes `seconds`; returns the list of commits it built."""
    built = []

    def install(sha, tmp):
        built.append(sha)
        time.sleep(seconds)
        os.makedirs(os.path.join(tmp, "site", "npopt"))
        open(os.path.join(tmp, "site", "npopt", "__init__.py"), "w").close()
        return os.path.join(tmp, "site")

    monkeypatch.setattr(builds, "install", install)
    return built


def test_builds_are_keyed_by_commit_python_numpy_numba_and_cython(tmp_path, monkeypatch):
    import numpy
    toolchain = builds.toolchain()
    assert toolchain["python"] == platform.python_version() and toolchain["numpy"] == numpy.__version__
    assert set(toolchain) == {"python", "numpy", "numba", "cython"}
    monkeypatch.setattr(gate, "WORK", str(tmp_path))
    built = _stub_install(monkeypatch)
    first = builds.build_commit("abc")
    assert builds.build_commit("abc") == first and built == ["abc"]  # cached
    monkeypatch.setattr(builds, "toolchain", lambda: {**toolchain, "numpy": "0.0.1"})
    assert builds.build_commit("abc") != first and built == ["abc", "abc"]  # another NumPy: another build
    assert "numpy0.0.1" in os.path.basename(builds.build_commit("abc"))


def test_pruning_keeps_the_most_recently_used_builds_with_their_counts(tmp_path, monkeypatch):
    monkeypatch.setattr(gate, "WORK", str(tmp_path))
    built = _stub_install(monkeypatch)
    sites = [builds.build_commit(sha) for sha in ("a1", "b2", "c3", "d4")]
    for age, site in enumerate(reversed(sites)):  # a1 used longest ago
        os.utime(site, (time.time() - 100 * age, time.time() - 100 * age))
    os.makedirs(os.path.join(sites[0], ".npopt-counts"))
    assert builds.build_commit("a1") == sites[0] and built == ["a1", "b2", "c3", "d4"]  # kept and marked as used now
    builds.prune_builds(keep=2)
    assert sorted(os.listdir(tmp_path / "builds")) == sorted(os.path.basename(s) + end for s in (sites[0], sites[3])
                                                               for end in ("", ".lock"))
    assert os.path.isdir(os.path.join(sites[0], ".npopt-counts"))


def test_concurrent_builds_of_one_key_build_once_and_never_publish_a_partial_build(tmp_path, monkeypatch):
    monkeypatch.setattr(gate, "WORK", str(tmp_path))
    built = _stub_install(monkeypatch, seconds=0.3)
    with ThreadPoolExecutor(2) as pool:  # flock excludes across open files, so threads stand in for two gates
        sites = list(pool.map(builds.build_commit, ["abc", "abc"]))
    assert sites[0] == sites[1] and built == ["abc"]
    assert os.listdir(sites[0]) == ["npopt"]
    key = builds.build_key("abc")
    assert sorted(os.listdir(tmp_path / "builds")) == [key, key + ".lock"]  # no temporary directory left

    def broken(sha, tmp):
        os.makedirs(os.path.join(tmp, "site", "half"))
        raise gate.CannotCompare("the build of def failed")

    monkeypatch.setattr(builds, "install", broken)
    with pytest.raises(gate.CannotCompare):
        builds.build_commit("def")
    assert not os.path.exists(tmp_path / "builds" / builds.build_key("def"))  # a failed build is not cached


def _gate(cwd, work, *args):
    return subprocess.run([sys.executable, "-m", "tools.gate", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "NPOPT_GATE_WORK": str(work)})


def test_no_baseline_exits_with_the_cannot_compare_code(tmp_path):
    done = _gate(ROOT, tmp_path, "--baseline", "no-such-revision", "--json", os.devnull)
    assert done.returncode == gate.CANNOT_COMPARE
    assert "cannot compare" in done.stderr and "no-such-revision" in done.stderr


def test_broken_build_exits_with_the_cannot_compare_code_and_says_why(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", ROOT, str(clone)], check=True)
    pyx = clone / "npopt" / "_recurrences.pyx"
    pyx.write_text(pyx.read_text() + "\ndef broken(:\n")
    subprocess.run(["git", "-C", str(clone), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet",
                    "-am", "break the build"], check=True)
    done = _gate(clone, tmp_path / "work", "--json", str(tmp_path / "gate.json"))
    assert done.returncode == gate.CANNOT_COMPARE, done.stderr
    assert "build of" in done.stderr and "failed" in done.stderr


def test_worker_times_the_selected_benchmarks_with_the_suites_harness_or_traces_their_bytes(tmp_path):
    """Real rounds of the worker on this checkout: K samples per key; with --bytes, the traced bytes alone."""
    results = []
    for what in (["--samples", "2"], ["--bytes"]):
        out = tmp_path / "round.json"
        subprocess.run([sys.executable, measure.WORKER, str(out),
                        "--bench", r"^vectorization\.add:ufunc:10000$", *what], cwd=ROOT, check=True)
        report = json.loads(out.read_text())
        assert list(report["results"]) == ["vectorization.add:ufunc:10000"]
        results.append(report["results"]["vectorization.add:ufunc:10000"])
    timed, traced = results
    assert list(timed) == ["seconds"] and len(timed["seconds"]) == 2 and all(0 < s < 1 for s in timed["seconds"])
    assert list(traced) == ["bytes"] and traced["bytes"] >= 80_000  # a + b allocates its 10^4-float64 result


def test_the_worker_beside_the_bisection_imports_the_standard_librarys_bisect(tmp_path):
    """Run as a script, the worker has tools/gate/ first on sys.path, where bisect.py (the bisection) would
    replace the standard library's bisect, which random and statistics import: the worker takes its folder
    off sys.path, and runs."""
    assert os.path.exists(os.path.join(os.path.dirname(measure.WORKER), "bisect.py"))
    out = tmp_path / "round.json"
    done = subprocess.run([sys.executable, measure.WORKER, str(out), "--bench", "^$"], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": ROOT})
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text()) == {"npopt": os.path.join(ROOT, "npopt"), "results": {}}


def test_worker_leaves_the_skipped_keys_untimed():
    """The gate skips the keys its counts decide (--skip): the worker yields the selected keys but those."""
    from tools.gate.worker import keys_and_params

    selected = [key for key, *_ in keys_and_params(r"^vectorization\.add:")]
    kept = [key for key, *_ in keys_and_params(r"^vectorization\.add:", measure.exact_keys(["vectorization.add:ufunc:10000"]))]
    assert "vectorization.add:ufunc:10000" in selected and len(selected) > 2
    assert kept == [key for key in selected if key != "vectorization.add:ufunc:10000"]


def _figures(instructions, memory_bound=False):
    return {"instructions": instructions, "cycles": instructions * 1.2, "memory_bound": memory_bound, "simd": "AVX2"}


def test_counts_decide_where_neither_build_is_memory_bound_and_flag_beyond_the_count_threshold():
    counts = {"baseline": {"slow": _figures(1000), "same": _figures(1000), "streams": _figures(1000, True),
                           "only_base": _figures(1000)},
              "candidate": {"slow": _figures(1000 * 1.03), "same": _figures(1000 * 1.01), "streams": _figures(2000),
                            "only_cand": _figures(1000)}}
    assert verdict.decided_by_counts(counts) == {"slow", "same"}  # memory-bound or counted on one side only: wall time
    found = verdict.count_regressions(counts, verdict.decided_by_counts(counts), verdict.COUNT_THRESHOLD)
    assert list(found) == ["slow"] and found["slow"]["metric"] == gate.INSTRUCTIONS
    assert found["slow"]["ratio"] == pytest.approx(1.03)


def test_the_gate_reports_which_metric_decided_each_verdict(monkeypatch, tmp_path):
    """A compute-bound slowdown of 3% is caught by its count, a memory-bound one of 30% by wall time."""
    monkeypatch.setattr(gate, "WORK", str(tmp_path))
    monkeypatch.setattr(builds, "resolve", lambda candidate, baseline: ("a" * 40, "b" * 40))
    monkeypatch.setattr(builds, "build_commit", lambda sha: sha)
    monkeypatch.setattr(measure, "count_builds", lambda sites, bench, log: {
        "baseline": {"k:cython:10": _figures(1000), "k:ufunc:10": _figures(50, True)},
        "candidate": {"k:cython:10": _figures(1030), "k:ufunc:10": _figures(50, True)}})

    skipped = []

    def time_rounds(sites, bench, rounds, log, skip=()):
        skipped.append(skip)
        slow = {"k:ufunc:10": [1.3] * rounds, "k:ufunc:1000": [1.0] * rounds}
        fast = {key: [1.0] * rounds for key in slow}
        return {"baseline": fast, "candidate": slow}

    monkeypatch.setattr(measure, "time_rounds", time_rounds)
    monkeypatch.setattr(measure, "allocations", lambda sites, bench, log: {"baseline": {}, "candidate": {}})
    result = verdict.compare(None, "HEAD", None, 6, verdict.THRESHOLD, verdict.ALPHA, log=lambda message: None)
    assert skipped[0] == {"k:cython:10"}  # decided by its count, so not timed in the rounds
    assert result["metrics"] == {"k:cython:10": gate.INSTRUCTIONS, "k:ufunc:10": gate.SECONDS,
                                 "k:ufunc:1000": gate.SECONDS}
    assert {k: e["metric"] for k, e in result["regressions"].items()} == {"k:cython:10": gate.INSTRUCTIONS,
                                                                         "k:ufunc:10": gate.SECONDS}
    text = report.text_report(result)
    assert "1 by instructions (callgrind, AVX2 code), 2 by wall time" in text
    assert "REGRESSED k:cython:10: 1000 -> 1030 instructions per call" in text
    assert "[decided by instructions]" in text and "[decided by wall time]" in text
    markdown = report.markdown_report(result)
    assert "| decided by |" in markdown and "| `k:cython:10` | instructions |" in markdown
    assert "| `k:ufunc:10` | wall time |" in markdown


def test_without_valgrind_the_gate_cannot_compare_and_says_why(monkeypatch, tmp_path, capsys):
    from measurement import cost

    def missing(*args, **kwargs):
        raise cost.CostUnavailable("counting a kernel's cost needs valgrind, which is not installed")

    monkeypatch.setattr(gate, "WORK", str(tmp_path))
    monkeypatch.setattr(builds, "build_commit", lambda sha: sha)
    monkeypatch.setattr(cost, "count", missing)
    assert cli.main(["--baseline", "HEAD~1", "--json", os.devnull]) == gate.CANNOT_COMPARE
    assert "needs valgrind" in capsys.readouterr().err
    assert "needs valgrind" in json.loads((tmp_path / "last.json").read_text())["message"]


def test_where_valgrind_cannot_exist_the_gate_decides_by_wall_time_and_says_so(monkeypatch, tmp_path, capsys):
    """On macOS nothing is counted (a count would fail: measure.counts_path asks valgrind its version) and a
    compiled variant's slowdown is decided by wall time; the text, Markdown and JSON say so, and why."""
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    monkeypatch.setattr(platform, "machine", lambda: "arm64")
    monkeypatch.setattr(gate, "WORK", str(tmp_path))
    monkeypatch.setattr(builds, "resolve", lambda candidate, baseline: ("a" * 40, "b" * 40))
    monkeypatch.setattr(builds, "build_commit", lambda sha: sha)
    skipped = []

    def time_rounds(sites, bench, rounds, log, skip=()):
        skipped.append(skip)
        return {"baseline": {"k:cython:10": [1.0] * rounds}, "candidate": {"k:cython:10": [1.3] * rounds}}

    monkeypatch.setattr(measure, "time_rounds", time_rounds)
    monkeypatch.setattr(measure, "allocations", lambda sites, bench, log: {"baseline": {}, "candidate": {}})
    assert cli.main(["--json", str(tmp_path / "gate.json"), "--markdown", str(tmp_path / "gate.md")]) == gate.REGRESSED
    said = "decided by wall time: Valgrind does not exist for macOS arm64: counted figures are n/a"
    result = json.loads((tmp_path / "gate.json").read_text())
    assert said.endswith(result["wall_time_only"]) and not skipped[0]  # nothing left out of the rounds
    assert result["metrics"] == {"k:cython:10": gate.SECONDS} and result["simd"] == []
    assert result["regressions"]["k:cython:10"]["metric"] == gate.SECONDS
    assert said in capsys.readouterr().out and said in (tmp_path / "gate.md").read_text()
    assert "0 by instructions, 1 by wall time" in report.text_report(result)


def test_a_report_with_nothing_counted_names_no_counted_code():
    """A bisection's later runs time only wall-time benchmarks: no '(callgrind, ? code)' placeholder."""
    assert report.decided({"metrics": {"k:ufunc:10": gate.SECONDS}, "simd": []}) == "0 by instructions, 1 by wall time"
    assert report.decided({"metrics": {"k:cython:10": gate.INSTRUCTIONS}, "simd": ["AVX2"]}) == (
        "1 by instructions (callgrind, AVX2 code), 0 by wall time")


REGRESSED_RESULT = {
    "status": "regressed", "baseline": "a" * 40, "candidate": "b" * 40, "compared": 1, "suspects": [],
    "metrics": {"k:cython:10": gate.INSTRUCTIONS}, "simd": ["AVX2"], "allocation_regressions": {},
    "regressions": {"k:cython:10": {"metric": gate.INSTRUCTIONS, "baseline": 1000, "candidate": 1030, "ratio": 1.03,
                                    "threshold": verdict.COUNT_THRESHOLD, "cycles": [2000, 2100], "simd": "AVX2"}}}


@pytest.mark.parametrize("stored, shown", [
    (None, "No gate result is stored here yet"),
    ({"status": "error", "message": "the build of <abc> failed"},
     "could not compare: <pre>the build of &lt;abc&gt; failed</pre>"),
    (REGRESSED_RESULT, "<pre>baseline aaaaaaaa  candidate bbbbbbbb"),
    (REGRESSED_RESULT, "REGRESSED k:cython:10: 1000 -&gt; 1030 instructions per call"),
])
def test_the_dashboards_gate_page_shows_the_last_stored_result(monkeypatch, tmp_path, stored, shown):
    from tools.dashboard import publish

    monkeypatch.setattr(gate, "WORK", str(tmp_path))
    if stored:
        (tmp_path / "last.json").write_text(json.dumps(stored))
    publish.write_gate_page(tmp_path)
    page = (tmp_path / "gate.html").read_text()
    assert shown in page and "<a href='index.html'>asv dashboard</a>" in page


@pytest.mark.valgrind  # measure.counts_path asks valgrind its version
def test_a_count_of_another_npopt_than_the_builds_cannot_compare(monkeypatch, tmp_path):
    from measurement import cost

    monkeypatch.setattr(cost, "count", lambda bench, env, parts, declared: {("k", "v", 10): {**_figures(100), "npopt": ROOT}})
    with pytest.raises(gate.CannotCompare, match="imported npopt from"):
        measure.count_builds({"baseline": str(tmp_path / "a"), "candidate": str(tmp_path / "b")}, None, lambda message: None)
    assert not (tmp_path / "a" / ".npopt-counts").exists()  # a refused count is not kept


@pytest.mark.valgrind  # measure.counts_path asks valgrind its version
def test_a_builds_count_is_made_once_per_selection_and_kept_the_cores_shared(monkeypatch, tmp_path):
    """Counts are deterministic: a build counted by one gate is not counted again by the next (per --bench
    selection); two builds to count get a child each, one build gets both cores; one build on both sides
    (the same commit) is counted once."""
    from measurement import cost

    made = []

    def count(bench, env, parts, declared):
        assert not declared  # a variant declared memory-bound is decided by wall time: not counted
        made.append((os.path.basename(env["PYTHONPATH"]), bench, parts))
        return {("k", "v", 10): {**_figures(100), "npopt": os.path.join(env["PYTHONPATH"], "npopt")}}

    monkeypatch.setattr(cost, "count", count)
    monkeypatch.setattr(measure.os, "sched_getaffinity", lambda pid: {0, 1})
    a, b, c = (str(tmp_path / name) for name in "abc")
    quiet = lambda message: None  # noqa: E731
    first = measure.count_builds({"baseline": a, "candidate": b}, "^k", quiet)
    assert sorted(made) == [("a", "^k", 1), ("b", "^k", 1)]
    again = measure.count_builds({"baseline": a, "candidate": c}, "^k", quiet)
    assert again["baseline"] == first["baseline"] and again["candidate"]["k:v:10"]["npopt"] == os.path.join(c, "npopt")
    assert made[2:] == [("c", "^k", 2)]
    measure.count_builds({"baseline": a, "candidate": a}, None, quiet)  # another selection: counted again, once
    assert made[3:] == [("a", None, 2)]
    monkeypatch.setattr(measure.cost, "__file__", os.path.join(ROOT, "benchmarks", "bench_simd.py"))
    measure.count_builds({"baseline": a, "candidate": a}, None, quiet)  # another counting harness: counted again
    assert made[4:] == [("a", None, 2)]

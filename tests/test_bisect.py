"""The bisection's search (with a stubbed gate comparison: no timing here) and its command line."""
import json
import math
import subprocess
import sys

import pytest

from measurement.machine import this_machine
from measurement.paths import ROOT
from tools import gate
from tools.gate import bisect, builds, verdict



def stub_gate(culprit, spread=1):
    """A gate comparison over commits named c0..cN: commits from `culprit` on are slower by `spread`
    steps of a slowdown that the gate flags only when the candidate is at least one whole step slower."""
    calls = []

    def compare(base, cand, keys):
        calls.append((base, cand, keys))
        i, j = (int(sha[1:]) for sha in (base, cand))
        steps = sum(culprit <= k < culprit + spread for k in range(i + 1, j + 1))
        flagged = {"add:ufunc:10000": {"ratio": 1.25}} if steps == spread else {}
        return {"regressions": flagged, "allocation_regressions": {}, "ratios": {}}

    return compare, calls


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100])
def test_the_culprit_is_named_exactly_within_ceil_log2_n_plus_2_comparisons(n):
    commits = [f"c{i}" for i in range(n + 1)]  # c0 is GOOD, c1..cN the commits after it, cN is BAD
    for culprit in range(1, n + 1):
        compare, calls = stub_gate(culprit)
        index, against_parent = bisect.search(commits, compare)
        assert index == culprit and list(against_parent["regressions"]) == ["add:ufunc:10000"]
        assert len(calls) <= math.ceil(math.log2(n)) + 2 == bisect.max_comparisons(n)
        assert len({(base, cand) for base, cand, _ in calls}) == len(calls)  # no comparison twice
        assert calls[0] == ("c0", f"c{n}", None)  # GOOD vs BAD over the whole selection first
        assert all(keys == ["add:ufunc:10000"] for _, _, keys in calls[1:])  # then only what it flagged
        assert (f"c{culprit - 1}", f"c{culprit}") in {(base, cand) for base, cand, _ in calls}  # verified vs parent


def test_no_decision_when_bad_is_not_slower_or_the_slowdown_is_spread():
    commits = [f"c{i}" for i in range(9)]
    never, _ = stub_gate(culprit=100)
    with pytest.raises(gate.CannotCompare, match="not slower than c0"):
        bisect.search(commits, never)
    gradual, calls = stub_gate(culprit=3, spread=2)  # c3 and c4 each add half of the slowdown
    with pytest.raises(gate.CannotCompare, match="spread over several commits"):
        bisect.search(commits, gradual)
    assert len(calls) <= bisect.max_comparisons(8)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A small repository (GOOD and five commits on main; a side branch merged into the fourth) that
    the gate's git calls run in."""
    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path, check=True,
                              capture_output=True, text=True).stdout.strip()

    git("init", "--quiet", "--initial-branch=main")
    for i in range(6):
        if i == 4:
            git("checkout", "--quiet", "-b", "side", "HEAD~1")
            git("commit", "--quiet", "--allow-empty", "-m", "side work")
            git("checkout", "--quiet", "main")
            git("merge", "--quiet", "--no-ff", "-m", "merge side", "side")
        git("commit", "--quiet", "--allow-empty", "-m", f"commit {i}")
    monkeypatch.setattr(builds, "ROOT", str(tmp_path))
    return git


def test_cli_names_the_culprit_with_subject_and_ratios(repo, monkeypatch, tmp_path, capsys):
    history = repo("rev-list", "--first-parent", "--reverse", "HEAD").split()  # GOOD = history[0]
    culprit = history[3]

    def compare(base, cand, bench, rounds, threshold, alpha, log):
        slower = history.index(cand) >= 3 > history.index(base)
        flagged = {"add:ufunc:10000": {"baseline": 1.0, "candidate": 1.3, "ratio": 1.3, "p": 0.001,
                                       "baseline_minima": [1.0], "candidate_minima": [1.3],
                                       "confirmation": {"ratio": 1.3, "p": 0.001}}} if slower else {}
        return {"baseline": base, "candidate": cand, "compared": 1, "suspects": sorted(flagged),
                "regressions": flagged, "allocation_regressions": {}, "ratios": {"add:ufunc:10000": 1.3}}

    monkeypatch.setattr(verdict, "compare", compare)
    out = tmp_path / "bisect.json"
    assert bisect.main(["--good", history[0], "--bad", "main", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"culprit {culprit} commit 3") and "add:ufunc:10000" in printed and "1.30x" in printed
    bisection = json.loads(out.read_text())
    assert bisection["culprit"] == culprit and bisection["subject"] == "commit 3"
    assert bisection["regressions"] == {"add:ufunc:10000": 1.3} and bisection["commits"] == len(history) - 1
    assert len(bisection["comparisons"]) <= bisect.max_comparisons(len(history) - 1)


def test_the_gates_own_comparison_of_good_and_bad_is_read_not_made_again(repo, monkeypatch, tmp_path):
    """--gate F: the nightly's gate has just compared GOOD with BAD; the bisection starts from its JSON when
    it is that comparison (same commits, machine, rounds, threshold, alpha) and otherwise makes it again."""
    history = repo("rev-list", "--first-parent", "--reverse", "HEAD").split()
    calls = []

    def compare(base, cand, bench, rounds, threshold, alpha, log):
        calls.append((base, cand))
        flagged = {"add:ufunc:10000": {"ratio": 1.3}} if history.index(cand) >= 3 > history.index(base) else {}
        return {"baseline": base, "candidate": cand, "regressions": flagged, "allocation_regressions": {},
                "ratios": {}}

    monkeypatch.setattr(verdict, "compare", compare)
    earlier = {"status": "regressed", "baseline": history[0], "candidate": history[-1], "machine": this_machine(),
               "rounds": verdict.ROUNDS, "threshold": verdict.THRESHOLD, "alpha": verdict.ALPHA,
               "regressions": {"add:ufunc:10000": {"ratio": 1.3}}, "allocation_regressions": {}}
    for changed, read in [({}, True), ({"rounds": verdict.ROUNDS + 2}, False), ({"candidate": history[-2]}, False),
                          ({"status": "ok"}, False)]:
        calls.clear()
        path = tmp_path / "gate.json"
        path.write_text(json.dumps({**earlier, **changed}))
        bisection = bisect.run_bisect(history[0], history[-1], None, verdict.ROUNDS, verdict.THRESHOLD, verdict.ALPHA,
                                           log=lambda _: None, gate_json=str(path))
        assert bisection["culprit"] == history[3], changed
        assert ((history[0], history[-1]) not in calls) == read, changed
        assert len(bisection["comparisons"]) == len(calls) + read


def test_cli_cannot_decide_exits_3(repo, monkeypatch, capsys):
    monkeypatch.setattr(verdict, "compare", lambda base, cand, *args: {"regressions": {}, "allocation_regressions": {}})
    assert bisect.main(["--good", "main~3"]) == gate.CANNOT_COMPARE
    assert "not slower than" in capsys.readouterr().err
    assert bisect.main(["--good", "side", "--bad", "main"]) == gate.CANNOT_COMPARE  # not on main's first parents
    assert "not a first-parent descendant" in capsys.readouterr().err
    assert bisect.main(["--good", "main", "--bad", "main"]) == gate.CANNOT_COMPARE  # nothing in between
    assert bisect.main(["--good", "no-such-revision"]) == gate.CANNOT_COMPARE


@pytest.mark.parametrize("argv, message", [
    ([], "--good"),
    (["--good", "HEAD~1", "--rounds", "4"], "minimum is --rounds 6"),
    (["--good", "HEAD~1", "--rounds", "7"], "must be even"),
    (["--good", "HEAD~1", "--alpha", "0"], "--alpha"),
])
def test_cli_usage_errors_exit_2(argv, message):
    done = subprocess.run([sys.executable, "-m", "tools.gate.bisect", *argv], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and message in done.stderr

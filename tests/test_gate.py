"""The regression gate's decisions and exit codes (its detection power is measured by
tools/gate_trial.py and reported in the README, not timed here)."""
import os
import subprocess
import sys

import pytest

from tools import gate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_mann_whitney_exact_p_values():
    assert gate.mann_whitney_p([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) == pytest.approx(1 / 252)
    assert gate.mann_whitney_p([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]) == 1.0
    assert 0.3 < gate.mann_whitney_p([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]) < 0.5  # interleaved: no evidence


def test_a_suspect_needs_both_the_ratio_and_significance():
    base = [1.00, 1.01, 0.99, 1.02, 1.00]
    minima = {"baseline": {"slow": base, "noisy": base, "same": base},
              "candidate": {"slow": [1.30, 1.31, 1.29, 1.32, 1.30],  # 1.3x, separated: a suspect
                            "noisy": [0.90, 2.00, 0.95, 1.90, 1.05],  # median 1.05x, overlapping
                            "same": [1.00, 1.02, 0.99, 1.01, 1.00]}}
    found = gate.suspects(minima, threshold=1.10, alpha=0.01)
    assert list(found) == ["slow"]
    assert found["slow"]["ratio"] == pytest.approx(1.30 / 1.00)


def test_faster_is_never_a_regression():
    minima = {"baseline": {"k": [1.0] * 5}, "candidate": {"k": [0.5] * 5}}
    assert gate.suspects(minima, 1.10, 0.01) == {}


def test_allocations_regress_deterministically_beyond_the_slack():
    allocated = {"baseline": {"a": 80_000_000, "b": 1000, "c": 80_000_000},
                 "candidate": {"a": 160_000_000, "b": 2000, "c": 80_000_100}}
    assert list(gate.allocation_regressions(allocated)) == ["a"]


def _gate(cwd, *args):
    return subprocess.run([sys.executable, "-m", "tools.gate", *args], cwd=cwd, capture_output=True, text=True)


def test_no_baseline_exits_with_the_cannot_compare_code():
    done = _gate(ROOT, "--baseline", "no-such-revision", "--json", os.devnull)
    assert done.returncode == gate.CANNOT_COMPARE
    assert "cannot compare" in done.stderr and "no-such-revision" in done.stderr


def test_broken_build_exits_with_the_cannot_compare_code_and_says_why(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", ROOT, str(clone)], check=True)
    pyx = clone / "npopt" / "_recurrences.pyx"
    pyx.write_text(pyx.read_text() + "\ndef broken(:\n")
    subprocess.run(["git", "-C", str(clone), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet",
                    "-am", "break the build"], check=True)
    done = _gate(clone, "--json", str(tmp_path / "gate.json"))
    assert done.returncode == gate.CANNOT_COMPARE, done.stderr
    assert "build of" in done.stderr and "failed" in done.stderr

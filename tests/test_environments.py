"""The matrix environments each machine benchmarks (tools/bench.py ``environments``): a NumPy release
without a wheel for the machine is skipped with the reason, never an error; the SIMD-disabled twin is
skipped where it would disable nothing. The package index is a recorded reply (no network here)."""
import json
import os
import platform
import urllib.error

import pytest
from asv import util
from asv.config import Config
from packaging import tags

from tools import bench, wheels

# PyPI's reply to wheels.index_files, cut to the files of NumPy 1.23.5
RECORDED = os.path.join(os.path.dirname(__file__), "data", "pypi-simple-numpy-1.23.5.json")
OLDEST = "virtualenv-py3.11-numba0.68.1-numexpr2.13.1-numpy1.23.5-threadpoolctl3.8.0"
LINUX_X86_64 = ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64"]
X86_TARGETS = ["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"]  # what NumPy 2.4 dispatches to on a Sapphire Rapids
AARCH64_TARGETS = ["ASIMDHP", "ASIMDDP", "ASIMDFHM"]  # ... and on an AArch64 CPU


@pytest.fixture
def conf(monkeypatch):
    """asv.conf.json's matrix, with every Python it names here and the package index's reply the recorded one."""
    def reply(request, timeout):
        assert request.full_url == wheels.INDEX
        assert request.get_header("Accept") == "application/vnd.pypi.simple.v1+json"  # PEP 691's JSON, not HTML
        return open(RECORDED, "rb")

    monkeypatch.setattr(wheels.urllib.request, "urlopen", reply)
    monkeypatch.setattr(bench, "runs_here", lambda python, env: True)
    return Config.from_json(dict(util.load_json(bench.CONF, js_comments=True)))


def test_a_release_has_a_wheel_where_a_cpython_of_its_environment_installs_one():
    with open(RECORDED) as f:
        names = [entry["filename"] for entry in json.load(f)["files"]]
    assert wheels.has_wheel(names, "1.23.5", "3.11", LINUX_X86_64)
    assert wheels.has_wheel(names, "1.23.5", "3.11", list(tags.mac_platforms((14, 0), "arm64")))
    assert not wheels.has_wheel(names, "1.23.5", "3.12", LINUX_X86_64)  # released before Python 3.12
    assert not wheels.has_wheel(names, "1.23.5", "3.11", ["win_arm64"])
    assert not wheels.has_wheel(names, "1.23.5", "3.11", ["manylinux_2_5_x86_64"])  # glibc older than its wheels'
    assert not wheels.has_wheel(names, "1.23.4", "3.11", LINUX_X86_64)  # another release's files do not count


def test_a_release_without_a_wheel_here_is_skipped_with_the_reason_never_an_error(conf, monkeypatch, capsys):
    monkeypatch.setattr(platform, "system", lambda: "Windows")
    monkeypatch.setattr(platform, "machine", lambda: "ARM64")
    monkeypatch.setattr(tags, "platform_tags", lambda: iter(["win_arm64"]))
    assert bench.environments(conf, {}, ["1.23.5"]) == []
    assert "NumPy 1.23.5 has no wheel for Windows ARM64 cp311: skipping its environment\n" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="no environment here for NumPy 9.9.9"):  # not in the matrix: an error
        bench.environments(conf, {}, ["9.9.9"])


def test_where_a_release_has_a_wheel_its_environment_stays(conf, monkeypatch, capsys):
    monkeypatch.setattr(tags, "platform_tags", lambda: iter(tags.mac_platforms((14, 0), "arm64")))
    assert bench.environments(conf, {}, ["1.23.5"]) == [(OLDEST, "1.23.5")]
    assert "1.23.5" not in capsys.readouterr().out


def test_an_unreadable_index_skips_nothing_and_says_so(conf, monkeypatch, capsys):
    """A network failure is no evidence of a missing wheel (and an environment built before needs none)."""
    def offline(request, timeout):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(wheels.urllib.request, "urlopen", offline)
    monkeypatch.setattr(bench, "dispatched_targets", lambda: X86_TARGETS)
    found = bench.environments(conf, {})
    assert len(found) == len(list(bench.environment.get_environments(conf, None, verbose=False)))
    assert (f"cannot read NumPy's files from {wheels.INDEX} (<urlopen error no network>): which releases have a wheel "
            "here is unknown, so every environment is tried") in capsys.readouterr().out


def test_the_simd_twin_is_skipped_where_numpy_dispatches_to_none_of_the_targets_it_disables(conf, monkeypatch, capsys):
    monkeypatch.setattr(wheels, "without_wheels", lambda pairs: {})
    monkeypatch.setattr(platform, "machine", lambda: "aarch64")
    monkeypatch.setattr(bench, "dispatched_targets", lambda: AARCH64_TARGETS)
    on_arm = bench.environments(conf, {}, ["2.5.5"])
    assert [bench.SIMD_SWITCH in name for name, _ in on_arm] == [False]  # the release line stays
    assert ("the SIMD twin disables X86_V3,X86_V4,AVX512_ICL,AVX512_SPR, which NumPy does not dispatch to on this "
            "aarch64 machine: skipping it") in capsys.readouterr().out
    monkeypatch.setattr(bench, "dispatched_targets", lambda: X86_TARGETS[:1])  # an AVX2-only x86 CPU: the twin runs
    assert [bench.SIMD_SWITCH in name for name, _ in bench.environments(conf, {}, ["2.5.5"])] == [True, False]
    assert bench.simd_twin_skipped("X86_V3,X86_V4", []) is not None  # an x86 CPU below AVX2: nothing to disable

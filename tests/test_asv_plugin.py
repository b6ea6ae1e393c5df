"""Plain asv on this suite (tools/asv_plugin.py): --bench decides what the suite's one measurement measures,
--quick and profile are quick, and results go under the hardware fingerprint on a machine asv never saw."""
import json
import math
import os
import re
import subprocess
import sys

import pytest
from asv import util

from measurement import grids
from measurement.machine import this_machine
from measurement.paths import ROOT
from tools import asv_plugin, results

CLASS = r"^bench_scatter_add\.GroupSums2d\."  # one small class: one kernel, in cache, counted fast


@pytest.fixture
def plugin(monkeypatch):
    """tools/asv_plugin.py's setup, in this process, with what it patches in asv restored afterwards and
    no write to the home's machine file; NPOPT's selection variables unset before it."""
    from asv.commands import compare
    from asv.commands.continuous import Continuous

    monkeypatch.setattr(compare, "_is_result_better", compare._is_result_better)
    monkeypatch.setattr(Continuous, "run", Continuous.__dict__["run"])
    monkeypatch.setattr(asv_plugin, "register_machine", lambda: None)
    monkeypatch.setattr(results, "patch_asv", lambda: None)
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items()  # what setup sets is dropped after
                                        if k not in (grids.SELECT, grids.QUICK, grids.PROFILE)})

    def setup(*argv):
        monkeypatch.setattr(sys, "argv", ["asv", *argv])
        asv_plugin.setup()
    return setup


@pytest.mark.parametrize("argv, pattern, quick, profile", [
    (["run", "--quick", "-b", "Add", "--bench=Total", "HEAD^!"], "(?:Add)|(?:Total)", True, False),
    (["continuous", "A", "B", "-b", "X"], "(?:X)", False, False),
    (["find", "A..B", "bench_x"], "(?:bench_x)", False, False),
    (["profile", r"bench_x.Add.track_seconds\('ufunc', 1000\)"], r"^bench_x.Add.track_seconds\('ufunc', 1000\)$",
     True, True),
    (["run", "HEAD^!"], None, False, False),
])
def test_the_plugin_passes_asvs_selection_and_quickness_to_the_measurement(plugin, argv, pattern, quick, profile):
    plugin(*argv)
    assert os.environ.get(grids.SELECT) == pattern
    assert bool(os.environ.get(grids.QUICK)) == quick and bool(os.environ.get(grids.PROFILE)) == profile


@pytest.fixture
def fresh(tmp_path):
    """(asv command, environment): asv with a configuration like asv.conf.json (one matrix environment) whose
    results go to tmp_path, started as a new user would (asv itself, no make), with a home (tmp_path) that
    holds no asv machine file; NPOPT's selection variables unset."""
    conf = util.load_json(os.path.join(ROOT, "asv.conf.json"), js_comments=True)
    conf.update(repo=ROOT, benchmark_dir=os.path.join(ROOT, "benchmarks"), env_dir=str(tmp_path / "env"),
                results_dir=str(tmp_path / "results"), html_dir=str(tmp_path / "html"), include=[],
                matrix={**conf["matrix"], "req": {**conf["matrix"]["req"], "numpy": ["2.4.6"]}})
    path = tmp_path / "asv.conf.json"
    path.write_text(json.dumps(conf))
    env = {k: v for k, v in os.environ.items() if k not in (grids.SELECT, grids.QUICK, grids.PROFILE)}
    return [sys.executable, "-m", "asv", "--config", str(path)], {**env, "HOME": str(tmp_path)}


def test_a_plain_asv_run_quick_bench_measures_only_that_class_and_files_it_under_the_fingerprint(fresh, tmp_path):
    """asv run --quick --bench of one class: the setup_cache measures that class's kernel alone (it says so
    with -v), and the results and the machine record go under this host's fingerprint, never its name."""
    asv, env = fresh
    commit = subprocess.check_output(["git", "rev-parse", "HEAD"], cwd=ROOT, text=True).strip()
    done = subprocess.run([*asv, "-v", "run", "--quick", "--launch-method", "spawn", "--bench", CLASS,
                           "--python=same", "--set-commit-hash", commit],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.findall(r"measuring \d+ kernel\(s\): (.*?)\s+ok$", done.stdout, re.M) == ["scatter_add.group_sums_2d"]
    machine = this_machine()
    assert set(os.listdir(tmp_path / "results")) == {"benchmarks.json", machine}
    assert json.loads((tmp_path / ".asv-machine.json").read_text())[machine]["machine"] == machine
    stored = [f for f in os.listdir(tmp_path / "results" / machine) if f != "machine.json"]
    assert len(stored) == 1
    result = json.loads((tmp_path / "results" / machine / stored[0]).read_text())
    assert result["params"]["machine"] == machine and result["commit_hash"] == commit
    seconds = result["results"]["bench_scatter_add.GroupSums2d.track_seconds"][0]
    timed = [s for s in seconds if s is not None and not math.isnan(s)]
    assert timed and min(timed) > 0


def test_asv_profile_of_a_timed_figure_profiles_the_kernel_call(fresh):
    """asv profile runs the figure's function under cProfile: it calls the variant (not only a stored number)."""
    asv, env = fresh
    done = subprocess.run([*asv, "profile", r"bench_vectorization.Add.track_seconds\('python_loop', 10000\)",
                           "--python=same"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"^\s*\d+ .*vectorization\.py:\d+\(add_python_loop\)$", done.stdout, re.M), done.stdout[-3000:]


@pytest.mark.parametrize("benchmark, params, new, worse", [
    ("bench_vectorization.Speedup.track_speedup", [["'vectorization.add:ufunc'"]], 20.0, False),  # 10x -> 20x
    ("bench_vectorization.Speedup.track_speedup", [["'vectorization.add:ufunc'"]], 5.0, True),
    ("bench_vectorization.Add.track_seconds", [["'ufunc'"], ["10000"]], 20.0, True),  # 10 s -> 20 s
    ("bench_vectorization.Add.track_seconds", [["'ufunc'"], ["10000"]], 5.0, False),
])
def test_asv_compare_takes_a_rising_speedup_as_an_improvement_and_rising_seconds_as_a_regression(
        plugin, benchmark, params, new, worse):
    """asv's own table (compare, and continuous, whose exit status it gives) judges each figure in its
    direction once the plugin has set up: 10 -> 20 is better for a speedup and worse for seconds."""
    from asv.commands.compare import Compare
    from asv.config import Config

    plugin("compare", "A", "B")
    conf = Config.from_json({"results_dir": os.path.join(ROOT, "results"), "repo": ROOT, "project": "npopt"})

    def resultset(value):
        stats = {"ci_99_a": value * 0.99, "ci_99_b": value * 1.01, "q_25": value, "q_75": value, "repeat": 5}
        yield benchmark, params, [value], [stats], [[value] * 5], None, "m", "env"

    worsened, improved = Compare.print_table(conf, "A", "B", factor=1.1, split=False,
                                             resultset_1=resultset(10.0), resultset_2=resultset(new))
    assert (worsened, improved) == (worse, not worse)


def test_asv_continuous_gets_interleaved_rounds_unless_told_otherwise(plugin, monkeypatch):
    from asv.commands.continuous import Continuous

    seen = []
    monkeypatch.setattr(Continuous, "run", classmethod(lambda cls, conf, attribute=None, **kw: seen.append(attribute)))
    plugin("continuous", "A", "B")
    Continuous.run("conf")
    Continuous.run("conf", attribute={"rounds": 1, "number": 2})
    assert seen == [{"rounds": asv_plugin.CONTINUOUS_ROUNDS}, {"rounds": 1, "number": 2}]


def test_the_asv_page_states_the_plugins_constants():
    """docs/asv.md says how many rounds continuous runs and which figures rise with speed, as the code does."""
    from measurement.change import HIGHER_IS_BETTER

    with open(os.path.join(ROOT, "docs", "asv.md")) as f:
        page = " ".join(f.read().split())
    assert f"times each commit in {asv_plugin.CONTINUOUS_ROUNDS} rounds" in page
    assert all(f"`{figure}`" in page for figure in HIGHER_IS_BETTER)

"""One run at a time, and killed at any point nothing lost (tools/lock.py, tools/results.py, tools/bench.py).

Every run here is a real subprocess on a copy of results/ in a temporary folder ($NPOPT_RESULTS_DIR,
or an asv configuration pointing there) with its own locks ($NPOPT_LOCK_DIR); a kill is a SIGKILL to
the run's process group while it stands at a fault-injection seam (NPOPT_FAKE_SLOW_STEP=<point>).
The asv runs time one cheap benchmark in the interpreter running the tests (asv --python=same).
"""
import glob
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
from asv import util

from measurement.machine import asv_machine_args, this_machine
from measurement.paths import ROOT
from tools import results

HOLD = ("import sys, time\nfrom tools import lock\n"
        "with lock.hold(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(300)")  # a lock holder


def start(cmd, env, **kwargs):
    """cmd in its own process group (a kill reaches asv's children too), stderr piped."""
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, start_new_session=True, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def until(stream, text):
    """The lines read from stream up to the first one holding text (fails if it ends first)."""
    lines = []
    for line in stream:
        lines.append(line)
        if text in line:
            return lines
    pytest.fail(f"never printed {text!r}:\n{''.join(lines)[-3000:]}")


def kill(proc):
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def snapshot(folder):
    """{relative path: bytes} of every file under folder."""
    return {os.path.relpath(os.path.join(at, n), folder): open(os.path.join(at, n), "rb").read()
            for at, _, names in os.walk(folder) for n in names}


def assert_intact(before, folder, added=()):
    """Every results file of before is byte-identical, nothing half-written is left, and each file is
    sound (tools/results.py would refuse none). asv writes (or rewrites) machine.json with this host's
    description, a host that has never been measured gets a new one, and asv rewrites benchmarks.json,
    its discovery of the suite, whole on every run."""
    now = snapshot(folder)
    for path, data in before.items():
        if os.path.basename(path) not in ("machine.json", "benchmarks.json"):
            assert now[path] == data, path
    json.loads(now.get("benchmarks.json", b"{}"))
    new = {path for path in set(now) - set(before) if os.path.basename(path) != "machine.json"}
    assert new <= set(added), new
    for machine in os.listdir(folder):
        if os.path.isdir(os.path.join(folder, machine)):
            assert not results.stored(machine)[1]


@pytest.fixture
def locks(tmp_path):
    return {"NPOPT_LOCK_DIR": str(tmp_path / "locks")}


def holder(name, env):
    proc = start([sys.executable, "-c", HOLD, name], env)
    until(proc.stdout, "held")
    return proc


def test_a_second_bench_run_is_refused_naming_the_pid(locks):
    first = holder("results", locks)
    try:
        done = subprocess.run([sys.executable, "-m", "tools.bench", "history", "1"], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, **locks}, timeout=60)
        assert done.returncode == 1
        assert f"refused: another run holds the results lock: pid {first.pid} " in done.stderr
        assert "$ asv" not in done.stdout  # nothing was run
    finally:
        kill(first)


def test_a_second_gate_waits_saying_who_holds_it_and_runs_once_the_holder_is_killed(locks):
    first = holder("gate", locks)
    second = start([sys.executable, "-m", "tools.gate.bisect", "--good", "HEAD", "--bad", "HEAD"], locks)
    lines = until(second.stderr, "waiting for the gate lock")
    assert f"held by pid {first.pid} " in lines[-1]
    kill(first)  # the kernel drops a killed holder's lock
    _, err = second.communicate(timeout=60)
    assert second.returncode == 3 and "not a first-parent descendant" in err  # it ran: HEAD..HEAD is empty


@pytest.fixture
def asv_conf(tmp_path):
    """An asv configuration like asv.conf.json whose results are a copy of results/ in tmp_path."""
    shutil.copytree(os.path.join(ROOT, "results"), tmp_path / "results")
    conf = util.load_json(os.path.join(ROOT, "asv.conf.json"), js_comments=True)
    conf.update(repo=ROOT, benchmark_dir=os.path.join(ROOT, "benchmarks"), env_dir=str(tmp_path / "env"),
                results_dir=str(tmp_path / "results"), html_dir=str(tmp_path / "html"))
    path = tmp_path / "asv.conf.json"
    path.write_text(json.dumps(conf))
    subprocess.run([sys.executable, "-m", "tools.results", "--config", str(path), "machine", "--yes",
                    *asv_machine_args()], cwd=ROOT, check=True, capture_output=True)
    return str(path)


def asv_run(conf, commit, seam=None, where=("--python=same",)):
    """asv run of one cheap benchmark, by default in this interpreter (where=None: asv's own environment)."""
    env = {"NPOPT_FAKE_SLOW_STEP": seam} if seam else {}
    return start([sys.executable, "-m", "tools.results", "--config", conf, "run", "--machine", this_machine(),
                  "--quick", "--bench", r"^bench_simd\.", "--set-commit-hash", commit,
                  *(where or [f"{commit}^!"])], env)


def test_killed_in_environment_creation_nothing_is_lost(asv_conf, tmp_path, monkeypatch):
    store = str(tmp_path / "results")
    before = snapshot(store)
    commit = subprocess.check_output(["git", "rev-parse", "HEAD"], cwd=ROOT, text=True).strip()
    run = asv_run(asv_conf, commit, "environment-create", where=None)
    until(run.stderr, "stopped at environment-create")
    kill(run)
    monkeypatch.setenv("NPOPT_RESULTS_DIR", store)
    assert_intact(before, store)
    # the half-made environment has no asv-env-info.json: the next asv run deletes and remakes it
    half = [d for d in glob.glob(str(tmp_path / "env" / "*")) if os.path.isdir(d)]
    assert half and not any(os.path.exists(os.path.join(d, "asv-env-info.json")) for d in half)


def test_killed_measuring_or_writing_nothing_is_lost_and_the_next_run_completes(asv_conf, tmp_path, monkeypatch):
    store = str(tmp_path / "results")
    monkeypatch.setenv("NPOPT_RESULTS_DIR", store)
    commit = subprocess.check_output(["git", "rev-parse", "HEAD"], cwd=ROOT, text=True).strip()
    machine = this_machine()
    before = snapshot(store)

    run = asv_run(asv_conf, commit, "measure")
    until(run.stderr, "stopped at measure")
    kill(run)
    assert_intact(before, store, added={"benchmarks.json"})  # rewritten whole before measuring

    done = asv_run(asv_conf, commit)
    done.communicate(timeout=300)
    assert done.returncode == 0
    new = [p for p in snapshot(store) if p not in before and os.path.basename(p) not in ("benchmarks.json", "machine.json")]
    assert len(new) == 1 and results.stored(machine)[0], new
    before = snapshot(store)

    run = asv_run(asv_conf, commit, "results-write")  # measures again: asv rewrites the commit's file
    until(run.stderr, "stopped at results-write")
    kill(run)
    partial = glob.glob(os.path.join(store, machine, f".*{results.PARTIAL}"))
    assert len(partial) == 1  # what the killed run wrote, beside the file it was to replace
    assert_intact(before, store, added={os.path.relpath(partial[0], store)})

    done = asv_run(asv_conf, commit)
    done.communicate(timeout=300)
    assert done.returncode == 0 and not os.path.exists(partial[0])  # a dead writer's leftovers are removed
    assert_intact({p: d for p, d in before.items() if p not in new}, store, added=new)

    os.truncate(os.path.join(store, new[0]), 300)  # damaged: asv alone would stop at reading it back
    done = asv_run(asv_conf, commit)
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0 and "measured afresh, the new results replace it" in err
    assert_intact({p: d for p, d in before.items() if p not in new}, store, added=new)


def publish(env, html):
    return start([sys.executable, "-m", "tools.dashboard.publish", "--html-dir", html], env)


def assert_whole(html):
    for page in ("index.html", "index.json", "overview.html", "overview.json", "claims.html", "gate.html",
                 "machines.html"):
        assert os.path.getsize(os.path.join(html, page)) > 0, page
    assert "nav-li-npopt-overview" in open(os.path.join(html, "index.html")).read()
    json.load(open(os.path.join(html, "index.json")))
    assert glob.glob(os.path.join(html, "graphs", "*"))
    assert not glob.glob(os.path.join(os.path.dirname(html), ".html.publishing-*"))


def test_publish_killed_before_its_swap_leaves_the_dashboard_whole_and_two_at_once_both_complete(locks, tmp_path):
    shutil.copytree(os.path.join(ROOT, "results"), tmp_path / "results")
    env = {**locks, "NPOPT_RESULTS_DIR": str(tmp_path / "results")}
    html = str(tmp_path / "html")
    stored = snapshot(str(tmp_path / "results"))
    first = publish(env, html)
    assert first.wait(timeout=300) == 0, first.stderr.read()[-3000:]
    assert_whole(html)
    dashboard = snapshot(html)

    killed = publish({**env, "NPOPT_FAKE_SLOW_STEP": "publish-swap"}, html)
    until(killed.stderr, "stopped at publish-swap")
    assert glob.glob(str(tmp_path / ".html.publishing-*"))  # the new one was built beside html/
    kill(killed)
    assert snapshot(html) == dashboard  # the old dashboard, untouched

    both = [publish(env, html) for _ in range(2)]
    errs = [p.communicate(timeout=600)[1] for p in both]
    assert [p.returncode for p in both] == [0, 0], errs
    waited = [e for e in errs if "waiting for the html lock, held by pid" in e]
    assert len(waited) == 1 and any(f"pid {p.pid} " in waited[0] for p in both)
    assert_whole(html)  # and the killed publish's staging folder is gone
    assert snapshot(str(tmp_path / "results")) == stored


def test_a_holder_line_left_by_a_process_that_is_gone_is_not_named(tmp_path, monkeypatch):
    """A killed holder's line stays until the next holder replaces it: a waiting process names the
    holder only once the line names a running process."""
    from tools import lock

    monkeypatch.setenv("NPOPT_LOCK_DIR", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / "html.holder").write_text(f"pid {gone.stdout.strip()} (a killed publish)\n")
    assert lock.holder("html") == "an unknown pid"
    (tmp_path / "html.holder").write_text(f"pid {os.getpid()} (pytest)\n")
    assert lock.holder("html") == f"pid {os.getpid()} (pytest)"

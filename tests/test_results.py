"""Damaged results are refused, never trusted: tools/results.py's readers and make publish name each
damaged file and what is wrong with it on stderr, leave it out and go on with the rest.

Every test works on a copy of the committed results/ in a temporary folder ($NPOPT_RESULTS_DIR for
the commands); the committed files are never touched.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

import pytest

from measurement.machine import this_machine
from measurement.paths import ROOT
from tools import results

INTEL = "intel-xeon-processor-2cpu-24gib-avx512-spr-d4a526"
AMD = "amd-epyc-2cpu-24gib-simd-unrecorded-4e6850"
NEWEST = "ec5456ec"  # the newest commit stored for INTEL, in 11 environments; c5fff179 before it in 10


def one(folder, pattern):
    (path,) = glob.glob(os.path.join(folder, pattern))
    return path


@pytest.fixture
def damaged(tmp_path, monkeypatch):
    """A copy of results/ with one file of each kind of damage; {path: words its refusal must say}."""
    base = tmp_path / "results"
    shutil.copytree(os.path.join(ROOT, "results"), base)
    intel, amd = str(base / INTEL), str(base / AMD)
    bad = {}
    for numpy in ("2.0.2", "2.2.6"):  # two of NEWEST's files cut short: without them it would be in 9
        path = one(intel, f"{NEWEST}-*-numpy{numpy}-*.json")
        os.truncate(path, 5000)
        bad[path] = "not valid JSON"
    path = one(intel, "c5fff179-*numpy2.0.2-threadpoolctl3.8.0.json")
    os.truncate(path, 5000)
    bad[path] = "not valid JSON"
    path = one(intel, f"{NEWEST}-*numpy1.23.5-*.json")
    open(path, "w").close()
    bad[path] = "empty file"
    path = one(intel, "e2e4d54d-*numpy2.4.6-*.json")
    data = json.load(open(path))
    data["results"] = list(data["results"].values())
    json.dump(data, open(path, "w"))
    bad[path] = "field 'results' is list, not dict"
    stray = one(amd, "1fadc729-*numpy2.4.6.json")  # another machine's file in INTEL's folder
    path = os.path.join(intel, os.path.basename(stray))
    shutil.copy(stray, path)
    bad[path] = f"its machine is '{AMD}', not its folder's '{INTEL}'"
    data = json.load(open(one(intel, "70475c87-*numpy2.4.6.json")))  # another project's asv suite
    data.update(commit_hash="deadbeef" * 5, results={f"other_project.time_{i}": row
                                                       for i, row in enumerate(data["results"].values())})
    path = os.path.join(intel, f"deadbeef-{data['env_name']}.json")
    json.dump(data, open(path, "w"))
    bad[path] = "is in results/benchmarks.json: another suite's results"
    stray = str(base / "stray.json")  # beside benchmarks.json, in no machine's folder
    shutil.copy(path, stray)
    bad[stray] = "not in a machine's folder"
    monkeypatch.setenv("NPOPT_RESULTS_DIR", str(base))
    monkeypatch.setattr(results, "_named", set())
    return base, bad


def assert_named(stderr, bad):
    for path, words in bad.items():
        line = next((l for l in stderr.splitlines() if os.path.basename(path) in l), None)
        assert line and "refused results file" in line and words in line, (path, stderr)


def test_every_damaged_file_is_refused_with_what_is_wrong(damaged, capsys):
    base, bad = damaged
    good, refused = results.stored(INTEL)
    assert {p for p, _ in refused} == set(bad) - {str(base / "stray.json")}
    assert {p for p, _ in results.refused()} == set(bad)
    assert all(words in reason for (p, reason) in refused for words in [bad[p]])
    assert len(good) == len(glob.glob(str(base / INTEL / "*.json"))) - 1 - (len(bad) - 1)  # machine.json, stray.json
    assert_named(capsys.readouterr().err, bad)
    assert not results.stored(AMD)[1]


def test_the_newest_commit_stays_the_newest_and_loads_what_is_sound(damaged, capsys):
    assert results.latest_commit(INTEL, widest=True).startswith(NEWEST)
    assert results.latest_commit(INTEL).startswith(NEWEST)
    runs = results.load(results.latest_commit(INTEL, widest=True), INTEL)
    assert len(runs) == 11 - 3 and not any(r.numpy in ("1.23.5", "2.0.2", "2.2.6") for r in runs)
    assert_named(capsys.readouterr().err, {p: w for p, w in damaged[1].items() if NEWEST in p})


def test_a_sound_copy_reads_as_the_committed_results(tmp_path, monkeypatch):
    shutil.copytree(os.path.join(ROOT, "results"), tmp_path / "results")
    monkeypatch.setenv("NPOPT_RESULTS_DIR", str(tmp_path / "results"))
    for machine in (INTEL, AMD):
        good, bad = results.stored(machine)
        assert not bad and good


@pytest.mark.parametrize("report", ["overview", "claims", "summary"])
def test_the_reports_name_the_damaged_files_and_show_the_newest_commit(damaged, report):
    base, bad = damaged
    if report == "claims" and this_machine() != INTEL:
        pytest.skip("make claims reads this host's results only")
    machine = [] if report == "claims" else ["--machine", INTEL]
    done = subprocess.run([sys.executable, "-m", f"tools.reports.{report}", *machine], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "NPOPT_RESULTS_DIR": str(base)})
    assert done.returncode == 0, done.stderr
    assert NEWEST in done.stdout
    # the damaged files of the night a report reads; it reads no other night's files (publish names every one)
    assert_named(done.stderr, {p: w for p, w in bad.items() if INTEL in p and NEWEST in os.path.basename(p)})
    assert "Traceback" not in done.stderr


def test_publish_leaves_the_damaged_files_out_and_names_them(damaged, tmp_path):
    base, bad = damaged
    html = tmp_path / "html"
    done = subprocess.run([sys.executable, "-m", "tools.dashboard.publish", "--html-dir", str(html)], cwd=ROOT,
                          capture_output=True, text=True,
                          env={**os.environ, "NPOPT_RESULTS_DIR": str(base), "NPOPT_LOCK_DIR": str(tmp_path / "locks")})
    assert done.returncode == 0, done.stderr[-3000:]
    assert_named(done.stderr, bad)
    index = json.load(open(html / "index.json"))
    assert INTEL in index["params"]["machine"]
    overview = json.load(open(html / "overview.json"))
    assert next(s for s in overview if s["machine"] == INTEL)["commit"].startswith(NEWEST)
    for page in ("index.html", "overview.html", "claims.html", "gate.html", "machines.html"):
        assert (html / page).stat().st_size > 0
    assert not glob.glob(str(tmp_path / ".html.publishing-*"))  # the staging folders are gone

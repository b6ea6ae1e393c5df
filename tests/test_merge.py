"""The nightly's merge (tools/nightly/merge.py): every job's artifact onto the results branch in one
commit, the same file from two jobs, two merges at once, lost jobs named, baselines moved only by a
gate that judged, and one issue per regressing machine. Artifacts are built from real result files."""
import glob
import json
import os
import shutil

import pytest

from measurement.paths import ROOT, git
from tools import gate
from tools.dashboard import publish
from tools.nightly import merge, retention

STORED = sorted(glob.glob(os.path.join(ROOT, "results", "intel-*-b0d3dd", "4fd97a0a-*.json")))[:2]
EXPECTED = ["linux-x86-64", "linux-aarch64", "macos-arm64"]


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A bare remote and a clone of it (the merge job's checkout), committing as the nightly does."""
    for var, value in (("GIT_AUTHOR_NAME", "n"), ("GIT_AUTHOR_EMAIL", "n@x"), ("GIT_COMMITTER_NAME", "n"),
                       ("GIT_COMMITTER_EMAIL", "n@x")):
        monkeypatch.setenv(var, value)
    remote = tmp_path / "origin.git"
    git("init", "--quiet", "--bare", str(remote))
    git("clone", "--quiet", str(remote), str(tmp_path / "checkout"))
    git("commit", "--quiet", "--allow-empty", "-m", "main", cwd=tmp_path / "checkout")
    return tmp_path


def artifact(nights, kind, machine, commit, gate="ok", files=STORED, bisect=None):
    """A benchmark job's artifact: night.json, benchmarks.json, machine.json and real result files renamed
    to the commit; a bisection's JSON and Markdown when given."""
    folder = nights / f"night-{kind}"
    target = folder / "results" / machine
    target.mkdir(parents=True)
    shutil.copy(os.path.join(ROOT, "results", "benchmarks.json"), folder / "results")
    shutil.copy(os.path.join(os.path.dirname(STORED[0]), "machine.json"), target)
    for path in files:
        shutil.copy(path, target / (commit[:8] + os.path.basename(path)[8:]))
    record = {"kind": kind, "runner": f"runner-{kind}", "machine": machine, "commit": commit,
              "benchmarks": "success", "baseline": "b" * 40, "gate": gate}
    (folder / "night.json").write_text(json.dumps(record))
    if bisect:
        (folder / "bisect.json").write_text(json.dumps(bisect))
        (folder / "bisect.md").write_text(f"### culprit `{bisect.get('culprit')}`\n")
    return folder


def tree(remote, branch="results"):
    """{path: blob} of one of the remote's branches."""
    rows = [line.split() for line in git("ls-tree", "-r", branch, cwd=remote).splitlines()]
    return {path: blob for _, _, blob, path in rows}


def land(repo, nights, night, store="store"):
    return merge.land(merge.read_jobs(nights), EXPECTED, str(repo / store), "origin", night, checkout=repo / "checkout")


def test_a_night_lands_every_jobs_files_in_one_commit_and_names_the_missing(repo):
    nights = repo / "nights"
    artifact(nights, "linux-x86-64", "x86-m", "1" * 40)
    artifact(nights, "linux-aarch64", "arm-m", "1" * 40, gate="regressed")
    record = land(repo, nights, "night1")
    files = tree(repo / "origin.git")
    assert git("rev-list", "--count", "results", cwd=repo / "origin.git") == "1"
    for machine in ("x86-m", "arm-m"):
        assert sum(p.startswith(f"results/{machine}/11111111-") for p in files) == len(STORED)
        assert git("show", f"results:baselines/{machine}", cwd=repo / "origin.git") == "1" * 40
    assert record["missing"] == ["macos-arm64"] and record["superseded"] == []
    thin = json.loads(git("show", f"results:results/x86-m/11111111{os.path.basename(STORED[0])[8:]}", cwd=repo / "origin.git"))
    assert set(thin["result_columns"]) <= set(retention.GRAPH_COLUMNS)  # results: thinned, only ever added to
    whole = tree(repo / "origin.git", "results-samples")  # results-samples: the whole files, one root commit
    assert git("rev-list", "--count", "results-samples", cwd=repo / "origin.git") == "1"
    assert sum(p.startswith("results/arm-m/11111111-") for p in whole) == len(STORED)
    assert "samples" in json.loads(git("show", f"results-samples:{next(p for p in whole if '11111111-' in p)}",
                                       cwd=repo / "origin.git"))["result_columns"]
    assert json.loads(git("show", "results:nights/night1.json", cwd=repo / "origin.git"))["missing"] == ["macos-arm64"]
    assert "macos-arm64" in merge.message(record) and "Missing (no artifact): macos-arm64" in merge.markdown(record)


def test_a_lost_job_is_missing_and_a_gate_that_did_not_judge_keeps_its_machines_baseline(repo):
    first, second = repo / "n1", repo / "n2"
    artifact(first, "linux-x86-64", "x86-m", "1" * 40)
    artifact(first, "linux-aarch64", "arm-m", "1" * 40)
    land(repo, first, "night1")
    before = tree(repo / "origin.git")
    artifact(second, "linux-x86-64", "x86-m", "2" * 40, gate="not run")  # its benchmarks failed
    record = land(repo, second, "night2")  # the AArch64 runner was lost: no artifact
    after = tree(repo / "origin.git")
    assert record["missing"] == ["linux-aarch64", "macos-arm64"]
    assert all(after[p] == blob for p, blob in before.items() if p.startswith("results/"))
    assert sum(p.startswith("results/x86-m/22222222-") for p in after) == len(STORED)
    assert git("show", "results:baselines/x86-m", cwd=repo / "origin.git") == "1" * 40
    assert git("rev-list", "--count", "results-samples", cwd=repo / "origin.git") == "1"  # replaced, not grown


def test_the_same_file_from_two_jobs_keeps_the_more_complete_and_sets_the_other_aside(tmp_path):
    """Same bytes: one file. Other bytes: the file that measured more benchmarks is staged for tonight, the
    other goes to superseded/<night>/; at equal counts the one met first stays. A stored file is met like a
    staged one. Nothing is lost."""
    tonight, store, relative = tmp_path / "tonight", tmp_path / "store", "results/m/11111111-env.json"
    full = json.load(open(STORED[0]))
    partial = {**full, "results": {k: v for i, (k, v) in enumerate(full["results"].items()) if i % 2}}
    other = {**full, "date": full["date"] + 1}
    files = {}
    for name, data in (("full", full), ("partial", partial), ("other", other)):
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(json.dumps(data))
    assert merge.place(files["partial"], relative, tonight, store, "n1", "a") is None
    assert merge.place(files["partial"], relative, tonight, store, "n1", "b") is None  # the same bytes again
    said = merge.place(files["full"], relative, tonight, store, "n1", "b")
    assert "replaced the stored file" in said
    assert json.load(open(tonight / relative)) == full
    assert json.load(open(store / "superseded/n1/stored" / relative)) == retention.thinned(partial)
    said = merge.place(files["other"], relative, tonight, store, "n1", "c")
    assert "kept the stored file" in said
    assert json.load(open(tonight / relative)) == full
    assert json.load(open(store / "superseded/n1/c" / relative)) == retention.thinned(other)
    (store / relative).parent.mkdir(parents=True)
    (store / relative).write_text(json.dumps(full))  # stored on an earlier night; tonight stages nothing yet
    said = merge.place(files["partial"], relative, tmp_path / "tomorrow", store, "n2", "a")
    assert "kept the stored file" in said and not (tmp_path / "tomorrow" / relative).exists()
    assert json.load(open(store / "superseded/n2/a" / relative)) == retention.thinned(partial)


def test_two_merges_at_once_both_land_whole(repo, monkeypatch):
    """Night 2's merge pushes while night 1's is between reading the tip and pushing: night 1's push is
    refused, it starts again from the new tip, and the branch holds both nights in two commits."""
    one, two = repo / "n1", repo / "n2"
    artifact(one, "linux-x86-64", "x86-m", "1" * 40)
    artifact(two, "linux-aarch64", "arm-m", "2" * 40)
    real, raced = merge.merge_night, []

    def racing(jobs, expected, store, tonight, night):
        if night == "night1" and not raced:
            raced.append(land(repo, two, "night2", store="store2"))
        return real(jobs, expected, store, tonight, night)

    monkeypatch.setattr(merge, "merge_night", racing)
    record = land(repo, one, "night1")
    files = tree(repo / "origin.git")
    assert record["attempts"] == 2 and raced[0]["attempts"] == 1
    assert git("rev-list", "--count", "results", cwd=repo / "origin.git") == "2"
    assert sum(p.startswith("results/x86-m/11111111-") for p in files) == len(STORED)
    assert sum(p.startswith("results/arm-m/22222222-") for p in files) == len(STORED)
    assert {"nights/night1.json", "nights/night2.json"} <= set(files)


def test_one_issue_per_regressing_machine_naming_its_bisections_culprit(repo):
    nights = repo / "nights"
    culprit = {"status": "culprit", "culprit": "c" * 40, "subject": "slow things down"}
    artifact(nights, "linux-x86-64", "x86-m", "1" * 40, gate="regressed", bisect=culprit)
    artifact(nights, "linux-aarch64", "arm-m", "1" * 40, gate="regressed",
             bisect={"status": "undecided", "message": "spread over several commits"})
    artifact(nights, "macos-arm64", "mac-m", "1" * 40, gate="ok")
    filed = merge.write_issues(merge.read_jobs(nights), str(repo / "issues"))
    assert sorted(filed) == ["arm-m", "x86-m"]
    assert open(repo / "issues" / "x86-m.title").read().strip() == f"Nightly benchmark regression on x86-m: {'c' * 12} slow things down"
    assert f"culprit `{'c' * 40}`" in open(repo / "issues" / "x86-m.md").read()
    assert "no culprit named" in open(repo / "issues" / "arm-m.title").read()
    assert sorted(os.listdir(repo / "issues")) == ["arm-m.md", "arm-m.title", "x86-m.md", "x86-m.title"]


def test_the_gate_page_shows_each_machines_gate_of_the_night(repo, tmp_path):
    nights = repo / "nights"
    for kind, machine, status in (("linux-x86-64", "x86-m", "ok"), ("linux-aarch64", "arm-m", "error")):
        folder = artifact(nights, kind, machine, "1" * 40, gate=status)
        result = {"status": status, "message": "no build"} if status == "error" else {
            "status": "ok", "baseline": "b" * 40, "candidate": "1" * 40, "compared": 3, "metrics": {}, "suspects": [],
            "regressions": {}, "allocation_regressions": {}, "machine": machine}
        (folder / "gate.json").write_text(json.dumps(result))
    merge.keep_gates(merge.read_jobs(nights), str(tmp_path / "gates"))
    assert sorted(os.listdir(tmp_path / "gates")) == ["arm-m.json", "x86-m.json"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gate, "WORK", str(tmp_path))
        os.rename(tmp_path / "gates", tmp_path / "nightly")
        (tmp_path / "html").mkdir()
        publish.write_gate_page(str(tmp_path / "html"))
    page = (tmp_path / "html" / "gate.html").read_text()
    assert "machine arm-m" in page and "could not compare" in page and "no build" in page
    assert "machine x86-m" in page and "no regression" in page

"""The results branches' retention (tools/nightly/retention.py) on small results trees made of real results
files varied night by night (tools/year.py's nights): the `results` branch never holds a sample, keeps
every night's figures and intervals and only grows; `results-samples` is one commit holding the whole
files of the kept nights, the night the reports read among them; and the rounding changes no mark and
no verdict of the project's judge on the real results.
"""
import json
import os
import random
import shutil

import pytest
from asv.results import Results, get_filename
from packaging.version import Version

from measurement.change import noise
from measurement.grids import load_claims
from measurement.machine import cpu_features
from measurement.paths import ROOT, git
from tools import results, year
from tools.nightly import retention
from tools.reports import claims, overview

DAY_MS = year.DAY_MS


@pytest.fixture(scope="module")
def found():
    """Two real machines' results files, two environments each, with samples."""
    return year.sources(2, 2)


def night_files(found, commit, date, seed, envs=None):
    """{machine: [results data]} of one night: the real files varied, their first envs environments."""
    rng = random.Random(seed)
    return {m: [year.night(source, commit, date, rng) for source in datas[:envs]] for m, datas in found.items()}


@pytest.fixture
def branches(tmp_path):
    """(results worktree, results-samples worktree), new and empty."""
    branch, samples = str(tmp_path / "results-branch"), str(tmp_path / "results-samples")
    year.init_branch(branch, "results")
    year.init_branch(samples, "results-samples")
    return branch, samples


def store(tmp_path, found, branches, nights, keep_nights, envs_of=lambda night: None):
    """Store nights nights (night i on commit c<i>, a day after the last) and return their trees:
    [{relative path: bytes of the whole file}]."""
    stored = []
    for night in range(nights):
        commit = f"{night + 1:02d}" * 20
        files = night_files(found, commit, 1_800_000_000_000 + night * DAY_MS, night, envs_of(night))
        tonight = str(tmp_path / f"tonight-{night}")
        year.write_tree(tonight, files)
        retention.store_night(tonight, *branches, f"night {night + 1}", keep_nights)
        stored.append({rel: open(os.path.join(tonight, rel), "rb").read()
                       for rel in retention.tree_files(tonight) if retention.is_results_file(rel)})
    return stored


def committed_files(worktree, commit):
    """{path: bytes} of every file of a commit."""
    names = git("ls-tree", "-r", "--name-only", commit, cwd=worktree).splitlines()
    return {name: git("show", f"{commit}:{name}", cwd=worktree).encode() for name in names}


def restored(tmp_path, branch, samples):
    """The results tree as the nightly restores it: the results branch's, the samples branch's over it."""
    tree = str(tmp_path / "restored")
    shutil.copytree(os.path.join(branch, retention.RESULTS), tree)
    shutil.copytree(os.path.join(samples, retention.RESULTS), tree, dirs_exist_ok=True)
    return tree


def test_a_thinned_file_keeps_what_asv_graphs_read(found, tmp_path):
    source = next(iter(found.values()))[-1]
    json.dump(source, open(tmp_path / "whole.json", "w"))
    json.dump(retention.thinned(source), open(tmp_path / "thin.json", "w"))
    whole, thin = Results.load(str(tmp_path / "whole.json")), Results.load(str(tmp_path / "thin.json"))
    assert json.load(open(tmp_path / "thin.json"))["result_columns"] == list(retention.GRAPH_COLUMNS)
    interval = lambda stats: [(s["ci_99_a"], s["ci_99_b"]) if s else None for s in stats or []]  # noqa: E731
    compared = 0
    for key in whole.get_all_result_keys():
        params = whole.get_result_params(key)
        assert not any(thin.get_result_samples(key, params) or [])
        assert interval(thin.get_result_stats(key, params)) == interval(whole.get_result_stats(key, params))
        for before, after in zip(whole.get_result_value(key, params), thin.get_result_value(key, params)):
            if isinstance(before, float) and before == before:
                if before.is_integer():  # counts, bytes and checksums are kept exactly
                    assert after == before, key
                else:
                    assert after != before and abs(after / before - 1) <= 5e-5, (key, before, after)
                compared += 1
    assert compared > 50


def test_the_results_branch_holds_every_night_thinned_and_never_a_sample(found, branches, tmp_path):
    branch, samples = branches
    nights = store(tmp_path, found, branches, nights=4, keep_nights=2)
    commits = git("rev-list", "HEAD", cwd=branch).split()
    assert len(commits) == 4
    for commit in commits:  # no commit of the branch's history holds a sample: git keeps every blob committed
        for name, blob in committed_files(branch, commit).items():
            if retention.is_results_file(os.path.relpath(name, retention.RESULTS)):
                assert retention.is_thin(json.loads(blob)), (commit, name)
    tip = committed_files(branch, "HEAD")
    every_file = {rel for night in nights for rel in night}
    assert {os.path.relpath(n, retention.RESULTS) for n in tip if not n.endswith(retention.SUITE_FILES)} == every_file
    assert all(f"results/{m}/machine.json" in tip for m in found) and "results/benchmarks.json" in tip


def test_the_samples_branch_is_one_commit_of_the_kept_nights_whole(found, branches, tmp_path):
    branch, samples = branches
    open(os.path.join(samples, "left-over.txt"), "w").close()  # e.g. from the commit a new worktree started at
    nights = store(tmp_path, found, branches, nights=4, keep_nights=2)
    assert git("rev-list", "--count", "HEAD", cwd=samples) == "1"
    assert git("log", "-1", "--format=%P", cwd=samples) == ""
    committed = committed_files(samples, "HEAD")
    assert all(name.startswith(retention.RESULTS + "/") for name in committed)
    whole = {os.path.relpath(n, retention.RESULTS): blob for n, blob in committed.items()
             if retention.is_results_file(os.path.relpath(n, retention.RESULTS))}
    assert whole == {**nights[2], **nights[3]}  # the two newest nights, byte for byte as asv wrote them


def test_the_restored_tree_gives_the_reports_the_newest_night_with_its_samples(found, branches, tmp_path, monkeypatch):
    store(tmp_path, found, branches, nights=3, keep_nights=1)
    monkeypatch.setenv("NPOPT_RESULTS_DIR", restored(tmp_path, *branches))
    for machine in found:
        commit = results.latest_commit(machine, widest=True)
        assert commit == "03" * 20
        runs = results.load(commit, machine)
        assert len(runs) == 2 and all(run.samples and any(run.samples.values()) for run in runs)
        older = results.load("01" * 20, machine)  # a thinned night: its figures, no samples
        assert len(older) == 2 and all(run.values and not any(run.samples.values()) for run in older)


def test_the_night_the_reports_read_stays_whole_when_newer_nights_are_partial(found, branches, tmp_path, monkeypatch):
    store(tmp_path, found, branches, nights=4, keep_nights=1, envs_of=lambda night: None if night == 0 else 1)
    monkeypatch.setenv("NPOPT_RESULTS_DIR", restored(tmp_path, *branches))
    for machine in found:
        assert results.latest_commit(machine, widest=True) == "01" * 20  # the only night in both environments
        assert all(any(run.samples.values()) for run in results.load("01" * 20, machine))
        assert all(any(run.samples.values()) for run in results.load("04" * 20, machine))
        assert not any(any(run.samples.values()) for run in results.load("02" * 20, machine))


def test_storing_the_same_night_again_changes_no_file(found, branches, tmp_path):
    branch, samples = branches
    tonight = str(tmp_path / "tonight")
    year.write_tree(tonight, night_files(found, "ab" * 20, 1_800_000_000_000, 0))
    first = retention.store_night(tonight, branch, samples, "night", 2)
    second = retention.store_night(tonight, branch, samples, "night again", 2)
    for worktree, one, other in ((branch, first[0], second[0]), (samples, first[1], second[1])):
        assert git("rev-parse", f"{one}^{{tree}}", cwd=worktree) == git("rev-parse", f"{other}^{{tree}}", cwd=worktree)
    assert git("rev-list", "--count", "HEAD", cwd=branch) == "2"


def test_an_unreadable_file_is_stored_as_it_is_and_named(found, branches, tmp_path, capsys):
    branch, samples = branches
    tonight = str(tmp_path / "tonight")
    year.write_tree(tonight, night_files(found, "cd" * 20, 1_800_000_000_000, 0))
    machine = next(iter(found))
    cut = next(os.path.join(tonight, machine, n) for n in sorted(os.listdir(os.path.join(tonight, machine)))
               if n != "machine.json")
    os.truncate(cut, 3000)
    retention.store_night(tonight, branch, samples, "night", 2)
    rel = os.path.relpath(cut, tonight)
    assert open(os.path.join(branch, retention.RESULTS, rel), "rb").read() == open(cut, "rb").read()
    assert not os.path.exists(os.path.join(samples, retention.RESULTS, rel))
    assert cut in capsys.readouterr().err


def test_rounding_changes_no_mark_and_no_verdict_of_the_judge_on_the_real_results(tmp_path, monkeypatch):
    """Design "rounded" (docs/year.md): every figure and sample of results/ rounded as retention rounds them."""
    copy = tmp_path / "results"
    shutil.copytree(os.path.join(ROOT, "results"), copy)
    for rel in retention.tree_files(str(copy)):
        if retention.is_results_file(rel):
            data = json.load(open(copy / rel))
            json.dump(year.rounded_whole(data), open(copy / rel, "w"))
    judged, marks = {}, 0
    for tree in (results.results_dir(), str(copy)):
        monkeypatch.setenv("NPOPT_RESULTS_DIR", tree)
        for machine in results.machines():
            runs = results.load(results.latest_commit(machine, widest=True), machine)
            _, rows = overview.overview(runs, noise(machine))
            verdicts = claims.evaluate_all(load_claims(), runs, noise(machine).get(claims.FIGURE), cpu_features())
            judged.setdefault(machine, []).append(([r["marks"] for r in rows], [v["verdict"] for v in verdicts]))
            marks += sum(m is not None for r in rows for m in r["marks"])
    assert marks > 0 and len(judged) >= 3
    for machine, (before, after) in judged.items():
        assert before == after, machine


def test_nights_beyond_the_history_keep_their_newest_release_line_at_the_tip_and_the_rest_in_history(
        tmp_path, found, branches):
    """Four nights, the two newest kept whole at the tip; the two older keep only their newest release line
    there (the highest NumPy without a twin's variable), and every removed file is in the branch's history."""
    branch, samples = branches
    for night in range(4):
        files = night_files(found, f"{night + 1:02d}" * 20, 1_800_000_000_000 + night * DAY_MS, night)
        tonight = str(tmp_path / f"tonight-{night}")
        year.write_tree(tonight, files)
        retention.store_night(tonight, branch, samples, f"night {night + 1}", history_nights=2)
    tip, before = committed_files(branch, "HEAD"), committed_files(branch, "HEAD~2")  # HEAD~2: night 2's commit
    for machine, datas in found.items():
        lines = [d for d in datas if not d.get("env_vars")]
        newest = max(lines, key=lambda d: Version(d["requirements"]["numpy"]))["env_name"]
        for night in range(4):
            names = {os.path.basename(get_filename(machine, f"{night + 1:02d}" * 20, d["env_name"])): d["env_name"]
                     for d in datas}
            at_tip = {names[os.path.basename(p)] for p in tip if os.path.basename(p) in names}
            assert at_tip == ({newest} if night < 2 else {d["env_name"] for d in datas}), (machine, night)
        first = {os.path.basename(get_filename(machine, "01" * 20, d["env_name"])) for d in datas}
        assert {os.path.basename(p) for p in before if p.startswith(f"{retention.RESULTS}/{machine}/0101")} == first

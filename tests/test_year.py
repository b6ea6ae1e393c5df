"""python -m tools.year in its reduced form (4 nights, 2 machines, 2 environments, 2 nights kept whole): a
commit a night in every design's branch, the retention applied as docs/year.md states it, the dashboard
published from the tree the nightly restores and drawn in Chromium; and docs/year.md's generated block is
the table of the figures it holds. No timing is asserted.
"""
import json
import os
import subprocess
import sys

import pytest

from measurement.paths import ROOT, git
from tools import year
from tools.nightly import retention

NIGHTS, MACHINES, ENVS, KEEP = 4, 2, 2, 2


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(sandbox, what the command printed, its figures)."""
    base = tmp_path_factory.mktemp("year") / "sandbox"
    printed = subprocess.run([sys.executable, "-m", "tools.year", "--nights", str(NIGHTS), "--machines", str(MACHINES),
                              "--envs", str(ENVS), "--keep-nights", str(KEEP), "--dir", str(base)],
                             cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return base, printed, json.load(open(base / "figures.json"))


def results_files(worktree):
    """{relative path: parsed} of the results files of a worktree's HEAD."""
    names = git("ls-tree", "-r", "--name-only", "HEAD", retention.RESULTS, cwd=worktree).splitlines()
    return {os.path.relpath(n, retention.RESULTS): json.loads(git("show", f"HEAD:{n}", cwd=worktree)) for n in names
            if retention.is_results_file(os.path.relpath(n, retention.RESULTS))}


def test_every_design_commits_each_night(run):
    base = run[0]
    nights = git("rev-list", "--reverse", "main", cwd=base / "project").split()
    assert len(nights) == NIGHTS
    for worktree in (base / "plain", base / "rounded", base / "split" / "results"):
        assert git("rev-list", "--count", "HEAD", cwd=worktree) == str(NIGHTS)
        stored = results_files(worktree)
        assert len(stored) == NIGHTS * MACHINES * ENVS
        assert {data["commit_hash"] for data in stored.values()} == set(nights)
    assert git("rev-list", "--count", "HEAD", cwd=base / "split" / "results-samples") == "1"


def test_the_split_design_thins_every_night_and_keeps_the_newest_whole(run):
    base = run[0]
    assert all(retention.is_thin(data) for data in results_files(base / "split" / "results").values())
    whole = results_files(base / "split" / "results-samples")
    newest = git("rev-list", "--reverse", "main", cwd=base / "project").split()[-KEEP:]
    assert len(whole) == KEEP * MACHINES * ENVS
    assert {data["commit_hash"] for data in whole.values()} == set(newest)
    assert all(year.has_samples(data) for data in whole.values())
    assert all(year.has_samples(data) for data in results_files(base / "plain").values())


def test_the_designs_measured_in_the_order_of_what_they_keep(run):
    figures = run[2]
    assert 0 < figures["split_mb"] < figures["rounded_mb"] < figures["plain_mb"]
    assert figures["samples_mb"] > 0


def test_publish_drew_the_dashboard_of_every_night_from_the_restored_tree(run):
    base, _, figures = run
    html = base / "html"
    for page in ("index.html", "overview.html", "claims.html", "machines.html", "gate.html"):
        assert (html / page).exists(), page
    index = json.load(open(html / "index.json"))
    nights = git("rev-list", "--reverse", "main", cwd=base / "project").split()
    assert set(index["revision_to_hash"].values()) == set(nights)
    assert len(index["machines"]) == MACHINES
    sections = json.load(open(html / "overview.json"))
    assert [s["commit"] for s in sections] == [nights[-1]] * MACHINES  # judged on the newest night's samples
    assert figures["tree_files"] == NIGHTS * MACHINES * ENVS + MACHINES + 1  # and machine.json, benchmarks.json
    assert figures["graph_series"] == MACHINES * ENVS
    assert figures["html_files"] > 100


def test_the_command_prints_the_table_of_its_figures(run):
    _, printed, figures = run
    assert "\n".join(year.table(figures)) in printed


def test_docs_year_holds_the_generated_block_of_a_full_year():
    text = open(year.DOCS).read()
    assert text.count(year.START) == 1 and text.count(year.END) == 1
    generated = text.split(year.START)[1].split(year.END)[0]
    figures = json.loads(generated.split(year.FIGURES)[1].split(" -->")[0])
    assert year.START + generated + year.END == year.block(figures)
    assert (figures["nights"], figures["machines"], figures["envs"]) == (year.NIGHTS, year.MACHINES, year.ENVS)

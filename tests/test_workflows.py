"""The GitHub workflows: valid YAML of the right shape, actions pinned to commits, least
privilege, and every command they run is a make target that exists (the README's commands)."""
import os
import re

import pytest

from measurement.paths import ROOT
from testing.nightly.jobs import load_workflow
from tools.nightly import merge

WORKFLOWS = os.path.join(ROOT, ".github", "workflows")


def load(name):
    with open(os.path.join(WORKFLOWS, name)) as f:
        return load_workflow(f.read())


def make_targets():
    with open(os.path.join(ROOT, "Makefile")) as f:
        return set(re.findall(r"^([a-z][\w-]*):", f.read(), flags=re.M))


def steps(workflow):
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("name", sorted(os.listdir(WORKFLOWS)))
def test_workflow_shape_pins_and_commands(name):
    workflow = load(name)
    assert workflow["name"] and workflow["on"] and workflow["jobs"]
    assert isinstance(workflow["permissions"], dict), "permissions must be declared explicitly"
    for job in workflow["jobs"].values():
        assert job["runs-on"] and job["timeout-minutes"] and job["steps"]
    for step in steps(workflow):
        assert ("uses" in step) != ("run" in step), step
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w.-]+)*@[0-9a-f]{40}", step["uses"]), f"not pinned to a commit: {step['uses']}"
        else:
            for command in re.findall(r"\bmake (?:--?[\w-]+ )*(\w[\w-]*)", step["run"]):
                assert command in make_targets(), f"{name} runs `make {command}`, which the Makefile lacks"


def job_runs(job):
    return " ".join(step.get("run", "") for step in job["steps"])


def uses(job, action):
    """The job's steps that use action (owner/name), in order."""
    return [step for step in job["steps"] if step.get("uses", "").split("@")[0] == action]


def test_nightly_fans_out_over_runner_kinds_each_job_asking_only_what_it_needs():
    workflow = load("nightly.yml")
    assert workflow["on"]["schedule"][0]["cron"]
    jobs = workflow["jobs"]
    assert workflow["permissions"] == {}
    assert {name: job["permissions"] for name, job in jobs.items()} == {
        "benchmarks": {"contents": "read"}, "merge": {"contents": "write", "issues": "write"},
        "pages": {"pages": "write", "id-token": "write"}}
    strategy = jobs["benchmarks"]["strategy"]
    assert strategy["fail-fast"] is False  # one runner kind failing stops no other
    runners = {entry["kind"]: entry["runner"] for entry in strategy["matrix"]["include"]}
    assert runners == {"linux-x86-64": "ubuntu-24.04", "linux-aarch64": "ubuntu-24.04-arm", "macos-arm64": "macos-15"}
    assert list(runners) == merge.expected_kinds()  # the merge names missing exactly these
    assert jobs["benchmarks"]["runs-on"] == "${{ matrix.runner }}"


def test_each_benchmark_job_gates_against_its_own_machines_previous_night_and_uploads_what_it_made():
    job = load("nightly.yml")["jobs"]["benchmarks"]
    runs = job_runs(job)
    assert "make bench" in runs and 'BASELINE="$NIGHTLY_BASELINE"' in runs
    assert 'origin/results:baselines/$machine' in runs and "make --silent machine" in runs
    assert "gh " not in runs and "git push" not in runs  # the merge files issues and pushes
    valgrind = next(step for step in job["steps"] if "valgrind" in step.get("run", ""))
    assert valgrind["if"] == "runner.os == 'Linux'"
    upload, = uses(job, "actions/upload-artifact")
    assert upload["if"] == "always()" and upload["with"]["name"] == "night-${{ matrix.kind }}"
    assert set(upload["with"]["path"].splitlines()) >= {"night.json", "gate.json", "bisect.json", "bisect.md",
                                                   "results/${{ env.MACHINE }}/${{ env.COMMIT8 }}-*.json"}
    record = next(step for step in job["steps"] if "> night.json" in step.get("run", ""))
    assert record["if"] == "always()"
    for cache in uses(job, "actions/cache") + uses(job, "actions/cache/restore"):
        assert "${{ matrix.kind }}" in cache["with"]["key"]  # one runner kind's builds never restore on another


def test_nightly_bisects_a_gate_regression_to_its_culprit_and_the_merge_files_an_issue_naming_it():
    jobs = load("nightly.yml")["jobs"]
    order = jobs["benchmarks"]["steps"]
    gate = next(step for step in order if "make gate" in step.get("run", ""))
    bisect = next(step for step in order if "make bisect" in step.get("run", ""))
    assert order.index(bisect) > order.index(gate)
    assert bisect["if"] == f"failure() && steps.{gate['id']}.outcome == 'failure'"  # only after the gate failed
    run = bisect["run"]
    baseline = re.search(r'BASELINE="(\$\w+)"', gate["run"]).group(1)
    assert f'GOOD="{baseline}"' in run and "BAD=" in run  # between the gate's baseline (last night) and tonight
    assert "--gate gate.json" in run and "--markdown bisect.md" in run and '"$GITHUB_STEP_SUMMARY"' in run
    issue = next(step for step in jobs["merge"]["steps"] if "gh issue create" in step.get("run", ""))
    assert issue["if"] == "always()" and issue["env"] == {"GH_TOKEN": "${{ github.token }}"}
    assert "--issues issues" in job_runs(jobs["merge"]) and "issues/*.md" in issue["run"]


def test_the_merge_runs_after_every_benchmark_job_even_failed_ones_then_pages_deploys_its_dashboard():
    jobs = load("nightly.yml")["jobs"]
    merge_job, pages = jobs["merge"], jobs["pages"]
    assert merge_job["needs"] == "benchmarks" and merge_job["if"] == "always()"
    download, = uses(merge_job, "actions/download-artifact")
    assert download["with"] == {"pattern": "night-*", "path": "nights"}
    runs = job_runs(merge_job)
    assert runs.index("make merge NIGHTS=nights") < runs.index("make publish")
    pages_artifact, = uses(merge_job, "actions/upload-pages-artifact")
    assert pages_artifact["with"] == {"path": "html/"}
    assert pages["needs"] == "merge" and "if" not in pages  # only a merge that succeeded is deployed
    assert pages["environment"]["name"] == "github-pages"
    deploy, = uses(pages, "actions/deploy-pages")
    assert pages["environment"]["url"] == f"${{{{ steps.{deploy['id']}.outputs.page_url }}}}"


def test_pull_request_gate_reads_only_and_writes_the_job_summary():
    workflow = load("pr.yml")
    assert "pull_request" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}
    runs = " ".join(step.get("run", "") for step in steps(workflow))
    assert "make gate" in runs and "$GITHUB_STEP_SUMMARY" in runs


def test_readme_documents_the_commands_the_workflows_call():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    for target in ("make bench", "make test", "make gate", "make bisect"):
        assert target in readme


def test_nightly_results_are_keyed_by_the_runners_hardware():
    """No machine name is forced: every runner is named by its fingerprint (tools/machine.py), so a
    night on another CPU starts its own history line instead of stepping the old one."""
    text = open(os.path.join(WORKFLOWS, "nightly.yml")).read()
    assert "NPOPT_MACHINE" not in text and "--machine" not in text

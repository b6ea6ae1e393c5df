"""The GitHub workflows: valid YAML of the right shape, actions pinned to commits, least
privilege, and every command they run is a make target that exists (the README's commands)."""
import os
import re

import pytest

from measurement.paths import ROOT
from testing.nightly.jobs import load_workflow

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
            for command in re.findall(r"\bmake (\w[\w-]*)", step["run"]):
                assert command in make_targets(), f"{name} runs `make {command}`, which the Makefile lacks"


def test_nightly_runs_on_a_schedule_benchmarks_the_matrix_stores_results_and_gates():
    workflow = load("nightly.yml")
    assert workflow["on"]["schedule"][0]["cron"]
    runs = " ".join(step.get("run", "") for step in steps(workflow))
    assert "make bench" in runs and "make gate" in runs and "BASELINE=" in runs
    assert re.search(r"git (-C \S+ )?push", runs)
    assert workflow["permissions"] == {"contents": "write", "issues": "write"}
    assert any("upload-artifact" in step.get("uses", "") for step in steps(workflow))


def test_nightly_bisects_a_gate_regression_to_its_culprit_and_files_an_issue_naming_it():
    workflow = load("nightly.yml")
    order = steps(workflow)
    gate = next(step for step in order if "make gate" in step.get("run", ""))
    bisect = next(step for step in order if "make bisect" in step.get("run", ""))
    assert order.index(bisect) > order.index(gate)
    assert bisect["if"] == f"failure() && steps.{gate['id']}.outcome == 'failure'"  # only after the gate failed
    run = bisect["run"]
    baseline = re.search(r'BASELINE="(\$\w+)"', gate["run"]).group(1)
    assert f'GOOD="{baseline}"' in run and "BAD=" in run  # between the gate's baseline (last night) and tonight
    assert "--first-parent" in run and "-gt 1" in run  # only over several commits
    assert '"$GITHUB_STEP_SUMMARY"' in run and "bisect.md" in run
    issue = re.search(r"gh issue create .*--body-file bisect\.md", run, flags=re.S)
    assert issue and "--markdown bisect.md" in run  # the body is the bisection's report, culprit sha and subject
    assert bisect["env"] == {"GH_TOKEN": "${{ github.token }}"}


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

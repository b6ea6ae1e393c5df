"""The GitHub workflows: valid YAML of the right shape, actions pinned to commits, least
privilege, and every command they run is a make target that exists (the README's commands)."""
import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKFLOWS = os.path.join(ROOT, ".github", "workflows")


def load(name):
    with open(os.path.join(WORKFLOWS, name)) as f:
        workflow = yaml.safe_load(f)
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as True
    return workflow


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
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), f"not pinned to a commit: {step['uses']}"
        else:
            for command in re.findall(r"\bmake (\w[\w-]*)", step["run"]):
                assert command in make_targets(), f"{name} runs `make {command}`, which the Makefile lacks"


def test_nightly_runs_on_a_schedule_benchmarks_the_matrix_stores_results_and_gates():
    workflow = load("nightly.yml")
    assert workflow["on"]["schedule"][0]["cron"]
    runs = " ".join(step.get("run", "") for step in steps(workflow))
    assert "make bench" in runs and "make gate" in runs and "BASELINE=" in runs
    assert re.search(r"git (-C \S+ )?push", runs)
    assert workflow["permissions"] == {"contents": "write"}
    assert any("upload-artifact" in step.get("uses", "") for step in steps(workflow))


def test_pull_request_gate_reads_only_and_writes_the_job_summary():
    workflow = load("pr.yml")
    assert "pull_request" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}
    runs = " ".join(step.get("run", "") for step in steps(workflow))
    assert "make gate" in runs and "$GITHUB_STEP_SUMMARY" in runs


def test_readme_documents_the_commands_the_workflows_call():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    for target in ("make bench", "make test", "make gate"):
        assert target in readme

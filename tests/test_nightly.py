"""The local nightly runner (testing/nightly/): GitHub's expressions, conditions, environment
files, caches, artifacts, matrix fan-out, needs and Pages, and the runner's refusals on small jobs; and
the nightly workflow's own four nights in their reduced form (this venv's NumPy environment, one technique), as `make nightly-local` runs them:
every night builds and measures for real, the longest test here (docs/nightly.md, "The rehearsal")."""
import hashlib
import importlib.metadata
import itertools
import os
import re
import time

import pytest

from measurement.paths import ROOT, git
from testing.nightly import Unsupported
from testing.nightly.expressions import evaluate, hash_files, should_run
from testing.nightly.jobs import Job
from testing.nightly.scenario import KILL, ScenarioFailed, run_workflow, scenario, stand_in

PIN = "@" + "0" * 40
CHECKOUT = {"uses": "actions/checkout" + PIN, "with": {"fetch-depth": 0}}


@pytest.mark.parametrize("expression, value", [
    ("always()", True),
    ("failure() && steps.gate.outcome == 'failure'", True),
    ("success() || steps.gate.outcome != 'failure'", False),
    ("!(steps.missing.outcome == '') || cancelled()", False),
    ("github.token", "t"),
    ("'it''s'", "it's"),
    ("!steps.gate.outcome == 'success'", False),  # ! binds tighter than ==: (!'failure') == 'success'
    ("steps.gate.outcome == 'failure' && github.token", "t"),  # && and || give an operand, not a bool
    ("(failure() || success()) && !cancelled()", True),
])
def test_expressions(expression, value):
    context = {"steps": {"gate": {"outcome": "failure"}}, "github": {"token": "t"}}
    status = {"always": True, "success": False, "failure": True, "cancelled": False}
    assert evaluate(expression, context, status) == value


@pytest.mark.parametrize("expression", ["contains(github.ref, 'main')", "__import__('os')", "github.token ==",
                                        "(always()", "always() always()", "github.token = 't'", "steps[0]"])
def test_an_expression_outside_the_emulated_forms_is_an_error(expression):
    with pytest.raises(Unsupported):
        evaluate(expression, {"github": {"token": "t"}}, {"always": True})


def test_an_if_without_a_status_function_means_success_and_it():
    context = {"steps": {"gate": {"outcome": "success"}}}
    status = {"always": True, "success": False, "failure": True, "cancelled": False}
    assert not should_run({"if": "steps.gate.outcome == 'success'"}, context, status)
    assert should_run({"if": "${{ always() }}"}, context, status)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    path = tmp_path_factory.mktemp("sandbox")
    stand_in(str(path))
    return path


@pytest.fixture
def job(sandbox, request):
    """A Job of the stand-in's main in a night folder of its own."""
    sha, nights = git("rev-parse", "HEAD"), itertools.count()
    return lambda kill=None: Job(str(sandbox), str(sandbox / "nights" / f"{request.node.name}-{next(nights)}"), sha,
                                    "workflow_dispatch", {"who": "world"}, {"issues": "write"}, kill, echo=lambda _: None)


def test_a_job_with_env_files_outputs_summary_and_conditions(job, sandbox):
    steps = [
        CHECKOUT,
        {"id": "first", "run": 'echo "FROM_ENV=set" >> "$GITHUB_ENV"\necho "answer=42" >> "$GITHUB_OUTPUT"\n'
                               'echo "hello $GREETING" >> "$GITHUB_STEP_SUMMARY"'},
        {"id": "second", "run": 'test "$FROM_ENV" = set && test -f Makefile && exit 3'},
        {"name": "only on success", "run": "touch ran"},
        {"if": "failure() && steps.second.outcome == 'failure'", "run": 'echo "${{ steps.first.outputs.answer }}" > answer'},
        {"run": 'echo "$GH_TOKEN" | grep -q issues=write && gh issue create --title T --body-file answer',
         "if": "always()", "env": {"GH_TOKEN": "${{ github.token }}"}},
    ]
    run = job()
    result = run.run({"runs-on": "here", "env": {"GREETING": "${{ inputs.who }}"}, "steps": steps})
    assert [outcome for _, outcome, _ in result["steps"]] == ["success", "success", "failure", "skipped", "success",
                                                               "success"]
    assert result["conclusion"] == "failure"
    assert open(sandbox / "workspace" / "answer").read() == "42\n"
    assert open(run.summary).read() == "hello world\n"
    assert open(sandbox / "issues" / "1.md").read() == "# T\n\n42\n"


def test_a_matrix_fans_out_and_a_job_that_needs_it_gets_every_artifact(sandbox):
    """A two-entry matrix job, each uploading an artifact (one failing after its upload), a job that
    needs it with if: always() downloading both by pattern and uploading a pages artifact, and a pages
    job that deploys it; an entry whose runner nothing stands in for is not run."""
    upload = {"if": "always()", "uses": "actions/upload-artifact" + PIN,
              "with": {"name": "night-${{ matrix.kind }}", "path": "out/\nmissing.json"}}
    workflow = {"permissions": {}, "jobs": {
        "bench": {"strategy": {"matrix": {"include": [{"kind": "a", "runner": "ubuntu-24.04"},
                                                      {"kind": "b", "runner": "ubuntu-24.04-arm"},
                                                      {"kind": "c", "runner": "macos-15"}]}},
                  "runs-on": "${{ matrix.runner }}", "permissions": {"contents": "read"},
                  "steps": [{"run": 'mkdir out && echo "${{ matrix.kind }} $NPOPT_MACHINE_STAND_IN" > out/who'},
                            upload, {"run": 'test "${{ matrix.kind }}" = a'}]},
        "merge": {"needs": "bench", "if": "always()", "runs-on": "ubuntu-24.04", "steps": [
            {"uses": "actions/download-artifact" + PIN, "with": {"pattern": "night-*", "path": "nights"}},
            {"run": "mkdir site && cat nights/*/who > site/index.html"},
            {"uses": "actions/upload-pages-artifact" + PIN, "with": {"path": "site/"}}]},
        "pages": {"needs": ["merge"], "runs-on": "ubuntu-24.04", "permissions": {"pages": "write", "id-token": "write"},
                  "environment": {"name": "github-pages"}, "steps": [{"id": "deployment", "uses": "actions/deploy-pages" + PIN}]},
        "late": {"needs": "bench", "runs-on": "ubuntu-24.04", "steps": [{"run": "true"}]}}}
    result = run_workflow(str(sandbox), workflow, git("rev-parse", "HEAD"), "schedule", {},
                          str(sandbox / "nights" / "fan-out"), "fan-out", echo=lambda _: None)
    assert result["jobs"] == {"bench (a)": "success", "bench (b)": "failure", "bench (c)": "not run",
                              "merge": "success", "pages": "success", "late": "skipped"}
    assert open(sandbox / "pages" / "index.html").read() == "a \nb ubuntu-24.04-arm\n"


def test_deploy_pages_is_refused_without_its_permissions(job, sandbox):
    run = job()
    os.makedirs(os.path.join(run.artifacts, "github-pages"))
    result = run.run({"runs-on": "here", "steps": [{"uses": "actions/deploy-pages" + PIN}]})
    assert result["conclusion"] == "failure"


@pytest.mark.parametrize("step", [{"uses": "actions/github-script" + PIN}, {"run": "true", "continue-on-error": True},
                                  {"run": "true", "shell": "pwsh"}])
def test_what_is_not_emulated_is_an_error_not_skipped(job, step):
    with pytest.raises(Unsupported):
        job().run({"runs-on": "here", "steps": [step]})


def test_hash_files_is_the_hash_of_the_matched_files_hashes_in_path_order(tmp_path):
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.txt").write_text("a")
    context = {"github": {"workspace": str(tmp_path)}}
    both = evaluate("hashFiles('b.txt', 'a.txt')", context, {})
    expected = hashlib.sha256(hashlib.sha256(b"a").digest() + hashlib.sha256(b"b").digest()).hexdigest()
    assert both == evaluate("hashFiles('*.txt')", context, {}) == expected
    assert evaluate("hashFiles('a.txt')", context, {}) != both
    assert evaluate("hashFiles('missing')", context, {}) == ""


def test_a_cache_is_saved_by_a_successful_job_only_and_restored_by_a_later_one(job, sandbox):
    """actions/cache: a miss, a failed job (its post step skipped, nothing saved), a successful one (saved
    under its key), then an exact hit that restores the files and saves nothing again."""
    key = "k-${{ hashFiles('Makefile') }}"
    use = {"id": "cache", "uses": "actions/cache" + PIN, "with": {"path": "made/deep\nmade/file", "key": key}}
    make = {"run": "mkdir -p made/deep && echo $RANDOM > made/deep/x && ln -sf deep/x made/file"}
    report = {"run": 'echo "${{ steps.cache.outputs.cache-hit }}" > hit'}
    outcomes = []
    for fail in (True, False, False):
        run = job()
        result = run.run({"runs-on": "here", "steps": [CHECKOUT, use, report, make if not os.path.exists(
            os.path.join(run.caches, "k-" + hash_files(ROOT, ["Makefile"]))) else {"run": "true"},
            {"run": "exit 1" if fail else "true"}]})
        outcomes.append((result["conclusion"], open(sandbox / "workspace" / "hit").read().strip(),
                         result["steps"][-1][1], sorted(os.listdir(run.caches)) if os.path.isdir(run.caches) else []))
        if not fail and outcomes[-1][1] == "false":
            saved = (sandbox / "workspace" / "made" / "deep" / "x").read_text()
    entry = "k-" + hash_files(ROOT, ["Makefile"])
    assert outcomes == [("failure", "false", "skipped", []), ("success", "false", "success", [entry]),
                        ("success", "true", "success", [entry])]
    workspace = sandbox / "workspace"
    assert (workspace / "made" / "deep" / "x").read_text() == saved  # restored, not made again
    assert os.path.islink(workspace / "made" / "file")


def test_cache_restore_and_save_are_steps_so_a_failed_job_can_still_save(job, sandbox):
    """actions/cache/restore and actions/cache/save, as the nightly keeps the gate's builds: a job that
    fails saves all the same where its save step runs always(), and the next job, under another key,
    restores that entry by its restore-keys prefix."""
    def steps(key, fail):
        where = {"path": "built", "key": key}
        return [CHECKOUT, {"id": "restore", "uses": "actions/cache/restore" + PIN,
                           "with": {**where, "restore-keys": "built-"}},
                {"run": 'echo "${{ steps.restore.outputs.cache-hit }}" > hit; cat built/kept > seen || true'},
                {"run": f"mkdir -p built && echo {key} > built/kept && exit {int(fail)}"},
                {"if": "always()", "uses": "actions/cache/save" + PIN, "with": where}]
    first = job().run({"runs-on": "here", "steps": steps("built-1", fail=True)})
    assert first["conclusion"] == "failure" and [o for _, o, _ in first["steps"]][-1] == "success"
    second = job()
    assert second.run({"runs-on": "here", "steps": steps("built-2", fail=False)})["conclusion"] == "success"
    workspace = sandbox / "workspace"
    assert (workspace / "hit").read_text() == "false\n" and (workspace / "seen").read_text() == "built-1\n"
    assert {"built-1", "built-2"} <= set(os.listdir(second.caches))


def test_setup_python_outputs_the_default_interpreters_full_version(job):
    run = job()
    result = run.run({"runs-on": "here", "steps": [
        {"id": "py", "uses": "actions/setup-python" + PIN, "with": {"python-version": "3.11"}},
        {"run": 'test "${{ steps.py.outputs.python-version }}" = "$(python3.11 -c \'import platform; '
                'print(platform.python_version())\')"'}]})
    assert result["conclusion"] == "success", result
    assert re.fullmatch(r"3\.11\.\d+", run.context["steps"]["py"]["outputs"]["python-version"])


def test_a_killed_step_takes_every_process_it_started_and_the_runner_with_it(job):
    """The runner is lost: the step's whole process tree is killed and nothing after it runs, always() steps
    and post steps included (so nothing is uploaded)."""
    script = "(sleep 60; echo late) &\necho '[ 10%] ··· bench_x.Y.time_z  ok'\nsleep 60"
    started = time.monotonic()
    result = job(kill=KILL[1:]).run({"runs-on": "here", "steps": [
        {"uses": "actions/cache" + PIN, "with": {"path": "x", "key": "never-saved"}},
        {"name": "Benchmarks", "run": script}, {"if": "always()", "run": "touch after"}]})
    assert [outcome for _, outcome, _ in result["steps"]] == ["success", "failure"]
    assert result["conclusion"] == "failure"
    assert time.monotonic() - started < 30  # the background sleep, holding the output open, was killed too


def test_four_nights_of_the_nightly_fan_out_reduced(tmp_path):
    """Night 1 stores two machines' results in one commit and deploys both, 2 fails both gates on the planted
    slowdown and files one issue per machine naming its commit, 3 loses the AArch64 stand-in midway and
    stores the rest, 4 passes (scenario() checks each)."""
    log = open(tmp_path / "nights.log", "w")
    inputs = {"numpy": importlib.metadata.version("numpy"), "bench": "fused_expressions"}
    try:
        nights = scenario(str(tmp_path / "sandbox"), inputs, echo=lambda line: print(line, file=log, flush=True))
    except ScenarioFailed as exc:
        pytest.fail(f"{exc}\n(log: {log.name})\n" + "".join(open(log.name).readlines()[-60:]))
    assert [n["jobs"]["merge"] for n in nights] == ["success"] * 4
    assert [n["jobs"]["benchmarks (linux-aarch64)"] for n in nights] == ["success", "failure", "failure", "success"]
    assert [n["results_commits"] for n in nights] == [1, 2, 3, 4]

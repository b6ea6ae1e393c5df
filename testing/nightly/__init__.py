"""GitHub's runner as far as the nightly workflow uses it, emulated here: each `run:` script with
`bash -e` and the step's environment, `${{ }}` expressions and `if:` conditions (expressions.py),
GITHUB_WORKSPACE, GITHUB_ENV, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY (jobs.py), and each `uses:`
action by its local equivalent (actions.py). An action missing there, or a workflow key this runner
does not know, is an error; post steps run last, under their post-if. GitHub's repository is a bare
repository SANDBOX/origin.git, its caches are folders SANDBOX/caches/KEY, and issues are filed as
files SANDBOX/issues/N.md by the `gh` shim (gh, on the jobs' PATH). `timeout-minutes` and
`concurrency` are not enforced; jobs run one after another. scenario.py runs the nightly workflow's
fan-out over four nights.
"""


class Unsupported(Exception):
    """The workflow uses something this runner does not emulate."""


def unknown(mapping, known, what):
    """Raise Unsupported when the mapping has keys outside known."""
    extra = set(mapping) - known
    if extra:
        raise Unsupported(f"{what} key(s) {sorted(extra)} are not emulated here")

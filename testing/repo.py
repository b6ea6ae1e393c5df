"""Clones of this repository: a commit of every change."""
from measurement.paths import git


def commit(checkout, message):
    """Commit every change to the checkout's tracked files (none: an empty commit); the commit's sha."""
    git("-c", "user.name=npopt-testing", "-c", "user.email=testing@example.org", "commit", "--quiet",
        "--allow-empty", "-a", "-m", message, cwd=checkout)
    return git("rev-parse", "HEAD", cwd=checkout)

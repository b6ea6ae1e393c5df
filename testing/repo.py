"""This repository and clones of it: where it is, git in a checkout, a commit of every change."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def git(*args, cwd=ROOT):
    """git's output, stripped; raises CalledProcessError when git fails."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def commit(checkout, message):
    """Commit every change to the checkout's tracked files (none: an empty commit); the commit's sha."""
    git("-c", "user.name=npopt-testing", "-c", "user.email=testing@example.org", "commit", "--quiet",
        "--allow-empty", "-a", "-m", message, cwd=checkout)
    return git("rev-parse", "HEAD", cwd=checkout)

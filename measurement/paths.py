"""Where the checkout is, and its git."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLAIMS = os.path.join(ROOT, "claims", "numpy_release_notes.toml")


def git(*args, cwd=ROOT):
    """The stripped standard output of ``git args`` in cwd; raises CalledProcessError on failure."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()

"""Serve the published dashboard on http://127.0.0.1:8000/ until Ctrl-C (asv's pages need a web
server: file:// does not work for them).

Usage: python -m tools.dashboard.serve [PORT] [--directory DIR]   (DIR: default html/ in the repository)

This is the standard library's `python -m http.server` with two defaults of its own: the repository's
html/ rather than the current folder, and 127.0.0.1 rather than every network interface. Options given
on the command line come after these, so they override them.
"""
import os
import runpy
import sys

from measurement.paths import ROOT

HTML = os.path.join(ROOT, "html")

if __name__ == "__main__":
    sys.argv[1:1] = ["--bind", "127.0.0.1", "--directory", HTML]
    runpy.run_module("http.server", run_name="__main__", alter_sys=True)

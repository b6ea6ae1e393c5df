"""The folders' imports point down only: tools/ and testing/ use benchmarks/ never, the measurement package
uses neither, and npopt/ uses none of them (README.md, "Layout")."""
import ast
import os

import pytest

from measurement.paths import ROOT

ABOVE = {  # folder: the top-level packages its modules must not import
    "npopt": {"measurement", "benchmarks", "tools", "testing"},
    "measurement": {"benchmarks", "tools", "testing"},
    "benchmarks": {"tools", "testing"},
    "tools": {"benchmarks", "testing"},
    "testing": {"benchmarks"},
}


def imported(path):
    """The top-level package of every module imported in the file (relative imports left out)."""
    tree = ast.parse(open(path).read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("folder", sorted(ABOVE))
def test_a_folder_imports_nothing_above_it(folder):
    files = [os.path.join(top, name) for top, _, names in os.walk(os.path.join(ROOT, folder))
             for name in names if name.endswith(".py")]
    assert files
    upward = {os.path.relpath(f, ROOT): sorted(set(imported(f)) & ABOVE[folder]) for f in files}
    assert {f: up for f, up in upward.items() if up} == {}

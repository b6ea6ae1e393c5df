"""Parametrize a technique's tests (test_<technique>.py, with the shared KernelChecks) over its kernels."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))  # tests import hostile.py and kernel_checks.py by name

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from npopt import TECHNIQUES  # noqa: E402  (and every kernel registered)
from hostile import bad_inputs, cases  # noqa: E402
from measurement.cost import why_no_valgrind  # noqa: E402
from npopt.registry import by_technique  # noqa: E402


# CI draws the same property-test examples on every run; a developer's runs explore new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_generate_tests(metafunc):
    technique = metafunc.module.__name__.rpartition(".")[2].removeprefix("test_")
    if technique not in TECHNIQUES or "kernel" not in metafunc.fixturenames:
        return
    kernels = by_technique(technique)
    assert kernels, f"no kernels registered for technique {technique!r}"
    names = [n for n in ("kernel", "variant", "case", "bad") if n in metafunc.fixturenames]
    rows, ids = [], []
    for k in kernels:
        variants = [v for v in k.variants if v != k.reference] if "case" in names else list(k.variants)
        for v in variants if "variant" in names else [None]:
            for label, args in cases(k) if "case" in names else [(None, None)]:
                for bad in bad_inputs(k) if "bad" in names else [None]:  # bad input of the kernel's kind
                    row = {"kernel": k, "variant": v, "case": (label, args), "bad": bad}
                    reason = k.variants[v].unavailable if v is not None else None
                    rows.append(pytest.param(*[row[n] for n in names],
                                             marks=[pytest.mark.skip(reason=reason)] if reason else []))
                    ids.append("-".join(str(p) for p in (k.name, v, label, bad) if p is not None))
    metafunc.parametrize(names, rows, ids=ids)


def pytest_configure(config):
    config.addinivalue_line("markers", "valgrind: the test runs Valgrind (skipped where Valgrind cannot exist)")


@pytest.hookimpl(tryfirst=True)  # before its fixtures are set up: a count is one of them
def pytest_runtest_setup(item):
    """Skip a test marked ``valgrind`` where Valgrind cannot exist (macOS, Windows), with that reason
    (measurement/cost.py ``why_no_valgrind``); on Linux a missing valgrind fails it."""
    reason = why_no_valgrind()
    if reason and item.get_closest_marker("valgrind"):
        pytest.skip(reason)


LONGEST = "test_nightly.py"  # the workflow rehearsal: most of the suite's time, (docs/correctness.md, "How long")


def pytest_collection_modifyitems(items):
    """The longest file first: pytest-xdist (-n 2 --dist loadfile) gives it one worker from the start and
    the other files the other worker, so the suite lasts about as long as the rehearsal alone."""
    items.sort(key=lambda item: item.path.name != LONGEST)

"""npopt.threads: every variant against its reference, its bad-input errors, and its thread counts."""
import os
import subprocess
import sys

import numpy as np
import pytest
import threadpoolctl

from kernel_checks import KernelChecks

from measurement.grids import check_benchmarked
from measurement.paths import ROOT
from npopt import registry, threads


class TestThreadsKernels(KernelChecks):
    """The checks every kernel gets (tests/kernel_checks.py), over the threads kernels."""


def test_both_numba_variants_compile_the_one_python_loop():
    loop = threads._row_norms_loop
    assert threads._row_norms_serial.py_func is loop and threads._row_norms_parallel.py_func is loop
    assert threads._row_norms_parallel.targetoptions.get("parallel") and \
        not threads._row_norms_serial.targetoptions.get("parallel")


def test_known_results():
    for name, variant in threads.ROW_NORMS.variants.items():
        if variant.unavailable is None:
            np.testing.assert_array_equal(variant(np.array([[3.0, 4.0], [0.0, 0.0]])), [5.0, 0.0], err_msg=name)
    a, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[5.0, 6.0], [7.0, 8.0]])
    for name, variant in threads.MATMUL.variants.items():
        if variant.unavailable is None:
            np.testing.assert_array_equal(variant(a, b), [[19.0, 22.0], [43.0, 50.0]], err_msg=name)


def test_matmul_refuses_a_matrix_that_is_not_square():
    with pytest.raises(ValueError, match=r"\ba must be square"):
        threads.MATMUL.variants["blas_1_thread"](np.ones((2, 3)), np.ones((2, 3)))


class _Probe:
    """Stands in for a matrix: `probe @ x` reports the thread counts, at that moment, of the BLAS libraries
    NumPy loaded (those npopt.threads found at import; scipy, which the tools import, brings its own)."""

    def __matmul__(self, other):
        numpys = {lib.filepath for lib in threads.BLAS.lib_controllers}
        return [lib["num_threads"] for lib in threadpoolctl.threadpool_info()
                if lib["user_api"] == "blas" and lib["filepath"] in numpys]


@pytest.mark.parametrize("count", [1, threads.THREADS])
def test_blas_runs_the_declared_thread_count_and_restores_it(count):
    before = _Probe() @ None
    assert before, "threadpoolctl finds no BLAS: the BLAS variants could not set their thread count"
    assert threads._blas_matmul(_Probe(), None, count) == [count] * len(before)
    assert _Probe() @ None == before


def test_two_thread_variants_need_two_cpus(monkeypatch):
    monkeypatch.setattr(registry, "usable_cpus", lambda: 1)
    for kernel, name in ((threads.ROW_NORMS, "numba_prange"), (threads.MATMUL, "blas_2_threads")):
        assert "2 threads" in kernel.variants[name].unavailable and "1 CPU" in kernel.variants[name].unavailable
        with pytest.raises(NotImplementedError, match="1 CPU"):
            check_benchmarked(kernel, name, kernel.headline_n)  # asv: n/a, with the reason
    assert threads.ROW_NORMS.variants["numba_serial"].unavailable is None
    monkeypatch.setattr(registry, "usable_cpus", lambda: 2)
    assert threads.ROW_NORMS.variants["numba_prange"].unavailable is None


_TWO_THREADS = """
import numba
from hostile import assert_agrees, cases, outcome
from npopt import registry, threads
assert numba.config.NUMBA_NUM_THREADS >= 2
registry.usable_cpus = lambda: threads.THREADS  # pinned to fewer CPUs, the threads share them
checked = 0
for kernel in (threads.ROW_NORMS, threads.MATMUL):
    for name, variant in kernel.variants.items():
        if variant.threads > 1:
            for label, args in cases(kernel):
                expected = outcome(kernel.variants[kernel.reference], args)
                assert_agrees(kernel, name, args, expected, outcome(variant, args))
                checked += 1
print(checked)
"""


def test_two_thread_variants_agree_with_the_reference_on_two_real_threads():
    """Where this process may use fewer CPUs than that (pinned: the checks above skip them), a child
    with a two-thread Numba pool runs them on every hostile input, its threads sharing the CPU."""
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads.THREADS),
           "PYTHONPATH": os.pathsep.join([ROOT, os.path.join(ROOT, "tests")])}
    done = subprocess.run([sys.executable, "-c", _TWO_THREADS], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 50

"""The cost counter (measurement/cost.py): it counts the kernel calls alone, the same every run."""
import platform
import re

import pytest
from asv_runner.benchmarks.mark import SkipNotImplemented

from benchmarks import common
from benchmarks.bench_compiled import MaxDrawdown
from measurement import cost
from npopt.registry import KERNELS

BENCH = r"^(vectorization\.add:ufunc|compiled\.max_drawdown:(numba|cython)):"
AGREEMENT = 0.002  # repeated counts of unchanged code agree within 0.2% (the measured figure in CHANGELOG.md is tighter)


@pytest.fixture(scope="module")
def counts():
    """Two counts of three small points: one call counted, in one child; then three, the points shared
    between two children counting at once."""
    return cost.count(BENCH, calls=1), cost.count(BENCH, calls=3, parts=2)


def test_the_counted_points_are_every_variant_at_its_kernels_smallest_size_but_loops_and_threads():
    points = cost.cost_points()
    expected = {(k.key, name) for k in KERNELS.values() for name, v in k.variants.items()
                if v.max_n is None and v.threads == 1 and v.unavailable is None}
    assert {(p[0], p[1]) for p in points} == expected
    assert all(p[2] == KERNELS[p[0]].sizes[0] for p in points)
    ema = KERNELS["compiled.ema_with_reset"]
    assert "interpreted loop" in cost.why_not_counted(ema, "python_loop", 100_000)
    assert "counted at n=100000 only" in cost.why_not_counted(ema, "cython", 10_000_000)
    assert "Valgrind runs one at a time" in cost.why_not_counted(KERNELS["threads.matmul"], "blas_2_threads", 64)
    assert [p.gate_key for p in cost.cost_points(BENCH)] == ["compiled.max_drawdown:numba:100000",
                                                              "compiled.max_drawdown:cython:100000",
                                                              "vectorization.add:ufunc:10000"]
    assert KERNELS["vectorization.add"].variants["ufunc"].bytes_moved  # declared memory-bound: the gate times it
    assert [p.gate_key for p in cost.cost_points(BENCH, declared=False)] == ["compiled.max_drawdown:numba:100000",
                                                                              "compiled.max_drawdown:cython:100000"]


@pytest.mark.valgrind
def test_a_figure_is_one_call_and_two_processes_agree(counts):
    """Per call, one counted call and three agree: the figure scales with the calls, and the loop, the
    warm-up calls and the dump are not in it; two processes agree within AGREEMENT. The ufunc allocates
    its result, and three calls in a row reuse memory differently from one (the allocator's path, which
    depends on the heap the imports left: 1.7% apart in one checkout, 2.9% in another at the same
    commit, about 500-900 instructions of 32,000): its instructions agree within 10%, its cache misses
    are not compared. A counted warm-up call would put them 1.5x apart."""
    once, thrice = counts
    assert set(once) == set(thrice) == set(cost.cost_points(BENCH))
    for at in once:
        compiled = at[1] != "ufunc"
        for figure in ("instructions", "cycles") if compiled else ("instructions",):
            assert thrice[at][figure] == pytest.approx(once[at][figure], rel=AGREEMENT if compiled else 0.10), at


@pytest.mark.valgrind
def test_setup_and_compilation_are_not_counted(counts):
    """Making the inputs and compiling the Numba kernel cost millions of instructions more than a call."""
    once, _ = counts
    add = once[("vectorization.add", "ufunc", 10_000)]
    assert 2_500 < add["instructions"] < 100_000  # 10^4 additions in 4-wide AVX2, and the call's overhead
    numba = once[("compiled.max_drawdown", "numba", 100_000)]
    assert 100_000 < numba["instructions"] < 2_000_000  # a few instructions per element
    assert numba["cycles"] >= numba["instructions"]


@pytest.mark.valgrind
def test_counts_say_which_simd_level_ran_and_which_points_are_memory_bound(counts):
    once, _ = counts
    # Valgrind runs no AVX-512 and no SVE: AVX2 on x86-64; ASIMD on AArch64 (not yet seen on a machine)
    assert {f["simd"] for f in once.values()} == {{"x86_64": "AVX2", "aarch64": "ASIMD"}[platform.machine()]}
    assert once[("vectorization.add", "ufunc", 10_000)]["memory_bound"]  # declared: bytes_moved
    assert not once[("compiled.max_drawdown", "cython", 100_000)]["memory_bound"]


def test_estimated_cycles_weigh_simulated_misses():
    null = {"Ir": 10, "I1mr": 0, "D1mr": 0, "D1mw": 0, "ILmr": 0, "DLmr": 0, "DLmw": 0}
    events = {"Ir": 1010, "I1mr": 1, "D1mr": 2, "D1mw": 3, "ILmr": 0, "DLmr": 1, "DLmw": 1}
    f = cost.call_cost(events, null, 1, declared=False)
    assert f["instructions"] == 1000 and f["cycles"] == 1000 + 10 * 6 + 100 * 2 and not f["memory_bound"]
    streaming = cost.call_cost({**events, "DLmr": 100}, null, 1, declared=False)
    assert streaming["memory_bound"]  # LL misses carry more than MEMORY_SHARE of the estimate


def test_without_valgrind_the_count_says_how_to_install_it(monkeypatch, tmp_path):
    """On Linux the counted figures are required: without valgrind they fail, saying how to install it."""
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(cost.CostUnavailable, match="needs valgrind.*apt-get install -y valgrind"):
        cost.count(BENCH)
    measured = common.Measured({}, {}, common.measure_cost())  # what asv's figures read
    with pytest.raises(cost.CostUnavailable, match="needs valgrind.*apt-get install -y valgrind"):
        MaxDrawdown().track_instructions(measured, "cython", 100_000)


def test_where_valgrind_cannot_exist_the_counted_figures_are_na_with_the_reason(monkeypatch):
    """On macOS nothing is counted and nothing fails: the counted figures are n/a (asv's skip), with the reason."""
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    monkeypatch.setattr(platform, "machine", lambda: "arm64")
    reason = "Valgrind does not exist for macOS arm64: counted figures are n/a"
    assert cost.why_no_valgrind() == reason
    measured = common.Measured({}, {}, common.measure_cost())
    assert measured.cost == {}
    for figure in (MaxDrawdown().track_instructions, MaxDrawdown().track_estimated_cycles):
        with pytest.raises(SkipNotImplemented, match=re.escape(reason)):
            figure(measured, "cython", 100_000)
    with pytest.raises(SkipNotImplemented, match="interpreted loop"):  # a point's own reason comes first
        MaxDrawdown().track_instructions(measured, "python_loop", 100_000)
    with pytest.raises(cost.CostUnavailable, match=re.escape(reason)):  # not "apt-get install valgrind"
        cost.count(BENCH)


def test_a_dump_whose_last_counts_are_zero_has_them_all(tmp_path):
    """Callgrind leaves trailing zero counts off a totals line: each event is there, as 0."""
    dump = tmp_path / "callgrind.out.1"
    dump.write_text("desc: Trigger: Client Request: npopt-0-point-1\nevents: Ir I1mr DLmr DLmw\nsummary: 120 3\n")
    assert cost.totals(str(dump)) == ("Client Request: npopt-0-point-1", {"Ir": 120, "I1mr": 3, "DLmr": 0, "DLmw": 0})

"""Release-note claims: the data file is complete and names registered figures, every verdict is
reached on constructed stored results with the measured noise as the boundary, and the page renders."""
import re

import numpy as np
import pytest

from measurement.machine import umath, cpu_features, dispatched_targets
from npopt.registry import KERNELS, release
from tools.reports import claims
from tools.results import Run

CLAIMS = claims.load_claims()
SECONDS = "bench_vectorization.Add.track_seconds"
FIELDS = {"release", "pr", "what", "factor", "wording", "needs", "kernel", "variant"}
OPTIONAL = {"n", "note"}


def test_the_data_file_lists_at_least_12_complete_claims():
    assert len(CLAIMS) >= 12
    features = set(umath().__cpu_features__)  # every feature name NumPy knows, found here or not
    for c in CLAIMS:
        assert FIELDS <= set(c) <= FIELDS | OPTIONAL, c
        assert (1, 24) <= release(c["release"]) <= (2, 5), c
        assert isinstance(c["pr"], int) and c["pr"] > 0, c
        assert isinstance(c["factor"], (int, float)) and c["factor"] > 1, c
        assert f"{c['factor']:g}" in c["wording"], c  # the claimed number is the notes' own
        assert set(c["needs"]) <= features, c
    keys = [(c["pr"], c["kernel"], c["variant"], c.get("n")) for c in CLAIMS]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize("claim", CLAIMS, ids=[f"{c['pr']}-{c['kernel']}:{c['variant']}" for c in CLAIMS])
def test_every_claim_names_a_registered_figure(claim):
    """Each claim's kernel, variant and size are in the registry, and its figure in the asv suite."""
    from test_benchmarks import DISCOVERED

    kernel = KERNELS.get(claim["kernel"])
    assert kernel is not None, f"no kernel {claim['kernel']} in npopt.registry.KERNELS"
    assert claim["variant"] in kernel.variants, (claim, list(kernel.variants))
    assert claim.get("n", kernel.headline_n) in (*kernel.sizes, kernel.headline_n)
    assert claims.figure(claim)[0] in {b.name for b in DISCOVERED}


def test_the_machine_features_are_numpys_names():
    assert set(dispatched_targets()) <= cpu_features() <= set(umath().__cpu_features__)


def _claim(**changes):
    return {"release": "1.25", "pr": 1, "what": "a + b", "factor": 9, "wording": "up to 9x", "needs": [],
            "kernel": "vectorization.add", "variant": "ufunc", "n": 10_000, **changes}


def _runs(seconds, samples=None):
    """One Run per NumPy version with the figure's seconds (and samples), None for none stored."""
    key = ("ufunc", 10_000)
    return [Run(f"env-{v}", v, {SECONDS: {key: s}} if s is not None else {},
                {SECONDS: {key: samples[v]}} if samples else {}) for v, s in seconds.items()]


def _verdict(before, band=2.0, **changes):
    """The claim judged from seconds `before` in 1.24.4 and 1.0 in 1.25.2 (1.23.5 is older still)."""
    return claims.evaluate(_claim(**changes), _runs({"1.23.5": 100.0, "1.24.4": before, "1.25.2": 1.0}), band)


def test_the_figure_is_the_variants_seconds_in_its_kernels_class():
    assert claims.figure(_claim()) == (SECONDS, ("ufunc", 10_000))
    assert claims.figure(_claim(kernel="layout.row_sums", variant="axis_reduction", n=1000)) == (
        "bench_layout.RowSums.track_seconds", ("axis_reduction", 1000, "C"))  # several orders: the C-order figure


@pytest.mark.parametrize("before, expected", [
    (9.0, claims.CONFIRMED), (4.5, claims.CONFIRMED),  # 4.5x within the band (2.0) of 9x
    (4.4, claims.SMALLER), (2.01, claims.SMALLER),  # faster beyond the noise, short of 9x
    (2.0, claims.NOT_REPRODUCED), (1.0, claims.NOT_REPRODUCED), (0.4, claims.NOT_REPRODUCED)])
def test_the_verdict_turns_at_the_noise_band(before, expected):
    result = _verdict(before)
    assert result["verdict"] == expected, result
    assert result["compared"] == "1.24.4 -> 1.25.2"  # the newest release before the claim's
    assert result["factor"] == pytest.approx(before)


def test_slower_is_not_reproduced_and_says_so():
    assert _verdict(0.4)["reason"] == "slower beyond the noise"


def test_an_unmeasured_noise_uses_the_widest_allowed_band():
    assert _verdict(1.2, band=None)["verdict"] == claims.NOT_REPRODUCED
    assert _verdict(1.3, band=None)["verdict"] == claims.SMALLER


def test_overlapping_samples_are_noise_even_beyond_the_band():
    samples = {"1.24.4": [3.0, 3.1], "1.25.2": [1.0, 3.5]}
    runs = _runs({"1.24.4": 3.0, "1.25.2": 1.0}, samples)
    assert claims.evaluate(_claim(), runs, 2.0)["verdict"] == claims.NOT_REPRODUCED
    del samples["1.25.2"][1]
    assert claims.evaluate(_claim(), _runs({"1.24.4": 3.0, "1.25.2": 1.0}, samples), 2.0)["verdict"] == claims.SMALLER


def test_a_claim_for_a_missing_cpu_feature_is_not_applicable_and_names_it():
    runs = _runs({"1.24.4": 9.0, "1.25.2": 1.0})
    result = claims.evaluate(_claim(needs=["AVX512_ICL"]), runs, 2.0, frozenset({"AVX2", "AVX512_SKX"}))
    assert result["verdict"] == claims.NOT_APPLICABLE
    assert "AVX512_ICL" in result["reason"] and "AVX512_SKX" not in result["reason"]
    assert claims.evaluate(_claim(needs=["AVX512_ICL"]), runs, 2.0, frozenset({"AVX512_ICL"}))["verdict"] == (
        claims.CONFIRMED)


@pytest.mark.parametrize("seconds, changes, reason", [
    ({"1.25.2": 1.0, "2.0.2": 1.0}, {}, "no stored NumPy release older than 1.25"),
    ({"2.3.5": 1.0, "2.4.6": 1.0}, {"release": "2.5"}, "no stored NumPy release at or after 2.5"),
    ({"1.24.4": None, "1.25.2": 1.0}, {}, f"{SECONDS}(ufunc, 10000) is not stored for NumPy 1.24.4"),
    ({"1.24.4": 9.0, "1.25.2": 1.0}, {"kernel": "sorting.no_such_kernel"},
     "npopt's registry has no sorting.no_such_kernel:ufunc"),
    ({"1.24.4": 9.0, "1.25.2": 1.0}, {"variant": "no_such_variant"},
     "npopt's registry has no vectorization.add:no_such_variant")])
def test_missing_results_are_not_measured_and_say_which(seconds, changes, reason):
    result = claims.evaluate(_claim(**changes), _runs(seconds), 2.0)
    assert (result["verdict"], result["reason"]) == (claims.NOT_MEASURED, reason)


def test_a_release_not_stored_is_compared_at_the_nearest_stored_one_after_it():
    runs = _runs({"1.26.4": 5.0, "2.0.2": 4.0, "2.2.6": 1.0, "2.3.5": 0.5})
    result = claims.evaluate(_claim(release="2.1"), runs, 2.0)
    assert result["compared"] == "2.0.2 -> 2.2.6" and result["factor"] == 4.0


def test_a_simd_disabled_twin_is_never_compared():
    runs = [Run("env-2.4.6", "2.4.6", {SECONDS: {("ufunc", 10_000): 3.0}}, {}),
            Run("env-2.4.6-nosimd", "2.4.6", {SECONDS: {("ufunc", 10_000): 100.0}}, {}, "X86_V3 X86_V4"),
            Run("env-2.5.5", "2.5.5", {SECONDS: {("ufunc", 10_000): 1.0}}, {})]
    assert claims.evaluate(_claim(release="2.5"), runs, 2.0)["factor"] == 3.0


def test_a_comparison_across_python_versions_says_so():
    runs = [Run(f"virtualenv-py{py}-numpy{v}", v, {SECONDS: {("ufunc", 10_000): s}}, {})
            for py, v, s in (("3.11", "2.4.6", 3.0), ("3.12", "2.5.5", 1.0))]
    assert claims.evaluate(_claim(release="2.5"), runs, 2.0)["compared"] == "2.4.6 -> 2.5.5 (Python 3.11 -> 3.12)"


def test_the_page_shows_every_verdict():
    rows = [_verdict(9.0), _verdict(3.0), _verdict(1.0),
            claims.evaluate(_claim(needs=["ASIMD"]), [], 2.0), claims.evaluate(_claim(), [], 2.0)]
    text = claims.page("machine-x", "0123456789abcdef", rows)
    assert text.count("<tr class='claim ") == len(rows)
    for verdict in (claims.CONFIRMED, claims.SMALLER, claims.NOT_REPRODUCED, claims.NOT_APPLICABLE,
                    claims.NOT_MEASURED):
        assert f"claim {claims.css_class(verdict)}'" in text
    assert "https://github.com/numpy/numpy/pull/1" in text and "title='up to 9x'" in text
    assert "machine-x, commit 01234567" in text


def _paired(factor, noise=0.03, n=8, seed=0):
    """Round-paired samples of the claim's figure: 1.24.4 takes `factor` times as long as 1.25.2."""
    rng = np.random.default_rng(seed)
    phase = rng.choice([1.0, 1.5], n)
    after = phase * np.exp(rng.normal(0, noise, n))
    return {"1.24.4": list(factor * after * np.exp(rng.normal(0, noise, n))), "1.25.2": list(after)}


@pytest.mark.parametrize("factor, verdict", [(9.5, claims.CONFIRMED), (4.0, claims.SMALLER),
                                             (1.02, claims.NOT_REPRODUCED), (0.5, claims.NOT_REPRODUCED)])
def test_a_sampled_claim_is_judged_by_the_test_and_its_interval(factor, verdict):
    samples = _paired(factor)
    runs = _runs({v: float(np.median(s)) for v, s in samples.items()}, samples)
    (row,) = claims.evaluate_all([_claim()], runs)
    assert row["verdict"] == verdict, row
    low, high = row["interval"]
    assert low <= row["factor"] <= high and low < factor * 1.1 and high > factor / 1.1
    assert re.fullmatch(r"\d+\.\d\dx \[\d+\.\d\d-\d+\.\d\d\]", claims.factor_text(row["factor"], row["interval"]))

"""The one reader of stored asv results: figures and their samples, per machine, commit and environment.

Every report (summary, overview, repeat, change marks) reads through here and never parses asv's
JSON itself: asv stores parameter values as their repr, a parametrized figure as a flat list in
``itertools.product`` order, a missing value as None or NaN, and (with --record-samples) the
per-process figures of each value as its samples.
"""
import itertools
import json
import math
import os
import re
import subprocess
from typing import NamedTuple

from asv import results as asv_results
from asv.config import Config
from packaging.version import Version

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF = os.path.join(ROOT, "asv.conf.json")


SIMD_SWITCH = "NPY_DISABLE_CPU_FEATURES"
AA_SWITCH = "NPOPT_AA_TWIN"  # asv.conf.json's A/A twin: a release line again, differing by this variable only


class Run(NamedTuple):
    """One environment's results at one commit: {benchmark: {params: value}} and their samples.

    ``disabled_simd`` is the NumPy SIMD targets the environment ran with disabled (asv.conf.json's
    SIMD-disabled twin of the newest NumPy), "" for a normal environment; ``aa_twin`` is True for the
    A/A twin (the same environment as its release line, a harmless variable apart). ``intervals`` holds
    asv's 99% interval of each value that has samples: {benchmark: {params: (low, high)}}.
    """

    env_name: str
    numpy: str
    values: dict
    samples: dict
    disabled_simd: str = ""
    aa_twin: bool = False
    intervals: dict = {}

    @property
    def twin(self):
        """True for a twin of a release line (SIMD-disabled or A/A), compared with that line only."""
        return bool(self.disabled_simd) or self.aa_twin

    @property
    def label(self):
        """The NumPy version, and "no SIMD" or "A/A" for a twin: a column name in reports."""
        return f"{self.numpy} no SIMD" if self.disabled_simd else f"{self.numpy} A/A" if self.aa_twin else self.numpy


def in_release_order(runs):
    """Runs by NumPy version, a twin right after its release line."""
    return sorted(runs, key=lambda run: (Version(run.numpy), run.twin, bool(run.disabled_simd)))


def python_of(run):
    """The Python version in an asv environment name ('virtualenv-py3.12-...'), or None."""
    found = re.search(r"-py(\d+\.\d+)", run.env_name)
    return found and found.group(1)


def baselines(columns):
    """For (NumPy version, twin?) columns in release order, the index each is compared with (None for
    the first): a twin with its release line, a release line with the previous release line."""
    out, line = [], {}
    for numpy, twin in columns:
        earlier = [i for i, (_, t) in enumerate(columns[:len(out)]) if not t]
        out.append(line.get(numpy) if twin else (earlier[-1] if earlier else None))
        if not twin:
            line[numpy] = len(out) - 1
    return out


def _unquote(value):
    """asv stores parameter values as their repr: "'ufunc'" -> 'ufunc', '10000' -> 10000."""
    try:
        return json.loads(value.replace("'", '"'))
    except ValueError:
        return value


def _present(value):
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def figures(result):
    """({benchmark: {params: value}}, {benchmark: {params: [samples]}}, {benchmark: {params: (low, high)}})
    of one asv Results object: values, samples and asv's 99% intervals."""
    values, samples, intervals = {}, {}, {}
    for key in result.get_all_result_keys():
        params = result.get_result_params(key)
        combos = [tuple(_unquote(p) for p in c) for c in itertools.product(*params)] if params else [()]
        found = result.get_result_value(key, params)
        found = found if isinstance(found, list) else [found]
        taken = result.get_result_samples(key, params) or [None] * len(combos)
        values[key] = {c: v for c, v in zip(combos, found) if _present(v)}
        samples[key] = {c: s for c, s, v in zip(combos, taken, found) if _present(v) and s}
        spread = result.get_result_stats(key, params) or [None] * len(combos)
        spread = spread if isinstance(spread, list) else [spread]
        # every figure here is positive; asv's interval from few samples can reach below zero
        intervals[key] = {c: (max(st["ci_99_a"], 0.0), st["ci_99_b"]) for c, st, v in zip(combos, spread, found)
                          if _present(v) and st and _present(st.get("ci_99_a")) and _present(st.get("ci_99_b"))}
    return values, samples, intervals


def results_dir(config=CONF):
    return os.path.join(ROOT, Config.load(config).results_dir)


def machines(config=CONF):
    """Machine names with stored results."""
    base = results_dir(config)
    return sorted(d for d in os.listdir(base) if os.path.isfile(os.path.join(base, d, "machine.json")))


def latest_commit(machine, rev=None, config=CONF, widest=False):
    """``rev`` as a full hash, or else the newest commit with stored results for ``machine`` (None if none).

    widest: the newest of the commits stored in the most environments (a history run over one
    environment does not hide the last full NumPy matrix).
    """
    if rev:
        return subprocess.check_output(["git", "rev-parse", rev], cwd=ROOT, text=True).strip()
    envs, dates = {}, {}
    for r in asv_results.iter_results_for_machine(results_dir(config), machine):
        envs.setdefault(r.commit_hash, set()).add(r.env_name)
        dates[r.commit_hash] = max(dates.get(r.commit_hash, 0), r.date)
    if not dates:
        return None
    return max(dates, key=lambda c: ((len(envs[c]) if widest else 0), dates[c]))


def load(commit, machine, config=CONF):
    """A Run for each environment stored for one machine and commit, by environment name."""
    runs = []
    for result in asv_results.iter_results_for_machine_and_hash(results_dir(config), machine, commit):
        numpy_version = next((v for k, v in result.params.items() if k.endswith("numpy")), "?")
        values, samples, intervals = figures(result)
        runs.append(Run(result.env_name, numpy_version, values, samples, result.env_vars.get(SIMD_SWITCH, ""),
                        AA_SWITCH in result.env_vars, intervals))
    return sorted(runs, key=lambda run: run.env_name)

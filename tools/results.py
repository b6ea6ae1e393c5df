"""The one reader of stored asv results: figures and their samples, per machine, commit and environment.

Every report (summary, overview, repeat, change marks) reads through here and never parses asv's
JSON itself: asv stores parameter values as their repr, a parametrized figure as a flat list in
``itertools.product`` order, a missing value as None or NaN, and (with --record-samples) the
per-process figures of each value as its samples.

A results file is checked before it is trusted (``check``): an empty, truncated or schema-breaking
file, one whose machine is not its folder's, one whose name is not asv's for what it holds, or one
from another suite (none of its benchmarks in results/benchmarks.json) is refused: named with what
is wrong on stderr, left out, and the rest read on.

``python -m tools.results ARGS`` is asv with ARGS (tools/bench.py runs asv so), its JSON writes made
all-or-nothing (``write_json_atomically``): asv 0.6.6 writes every results file, benchmarks.json and
machine.json with a plain open(path, "w") and json.dump, so a run killed while writing would leave a
truncated file, and it rewrites a commit's existing file when it measures that commit again.
"""
import itertools
import json
import math
import os
import re
import sys
from typing import NamedTuple

from asv import results as asv_results, util
from asv.config import Config
from packaging.version import Version

from measurement import change
from measurement.paths import ROOT, git
from tools.lock import fake_slow_step, running

CONF = os.path.join(ROOT, "asv.conf.json")


SIMD_SWITCH = "NPY_DISABLE_CPU_FEATURES"
AA_SWITCH = "NPOPT_AA_TWIN"  # asv.conf.json's A/A twin: a release line again, differing by this variable only


class Run(NamedTuple):
    """One environment's results at one commit: {benchmark: {params: value}} and their samples.

    ``disabled_simd`` is the NumPy SIMD targets the environment ran with disabled (asv.conf.json's
    SIMD-disabled twin of the newest NumPy), "" for a normal environment; ``aa_twin`` is True for the
    A/A twin (the same environment as its release line, a harmless variable apart). ``intervals`` holds
    the interval of each value that has samples, {benchmark: {params: (low, high)}}: its samples' 95%
    interval pooled over the run's environments (``pool_intervals``), else asv's 99% interval.
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
    """The stored results: asv.conf.json's results_dir, or $NPOPT_RESULTS_DIR (a copy, for the tests)."""
    if config == CONF and os.environ.get("NPOPT_RESULTS_DIR"):
        return os.environ["NPOPT_RESULTS_DIR"]
    return os.path.join(ROOT, Config.load(config).results_dir)


def machines(config=CONF):
    """Machine names with stored results."""
    base = results_dir(config)
    return sorted(d for d in os.listdir(base) if os.path.isfile(os.path.join(base, d, "machine.json")))


FIELDS = {"commit_hash": str, "env_name": str, "date": int, "params": dict, "python": str, "requirements": dict,
          "result_columns": list, "results": dict}
COLUMNS = {"result", "params", "version", "started_at", "duration", "stats_ci_99_a", "stats_ci_99_b", "stats_q_25",
           "stats_q_75", "stats_number", "stats_repeat", "samples", "profile"}  # asv 0.6.6's Results.save


def schema_problem(data):
    """What breaks asv's results schema (version 2) in parsed JSON, or None. A few type checks written
    out: jsonschema is not a dependency, and asv has no validator of its own (it fails on first use)."""
    if not isinstance(data, dict):
        return f"not a JSON object but a {type(data).__name__}"
    if data.get("version") != asv_results.Results.api_version:
        return f"results format version {data.get('version')!r}, not asv's {asv_results.Results.api_version}"
    for field, kind in FIELDS.items():
        if not isinstance(data.get(field), kind):
            found = "missing" if field not in data else type(data[field]).__name__
            return f"field {field!r} is {found}, not {kind.__name__}"
    unknown = set(data["result_columns"]) - COLUMNS
    if unknown or "result" not in data["result_columns"]:
        return f"result_columns {data['result_columns']} are not asv's"
    for name, row in data["results"].items():
        if not isinstance(row, list) or len(row) > len(data["result_columns"]):
            return f"benchmark {name!r}: its row is not a list of result_columns"
    return None


def known_benchmarks(base):
    """The benchmark names of results/benchmarks.json, or None when it cannot be read."""
    try:
        return set(util.load_json(os.path.join(base, "benchmarks.json"))) - {"version"}
    except (OSError, util.UserError):
        return None


def check(path, machine, known=None):
    """(asv Results, None) for a sound results file of machine's folder, else (None, what is wrong)."""
    if os.path.getsize(path) == 0:
        return None, "empty file"
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except ValueError as exc:
        return None, f"not valid JSON (truncated?): {exc}"
    problem = schema_problem(data)
    if problem:
        return None, problem
    if data["params"].get("machine") != machine:
        return None, f"its machine is {data['params'].get('machine')!r}, not its folder's {machine!r}"
    expected = os.path.basename(asv_results.get_filename(machine, data["commit_hash"], data["env_name"]))
    if os.path.basename(path) != expected:
        return None, f"it holds commit {data['commit_hash'][:8]} in {data['env_name']}, which asv names {expected}"
    if known is not None and data["results"] and not set(data["results"]) & known:
        return None, (f"none of its {len(data['results'])} benchmarks (such as {next(iter(data['results']))!r}) "
                      "is in results/benchmarks.json: another suite's results")
    try:
        return asv_results.Results.load(path, machine_name=machine), None
    except (util.UserError, LookupError, TypeError, ValueError, AttributeError) as exc:
        return None, f"asv cannot read it: {exc}"


_named = set()


def refuse(path, reason):
    """Name a refused results file and what is wrong with it on stderr (once per process)."""
    if path not in _named:
        _named.add(path)
        shown = os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path
        print(f"refused results file {shown}: {reason}; left out", file=sys.stderr, flush=True)


def result_files(machine, config=CONF, commit=""):
    """The paths of results/<machine>/'s results files (asv's <commit[:8]>-<environment>.json), only those of
    commit (a full hash or a prefix) where given."""
    folder = os.path.join(results_dir(config), machine)
    return [os.path.join(folder, name) for name in (sorted(os.listdir(folder)) if os.path.isdir(folder) else [])
            if name.endswith(".json") and name not in ("machine.json", "benchmarks.json") and name.startswith(commit[:8])]


def stored(machine, config=CONF, commit=""):
    """([asv Results], [(path, what is wrong)]) of every results file in results/<machine>/ (none for a
    machine never measured here), or of one commit's (``result_files``); each refused one is named on stderr."""
    known = known_benchmarks(results_dir(config))
    good, bad = [], []
    for path in result_files(machine, config, commit):
        result, reason = check(path, machine, known)
        if result is None:
            refuse(path, reason)
            bad.append((path, reason))
        else:
            good.append(result)
    return good, bad


def refused(config=CONF):
    """[(path, what is wrong)] of every refused results file of every machine, and of every JSON file
    outside a machine's folder (asv reads a folder only beside its machine.json), each named on stderr."""
    base = results_dir(config)
    bad = [b for machine in machines(config) for b in stored(machine, config)[1]]
    for at, _, names in os.walk(base):
        if at != base and not os.path.isfile(os.path.join(at, "machine.json")):
            bad += [(os.path.join(at, n), "its folder has no machine.json") for n in names if n.endswith(".json")]
    bad += [(os.path.join(base, n), "not in a machine's folder") for n in os.listdir(base)
            if n.endswith(".json") and n != "benchmarks.json"]
    for path, reason in bad:
        refuse(path, reason)
    return bad


def latest_commit(machine, rev=None, config=CONF, widest=False):
    """``rev`` as a full hash, or else the newest commit with stored results for ``machine`` (None if none).

    widest: the newest of the commits stored in the most environments (a history run over one
    environment does not hide the last full NumPy matrix). A refused file still counts for the
    environment its name gives (asv's <commit[:8]>-<environment>.json), so one damaged file does not
    make an older commit the newest.
    """
    if rev:
        return git("rev-parse", rev)
    envs = {}  # by the files' names: a year of nights is thousands of files, and a name costs no read
    for path in result_files(machine, config):
        prefix, _, env_name = os.path.basename(path)[:-len(".json")].partition("-")
        envs.setdefault(prefix, set()).add(env_name)
    known = known_benchmarks(results_dir(config))
    for size in sorted({len(e) for e in envs.values()}, reverse=True) if widest else [None]:
        dates = {}  # of each commit stored in size environments, from its first sound file (asv's date is the commit's)
        for prefix in (p for p in envs if size in (None, len(envs[p]))):
            sound = next(filter(None, (checked(path, machine, known) for path in result_files(machine, config, prefix))), None)
            if sound:
                dates[sound.commit_hash] = sound.date
        if dates:
            return max(dates, key=dates.get)
    return None


def checked(path, machine, known):
    """The asv Results of a sound results file, else None, its fault named on stderr (``refuse``)."""
    result, reason = check(path, machine, known)
    if result is None:
        refuse(path, reason)
    return result


def load(commit, machine, config=CONF):
    """A Run for each environment stored for one machine and commit (a full hash or a prefix), by
    environment name; a file whose figures cannot be read is refused like a damaged one."""
    runs = []
    for result in stored(machine, config, commit)[0]:
        if not result.commit_hash.startswith(commit):
            continue
        numpy_version = next((v for k, v in result.params.items() if k.endswith("numpy")), "?")
        try:
            values, samples, intervals = figures(result)
        except (LookupError, TypeError, ValueError, AttributeError) as exc:
            refuse(os.path.join(results_dir(config), result._filename), f"its figures cannot be read: {exc!r}")
            continue
        runs.append(Run(result.env_name, numpy_version, values, samples, result.env_vars.get(SIMD_SWITCH, ""),
                        AA_SWITCH in result.env_vars, intervals))
    pool_intervals(runs)
    return sorted(runs, key=lambda run: run.env_name)


def pool_intervals(runs):
    """Each figure's interval, where its environments have samples, becomes the interval of its samples
    with their variance pooled over the environments (measurement/change.py ``pooled_intervals``) in place of
    asv's 99% interval of one environment's samples."""
    figures = {(name, params) for run in runs for name, by_params in run.samples.items() for params in by_params}
    for name, params in figures:
        found = change.pooled_intervals([run.samples.get(name, {}).get(params) for run in runs])
        for run, interval in zip(runs, found):
            if interval is not None:
                run.intervals.setdefault(name, {})[params] = interval


PARTIAL = ".partial"
_asv_write_json = util.write_json


def write_json_atomically(path, data, api_version=None, compact=False):
    """asv.util.write_json, all or nothing: asv writes a temporary file beside path
    (.<name>.<pid>.partial, which no reader takes for results), then it is renamed over path
    (os.replace, atomic). A killed write leaves path as it was (a SIGKILL leaves what was written in
    the page cache, so no fsync; a power cut is not guarded against). Temporary files of dead writers
    in the folder are removed first. The standard library idiom, a few lines: the PyPI atomicwrites
    package that did this is no longer maintained."""
    folder, name = os.path.split(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    for stale in os.listdir(folder):
        pid = stale[:-len(PARTIAL)].rsplit(".", 1)[-1] if stale.endswith(PARTIAL) else ""
        if pid.isdigit() and not running(int(pid)):
            os.unlink(os.path.join(folder, stale))
    partial = os.path.join(folder, f".{name}.{os.getpid()}{PARTIAL}")
    try:
        _asv_write_json(partial, data, api_version, compact)
        if not name.startswith(".") and name not in ("machine.json", "benchmarks.json", "asv-env-info.json"):
            fake_slow_step("results-write")  # a results file written, not yet in place
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise


def patch_asv():
    """Make asv, in this process, write every JSON file with write_json_atomically, keep the kill tests'
    seams at environment creation and measurement (tools/lock.py, fake_slow_step), and name and measure
    afresh an existing results file that it cannot read (asv would stop the run): the new results
    replace it. Once per process: tools/asv_plugin.py calls it in every asv command, asv_main too."""
    from asv.commands import run
    from asv.plugins.virtualenv import Virtualenv

    if util.write_json is write_json_atomically:
        return
    util.write_json = write_json_atomically
    install, run_benchmarks = Virtualenv._install_requirements, run.run_benchmarks

    def installing(self):
        fake_slow_step("environment-create")  # the virtualenv made, its requirements not yet installed
        return install(self)

    def measuring(*args, **kwargs):
        fake_slow_step("measure")
        return run_benchmarks(*args, **kwargs)

    def loading(self, result_dir):
        try:
            load_data(self, result_dir)
        except (util.UserError, LookupError, TypeError, ValueError, AttributeError) as exc:
            print(f"{exc}: measured afresh, the new results replace it", file=sys.stderr, flush=True)

    load_data = asv_results.Results.load_data
    Virtualenv._install_requirements, run.run_benchmarks, asv_results.Results.load_data = installing, measuring, loading


def asv_main():
    """asv's command line, patched (``patch_asv``)."""
    from asv import main

    patch_asv()
    return main.main()


if __name__ == "__main__":
    sys.exit(asv_main())

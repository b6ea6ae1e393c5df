"""Measure the noise: run the suite several times at one commit on this machine, print every figure's spread.

  python -m tools.repeat [--runs 5] [--numpy V ...] [--bench REGEX]
  python -m tools.repeat --check --runs 3 --all-numpy

Each run is the main job's ``asv run`` of HEAD (the same options, tools/bench.py) in the chosen
NumPy environments (default: the newest), stored apart from the history in .asv/repeat/run-<i>/.
For every figure stored by all runs, its spread is max/min over the runs (the widest over the
environments). Prints, per kind of figure, how many are within 1.10 and 1.25 and the widest, then
the widest figures, and writes noise/<machine>.json (only for a run over the whole suite), from
which measurement/change.py marks only changes beyond the measured noise.

--check validates a stored measurement on fresh runs instead of writing one: every figure of
every later run is compared with the first run by measurement/change.py against the stored noise (any
mark is a false alarm), and the NumPy-versions overview of each run must mark the same cells.
"""
import argparse
import json
import os
import shutil
import sys
import time

from asv import util
from asv.config import Config

from measurement.change import NOISE_DIR, change, kind, noise
from measurement.paths import ROOT, git
from measurement.point import figure_key
from tools import lock
from tools.bench import (CONF, asv, environments, interpreter_env, register_machine, run_options, selecting,
                         side_config)
from tools.reports.overview import overview
from tools.reports.summary import table
from tools.results import load

BANDS = (1.10, 1.25)


def spreads(runs):
    """{figure key: max/min over runs} for every figure present in every run."""
    values = {}
    for run in runs:
        for benchmark, by_params in run.values.items():
            for params, value in by_params.items():
                values.setdefault(figure_key(benchmark, params), []).append(value)
    return {key: max(v) / min(v) for key, v in sorted(values.items()) if len(v) == len(runs) and min(v) > 0}


def summary_rows(spread):
    """Rows (kind, figures, within 1.10, within 1.25, widest) per kind of figure."""
    rows = []
    for name in sorted({kind(k) for k in spread}):
        mine = [s for k, s in spread.items() if kind(k) == name]
        rows.append((name, len(mine), *(f"{sum(s <= b for s in mine) / len(mine):.0%}" for b in BANDS),
                     f"{max(mine):.3f}"))
    return rows


def false_alarms(runs, bands):
    """(figure key, mark) for each figure of each later run that measurement/change.py marks against the first,
    with bands = {kind of figure: measured spread}."""
    first, alarms = runs[0], []
    for run in runs[1:]:
        for benchmark, by_params in run.values.items():
            for params, value in by_params.items():
                key = figure_key(benchmark, params)
                mark = change(benchmark, first.values.get(benchmark, {}).get(params), value, bands.get(kind(key)),
                              first.samples.get(benchmark, {}).get(params), run.samples.get(benchmark, {}).get(params))
                if mark:
                    alarms.append((key, mark))
    return alarms


def overview_marks(runs, bands):
    """The set of (variant, NumPy version, mark) the NumPy-versions overview shows for one matrix run."""
    versions, rows = overview(runs, bands)
    return {(r["pair"], v, m) for r in rows for v, m in zip(versions, r["marks"]) if m}


def repeated_runs(args):
    """Run the suite args.runs times at HEAD: (machine, commit, [(env name, NumPy)], {env name: [Run per run]})."""
    conf_dict = util.load_json(CONF, js_comments=True)
    env = interpreter_env(Config.from_json(dict(conf_dict)).pythons)
    envs = environments(Config.from_json(dict(conf_dict)), env, args.numpy)
    envs = envs if args.all_numpy or args.numpy else envs[-1:]
    if not envs:  # every one asked for was skipped (printed above): asv given no -E would run them all
        raise SystemExit("no environment to measure on this machine")
    machine = register_machine(env)
    if args.check and not noise(machine):
        raise SystemExit(f"no noise is stored for {machine}: measure it first with make repeat")
    commit = git("rev-parse", "HEAD")
    bench, env = selecting(args.bench, env)
    selection = [a for name, _ in envs for a in ("-E", name)] + bench
    runs, started = [], time.monotonic()
    for i in range(1, args.runs + 1):
        name = f"repeat/run-{i}"
        shutil.rmtree(os.path.join(ROOT, ".asv", name), ignore_errors=True)
        config = side_config(conf_dict, name)
        print(f"\n== run {i}/{args.runs} ({time.monotonic() - started:.0f} s so far)", flush=True)
        asv("--config", config, "run", *run_options(machine), *selection, f"{commit}^!", env=env, check=False)
        runs.append({r.env_name: r for r in load(commit, machine, config)})
    missing = [(i + 1, name) for i, run in enumerate(runs) for name, _ in envs if name not in run]
    if missing:
        raise SystemExit(f"runs stored no results for (run, environment): {missing}")
    return machine, commit, envs, {name: [run[name] for run in runs] for name, _ in envs}


def check(by_env, bands):
    """Print the false alarms between runs and the overview marks of each matrix run; 1 if any alarm."""
    alarms = [a for env_runs in by_env.values() for a in false_alarms(env_runs, bands)]
    compared = sum(len(v) for env_runs in by_env.values() for r in env_runs[1:] for v in r.values.values())
    print(f"\nfalse alarms against the stored noise: {len(alarms)} of {compared} comparisons")
    for key, mark in alarms:
        print(f"  {mark}: {key}")
    marks = [overview_marks(list(matrix), bands) for matrix in zip(*by_env.values())]
    print(f"overview marks per run: {[len(m) for m in marks]}; "
          f"{'the same in every run' if all(m == marks[0] for m in marks) else 'NOT the same in every run'}")
    for m in sorted(set().union(*marks)):
        print(f"  {m[2]} {m[0]} numpy {m[1]}: in {sum(m in run for run in marks)} of {len(marks)} runs")
    return 1 if alarms else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--numpy", action="append", help="a NumPy environment to repeat (default: the newest)")
    parser.add_argument("--all-numpy", action="store_true", help="every NumPy environment of the matrix")
    parser.add_argument("--bench", help="only benchmarks matching this regular expression (asv --bench)")
    parser.add_argument("--check", action="store_true", help="count false alarms against the stored noise")
    parser.add_argument("--widest", type=int, default=15, help="how many of the widest figures to list")
    args = parser.parse_args(argv)
    if args.runs < 2:
        parser.error("--runs must be at least 2: a spread needs two runs")
    with lock.hold("repeat"):  # tools/lock.py: a second repeat is refused
        started = time.monotonic()
        machine, commit, envs, by_env = repeated_runs(args)

        spread = {}
        for env_runs in by_env.values():
            for key, s in spreads(env_runs).items():
                spread[key] = max(s, spread.get(key, 1.0))
        numpy_versions = " ".join(v for _, v in envs)
        print(f"\n== spread (max/min) of every figure over {args.runs} runs: machine {machine}, "
              f"NumPy {numpy_versions}, "
              f"commit {commit[:8]}, {time.monotonic() - started:.0f} s")
        print(table(("figure", "figures", f"within {BANDS[0]}", f"within {BANDS[1]}", "widest"), summary_rows(spread)))
        print()
        widest = sorted(spread.items(), key=lambda ks: -ks[1])[:args.widest]
        print(table(("widest figures", "spread"), [(k, f"{s:.3f}") for k, s in widest]))
        if args.check:
            return check(by_env, noise(machine))
        if args.bench:
            print("\n(part of the suite only: noise/ is written by a run over the whole suite)")
            return 0
        os.makedirs(NOISE_DIR, exist_ok=True)
        path = os.path.join(NOISE_DIR, f"{machine}.json")
        with open(path, "w") as f:
            json.dump({"machine": machine, "commit": commit, "numpy": numpy_versions, "runs": args.runs,
                       "summary": {r[0]: r[1:] for r in summary_rows(spread)}, "spread": spread}, f, indent=1)
        print(f"\nwritten: {os.path.relpath(path, ROOT)}")
        return 0


if __name__ == "__main__":
    sys.exit(main())

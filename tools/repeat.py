"""Measure the noise: run the suite several times at one commit on this machine, print every figure's spread.

  python -m tools.repeat [--runs 5] [--numpy V] [--bench REGEX]

Each run is the main job's ``asv run`` of HEAD (the same options, tools/bench.py) in one NumPy
environment (default: the newest), stored apart from the history in .asv/repeat/run-<i>/. Then,
for every figure stored by all runs, its spread is max/min over the runs. Prints, per kind of
figure, how many are within 1.10 and 1.25 and the widest, then the widest figures; writes
noise/<machine>.json (only for a run over the whole suite), from which tools/change.py marks only
changes beyond the measured noise.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

from asv import util
from asv.config import Config

from tools.bench import CONF, ROOT, asv, environments, interpreter_env, register_machine, run_options, side_config
from tools.change import NOISE_DIR, figure_key
from tools.results import load
from tools.summary import table

BANDS = (1.10, 1.25)


def spreads(runs):
    """{figure key: max/min over runs} for every figure present in every run."""
    values = {}
    for run in runs:
        for benchmark, by_params in run.values.items():
            for params, value in by_params.items():
                values.setdefault(figure_key(benchmark, params), []).append(value)
    return {key: max(v) / min(v) for key, v in sorted(values.items()) if len(v) == len(runs) and min(v) > 0}


def kind(key):
    return key.split(":")[0].rsplit(".", 1)[-1]


def summary_rows(spread):
    """Rows (kind, figures, within 1.10, within 1.25, widest) per kind of figure."""
    rows = []
    for name in sorted({kind(k) for k in spread}):
        mine = [s for k, s in spread.items() if kind(k) == name]
        rows.append((name, len(mine), *(f"{sum(s <= b for s in mine) / len(mine):.0%}" for b in BANDS),
                     f"{max(mine):.3f}"))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--numpy", help="the NumPy environment to repeat (default: the newest)")
    parser.add_argument("--bench", help="only benchmarks matching this regular expression (asv --bench)")
    parser.add_argument("--widest", type=int, default=15, help="how many of the widest figures to list")
    args = parser.parse_args(argv)
    if args.runs < 2:
        parser.error("--runs must be at least 2: a spread needs two runs")

    conf_dict = util.load_json(CONF, js_comments=True)
    env = interpreter_env(Config.from_json(dict(conf_dict)).pythons)
    env_name, numpy_version = environments(Config.from_json(dict(conf_dict)), env,
                                           [args.numpy] if args.numpy else None)[-1]
    machine = register_machine(env)
    commit = subprocess.check_output(["git", "rev-parse", "HEAD"], cwd=ROOT, text=True).strip()
    bench = ["--bench", args.bench] if args.bench else []
    runs, started = [], time.monotonic()
    for i in range(1, args.runs + 1):
        name = f"repeat/run-{i}"
        shutil.rmtree(os.path.join(ROOT, ".asv", name), ignore_errors=True)
        config = side_config(conf_dict, name)
        print(f"\n== run {i}/{args.runs} ({time.monotonic() - started:.0f} s so far)", flush=True)
        asv("--config", config, "run", *run_options(machine), "-E", env_name, *bench, "HEAD^!", env=env, check=False)
        runs.extend(r for r in load(commit, machine, config) if r.env_name == env_name)
    if len(runs) < args.runs:
        raise SystemExit(f"only {len(runs)} of {args.runs} runs stored results")

    spread = spreads(runs)
    print(f"\n== spread (max/min) of every figure over {args.runs} runs: machine {machine}, NumPy {numpy_version}, "
          f"commit {commit[:8]}, {time.monotonic() - started:.0f} s")
    print(table(("figure", "figures", f"within {BANDS[0]}", f"within {BANDS[1]}", "widest"), summary_rows(spread)))
    print()
    widest = sorted(spread.items(), key=lambda ks: -ks[1])[:args.widest]
    print(table(("widest figures", "spread"), [(k, f"{s:.3f}") for k, s in widest]))
    if args.bench:
        print("\n(part of the suite only: noise/ is written by a run over the whole suite)")
        return 0
    os.makedirs(NOISE_DIR, exist_ok=True)
    path = os.path.join(NOISE_DIR, f"{machine}.json")
    with open(path, "w") as f:
        json.dump({"machine": machine, "commit": commit, "numpy": numpy_version, "runs": args.runs,
                   "summary": {r[0]: r[1:] for r in summary_rows(spread)}, "spread": spread}, f, indent=1)
    print(f"\nwritten: {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

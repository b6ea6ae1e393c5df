"""The main job around asv: run, keep every result, publish an offline dashboard, print the overview.

  python -m tools.bench                  HEAD in every environment of the NumPy matrix
  python -m tools.bench --numpy 2.0.2    HEAD in the named NumPy environment(s) only (repeatable)
  python -m tools.bench --quick          a first look: newest NumPy, headline points, one measuring
                                         process; its results go to .asv/quick/, never mixed with the stored ones
  python -m tools.bench history 5        the last 5 commits of main, newest NumPy (or --numpy),
                                         skipping every commit/environment already stored
  python -m tools.bench history A..B     an explicit range, likewise

Results live in results/<machine>/ (asv's layout, kept in git); the machine name is this host's
hardware fingerprint (tools/machine.py), so another host is another machine. asv runs through
tools/results.py, which makes every file it writes appear whole or not at all; a run holds the lock
of tools/lock.py (a second run is refused). A run ends by publishing the dashboard
(tools/dashboard/publish.py, also `make publish`). Exit status: 0, or asv's non-zero status when a
benchmark failed (the dashboard is published all the same).
"""
import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time

from asv import environment, util
from asv.config import Config
from packaging.version import Version

from measurement.grids import GRID, SELECT
from measurement.machine import asv_machine_args, dispatched_targets
from measurement.paths import ROOT, git
from measurement.suite import SAMPLES
from tools import lock, matrix, wheels
from tools.dashboard.publish import publish
from tools.results import AA_SWITCH, SIMD_SWITCH

CONF = os.path.join(ROOT, "asv.conf.json")
ASV = [sys.executable, "-m", "tools.results"]  # asv, its JSON files written all-or-nothing
# asv run --parallel: environments created and npopt built this many at a time (benchmarks still run one
# at a time). Creating one is mostly pip waiting on the package index and the disk, so more than the
# 2 cores here (docs/matrix.md, "What each environment times").
BUILDS_AT_ONCE = max(4, os.cpu_count() or 1)
BUILD_CHECK = r"^bench_simd\."  # the figure run while environments are built: what NumPy dispatches to


# glibc's malloc serves blocks up to 32 MiB from its heap and never trims it. By default that threshold
# moves with the blocks a process has freed, so whether a kernel's temporaries are mapped and faulted in
# afresh at every call depended on the process's history: fused_expressions' numpy_temporaries (three
# 24 MB temporaries a call) took 1153 or 1562 minor faults a call in processes built alike, none with
# these settings, and ran 2x apart between a release line and its A/A twin in one run.
MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"


def interpreter_env(pythons):
    """os.environ plus a fixed hash seed, glibc's malloc thresholds fixed (MALLOC_TUNABLES, unless
    GLIBC_TUNABLES is set) and, under pyenv, PYENV_VERSION naming each Python's release.

    A bare pyenv shim such as python3.12 only runs when pyenv knows which 3.12 is meant. The hash
    seed makes set and dict iteration orders, and so the work a benchmark does, the same every run.
    """
    env = {"GLIBC_TUNABLES": MALLOC_TUNABLES, **os.environ, "PYTHONHASHSEED": "0"}
    if shutil.which("pyenv") and "PYENV_VERSION" not in env:
        installed = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True).stdout.split()
        picks = [max((v for v in installed if re.fullmatch(rf"{re.escape(p)}\.\d+", v)), key=Version)
                 for p in pythons if any(re.fullmatch(rf"{re.escape(p)}\.\d+", v) for v in installed)]
        if picks:
            env["PYENV_VERSION"] = ":".join(picks)
    return env


def runs_here(python, env):
    exe = shutil.which(f"python{python}", path=env.get("PATH"))
    return exe is not None and subprocess.run([exe, "-c", "pass"], env=env, capture_output=True).returncode == 0


def simd_twin_skipped(disabled, targets):
    """Why the SIMD-disabled twin, which disables the NumPy targets ``disabled`` ('X86_V3,X86_V4,...'), is
    skipped on a machine whose NumPy dispatches to ``targets`` (``dispatched_targets``), or None.

    Where it dispatches to none of them (AArch64 and Apple silicon, whose targets are ASIMD... and
    SVE), the twin would time the same code as its release line and prove nothing."""
    if set(disabled.split(",")) & set(targets):
        return None
    return (f"the SIMD twin disables {disabled}, which NumPy does not dispatch to on this {platform.machine()} "
            "machine: skipping it")


def environments(conf, env, numpy_versions=None):
    """(name, NumPy version) of each matrix environment this machine can build and measure, newest NumPy
    last (a twin just before its release line: "the newest" is the NumPy as users get it).

    Prints one line for each Python the matrix names that is not here, each NumPy release with no wheel
    for this machine (``wheels.without_wheels``) and a SIMD twin that disables nothing here
    (``simd_twin_skipped``): their environments are skipped. A NumPy version asked for that the matrix
    lacks, or whose Python is not here, is an error; one skipped for want of a wheel is not.
    """
    missing = {p for p in conf.pythons if not runs_here(p, env)}
    for python in sorted(missing):
        print(f"Python {python} is not on this machine: skipping its environments.")
    here = [e for e in environment.get_environments(conf, None, verbose=False) if e._python not in missing]
    skipped = set()
    no_wheel = wheels.without_wheels({(e._requirements["numpy"], e._python) for e in here})
    for pair, reason in no_wheel.items():
        names = [e.name for e in here if (e._requirements["numpy"], e._python) == pair]
        print(f"{reason}: skipping {'its environment' if len(names) == 1 else f'its {len(names)} environments'}")
        skipped.update(names)
    targets = dispatched_targets()
    for twin in (e for e in here if SIMD_SWITCH in e.env_vars and e.name not in skipped):
        reason = simd_twin_skipped(twin.env_vars[SIMD_SWITCH], targets)
        if reason:
            print(reason)
            skipped.add(twin.name)
    found = sorted(((e.name, e._requirements["numpy"]) for e in here if e.name not in skipped),
                   key=lambda nv: (Version(nv[1]), SIMD_SWITCH not in nv[0] and AA_SWITCH not in nv[0]))
    if numpy_versions:
        unknown = set(numpy_versions) - {v for _, v in found} - {numpy for numpy, _ in no_wheel}
        if unknown:
            raise SystemExit(f"no environment here for NumPy {', '.join(sorted(unknown))}; "
                             f"the matrix has {', '.join(v for _, v in found)}")
        found = [(n, v) for n, v in found if v in numpy_versions]
    return found


def asv(*args, env, check=True):
    print("$ asv " + " ".join(args), flush=True)
    started = time.perf_counter()
    status = subprocess.run(ASV + list(args), cwd=ROOT, env=env).returncode
    print(f"(asv {args[0] if args[0] != '--config' else args[2]}: {time.perf_counter() - started:.0f} s)", flush=True)
    if check and status:
        raise SystemExit(status)
    return status


def side_config(conf_dict, name):
    """A copy of asv.conf.json whose results and dashboard live in .asv/<name>/, apart from results/.

    It sits beside asv.conf.json as asv.<name>.conf.json (git ignores it): asv works from its
    configuration file's folder and reads pyproject.toml's build requirements from there.
    """
    path = os.path.join(ROOT, f"asv.{name.replace('/', '-')}.conf.json")
    with open(path, "w") as f:
        json.dump({**conf_dict, "results_dir": os.path.join(".asv", name, "results"),
                   "html_dir": os.path.join(".asv", name, "html")}, f, indent=1)
    return path


def register_machine(env, config=CONF):
    """``asv machine`` for this host under its fingerprint name; returns the name."""
    args = asv_machine_args()
    asv("--config", config, "machine", "--yes", *args, env=env)
    return args[args.index("--machine") + 1]


def run_options(machine):
    """``asv run`` options every measuring run shares: this machine, and the samples of each figure kept
    (the change marks test them). The benchmarks are not pinned to a core: the threads technique
    times two threads against one, and a process pinned to one core cannot run two."""
    return ["--show-stderr", "--record-samples", "--machine", machine]


def matrix_envs(conf, names):
    """asv's environment objects of these names, in their order."""
    found = {e.name: e for e in environment.get_environments(conf, None, verbose=False)}
    return [found[name] for name in names]


def selecting(bench, env):
    """(asv's --bench arguments, env) for the regular expression bench (None: everything). env also
    carries it (SELECT, which benchmarks/common.py reads) to the matrix's workers (tools/matrix.py), which asv does
    not start; asv's own processes get it from its --bench (tools/asv_plugin.py)."""
    return (["--bench", bench], {**env, SELECT: bench}) if bench else ([], env)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("command", nargs="?", default="run", choices=["run", "history"])
    parser.add_argument("range", nargs="?", help="history: a number of commits, or A..B")
    parser.add_argument("--numpy", action="append", help="only the environment(s) of these NumPy versions")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--bench", help="only benchmarks matching this regular expression (asv --bench)")
    args = parser.parse_args(argv)
    with lock.hold("quick" if args.quick else "results"):  # tools/lock.py: a second run is refused
        started = time.perf_counter()

        conf_dict = util.load_json(CONF, js_comments=True)
        conf = Config.from_json(dict(conf_dict))
        env = interpreter_env(conf.pythons)
        config = side_config(conf_dict, "quick") if args.quick else CONF
        machine = register_machine(env, config)

        envs = environments(conf, env, args.numpy)
        if args.quick or args.command == "history":
            envs = envs[-1:] if not args.numpy else envs
        selection = [a for name, _ in envs for a in ("-E", name)]
        bench, env = selecting(args.bench, env)
        print(f"Environments: {', '.join(name for name, _ in envs) or 'none'}", flush=True)
        if not envs:  # every one asked for was skipped above, for want of a wheel here
            return 0

        if args.quick:
            status = asv("--config", config, "run", "--quick", *run_options(machine),
                         *selection, *bench, "HEAD^!", env={**env, GRID: "headline"}, check=False)
            subprocess.run([sys.executable, "-m", "tools.reports.summary", "--machine", machine, "--config", config,
                            "--commit", "HEAD"], cwd=ROOT, env=env)
            return status

        if args.command == "history":
            spec = args.range or "5"
            revs = f"main~{min(int(spec), commits_on_main())}..main" if spec.isdigit() else spec
            status = asv("run", "--skip-existing", *run_options(machine),
                         *selection, *bench, revs, env=env, check=False)
        else:
            # environments created and npopt installed in each (with one cheap figure, kept apart from results/:
            # a run killed later leaves no file of this commit there), then the points the matrix compares timed
            # in every environment at once, then asv's figures read those samples (the cheap figure again)
            status = asv("--config", side_config(conf_dict, "build"), "run", "--parallel", str(BUILDS_AT_ONCE),
                         *run_options(machine), *selection, "--bench", BUILD_CHECK, "HEAD^!", env=env,
                         check=False)  # --parallel: builds only
            bench += ["--bench", BUILD_CHECK] if bench else []
            samples = os.path.join(ROOT, ".asv", "samples", git("rev-parse", "HEAD"))
            matrix.measure(matrix_envs(conf, [name for name, _ in envs]), env, samples, git("rev-parse", "HEAD"))
            for names, grid in time_budget(envs):
                status = asv("run", *run_options(machine), *(a for name in names for a in ("-E", name)), *bench,
                             "HEAD^!", env={**env, GRID: grid, SAMPLES: samples}, check=False) or status
        publish(machine)
        if args.command == "run":
            print(run_summary(machine, git("rev-parse", "HEAD"), time.perf_counter() - started,
                              os.path.join(ROOT, "html", "overview.json")))
        if status:
            print(f"asv exited with status {status}: some benchmarks failed (see above).", file=sys.stderr)
        return status


def run_summary(machine, commit, seconds, overview_json, biggest=5):
    """A few lines for people: the machine, the time taken, the run's controls and its change marks, the
    biggest first, and where the full tables are (the overview's JSON that publish wrote)."""
    from tools.reports.overview import controls_text

    with open(overview_json) as f:
        section = next((s for s in json.load(f) if s["machine"] == machine and s["commit"] == commit), None)
    lines = [f"\n== make bench: machine {machine}, commit {commit[:8]}, {seconds / 60:.1f} min"]
    if section is None:
        return "\n".join(lines + ["no overview of this commit (see the asv output above)"])
    marks = sorted(((row, i) for row in section["rows"] for i, m in enumerate(row["marks"]) if m),
                   key=lambda ri: -abs(math.log(ri[0]["ratios"][ri[1]][0])) if ri[0]["ratios"][ri[1]] else 0)
    lines.append(controls_text(section["controls"]))
    lines.append(f"{len(marks)} changes marked between NumPy versions; the biggest:")
    for row, i in marks[:biggest]:
        ratio, low, high = row["ratios"][i] or (math.nan,) * 3
        lines.append(f"  {row['kernel']}:{row['variant']} on NumPy {section['numpy'][i]}: {row['marks'][i]}, "
                     f"speedup x{ratio:.2f} [{low:.2f}-{high:.2f}] against the column it is compared with")
    lines.append("Full tables: html/overview.html, html/claims.html (make serve), or make overview, make claims, "
                 "make summary, make report")
    return "\n".join(lines)


def time_budget(envs):
    """[(environment names, NPOPT_GRID)]: the newest NumPy release timed at every size, the older
    releases and the SIMD-disabled twin at the headline points only, which is where the speedups,
    the overview's charts and the release-note claims read them (docs/matrix.md, "What each environment times")."""
    newest = [envs[-1][0]]
    older = [name for name, _ in envs if name not in newest]
    return [(names, grid) for names, grid in ((older, "headline"), (newest, "full")) if names]


def commits_on_main():
    return int(git("rev-list", "--count", "main")) - 1  # main~N must exist


if __name__ == "__main__":
    sys.exit(main())

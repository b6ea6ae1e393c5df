"""The gate's measurements of two builds: wall-time rounds of the worker (tools/gate/worker.py) in
A B B A order, allocated bytes once per build, and each build's Valgrind counts, kept with the build."""
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from measurement import cost
from measurement.machine import this_machine
from measurement.paths import ROOT
from measurement.point import Point
from tools import gate

WORKER = os.path.join(ROOT, "tools", "gate", "worker.py")  # run as a script: see its docstring


def exact_keys(keys):
    """A regular expression matching exactly these benchmark keys (the worker's --bench and --skip)."""
    return "^(" + "|".join(k.replace(".", r"\.") for k in keys) + ")$"


def run_worker(site, bench, what=()):
    """Run one worker process over the build at ``site``; return {key: {"seconds": [...]}}, or with
    what=("--bytes",) {key: {"bytes": n}}; what may also carry ("--skip", REGEX)."""
    with tempfile.NamedTemporaryFile(suffix=".json", dir=gate.WORK) as out:  # a unique name per round and gate
        cmd = [sys.executable, WORKER, out.name, *what] + (["--bench", bench] if bench else [])
        done = subprocess.run(cmd, env={**os.environ, "PYTHONPATH": site}, capture_output=True, text=True)
        if done.returncode:
            tail = "\n".join(done.stderr.strip().splitlines()[-15:])
            raise gate.CannotCompare(f"a benchmark crashed on the build in {site}:\n{tail}")
        report = json.load(open(out.name))
    if os.path.realpath(report["npopt"]) != os.path.realpath(os.path.join(site, "npopt")):
        raise gate.CannotCompare(f"the worker imported npopt from {report['npopt']}, not from {site}")
    return report["results"]


def schedule(rounds):
    """The order of the worker runs, A B B A A B B A ...: with an even number of rounds both sides
    have the same mean position."""
    return [side for r in range(rounds) for side in (("baseline", "candidate"), ("candidate", "baseline"))[r % 2]]


def time_rounds(sites, bench, rounds, log, skip=()):
    """{side: {key: [round minima]}} from the rounds in schedule() order, the keys in skip left untimed."""
    minima = {side: {} for side in sites}
    for position, side in enumerate(schedule(rounds)):
        log(f"  round {position // 2 + 1}/{rounds}: {side}")
        for key, result in run_worker(sites[side], bench, ("--skip", exact_keys(skip)) if skip else ()).items():
            minima[side].setdefault(key, []).append(min(result["seconds"]))
    return minima


def allocations(sites, bench, log):
    """{side: {key: bytes}}: one untimed worker per build (allocations are deterministic, so it may share the
    cores with the count)."""
    log("gate: allocated bytes, once per build")
    return {side: {key: result["bytes"] for key, result in run_worker(site, bench, ("--bytes",)).items()}
            for side, site in sites.items()}


def counts_path(site, bench):
    """Where a build's counts are kept: in the build, per machine and per what else makes a count (a
    count is deterministic: the same build counted alike counts the same, docs/cost.md): the --bench
    selection, this checkout's measurement package (every module of measurement/, which builds and
    counts the calls) and Valgrind."""
    made = hashlib.sha256((bench or "").encode())
    for path in sorted(glob.glob(os.path.join(os.path.dirname(cost.__file__), "*.py"))):
        with open(path, "rb") as f:
            made.update(f.read())
    try:
        made.update(subprocess.run([cost.tool("valgrind", "valgrind"), "--version"], capture_output=True).stdout)
    except cost.CostUnavailable as exc:
        raise gate.CannotCompare(str(exc)) from None
    return os.path.join(site, ".npopt-counts", f"{this_machine()}-{made.hexdigest()[:16]}.json")


def count_builds(sites, bench, log):
    """{side: {key: cost figures}}: each build's counts, kept from an earlier gate of the same build, or
    counted under callgrind; the builds that need it at once, the cores shared between them (a count
    does not depend on what else runs)."""
    paths = {site: counts_path(site, bench) for site in set(sites.values())}
    kept = {site: json.load(open(path)) for site, path in paths.items() if os.path.exists(path)}
    todo = sorted(set(paths) - set(kept))
    log(f"gate: counting {len(todo)} build(s) under callgrind" + (f", {len(kept)} kept from an earlier gate"
                                                                    if kept else ""))
    if todo:
        parts = max(1, len(os.sched_getaffinity(0)) // len(todo))
        with ThreadPoolExecutor(len(todo)) as pool:
            futures = {site: pool.submit(cost.count, bench, env={**os.environ, "PYTHONPATH": site}, parts=parts,
                                         declared=False)  # a declared memory-bound benchmark is timed
                       for site in todo}
            try:
                for site, future in futures.items():
                    kept[site] = {Point(*at).gate_key: figures for at, figures in future.result().items()}
            except cost.CostUnavailable as exc:
                raise gate.CannotCompare(str(exc)) from None
    for site in todo:
        elsewhere = {os.path.realpath(f["npopt"]) for f in kept[site].values()} - {
            os.path.realpath(os.path.join(site, "npopt"))}
        if elsewhere:
            raise gate.CannotCompare(f"the count imported npopt from {elsewhere.pop()}, not from {site}")
        os.makedirs(os.path.dirname(paths[site]), exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=os.path.dirname(paths[site]), delete=False) as f:
            json.dump(kept[site], f)
        os.replace(f.name, paths[site])  # whole or not at all: a gate killed midway keeps no partial count
    return {side: kept[site] for side, site in sites.items()}

"""A year of nights, simulated: how big the results branches grow, how long `make publish` takes and how
big and how fast the dashboard is, with the nightly's three machines and the full NumPy matrix.

In a sandbox folder (default .asv/year/, wiped first), from real results files of results/ (each
machine's newest night stored in the most environments, with samples):

  project/    a git repository with one commit on main per night, the commits the results name
  plain/      the results branch of the baseline design: every night's files as asv writes them
  rounded/    the same, every non-integral figure and sample rounded to 5 significant digits
  split/      tools/nightly/retention.py's design: `results` (thinned files, never rewritten) and
              `results-samples` (one commit: the whole files of the kept nights), by store_night
  restored/   the results tree the nightly restores from split/'s two branches; `make publish` reads it

A night's files are the real ones with each non-integral figure times a log-normal factor (3%; its interval
and samples with it, each sample times a further 1%), the integral ones (counts, bytes, checksums) as they
are, as between real nights, the night's commit and date. Measured: each branch's packed size (git
pack-objects of everything reachable from it, no delta or object reused: what `git repack -adf` makes),
the wall time of `python -m tools.dashboard.publish` on restored/ (`make publish`), the size of the
html/ it writes, and, in headless Chromium served from 127.0.0.1, the index page's DOM-interactive time,
the time until the summary graphs in view are drawn, and the time until a benchmark's graph has every
series drawn (each the median and the slowest of LOADS fresh loads).

Usage: python -m tools.year [--nights 365] [--machines 3] [--envs 11] [--keep-nights 7] [--dir DIR] [--docs]
  --docs: write the figures into docs/year.md's generated block
"""
import argparse
import datetime
import functools
import glob
import http.server
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time

import numpy
from asv.results import get_filename
from asv.util import load_json, truncate_float_list, write_json
from playwright.sync_api import sync_playwright

from measurement.machine import this_machine
from measurement.paths import ROOT, git
from tools.nightly import retention
from tools.results import latest_commit, machines as stored_machines, results_dir

NIGHTS, MACHINES, ENVS = 365, 3, 11
DOCS = os.path.join(ROOT, "docs", "year.md")
START, END = "<!-- year:start -->", "<!-- year:end -->"
FIGURES = "<!-- year:figures "  # the figures the block was written from, as JSON, inside the block
DAY_MS = 86_400_000
NIGHT_NOISE, SAMPLE_NOISE, DURATION_NOISE = 0.03, 0.01, 0.05  # log-normal sigmas
SEED = 19
DESIGNS = ("plain", "rounded", "split")
TARGETS = {"branch_mb": 100, "publish_s": 120, "interactive_s": 3}  # the issue's: a year's growth, a publish, a load
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOADS = 3
GRAPH = "bench_compiled.track_cython_built_with_numpy"  # unparametrized: one series per machine and environment
# the summary graphs in view (of the benchmarks that have one: drawn) have their canvas
SUMMARY_DRAWN = """drawn => { const plots = [...document.querySelectorAll('#summarygrid-display .benchmark-plot')]
  .filter(p => p.getBoundingClientRect().top < window.innerHeight
               && drawn.includes(p.id.slice('summarygrid-'.length)));
  return plots.length > 0 && plots.every(p => p.querySelector('canvas')); }"""
GRAPH_DRAWN = "n => window.$ && $('#main-graph').data('plot') && $('#main-graph').data('plot').getData().length >= n"


# ---- the nights --------------------------------------------------------------------------------------

def sources(machines, envs):
    """{machine: [parsed results files]}: the envs first environments of each machine's night read by the
    reports (tools/results.py latest_commit), for the machines whose night has the most environments with samples."""
    found = {}
    for machine in stored_machines():
        commit = latest_commit(machine, widest=True)
        paths = sorted(glob.glob(os.path.join(results_dir(), machine, f"{commit[:8]}-*.json"))) if commit else []
        found[machine] = [data for data in map(load_json, paths) if has_samples(data)][:envs]
    chosen = sorted(found, key=lambda m: (-len(found[m]), m))[:machines]
    if len(chosen) < machines or any(len(found[m]) < envs for m in chosen):
        raise SystemExit(f"results/ holds {sum(len(f) >= envs for f in found.values())} machines with {envs} "
                         f"environments with samples at their newest night; asked for {machines}")
    return {m: found[m] for m in chosen}


def has_samples(data):
    """Whether any figure of a results file has its samples (asv lists every column, stored or not)."""
    at = data["result_columns"].index("samples")
    return any(len(row) > at and row[at] for row in data["results"].values())


def make_project(path, nights, first_date):
    """A git repository at path with nights commits on main, a day apart from first_date (ms); their
    [(commit, date in ms)]. git fast-import: a few commits a second by `git commit` would take minutes."""
    git("init", "--quiet", "--bare", "--initial-branch", "main", path, cwd=ROOT)
    stream = []
    for night in range(nights):
        message = f"night {night + 1}\n"
        stream += ["commit refs/heads/main",
                   f"committer Nightly <nightly@example.invalid> {(first_date + night * DAY_MS) // 1000} +0000",
                   f"data {len(message)}", message]
    subprocess.run(["git", "fast-import", "--quiet"], input="\n".join(stream) + "\n", text=True, cwd=path, check=True)
    commits = git("rev-list", "--reverse", "main", cwd=path).split()
    return [(commit, first_date + night * DAY_MS) for night, commit in enumerate(commits)]


def lognormal(rng, sigma):
    return math.exp(rng.gauss(0.0, sigma))


def scaled(value, factor):
    """A figure of another night: a measured one times factor; counts, bytes, checksums and gaps as they are."""
    return value * factor if retention.is_measured(value) else value


def night(source, commit, date, rng):
    """A results file of another night: source's figures varied (see the module's docstring), its commit and date."""
    columns, shift = source["result_columns"], date - source["date"]
    rows = {}
    for name, row in source["results"].items():
        cells = dict(zip(columns, row))
        factors = [lognormal(rng, NIGHT_NOISE) for _ in cells["result"]]
        cells["result"] = [scaled(v, f) for v, f in zip(cells["result"], factors)]
        for column in ("stats_ci_99_a", "stats_ci_99_b", "stats_q_25", "stats_q_75"):
            if cells.get(column):  # asv stores its statistics to 5 significant digits
                cells[column] = truncate_float_list([scaled(v, f) for v, f in zip(cells[column], factors)])
        if cells.get("samples"):
            cells["samples"] = [[scaled(s, f * lognormal(rng, SAMPLE_NOISE)) for s in taken] if taken else taken
                                for taken, f in zip(cells["samples"], factors)]
        if cells.get("started_at"):
            cells["started_at"] += shift
        if cells.get("duration"):
            cells["duration"] = truncate_float_list(cells["duration"] * lognormal(rng, DURATION_NOISE))
        rows[name] = [cells.get(c) for c in columns][:len(row)]
    return {**source, "commit_hash": commit, "date": date, "results": rows}


def rounded_whole(data):
    """Design "rounded": the whole file, its figures and samples rounded as tools/nightly/retention.py rounds."""
    columns = data["result_columns"]
    rounding = [column in ("result", "samples") for column in columns]
    return {**data, "results": {name: [retention.rounded(v) if r else v for v, r in zip(row, rounding)]
                                for name, row in data["results"].items()}}


def write_tree(tree, files):
    """Write {machine: [results data]} into the results tree, with results/'s machine.json and benchmarks.json."""
    os.makedirs(tree, exist_ok=True)
    shutil.copyfile(os.path.join(results_dir(), "benchmarks.json"), os.path.join(tree, "benchmarks.json"))
    for machine, datas in files.items():
        os.makedirs(os.path.join(tree, machine), exist_ok=True)
        machine_json = os.path.join(machine, "machine.json")
        shutil.copyfile(os.path.join(results_dir(), machine_json), os.path.join(tree, machine_json))
        for data in datas:
            write_json(os.path.join(tree, get_filename(machine, data["commit_hash"], data["env_name"])), data,
                       compact=True)


def init_branch(path, branch):
    """A new git repository at path on branch, committing as the nightly does, with an empty results/."""
    os.makedirs(os.path.join(path, retention.RESULTS))
    git("init", "--quiet", "--initial-branch", branch, cwd=path)
    git("config", "gc.auto", "0", cwd=path)  # packed once, at the end
    git("config", "user.name", "npopt nightly", cwd=path)  # as .github/workflows/nightly.yml commits
    git("config", "user.email", "nightly@users.noreply.github.com", cwd=path)


def commit_all(path, message):
    """Commit everything in the worktree path (a commit every night, as the nightly's)."""
    git("add", "--all", cwd=path)
    git("commit", "--quiet", "--allow-empty", "-m", message, cwd=path)


def simulate(base, found, nights, keep_nights):
    """Commit nights nights of every machine's files in each design's branches under base."""
    commits = make_project(os.path.join(base, "project"), nights,
                           max(data["date"] for datas in found.values() for data in datas) + DAY_MS)
    for design in ("plain", "rounded"):
        init_branch(os.path.join(base, design), "results")
    init_branch(os.path.join(base, "split", "results"), "results")
    init_branch(os.path.join(base, "split", "results-samples"), "results-samples")
    rng, started = random.Random(SEED), time.monotonic()
    for i, (commit, date) in enumerate(commits):
        files = {m: [night(source, commit, date, rng) for source in datas] for m, datas in found.items()}
        message = f"nightly results for {commit[:8]}"
        write_tree(os.path.join(base, "plain", retention.RESULTS), files)
        commit_all(os.path.join(base, "plain"), message)
        write_tree(os.path.join(base, "rounded", retention.RESULTS),
                   {m: [rounded_whole(d) for d in datas] for m, datas in files.items()})
        commit_all(os.path.join(base, "rounded"), message)
        tonight = os.path.join(base, "tonight")
        shutil.rmtree(tonight, ignore_errors=True)
        write_tree(tonight, files)
        retention.store_night(tonight, os.path.join(base, "split", "results"),
                              os.path.join(base, "split", "results-samples"), message, keep_nights)
        if (i + 1) % 30 == 0 or i + 1 == nights:
            print(f"  night {i + 1}/{nights} committed ({time.monotonic() - started:.0f} s)", flush=True)
    shutil.rmtree(os.path.join(base, "tonight"))


# ---- the measurements --------------------------------------------------------------------------------

def packed_mb(repo, branch):
    """MB of a pack of everything reachable from branch, every delta computed afresh (as `git repack -adf`)."""
    out = os.path.join(repo, ".git", "measured")
    subprocess.run(["git", "pack-objects", "--quiet", "--revs", "--no-reuse-delta", "--no-reuse-object", out],
                   input=f"{branch}\n", text=True, cwd=repo, check=True, stdout=subprocess.DEVNULL)
    packs = glob.glob(f"{out}-*.pack")
    size = sum(os.path.getsize(p) for p in packs)
    for p in glob.glob(f"{out}-*"):
        os.remove(p)
    return size / 1e6


def folder_size(path):
    """(files, MB) under path."""
    sizes = [os.path.getsize(os.path.join(at, n)) for at, _, names in os.walk(path) for n in names]
    return len(sizes), sum(sizes) / 1e6


def restore(base):
    """restored/: the split design's `results` tree with its `results-samples` tree over it, as the nightly
    restores them (hard links: nothing is copied)."""
    tree = os.path.join(base, "restored")
    shutil.copytree(os.path.join(base, "split", "results", retention.RESULTS), tree, copy_function=os.link)
    shutil.copytree(os.path.join(base, "split", "results-samples", retention.RESULTS), tree, dirs_exist_ok=True)
    return tree


def timed_publish(base, tree):
    """Seconds `make publish` takes on tree (asv placing its results on project/'s commits); its output
    goes to publish.log."""
    started = time.monotonic()
    with open(os.path.join(base, "publish.log"), "w") as log:
        subprocess.run([sys.executable, "-m", "tools.dashboard.publish", "--html-dir", os.path.join(base, "html"),
                        "--repo", os.path.join(base, "project")], cwd=ROOT, check=True, stdout=log,
                       stderr=subprocess.STDOUT, env={**os.environ, "NPOPT_RESULTS_DIR": tree})
    return time.monotonic() - started


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def page_timings(browser, url, ready, arg=None):
    """(DOM interactive, ready) in ms since the navigation started, on a fresh page: ready is a script
    polled until it returns true."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(url)
        page.wait_for_function(ready, arg=arg, timeout=120_000)
        drawn = page.evaluate("() => performance.now()")
        interactive = page.evaluate("() => performance.timing.domInteractive - performance.timing.navigationStart")
        return interactive, drawn
    finally:
        page.close()


def browser_figures(html_dir):
    """The index page's DOM-interactive time, the time until its summary graphs in view are drawn, and until
    GRAPH's page has every series drawn: each [median, slowest] ms of LOADS fresh loads; and GRAPH's series."""
    summaries = [name[:-len(".json")] for name in os.listdir(os.path.join(html_dir, "graphs", "summary"))]
    series = sum(name == f"{GRAPH}.json" and "machine-" in folder
                 for folder, _, names in os.walk(os.path.join(html_dir, "graphs")) for name in names)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=html_dir))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            index = [page_timings(browser, url, SUMMARY_DRAWN, summaries) for _ in range(LOADS)]
            graph = [page_timings(browser, f"{url}#{GRAPH}", GRAPH_DRAWN, series)[1] for _ in range(LOADS)]
            browser.close()
    finally:
        server.shutdown()
    spread = lambda values: [round(statistics.median(values)), round(max(values))]  # noqa: E731
    return {"interactive_ms": spread([i for i, _ in index]), "summary_ms": spread([d for _, d in index]),
            "graph_ms": spread(graph), "graph_series": series}


def measure(base, nights, found, keep_nights):
    """Every figure of the simulated year, as a dict (written to base/figures.json)."""
    figures = {"machine": this_machine(), "commit": git("rev-parse", "--short=8", "HEAD"), "numpy": numpy.__version__,
               "date": datetime.date.today().isoformat(), "nights": nights, "machines": len(found),
               "envs": len(next(iter(found.values()))), "keep_nights": keep_nights}
    per_year = NIGHTS / nights
    for design in ("plain", "rounded"):
        figures[f"{design}_mb"] = packed_mb(os.path.join(base, design), "results")
    figures["split_mb"] = packed_mb(os.path.join(base, "split", "results"), "results")
    figures["samples_mb"] = packed_mb(os.path.join(base, "split", "results-samples"), "results-samples")
    figures["per_year"] = {f"{design}_mb": figures[f"{design}_mb"] * per_year for design in DESIGNS}
    tree = restore(base)
    figures["tree_files"], figures["tree_mb"] = folder_size(tree)
    figures["publish_s"] = timed_publish(base, tree)
    figures["load_average"] = os.getloadavg()[0]  # the machine is shared: how busy it was while publishing
    figures["html_files"], figures["html_mb"] = folder_size(os.path.join(base, "html"))
    figures.update(browser_figures(os.path.join(base, "html")))
    with open(os.path.join(base, "figures.json"), "w") as f:
        json.dump(figures, f, indent=1)
    return figures


# ---- the table and the docs --------------------------------------------------------------------------

def against(value, target, unit):
    """The target and whether value meets it."""
    return f"at most {target} {unit}: " + ("met" if value <= target else f"missed by {value / target - 1:.0%}")


def table(figures):
    """The figures as markdown lines: a table of each measurement and its target."""
    f, year = figures, figures["per_year"]
    timing = lambda key: f"{f[key][0] / 1000:.2f} s median, {f[key][1] / 1000:.2f} s slowest"  # noqa: E731
    mb = lambda value: f"{value:.1f} MB"  # noqa: E731
    rows = [
        ("`results` branch, split design: thinned files, never rewritten", mb(f["split_mb"]), mb(year["split_mb"]),
         against(year["split_mb"], TARGETS["branch_mb"], "MB")),
        (f"`results-samples` branch of the split design: one commit, {f['keep_nights']} nights whole",
         mb(f["samples_mb"]), "(does not grow)", ""),
        ("(a) plain design: every night's files whole", mb(f["plain_mb"]), mb(year["plain_mb"]),
         against(year["plain_mb"], TARGETS["branch_mb"], "MB")),
        ("(b) rounded design: whole files, figures and samples to 5 digits", mb(f["rounded_mb"]),
         mb(year["rounded_mb"]), against(year["rounded_mb"], TARGETS["branch_mb"], "MB")),
        ("the results tree restored from the split design's two branches",
         f"{f['tree_files']} files, {f['tree_mb']:.0f} MB", "", ""),
        (f"`make publish` on it (load average {f['load_average']:.1f} at its end)", f"{f['publish_s']:.0f} s", "",
         against(f["publish_s"], TARGETS["publish_s"], "s")),
        ("the `html/` it writes", f"{f['html_files']} files, {f['html_mb']:.0f} MB", "", ""),
        ("index page: DOM interactive", timing("interactive_ms"), "",
         against(f["interactive_ms"][1] / 1000, TARGETS["interactive_s"], "s")),
        ("index page: its summary graphs in view drawn", timing("summary_ms"), "",
         against(f["summary_ms"][1] / 1000, TARGETS["interactive_s"], "s")),
        (f"`{GRAPH}`: its {f['graph_series']} series drawn", timing("graph_ms"), "", ""),
    ]
    return [f"| | after {f['nights']} nights | a year ({NIGHTS} nights) | target |", "|---|---|---|---|",
            *("| " + " | ".join(row) + " |" for row in rows)]


def block(figures):
    """docs/year.md's generated block: where the figures come from, the table, and the figures as JSON."""
    f = figures
    return "\n".join([
        START, "",
        f"Generated by `make year` ({f['nights']} nights, {f['machines']} machines, {f['envs']} environments each, "
        f"samples kept for {f['keep_nights']} nights) on machine `{f['machine']}`, commit `{f['commit']}`, "
        f"NumPy {f['numpy']}, {f['date']}:", "",
        *table(f), "",
        FIGURES + json.dumps(f, sort_keys=True) + " -->",
        END])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=NIGHTS)
    parser.add_argument("--machines", type=int, default=MACHINES)
    parser.add_argument("--envs", type=int, default=ENVS, help="environments per machine")
    parser.add_argument("--keep-nights", type=int, default=retention.KEEP_NIGHTS,
                        help="the nights of each machine whose files stay whole in `results-samples`")
    parser.add_argument("--dir", default=os.path.join(ROOT, ".asv", "year"), help="the sandbox, wiped first")
    parser.add_argument("--docs", action="store_true", help="write the figures into docs/year.md")
    args = parser.parse_args(argv)
    found = sources(args.machines, args.envs)
    shutil.rmtree(args.dir, ignore_errors=True)
    os.makedirs(args.dir)
    print(f"{args.nights} nights of {', '.join(found)} ({args.envs} environments each) in {args.dir}", flush=True)
    simulate(args.dir, found, args.nights, args.keep_nights)
    figures = measure(args.dir, args.nights, found, args.keep_nights)
    print("\n".join(["", *table(figures)]))
    if args.docs:
        with open(DOCS) as f:
            head, rest = f.read().split(START, 1)
        with open(DOCS, "w") as f:
            f.write(head + block(figures) + rest.split(END, 1)[1])
        print(f"wrote the figures into {os.path.relpath(DOCS, ROOT)}")


if __name__ == "__main__":
    main()

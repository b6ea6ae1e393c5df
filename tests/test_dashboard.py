"""The published dashboard in a real headless Chromium, with no network beyond 127.0.0.1.

Publishes the stored results (results/) into a temporary directory the way `make publish` does,
serves it on 127.0.0.1 and checks: the asv index loads with no failed or outside request, a
benchmark graph draws one series per NumPy environment, the overview page lists every technique
and draws a chart per technique with results, and the claims page lists every release-note claim.
Screenshots go to test-artifacts/. Needs a Chromium: the one the CHROMIUM environment variable names
(a Chromium or Google Chrome, as on macOS), else chromium on the PATH or Debian's (`make test`
installs it where there is apt-get).
"""
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading

import pytest
from playwright.sync_api import sync_playwright

from measurement import change
from npopt import TECHNIQUES
from tools.reports import overview
from tools.results import Run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(ROOT, "test-artifacts")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync"]
GRAPH = "bench_compiled.track_cython_built_with_numpy"  # unparametrized: one series per environment
# asv's own page sometimes asks flot to draw before its container is laid out (a race in asv,
# seen about once in ten loads); the next draw succeeds. Any other script error fails the test.
ASV_LAYOUT_RACE = "Invalid dimensions for plot, width = 0"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    html_dir = str(tmp_path_factory.mktemp("site") / "html")
    subprocess.run([sys.executable, "-m", "tools.dashboard.publish", "--html-dir", html_dir], cwd=ROOT, check=True)
    handler = functools.partial(QuietHandler, directory=html_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield html_dir, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    assert os.path.exists(CHROMIUM), (f"no Chromium at {CHROMIUM}: set CHROMIUM to a Chromium or Google Chrome "
                                      "(see README.md, On macOS), or apt-get install -y chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site):
    """A page whose failed, erroring and non-local requests are recorded (and the latter refused)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.problems = []
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"HTTP {r.status}: {r.url}"))
    page.on("pageerror", lambda e: ASV_LAYOUT_RACE not in str(e) and page.problems.append(f"script error: {e}"))

    def only_local(route):
        if route.request.url.startswith(site[1]):
            route.continue_()
        else:
            page.problems.append(f"outside request: {route.request.url}")
            route.abort()

    page.route("**/*", only_local)
    yield page
    page.close()


def screenshot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, name), full_page=True)


def stored_numpy_versions(html_dir):
    """NumPy versions of the environments in the published index."""
    with open(os.path.join(html_dir, "index.json")) as f:
        return set(json.load(f)["params"]["numpy"])


def test_index_loads_everything_from_the_local_server(page, site):
    page.goto(site[1] + "index.html")
    page.wait_for_selector(".benchmark-container, #summarygrid-display a", timeout=30_000)
    page.wait_for_load_state("networkidle")
    screenshot(page, "dashboard-index.png")
    assert page.problems == []
    assert page.locator("text=bench_vectorization").count() > 0
    assert page.locator("#nav-li-npopt-overview a").get_attribute("href") == "overview.html"
    assert page.locator("#nav-li-npopt-gate a").get_attribute("href") == "gate.html"
    assert page.locator("#nav-li-npopt-claims a").get_attribute("href") == "claims.html"


def test_graph_draws_one_series_per_numpy_version(page, site):
    page.goto(site[1] + f"index.html#{GRAPH}")
    page.wait_for_selector("#main-graph canvas", timeout=30_000)
    series = sum(name == f"{GRAPH}.json" and "machine-" in folder  # one data file per series (not the summary)
                 for folder, _, files in os.walk(os.path.join(site[0], "graphs")) for name in files)
    page.wait_for_function(  # asv draws as each series' data arrives: wait for all of them
        "n => $('#main-graph').data('plot') && $('#main-graph').data('plot').getData().length >= n",
        arg=series, timeout=30_000)
    labels = page.evaluate("() => $('#main-graph').data('plot').getData().map(s => s.label || '')")
    screenshot(page, "dashboard-graph.png")
    assert page.problems == []
    versions = stored_numpy_versions(site[0])
    assert len(versions) >= 2, "the stored results should span several NumPy versions"
    assert len(set(labels)) == len(labels), labels  # one series per machine and NumPy version
    for version in versions:
        assert any(f"numpy-{version};" in label for label in labels), (version, labels)
    # asv puts the machine in the labels when several are shown: the fullest machine has a series for every
    # version (two for a version whose environment changed, e.g. when numexpr joined the matrix)
    by_machine = {}
    for label in labels:
        machine = label.split(";")[0] if label.startswith("machine-") else ""
        by_machine.setdefault(machine, []).append(re.search(r"numpy-([\d.]+);", label).group(1))
    fullest = max(by_machine.values(), key=len)
    assert set(fullest) == set(versions), by_machine


def test_overview_lists_every_technique_and_links_to_graphs(page, site):
    page.goto(site[1] + "overview.html")
    screenshot(page, "dashboard-overview.png")
    assert page.problems == []
    for technique in TECHNIQUES:
        assert page.locator(f"tr.technique-{technique}").count() > 0, technique
    link = page.locator("tr.technique-vectorization a").first.get_attribute("href")
    assert link.startswith("index.html#bench_vectorization.Speedup.track_speedup")


# Colored pixels on a chart's canvas (the grid is gray, the background transparent): its lines were drawn.
COLORED_PIXELS = """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 0; i < d.length; i += 4) n += d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60;
  return n; }"""
CHART_SERIES = """figure => $(figure).find('.plot').data('plot').getData().map(s => ({
  name: s.name, y: s.data.map(p => p[1]), marks: s.marks}))"""


def open_charts(page, url):
    """Load an overview page, recording console errors with the other problems."""
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_overview_draws_a_chart_per_technique_with_a_line_per_variant(page, site):
    """Per machine: one chart per technique in the results, one series per variant, drawn pixels."""
    with open(os.path.join(site[0], "overview.json")) as f:
        report = json.load(f)
    open_charts(page, site[1] + "overview.html")
    screenshot(page, "dashboard-overview-charts.png")
    assert page.problems == []
    for machine in report:
        present = {row["technique"] for row in machine["rows"] if any(v is not None for v in row["speedups"])}
        variants = {}
        for row in (r for r in machine["rows"] if r["technique"] in present):
            variants.setdefault(row["technique"], []).append(f"{row['kernel']}:{row['variant']}")
        figures = page.locator(f".charts[data-machine='{machine['machine']}'] figure.chart")
        assert [f.get_attribute("data-technique") for f in figures.all()] == list(variants)
        for figure in figures.all():
            series = figure.evaluate(CHART_SERIES)
            assert [s["name"] for s in series] == variants[figure.get_attribute("data-technique")]
            assert figure.locator("canvas.flot-base").evaluate(COLORED_PIXELS) > 100


def test_a_variant_missing_from_a_numpy_is_a_gap_and_a_change_a_mark(page, site):
    """Constructed results: n/a in one NumPy is null in the drawn series (not 0); a jump is marked."""
    pair = ("vectorization.add:ufunc",)
    speedups = {"1.26.4": 70.0, "2.0.2": None, "2.2.6": 72.0, "2.3.5": 150.0}
    runs = [Run(f"env-{v}", v, {overview.SPEEDUP.format(technique="vectorization"): {pair: s} if s else {}}, {})
            for v, s in speedups.items()]
    versions, rows = overview.overview(runs)
    checks = overview.controls(runs, rows, versions)
    overview.write_page(os.path.join(site[0], "overview-gap.html"), [("m", "0" * 40, versions, rows, checks)])
    open_charts(page, site[1] + "overview-gap.html")
    assert page.problems == []
    (figure,) = page.locator("figure.chart").all()
    (series,) = [s for s in figure.evaluate(CHART_SERIES) if s["name"] == "add:ufunc"]
    assert series["y"] == list(speedups.values())
    assert series["marks"] == [None, None, None, change.FASTER]
    assert "\u25b2 2.3.5" in figure.locator(".legend").inner_text()


def test_claims_page_lists_every_release_note_claim(page, site):
    from tools.reports.claims import load_claims

    page.goto(site[1] + "claims.html")
    screenshot(page, "dashboard-claims.png")
    assert page.problems == []
    assert page.locator("tr.claim").count() == len(load_claims())


def test_regressions_page_and_feed_never_call_an_improvement_a_regression(page, site):
    """asv lists every rise as a regression; the speedup and bandwidth figures are higher-is-better,
    so asv.conf.json keeps them off its Regressions page and Atom feed (measurement/change.py marks them)."""
    with open(os.path.join(site[0], "regressions.json")) as f:
        listed = [entry[0] for entry in json.load(f)["regressions"]]
    with open(os.path.join(site[0], "regressions.xml")) as f:
        feed = f.read()
    for name in listed:
        assert not change.higher_is_better(name.split("(")[0]), name
    for figure in change.HIGHER_IS_BETTER:
        assert figure not in feed
    page.goto(site[1] + "index.html#/regressions")
    page.wait_for_selector("#regressions-body, .regressions-display, table", timeout=30_000)
    screenshot(page, "dashboard-regressions.png")
    assert page.problems == []

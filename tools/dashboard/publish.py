"""Publish the dashboard from the stored results: asv's pages, made to work offline, with ours added
(the NumPy-versions overview, the release-note claims, the gate's last result, the machines side by side)
and linked from asv's navigation bar.

Usage: python -m tools.dashboard.publish [--html-dir DIR] [--repo GIT_DIR]   (default html/ and this checkout;
       `make bench` ends with it too)
"""
import argparse
import ctypes
import errno
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

from asv import util

from measurement.machine import this_machine
from measurement.paths import ROOT
from tools import gate, lock
from tools.dashboard import assets, pages
from tools.gate.report import text_report
from tools.results import CONF, machines as stored_machines, refused, results_dir

ASV_NAV_ANCHOR = '<li id="nav-li-regressions"><a href="#/regressions">Regressions</a></li>'


def publish(machine, html_dir="html", repo=None):
    """asv publish (every machine's stored results), then make the pages work offline and add the overview,
    the release-note claims (this machine), the gate page and the machines page.

    Holds the html lock (tools/lock.py; a second publish waits). The dashboard is built in a temporary
    folder beside html_dir and swapped in by one rename (swap_in), so html_dir is always a whole
    dashboard, the old or the new. asv publish reads a copy of results/ without the refused files
    (tools/results.py names them on stderr): a damaged file would stop it or end up on the pages.
    NPOPT_FAKE_SLOW_STEP=publish-swap stops it with the new dashboard whole, not yet in place.
    repo: the git repository whose commits the results name (default: this checkout).
    """
    with lock.hold("html"):
        target = os.path.join(ROOT, html_dir)
        parent, name = os.path.split(os.path.abspath(target))
        for stale in glob.glob(os.path.join(parent, f".{name}.publishing-*")):  # left by a killed publish
            shutil.rmtree(stale)
        staging = tempfile.mkdtemp(prefix=f".{name}.publishing-", dir=parent)
        os.chmod(staging, 0o755)
        config = publish_config(f"{staging}.results", {p for p, _ in refused()}, repo)
        # asv through tools.results, which writes its JSON files all-or-nothing
        subprocess.run([sys.executable, "-m", "tools.results", "--config", config, "publish", "--html-dir", staging],
                       cwd=ROOT, check=True)
        shutil.rmtree(os.path.dirname(config))
        assets.vendor(staging)
        machines = sorted(stored_machines(), key=lambda m: m != machine)  # this machine's table first
        out = os.path.join(staging, "overview")
        # the tables go to the pages; make overview and make claims print them
        subprocess.run([sys.executable, "-m", "tools.reports.overview", *(a for m in machines for a in ("--machine", m)),
                        "--html", f"{out}.html", "--csv", f"{out}.csv", "--json", f"{out}.json"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "tools.reports.claims", "--html", os.path.join(staging, "claims.html")],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        write_gate_page(staging)
        subprocess.run([sys.executable, "-m", "tools.reports.machines", "--html", os.path.join(staging, "machines.html")],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        link_pages(os.path.join(staging, "index.html"))
        lock.fake_slow_step("publish-swap")  # the new dashboard whole, not yet in place
        swap_in(staging, target)
    print(f"\nDashboard: {html_dir}/ (overview page: {html_dir}/overview.html). Serve it with: make serve")


def publish_config(folder, left_out, repo=None):
    """folder/asv.conf.json: asv.conf.json reading folder/results/, a copy of the stored results without
    the files in left_out (hard links: nothing is copied, and results files are only ever replaced, never
    changed in place). Its paths are absolute, so it works from folder; repo, when given, stands for the
    checkout's git repository (asv places the results on its commits)."""
    conf = util.load_json(CONF, js_comments=True)
    conf.update({key: os.path.join(ROOT, conf[key]) for key in ("repo", "benchmark_dir", "env_dir", "html_dir")},
                results_dir=os.path.join(folder, "results"))
    if repo:
        conf["repo"] = os.path.abspath(repo)
    shutil.copytree(results_dir(), conf["results_dir"], copy_function=link_or_copy,
                    ignore=lambda at, names: [n for n in names if os.path.join(at, n) in left_out
                                              or n.endswith(".partial")])
    with open(os.path.join(folder, "asv.conf.json"), "w") as f:
        json.dump(conf, f, indent=1)
    return os.path.join(folder, "asv.conf.json")


def link_or_copy(source, copy):
    try:
        os.link(source, copy)
    except OSError:  # another filesystem
        shutil.copy2(source, copy)


RENAME_EXCHANGE, AT_FDCWD = 2, -100  # linux/fs.h, linux/fcntl.h


def swap_in(new, target):
    """Put the folder new in target's place in one step, then delete the old one.

    A folder cannot be renamed over a non-empty one, so the two are exchanged by Linux's
    renameat2(RENAME_EXCHANGE), called through ctypes: Python's os has no renameat2, and the PyPI
    wrapper renameat2 is unmaintained. Where the kernel or the filesystem lacks it, two renames (a
    moment with no target, never a half one)."""
    if not os.path.exists(target):
        os.rename(new, target)
        return
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 and renameat2(AT_FDCWD, os.fsencode(new), AT_FDCWD, os.fsencode(target), RENAME_EXCHANGE) == 0:
        shutil.rmtree(new)  # now the old dashboard
        return
    if renameat2 and ctypes.get_errno() not in (errno.ENOSYS, errno.EINVAL):
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), target)
    old = f"{new}.old"
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old)


def link_pages(index):
    """Add our pages (templates/nav.html) to asv's navigation bar in the page index (once)."""
    with open(index) as f:
        page = f.read()
    if "nav-li-npopt-overview" not in page and ASV_NAV_ANCHOR in page:
        with open(index, "w") as f:
            f.write(page.replace(ASV_NAV_ANCHOR, ASV_NAV_ANCHOR + pages.render("nav.html")))


def write_gate_page(html_dir):
    """html_dir/gate.html from the gate results stored here: each machine's of the last nightly merge
    (.asv/gate/nightly/<machine>.json, tools/nightly/merge.py), else the last `make gate` (.asv/gate/last.json)."""
    nightly = sorted(glob.glob(os.path.join(gate.WORK, "nightly", "*.json")))
    paths = nightly or [p for p in [os.path.join(gate.WORK, "last.json")] if os.path.exists(p)]
    gates = []
    for path in paths:
        result = json.load(open(path))
        gates.append({"title": f"machine {os.path.basename(path)[:-5]}" if nightly else None, "result": result,
                      "report": text_report(result) if result.get("status") != "error" else None})
    pages.write(os.path.join(html_dir, "gate.html"), "gate.html", gates=gates)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html-dir", default="html", help="where the dashboard goes (default: html/)")
    parser.add_argument("--repo", help="the git repository whose commits the results name (default: this checkout)")
    args = parser.parse_args(argv)
    publish(this_machine(), args.html_dir, args.repo)


if __name__ == "__main__":
    main()

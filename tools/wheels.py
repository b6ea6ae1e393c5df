"""Which NumPy releases of the matrix have no wheel for this machine: their environments are skipped.

asv creates an environment with pip, which, where a release has no wheel for the machine, compiles
NumPy from its source instead: minutes, and failing for old releases on newer compilers and
Pythons. Whether a wheel exists is read from the package index's list of NumPy's files (the simple
API in its JSON form, PEP 691, which pip reads too: one reply lists every release's files, about
2 MB) and matched, with ``packaging.tags``, against the tags a CPython of the environment's version
accepts on this machine. Where the index cannot be read (offline, a timeout), nothing is skipped and
a line says so: a failed request is no evidence that a wheel is missing, and an environment asv
built earlier needs no download (a new one without a wheel is then left to pip, as before).
"""
import json
import urllib.request

from packaging import tags
from packaging.utils import parse_wheel_filename

from measurement.machine import platform_name

INDEX = "https://pypi.org/simple/numpy/"
TIMEOUT = 10  # seconds: the reply takes well under one on a working connection


def index_files(url=INDEX, timeout=TIMEOUT):
    """The names of NumPy's files on the package index (yanked ones too: pip installs them when pinned, PEP 592)."""
    request = urllib.request.Request(url, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return [f["filename"] for f in json.load(reply)["files"]]


def accepted_tags(python, platforms):
    """The wheel tags a CPython of version python ('3.11') installs on platforms (platform tags)."""
    version = tuple(int(part) for part in python.split("."))
    return {*tags.cpython_tags(version, platforms=platforms), *tags.compatible_tags(version, platforms=platforms)}


def has_wheel(files, numpy, python, platforms):
    """Whether files (names) hold a wheel of NumPy version numpy that CPython python installs on platforms."""
    accepted = accepted_tags(python, platforms)
    return any(parse_wheel_filename(name)[3] & accepted for name in files
               if name.startswith(f"numpy-{numpy}-") and name.endswith(".whl"))


def without_wheels(pairs):
    """{(NumPy version, Python version): why it is skipped} for the pairs whose NumPy has no wheel for this
    machine's CPython of that version; {} (with a printed line saying so) where the index cannot be read.

    This interpreter's platform tags stand for every Python of the matrix: they share the machine's
    system, C library and architecture."""
    try:
        files = index_files()
    except (OSError, ValueError, KeyError) as exc:  # no network, a timeout, an HTTP error; a reply of another form
        print(f"cannot read NumPy's files from {INDEX} ({exc}): which releases have a wheel here is unknown, so "
              "every environment is tried")
        return {}
    platforms = list(tags.platform_tags())
    return {(numpy, python): f"NumPy {numpy} has no wheel for {platform_name()} cp{python.replace('.', '')}"
            for numpy, python in sorted(pairs) if not has_wheel(files, numpy, python, platforms)}

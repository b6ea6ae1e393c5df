"""asv's plugin for this suite (asv.conf.json, "plugins"): what a plain ``asv`` command needs here.

asv imports it in its own process before a command runs and calls ``setup``, so all of this holds
whether asv is started by make or by hand (docs/asv.md):

- **The machine.** asv names a machine after the host (``vm`` on every VM here) unless told. This
  host's hardware fingerprint (tools/machine.py) is registered in ``~/.asv-machine.json`` and made
  asv's default name, so results go under it; ``--machine`` still picks another.
- **The selection.** asv runs a setup_cache without saying which benchmarks will read it. The suite's
  one measurement measures the kernels that asv's selection reads (``benchmarks.common.SELECT``):
  ``--bench`` of run and continuous, the regular expression of find, the benchmark of profile.
- **A quick look.** ``--quick`` and profile: one short measuring process, nothing counted (QUICK);
  profile: the profiled figure calls its kernel (PROFILE).
- **Whole files.** asv writes its JSON files all-or-nothing (``tools.results.patch_asv``).
"""
import os
import sys

from asv import util


def selection(args):
    """asv's benchmark selection in the parsed command line ``args``, as one regular expression, or None."""
    if getattr(args, "benchmark", None):  # profile: a regular expression of one name, matched whole, as asv does
        return f"^{args.benchmark}$"
    bench = getattr(args, "bench", None)
    patterns = [bench] if isinstance(bench, str) else bench or []
    return "|".join(f"(?:{p})" for p in patterns) or None


def register_machine():
    """Record this host in asv's machine file under its fingerprint name, and make that asv's default."""
    from asv.machine import Machine, MachineCollection

    from tools.machine import asv_machine_info

    info = asv_machine_info()
    MachineCollection.save(info["machine"], info)
    Machine.hardcoded_machine_name = info["machine"]


def setup():
    """Register this machine and make it asv's default; pass the command's selection and quickness on to
    the suite's measurement through the environment every benchmark process inherits."""
    from asv.commands import make_argparser

    try:
        from benchmarks.common import PROFILE, QUICK, SELECT
        from tools import machine  # noqa: F401 (register_machine's: it needs NumPy)
        from tools.results import patch_asv
    except ImportError as exc:
        raise util.UserError(f"npopt's asv plugin cannot start ({exc}): run asv from the project's "
                             "environment, .venv/bin/asv, after `make .venv/.built`") from exc
    patch_asv()
    register_machine()
    args, _ = make_argparser()[0].parse_known_args(sys.argv[1:])
    pattern = selection(args)
    if pattern:
        os.environ[SELECT] = pattern
    command = getattr(args.func, "__self__", None)
    profiling = getattr(command, "__name__", "") == "Profile"
    if getattr(args, "quick", False) or profiling:
        os.environ[QUICK] = "1"
    if profiling:
        os.environ[PROFILE] = "1"

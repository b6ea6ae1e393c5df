"""asv's plugin for this suite (asv.conf.json, "plugins"): what a plain ``asv`` command needs here.

asv imports it in its own process before a command runs and calls ``setup``, so all of this holds
whether asv is started by make or by hand (docs/asv.md):

- **The machine.** asv names a machine after the host (``vm`` on every VM here) unless told. This
  host's hardware fingerprint (tools/machine.py) is registered in ``~/.asv-machine.json`` and made
  asv's default name, so results go under it; ``--machine`` still picks another.
- **The selection.** asv runs a setup_cache without saying which benchmarks will read it. The suite's
  one measurement measures the kernels that asv's selection reads (``measurement.grids.SELECT``):
  ``--bench`` of run and continuous, the regular expression of find, the benchmark of profile.
- **A quick look.** ``--quick`` and profile: one short measuring process, nothing counted (QUICK);
  profile: the profiled figure calls its kernel (PROFILE).
- **The direction of a change.** asv compare and continuous take a smaller figure as better; for the
  figures that grow with speed (``measurement.change.HIGHER_IS_BETTER``: speedups, % of the triad) a rise
  is an improvement (``compare_in_their_direction``).
- **continuous in rounds.** One commit's run can fall in a slow phase of a shared host (the same code
  ran 1.5x apart between two runs a minute apart on a 2-vCPU host, docs/asv.md), so continuous times each commit in
  CONTINUOUS_ROUNDS rounds, interleaved across the two commits, unless ``-a rounds=N`` says otherwise
  (``continuous_in_rounds``); asv tests the pooled samples.
- **Whole files.** asv writes its JSON files all-or-nothing (``tools.results.patch_asv``).
"""
import os
import sys

from asv import util

CONTINUOUS_ROUNDS = 4  # rounds of asv continuous per commit: 12 samples each, enough for asv's Mann-Whitney test


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

    from measurement.machine import asv_machine_info

    info = asv_machine_info()
    MachineCollection.save(info["machine"], info)
    Machine.hardcoded_machine_name = info["machine"]


def compare_in_their_direction():
    """Make asv's compare (which continuous calls) judge the HIGHER_IS_BETTER figures the other way round.

    asv decides with ``_is_result_better(a, b, ...)`` ("a < b / factor", with its statistics), called
    from ``Compare.print_table`` with the figure's (name, machine/environment) in its local
    ``benchmark``. asv offers no hook for a figure's direction, so the wrapper reads that local from the
    caller's frame (asv is pinned in requirements-dev.txt; test_asv_plugin holds the behaviour)."""
    from asv.commands import compare

    from measurement.change import higher_is_better

    judge = getattr(compare._is_result_better, "__wrapped__", compare._is_result_better)

    def in_their_direction(a, b, a_ss, b_ss, factor, use_stats=True):
        name = sys._getframe(1).f_locals.get("benchmark", ("",))[0].split("(")[0]
        if higher_is_better(name):
            return judge(b, a, b_ss, a_ss, factor, use_stats=use_stats)
        return judge(a, b, a_ss, b_ss, factor, use_stats=use_stats)

    in_their_direction.__wrapped__ = judge
    compare._is_result_better = in_their_direction


def continuous_in_rounds():
    """Give asv continuous CONTINUOUS_ROUNDS rounds (asv's ``-a rounds=``) where it was given none: asv
    interleaves the rounds of the two commits (its --interleave-rounds, on by default), so a slow phase
    hits both. asv has no configuration default for an attribute; this wraps Continuous.run."""
    from asv.commands.continuous import Continuous

    run = getattr(Continuous.run, "__wrapped__", Continuous.run.__func__)

    def in_rounds(cls, conf, *args, attribute=None, **kwargs):
        return run(cls, conf, *args, attribute={"rounds": CONTINUOUS_ROUNDS, **(attribute or {})}, **kwargs)

    in_rounds.__wrapped__ = run
    Continuous.run = classmethod(in_rounds)


def setup():
    """Register this machine and make it asv's default; pass the command's selection and quickness on to
    the suite's measurement through the environment every benchmark process inherits."""
    from asv.commands import make_argparser

    try:
        from measurement import change, machine  # noqa: F401 (imported below: machine needs NumPy, change scipy)
        from measurement.grids import PROFILE, QUICK, SELECT
        from tools.results import patch_asv
    except ImportError as exc:
        raise util.UserError(f"npopt's asv plugin cannot start ({exc}): run asv from the project's "
                             "environment, .venv/bin/asv, after `make .venv/.built`") from exc
    patch_asv()
    register_machine()
    compare_in_their_direction()
    continuous_in_rounds()
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

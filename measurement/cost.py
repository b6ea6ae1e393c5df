"""How a kernel's cost is counted: its calls alone, on Valgrind's cache simulator (callgrind).

The timed figures (measurement/timing.py) move with the host's load; a count does not. One child
Python runs under ``setarch -R valgrind --tool=callgrind --instr-atstart=no`` (address-space
randomisation off, PYTHONHASHSEED=0, the fixed cache geometry GEOMETRY) and counts every point of
``cost_points``: each variant at its kernel's smallest benchmarked size, but interpreted loops
(``Variant.max_n``: simulating their 10^7-10^9 instructions a call would take most of an hour) and
multi-threaded variants (``Variant.threads``), which are timed only. Per point it prepares the call
as the harness does (``inputs.prepared``: the inputs, and one call that compiles Numba and faults
the pages in; none of it simulated), switches the simulator on (which empties the simulated caches),
calls once to warm them, zeroes the counters, makes CALLS calls, dumps the counters and switches the
simulator off. A first point does all this with a function that does nothing; its counts (the loop
and the dump) are subtracted. A figure is the cost of one kernel call:

- instructions: instructions executed (callgrind's Ir), and
- cycles: an *estimate*, Ir + 10 x L1 misses + 100 x LL misses (instruction and data misses of the
  simulated caches, KCachegrind's usual weights). A model, not this machine's cycles: callgrind
  simulates two cache levels and no memory bandwidth, prefetching or out-of-order overlap. So a
  point is ``memory_bound``, and gated on wall time (tools/gate/), when its variant declares the
  bytes it moves (Variant.bytes_moved) or simulated LL misses carry MEMORY_SHARE of its estimate.

Valgrind runs no AVX-512 code and hides it from CPUID: NumPy dispatches its AVX2 (X86_V3) loops
under it, and Numba compiles for NUMBA_CPU_NAME=haswell (AVX2), so counts are of AVX2 code, while
this host's wall times are of its AVX-512 code; each count names the SIMD level it ran (``simd``).
On AArch64 Numba compiles for the generic ARMv8 CPU (NEON), since Valgrind runs no SVE.
Valgrind runs one thread at a time: BLAS, OpenMP and numexpr are held to one thread.

Valgrind exists for Linux only here (``why_no_valgrind``): elsewhere (macOS, Windows) nothing is
counted, the counted figures are n/a with that reason and the gate decides by wall time.
"""
import ctypes
import gc
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

from npopt.registry import KERNELS

from .inputs import prepared
from .machine import cpu_features, platform_name
from .paths import ROOT
from .point import Point


# (bytes, ways, line bytes): this host's (Sapphire Rapids) per-core L1i, L1d and L2; its shared L3 is not modelled
GEOMETRY = {"I1": (32768, 8, 64), "D1": (49152, 12, 64), "LL": (2097152, 16, 64)}
L1_WEIGHT, LL_WEIGHT = 10, 100
CALLS = 1
WARM_CALLS = 10  # CPython 3.11 specialises a function's bytecode from its 8th call on
MEMORY_SHARE = 0.5
CLIENT_REQUEST = "Client Request: "  # the trigger callgrind writes for a dump it was asked for
NUMBA_CPU = {"x86_64": "haswell", "aarch64": "generic"}  # the widest code Valgrind runs: AVX2; NEON (no SVE)
ENV = {"PYTHONHASHSEED": "0", "NUMBA_CPU_NAME": NUMBA_CPU.get(platform.machine(), "generic"), "NUMBA_CPU_FEATURES": "",
       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}
_HELPER = r"""#include <valgrind/callgrind.h>
void npopt_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void npopt_zero(void) { CALLGRIND_ZERO_STATS; }
void npopt_dump(const char *what) { CALLGRIND_DUMP_STATS_AT(what); }
void npopt_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; }
"""


class CostUnavailable(RuntimeError):
    """The count cannot be made here (no Valgrind, no C compiler, a failed child); the message says why."""


def why_no_valgrind():
    """Why Valgrind cannot exist on this platform, so that nothing is counted here (the counted figures
    are n/a, the gate decides by wall time), or None on Linux, where a missing valgrind is an error
    that says how to install it (``tool``).

    Valgrind supports Linux on x86-64 and AArch64 (the nightly's Linux runners) and most other Linux
    architectures, and the count runs under util-linux's setarch, a Linux command; Valgrind's releases
    support macOS up to 10.13 on Intel Macs only (not Apple silicon), and none supports Windows.
    """
    if platform.system() == "Linux":
        return None
    return f"Valgrind does not exist for {platform_name()}: counted figures are n/a"


def count_size(kernel):
    """The size a kernel is counted at: its smallest benchmarked size.

    The simulator is 20-100x slower than the machine, and at the smallest size the data is in
    cache, where a count models the machine best.
    """
    return kernel.sizes[0]


def why_not_counted(kernel, variant, n):
    """Why a point of the asv grid is not counted (asv: n/a; the gate times it), or None."""
    v = kernel.variants[variant]
    if n != count_size(kernel):
        return f"{kernel.key} is counted at n={count_size(kernel)} only"
    if v.max_n is not None:
        return f"{kernel.key}:{variant} is an interpreted loop: 10^7-10^9 instructions a call, too slow to simulate"
    if v.threads > 1:
        return f"{kernel.key}:{variant} runs {v.threads} threads, and Valgrind runs one at a time"
    return v.unavailable


def selecting(kernel_keys):
    """The regular expression of the gate keys of these kernels (``cost_points``' bench)."""
    return "^(" + "|".join(map(re.escape, sorted(kernel_keys))) + "):"


def cost_points(bench=None, declared=True):
    """The counted points (kernel key, variant, n[, order]) whose key matches the regular expression
    bench: every variant at its kernel's ``count_size``, in each memory order, but those ``why_not_counted`` names
    without declared, also
    the variants that declare the bytes they move (memory-bound by declaration: the gate times
    them, and needs no count of them)."""
    points = [Point(kernel.key, variant, count_size(kernel), *order) for kernel in KERNELS.values()
              for variant, v in kernel.variants.items() if why_not_counted(kernel, variant, count_size(kernel)) is None
              and (declared or v.bytes_moved is None)
              for order in ([(o,) for o in kernel.orders] if len(kernel.orders) > 1 else [()])]
    return [p for p in points if not bench or re.search(bench, p.gate_key)]


def tool(name, package):
    """The path of a program the count needs, or CostUnavailable saying which Debian package has it (or,
    where Valgrind cannot exist, saying so: ``why_no_valgrind``)."""
    if (reason := why_no_valgrind()) is not None:
        raise CostUnavailable(reason)
    path = shutil.which(name)
    if path is None:
        raise CostUnavailable(f"counting a kernel's cost needs {name}, which is not installed: "
                              f"apt-get install -y {package} (`make test` installs it when missing)")
    return path


def helper(directory):
    """Compile the client-request helper (callgrind.h comes with Debian's valgrind) into directory."""
    source, lib = os.path.join(directory, "requests.c"), os.path.join(directory, "requests.so")
    with open(source, "w") as f:
        f.write(_HELPER)
    done = subprocess.run([tool("cc", "gcc"), "-O1", "-shared", "-fPIC", "-o", lib, source],
                          capture_output=True, text=True)
    if done.returncode:
        raise CostUnavailable(f"cannot build the callgrind client-request helper:\n{done.stderr.strip()}")
    return lib


def command(out):
    """The valgrind command line: each process (the child, and each process it forks) dumps to out.PID.N."""
    caches = [f"--{level}={size},{ways},{line}" for level, (size, ways, line) in GEOMETRY.items()]
    valgrind = tool("valgrind", "valgrind")
    return [tool("setarch", "util-linux"), "-R", valgrind, "--tool=callgrind", "--quiet",
            "--instr-atstart=no", "--cache-sim=yes", *caches, f"--callgrind-out-file={out}.%p"]


def simd():
    """The SIMD level NumPy dispatches to in this process (under Valgrind: X86_V3, i.e. AVX2; on AArch64 ASIMD)."""
    found = cpu_features()
    for level in ("AVX512_SPR", "AVX512_ICL", "AVX512_SKX", "AVX512F", "AVX2", "AVX", "SSE42", "SVE", "ASIMD"):
        if level in found:
            return level
    return "baseline"


def child(lib, bench, calls, out, part=0, parts=1, declared=True):
    """Run under callgrind (see the module docstring): count the empty call and every parts-th point of
    ``cost_points(bench, declared)`` from the part-th, each in a process forked from this one; write the points,
    which are declared memory-bound, and the SIMD level. Dumps are labelled npopt-PART-point-I."""
    requests = ctypes.CDLL(lib)
    points = cost_points(bench, declared)[part::parts]

    def count_one(label, at):
        fn, args = (lambda *a: None, ()) if at is None else prepared(*at)
        for _ in range(WARM_CALLS):  # not simulated: to the steady state of Python's adaptive interpreter
            fn(*args)
        gc.collect()
        gc.disable()
        requests.npopt_start()  # empties the simulated caches
        fn(*args)  # warms them
        requests.npopt_zero()
        for _ in range(calls):
            fn(*args)
        requests.npopt_dump(label)
        requests.npopt_stop()
        gc.enable()

    count_one(b"npopt-warm-up", None)  # ctypes' first calls, here and not in a counted process
    for i, at in enumerate([None] + points):
        pid = os.fork()  # every point starts from this process's state, whatever the others did
        if pid == 0:
            status = 0
            try:
                count_one(f"npopt-{part}-point-{i}".encode(), at)
            except BaseException:
                traceback.print_exc()
                status = 1
            os._exit(status)
        if os.waitpid(pid, 0)[1]:
            raise CostUnavailable(f"counting {at.gate_key} failed (its traceback is above)")
    with open(out, "w") as f:
        json.dump({"points": points, "simd": simd(), "npopt": os.path.dirname(sys.modules["npopt"].__file__),
                   "declared": [KERNELS[p[0]].variants[p[1]].bytes_moved is not None for p in points]}, f)


def totals(path):
    """(the dump's trigger, {event: count}) from one callgrind dump."""
    events = trigger = None
    with open(path) as f:
        for line in f:
            if line.startswith("desc: Trigger:"):
                trigger = line.split(":", 2)[2].strip()
            elif line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith(("summary:", "totals:")):  # callgrind omits trailing zero counts
                counts = list(map(int, line.split()[1:]))
                return trigger, dict(zip(events, counts + [0] * (len(events) - len(counts))))
    raise CostUnavailable(f"no totals in the callgrind dump {path}")


def call_cost(events, null, calls, declared):
    """The figures of one kernel call: the point's events minus the empty call's, over calls.

    memory_bound: declared so in the registry (Variant.bytes_moved), or simulated LL misses carry at
    least MEMORY_SHARE of the estimated cycles; such a point is gated on wall time, not on counts.
    """
    per = {e: max(0.0, (n - null.get(e, 0)) / calls) for e, n in events.items()}
    l1 = per["I1mr"] + per["D1mr"] + per["D1mw"]
    ll = per["ILmr"] + per["DLmr"] + per["DLmw"]
    cycles = per["Ir"] + L1_WEIGHT * l1 + LL_WEIGHT * ll
    return {"instructions": per["Ir"], "l1_misses": l1, "ll_misses": ll, "cycles": cycles,
            "memory_bound": declared or LL_WEIGHT * ll >= MEMORY_SHARE * cycles}


def prepare(bench, declared=True):
    """Prepare every point once, natively: Numba compiles its kernels for the count's CPU (ENV) and caches
    them, so the counted processes load them alike however many ran before (compiling under Valgrind
    would also take minutes)."""
    for at in cost_points(bench, declared):
        prepared(*at)


def run(prefix, calls, env, cwd):
    """Call each ``measurement.cost.<call>`` of calls in a child Python of its own, all at once, behind the
    command prefix, in env with ENV on top; wait for them all.

    Each child runs in cwd, a directory without npopt: ``python -c`` puts the working directory first
    on sys.path, where a checkout's npopt would shadow the one env's PYTHONPATH names."""
    children = [(call, subprocess.Popen(
        prefix + [sys.executable, "-c", f"import sys; sys.path.append({ROOT!r})\nfrom measurement import cost; cost.{call}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd,
        env={**(os.environ if env is None else env), **ENV})) for call in calls]
    failed = [(call, child.returncode, stderr) for call, child in children
              for stderr in [child.communicate()[1]] if child.returncode]
    if failed:
        call, code, stderr = failed[0]
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        raise CostUnavailable(f"the count failed in cost.{call.split('(')[0]} (exit {code}):\n{tail}")


def count(bench=None, calls=CALLS, env=None, parts=1, declared=True):
    """{point: figures} for the ``cost_points(bench, declared)`` of the npopt that ``env`` imports, counted under
    callgrind in ``parts`` children at once (each its share of the points and its own empty call: a
    count does not depend on what else runs, so only the time changes); each figures dict also names
    the ``simd`` level the count ran and the directory of the ``npopt`` it counted.

    ``env`` (default os.environ) is the children's environment, with ENV on top; its PYTHONPATH says
    which npopt is counted. Raises CostUnavailable.
    """
    result = {}
    with tempfile.TemporaryDirectory(prefix="npopt-cost-") as tmp:
        valgrind, lib = command(os.path.join(tmp, "callgrind.out")), helper(tmp)
        outs = [os.path.join(tmp, f"points-{part}.json") for part in range(parts)]
        run([], [f"prepare({bench!r}, {declared!r})"], env, tmp)
        run(valgrind, [f"child({lib!r}, {bench!r}, {calls!r}, {out!r}, {part}, {parts}, {declared!r})"
                       for part, out in enumerate(outs)], env, tmp)
        counts = dict(totals(os.path.join(tmp, name)) for name in os.listdir(tmp) if name.startswith("callgrind.out."))
        for part, out in enumerate(outs):
            with open(out) as f:
                report = json.load(f)
            label = f"{CLIENT_REQUEST}npopt-{part}-point-"
            null = counts[f"{label}0"]
            result.update({tuple(at): {**call_cost(counts[f"{label}{i + 1}"], null, calls, declared),
                                       "simd": report["simd"], "npopt": report["npopt"]}
                           for i, (at, declared) in enumerate(zip(report["points"], report["declared"]))})
    return result

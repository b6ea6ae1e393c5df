"""Who this machine is: a fingerprint of what decides benchmark speed, and a readable name for it.

asv keys results by a machine name, and every VM here is called ``vm``: two hosts with different
CPUs would share one history line and show regressions that no commit made. The name used instead
is derived from the hardware: CPU (vendor, family, model, stepping, model name), logical CPU count,
memory (GiB, rounded), and the SIMD targets NumPy dispatches to on this host (read from the
project's pinned NumPy, so every benchmark environment of one host gets the same name). A host
that differs in any of these gets another name, so another machine in asv, the gate and the
dashboard, automatically.

``python -m tools.machine`` prints it.
"""
import hashlib
import json
import os
import platform
import re

UNRECORDED = "simd-unrecorded"  # results stored before fingerprints: their SIMD level was never recorded


def umath():
    """NumPy's compiled core module, where it records the CPU features it found and dispatches to."""
    try:
        from numpy._core import _multiarray_umath as core
    except ImportError:  # NumPy 1.x
        from numpy.core import _multiarray_umath as core
    return core


def dispatched_targets():
    """The SIMD targets NumPy dispatches to here (as ``numpy.show_runtime()`` reports them)."""
    core = umath()
    found = core.__cpu_features__
    return [target for target in core.__cpu_dispatch__ if found.get(target)]


def cpu_features():
    """Every CPU feature NumPy detects here, named as in its ``__cpu_features__`` ('AVX2', 'AVX512_SKX')."""
    return frozenset(name for name, found in umath().__cpu_features__.items() if found)


def _cpuinfo():
    """The first processor's fields of /proc/cpuinfo (empty where there is none)."""
    try:
        with open("/proc/cpuinfo") as f:
            block = f.read().split("\n\n")[0]
    except OSError:
        return {}
    return dict((k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in block.splitlines()))


def _memory_bytes():
    try:
        with open("/proc/meminfo") as f:
            return int(re.search(r"MemTotal:\s+(\d+) kB", f.read()).group(1)) * 1024
    except (OSError, AttributeError):
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def fingerprint():
    """The facts that decide speed on this host (a dict that JSON keeps as it is)."""
    info = _cpuinfo()
    return {"cpu": info.get("model name") or platform.processor() or platform.machine(),
            "cpu_id": " ".join(f"{k} {info[k]}" for k in ("vendor_id", "cpu family", "model", "stepping") if k in info),
            "arch": platform.machine(), "cpus": os.cpu_count(),
            "memory_gib": round(_memory_bytes() / 2**30), "simd": dispatched_targets()}


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def machine_name(facts):
    """A readable name ending in a hash of every fact: 'intel-xeon-processor-2cpu-24gib-avx512-spr-1a2b3c'."""
    cpu = re.sub(r"\((r|tm)\)|\bcpu\b|@.*", "", facts["cpu"], flags=re.I)
    simd = _slug(facts["simd"][-1]) if facts["simd"] else UNRECORDED
    digest = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:6]
    return f"{_slug(cpu)}-{facts['cpus']}cpu-{facts['memory_gib']}gib-{simd}-{digest}"


def asv_machine_info(facts=None):
    """asv's machine record ({field: value}, as ``asv machine`` stores it) of this host under its fingerprint name.

    The os field holds the system only: a kernel update alone is not another machine, and a
    second os value would split the dashboard's lines without a hardware reason.
    """
    facts = facts or fingerprint()
    cpu = f"{facts['cpu']} ({facts['cpu_id']}); NumPy SIMD: {' '.join(facts['simd']) or 'none'}"
    return {"machine": machine_name(facts), "cpu": cpu, "num_cpu": str(facts["cpus"]),
            "ram": f"{facts['memory_gib']} GiB", "arch": facts["arch"], "os": platform.system()}


def asv_machine_args(facts=None):
    """``asv machine`` options recording this host under its fingerprint name (``asv_machine_info``)."""
    return [arg for field, value in asv_machine_info(facts).items() for arg in (f"--{field}", value)]


def this_machine():
    return machine_name(fingerprint())


def platform_name():
    """This machine's system and architecture as people name them ('macOS arm64', 'Linux x86_64'): the
    platform a skipped figure or environment is missing for."""
    system = platform.system()
    return f"{'macOS' if system == 'Darwin' else system} {platform.machine()}"

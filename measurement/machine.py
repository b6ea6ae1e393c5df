"""Who this machine is: a fingerprint of what decides benchmark speed, and a readable name for it.

asv keys results by a machine name, and every VM here is called ``vm``: two hosts with different
CPUs would share one history line and show regressions that no commit made. The name used instead
is derived from the hardware: the CPU, the logical CPU count, memory (GiB, rounded), and the SIMD
targets NumPy dispatches to on this host (read from the project's pinned NumPy, so every benchmark
environment of one host gets the same name). The CPU is read per platform:

- Linux x86-64: /proc/cpuinfo's model name, vendor_id, cpu family, model and stepping.
- Linux on Arm (a ``CPU implementer`` line): the core named from implementer and part (``ARM_CPUS``),
  with implementer, variant, part and revision.
- macOS: one ``sysctl`` call: the brand string ('Apple M1 Pro'), hw.model, hw.cpufamily, the
  performance and efficiency core counts (hw.perflevel0/1.physicalcpu), hw.ncpu and hw.memsize.

A host that differs in any of these gets another name, so another machine in asv, the gate and the
dashboard, automatically. ``facts_from`` computes the facts from recorded text, so the tests feed it
recordings of real machines (tests/data/machines/).

``NPOPT_MACHINE_STAND_IN=<label>`` (e.g. ``ubuntu-24.04-arm``) lets the nightly rehearsal run several
runner kinds on one machine, each registered as a machine of its own. What it fakes: the name only;
every figure is this machine's. The facts gain ``"stand_in": label``, the name starts with
``stand-in-<label>-``, and asv's machine record says it is a rehearsal stand-in measured on this CPU.

``python -m tools.machine`` prints it.
"""
import hashlib
import json
import os
import platform
import re
import subprocess

UNRECORDED = "simd-unrecorded"  # results stored before fingerprints: their SIMD level was never recorded
STAND_IN = "NPOPT_MACHINE_STAND_IN"

# (CPU implementer, CPU part) of /proc/cpuinfo on Arm -> the core, as Linux's arch/arm64/include/asm/cputype.h
# and util-linux's lscpu name them. Hand-written: archspec (spack's) names compiler targets and maps a part it
# does not know to an older compatible target, reads the live host rather than recorded text, and this module
# runs inside every asv environment, where only the matrix's packages are installed. py-cpuinfo has no Arm
# part table. A part missing here is spelled in hex, so it still gets a name of its own.
ARM_IMPLEMENTERS = {"0x41": "Arm", "0x43": "Cavium", "0x46": "Fujitsu", "0x48": "HiSilicon", "0x4e": "NVIDIA",
                    "0x51": "Qualcomm", "0x61": "Apple", "0x6d": "Microsoft", "0xc0": "Ampere"}
ARM_CPUS = {
    **{("0x41", part): f"Arm {core}" for part, core in {
        "0xd03": "Cortex-A53", "0xd05": "Cortex-A55", "0xd07": "Cortex-A57", "0xd08": "Cortex-A72",
        "0xd09": "Cortex-A73", "0xd0a": "Cortex-A75", "0xd0b": "Cortex-A76", "0xd0d": "Cortex-A77",
        "0xd41": "Cortex-A78", "0xd44": "Cortex-X1", "0xd47": "Cortex-A710", "0xd48": "Cortex-X2",
        "0xd81": "Cortex-A720", "0xd82": "Cortex-X4",
        # AWS Graviton2 and Ampere Altra are Neoverse-N1, Graviton3 V1, Graviton4 and NVIDIA Grace V2
        "0xd0c": "Neoverse-N1", "0xd40": "Neoverse-V1", "0xd49": "Neoverse-N2", "0xd4f": "Neoverse-V2",
        "0xd83": "Neoverse-V3AE", "0xd84": "Neoverse-V3", "0xd8e": "Neoverse-N3"}.items()},
    ("0x43", "0x0af"): "Cavium ThunderX2", ("0x46", "0x001"): "Fujitsu A64FX",
    ("0x48", "0xd01"): "HiSilicon Kunpeng-920", ("0x6d", "0xd49"): "Microsoft Azure Cobalt 100",  # Neoverse-N2
    **{("0x61", part): "Apple M1" for part in ("0x022", "0x023")},  # Asahi Linux: efficiency, performance cores
    **{("0x61", part): "Apple M2" for part in ("0x032", "0x033")},
    ("0xc0", "0xac3"): "Ampere-1", ("0xc0", "0xac4"): "Ampere-1a",  # AmpereOne
}
X86_ID = ("vendor_id", "cpu family", "model", "stepping")
ARM_ID = ("CPU implementer", "CPU variant", "CPU part", "CPU revision")
DARWIN_ID = ("hw.model", "hw.cpufamily", "hw.perflevel0.physicalcpu", "hw.perflevel1.physicalcpu")
SYSCTL_KEYS = ("machdep.cpu.brand_string", *DARWIN_ID, "hw.ncpu", "hw.memsize")


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


def _memory_bytes():
    try:
        with open("/proc/meminfo") as f:
            return int(re.search(r"MemTotal:\s+(\d+) kB", f.read()).group(1)) * 1024
    except (OSError, AttributeError):
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _fields(text):
    """{key: value} of 'key: value' lines: a /proc/cpuinfo processor block or a ``sysctl`` output."""
    return dict((k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in text.splitlines()))


def _arm_cpu(info):
    """The core that /proc/cpuinfo's implementer and part name ('Arm Neoverse-N1'); unknown ones in hex."""
    implementer, part = info["CPU implementer"].lower(), info.get("CPU part", "unknown").lower()
    vendor = ARM_IMPLEMENTERS.get(implementer, f"arm {implementer}")
    return ARM_CPUS.get((implementer, part), f"{vendor} part {part}")


def facts_from(system, machine, cpus, memory_bytes, simd, cpuinfo="", sysctl=""):
    """The facts that decide speed on a machine, from what it reported (a dict that JSON keeps as it is).

    system and machine as ``platform`` gives them; cpuinfo is /proc/cpuinfo's text (Linux), sysctl the
    output of ``sysctl SYSCTL_KEYS`` (macOS), whose hw.ncpu and hw.memsize stand before cpus and
    memory_bytes. A field missing from the text is left out of cpu_id; without a CPU name the CPU
    is called by the machine type ('aarch64'). x86-64 Linux gets the facts its stored results were
    named by before Arm and macOS were read, so those machines keep their names.
    """
    info = _fields(sysctl if system == "Darwin" else cpuinfo.split("\n\n")[0])  # the first processor's block
    if system == "Darwin":
        cpu, ids = info.get("machdep.cpu.brand_string") or info.get("hw.model") or machine, DARWIN_ID
        cpus, memory_bytes = int(info.get("hw.ncpu", cpus)), int(info.get("hw.memsize", memory_bytes))
    elif "CPU implementer" in info:
        cpu, ids = _arm_cpu(info), ARM_ID
    else:
        cpu, ids = info.get("model name") or machine, X86_ID
    return {"cpu": cpu, "cpu_id": " ".join(f"{k} {info[k]}" for k in ids if k in info),
            "arch": machine, "cpus": cpus, "memory_gib": round(memory_bytes / 2**30), "simd": list(simd)}


def _read(path):
    """A file's text; empty where there is none (/proc/cpuinfo off Linux)."""
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _sysctl():
    """``sysctl``'s output for SYSCTL_KEYS, in one call (a key this macOS lacks is left out of it)."""
    try:
        return subprocess.run(["sysctl", *SYSCTL_KEYS], capture_output=True, text=True).stdout
    except OSError:
        return ""


def fingerprint():
    """The facts that decide speed on this host, with the rehearsal's stand-in label when it has one."""
    system = platform.system()
    facts = facts_from(system, platform.machine(), os.cpu_count(), _memory_bytes(), dispatched_targets(),
                       cpuinfo=_read("/proc/cpuinfo"), sysctl=_sysctl() if system == "Darwin" else "")
    label = os.environ.get(STAND_IN)
    return {**facts, "stand_in": label} if label else facts


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def machine_name(facts):
    """A readable name ending in a hash of every fact: 'intel-xeon-processor-2cpu-24gib-avx512-spr-1a2b3c'.

    A rehearsal stand-in's name starts with 'stand-in-<label>-', so nobody takes it for that hardware.
    """
    cpu = re.sub(r"\((r|tm)\)|\bcpu\b|@.*", "", facts["cpu"], flags=re.I)
    simd = _slug(facts["simd"][-1]) if facts["simd"] else UNRECORDED
    digest = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:6]
    stand_in = f"stand-in-{_slug(facts['stand_in'])}-" if "stand_in" in facts else ""
    return f"{stand_in}{_slug(cpu)}-{facts['cpus']}cpu-{facts['memory_gib']}gib-{simd}-{digest}"


def asv_machine_info(facts=None):
    """asv's machine record ({field: value}, as ``asv machine`` stores it) of this host under its fingerprint name.

    The os field holds the system only: a kernel update alone is not another machine, and a
    second os value would split the dashboard's lines without a hardware reason.
    """
    facts = facts or fingerprint()
    cpu = f"{facts['cpu']} ({facts['cpu_id']}); NumPy SIMD: {' '.join(facts['simd']) or 'none'}"
    if "stand_in" in facts:
        cpu = f"rehearsal stand-in for {facts['stand_in']}, measured on {cpu}"
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

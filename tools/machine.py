"""Who this machine is: a fingerprint of what decides benchmark speed, and a readable name for it.

asv keys results by a machine name, and every VM here is called ``vm``: two hosts with different
CPUs would share one history line and show regressions that no commit made. The name used instead
is derived from the hardware: CPU (vendor, family, model, stepping, model name), logical CPU count,
memory (GiB, rounded), and the SIMD targets NumPy dispatches to on this host (read from the
project's pinned NumPy, so every benchmark environment of one host gets the same name). A host
that differs in any of these gets another name, so another machine in asv, the gate and the
dashboard, automatically.

  python -m tools.machine              print this host's name and fingerprint (JSON)
  python -m tools.machine relabel DIR  move results stored under an old name (results/DIR) to the
                                       name their recorded hardware gives; nothing is deleted
"""
import argparse
import hashlib
import json
import os
import platform
import re
import sys

from benchmarks.bench_simd import dispatched_targets

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "results")
UNRECORDED = "simd-unrecorded"  # results stored before fingerprints: their SIMD level was never recorded


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


def relabel(old, results=RESULTS):
    """Move results/<old> to the fingerprint name of the hardware it recorded; returns the new name.

    Results made before fingerprints recorded no SIMD level: they are named for what was recorded
    (CPU, CPU count, memory) plus 'simd-unrecorded'. Several old names with the same recorded
    hardware merge into one; a file that exists under both names stops the move before anything moves.
    """
    source = os.path.join(results, old)
    recorded = json.load(open(os.path.join(source, "machine.json")))
    facts = {"cpu": recorded["cpu"], "cpu_id": "", "arch": recorded["arch"], "cpus": int(recorded["num_cpu"]),
             "memory_gib": round(int(re.sub(r"\D", "", recorded["ram"])) / 2**30), "simd": []}
    new = machine_name(facts)
    target = os.path.join(results, new)
    files = [f for f in sorted(os.listdir(source)) if f.endswith(".json") and f != "machine.json"]
    clashes = [f for f in files if os.path.exists(os.path.join(target, f))]
    if clashes:
        raise SystemExit(f"{old}: {len(clashes)} result file(s) already exist under {new}, e.g. {clashes[0]}")
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "machine.json"), "w") as f:
        json.dump({**recorded, "machine": new, "os": recorded["os"].split()[0]}, f, indent=4)
    for name in files:
        data = json.load(open(os.path.join(source, name)))
        data["params"]["machine"] = new
        data["params"]["os"] = data["params"]["os"].split()[0]
        with open(os.path.join(target, name), "w") as f:
            json.dump(data, f, indent=None, separators=(",", ":"))
        os.remove(os.path.join(source, name))
    os.remove(os.path.join(source, "machine.json"))
    if not os.listdir(source):
        os.rmdir(source)
    return new


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("command", nargs="?", default="show", choices=["show", "relabel"])
    parser.add_argument("old", nargs="*", help="relabel: machine folder names under results/")
    args = parser.parse_args(argv)
    if args.command == "relabel":
        for old in args.old:
            print(f"{old} -> {relabel(old)}")
        return 0
    facts = fingerprint()
    print(json.dumps({"name": machine_name(facts), **facts}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The machine command: this host's name and fingerprint (measurement/machine.py), and old results relabelled.

  python -m tools.machine              print this host's name and fingerprint (JSON)
  python -m tools.machine --name       print its name only (results/<name>/; `make machine`)
  python -m tools.machine relabel DIR  move results stored under an old name (results/DIR) to the
                                       name their recorded hardware gives; nothing is deleted
"""
import argparse
import json
import os
import re
import sys

from measurement.machine import fingerprint, machine_name
from measurement.paths import ROOT

RESULTS = os.path.join(ROOT, "results")


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
    parser.add_argument("--name", action="store_true", help="print the name only")
    args = parser.parse_args(argv)
    if args.command == "relabel":
        for old in args.old:
            print(f"{old} -> {relabel(old)}")
        return 0
    facts = fingerprint()
    print(machine_name(facts) if args.name else json.dumps({"name": machine_name(facts), **facts}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

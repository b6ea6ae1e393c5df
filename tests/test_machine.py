"""Machine identity: results are keyed by a hardware fingerprint, and old results are re-labelled, not lost."""
import json
import os
import platform
import subprocess
import sys

import pytest
from asv import util
from packaging.version import Version

from measurement import machine
from measurement.paths import ROOT
from tools import machine as machine_command

FACTS = {"cpu": "AMD EPYC 7B13", "cpu_id": "vendor_id AuthenticAMD cpu family 25 model 1 stepping 1",
         "arch": "x86_64", "cpus": 2, "memory_gib": 24, "simd": ["X86_V3"]}


def test_this_host_has_a_fingerprint_with_numpys_simd_targets():
    facts = machine.fingerprint()
    assert facts["cpus"] == os.cpu_count() and facts["memory_gib"] >= 1 and facts["cpu"]
    assert set(facts["simd"]) <= set(machine.umath().__cpu_dispatch__)
    if facts["arch"] == "x86_64":
        assert facts["simd"], "an x86_64 host dispatches to at least one SIMD target"
    assert machine.this_machine() == machine.machine_name(facts)


@pytest.mark.parametrize("fact, other", [("cpu", "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz"),
                                          ("cpu_id", "vendor_id AuthenticAMD cpu family 25 model 17 stepping 1"),
                                          ("cpus", 4), ("memory_gib", 16), ("simd", ["X86_V3", "X86_V4"])])
def test_any_difference_in_what_decides_speed_is_another_machine(fact, other):
    assert machine.machine_name({**FACTS, fact: other}) != machine.machine_name(FACTS)


def test_the_name_is_readable_and_stable():
    name = machine.machine_name(FACTS)
    assert name.startswith("amd-epyc-7b13-2cpu-24gib-x86-v3-") and name == machine.machine_name(dict(FACTS))
    assert machine.machine_name({**FACTS, "simd": []}).count(machine.UNRECORDED) == 1


def test_asv_records_the_fingerprint():
    args = machine.asv_machine_args(FACTS)
    fields = dict(zip(args[::2], args[1::2]))
    assert fields["--machine"] == machine.machine_name(FACTS)
    assert "X86_V3" in fields["--cpu"] and "family 25" in fields["--cpu"]
    assert fields["--os"] == platform.system()  # the system only, never the kernel release


def _store(results, name, files):
    folder = results / name
    folder.mkdir(parents=True)
    (folder / "machine.json").write_text(json.dumps(
        {"arch": "x86_64", "cpu": "AMD EPYC", "machine": name, "num_cpu": "2", "os": "Linux 6.18.44-fc-v669",
         "ram": "25276502016", "version": 1}))
    for f in files:
        (folder / f).write_text(json.dumps({"params": {"machine": name, "os": "Linux 6.18.44-fc-v669"},
                                            "results": {"b.track_x": [[1.5]]}, "commit_hash": f[:8]}))


def test_relabel_moves_every_result_and_merges_names_with_the_same_hardware(tmp_path):
    _store(tmp_path, "vm", ["aaaaaaaa-env1.json", "bbbbbbbb-env1.json"])
    _store(tmp_path, "vm-b", ["cccccccc-env1.json"])
    new = machine_command.relabel("vm", tmp_path)
    assert machine_command.relabel("vm-b", tmp_path) == new and machine.UNRECORDED in new
    moved = sorted(p.name for p in (tmp_path / new).iterdir())
    assert moved == ["aaaaaaaa-env1.json", "bbbbbbbb-env1.json", "cccccccc-env1.json", "machine.json"]
    for name in moved[:-1]:
        data = json.loads((tmp_path / new / name).read_text())
        assert data["params"] == {"machine": new, "os": "Linux"} and data["results"] == {"b.track_x": [[1.5]]}
    assert not (tmp_path / "vm").exists() and not (tmp_path / "vm-b").exists()


def test_relabel_never_overwrites(tmp_path):
    _store(tmp_path, "vm", ["aaaaaaaa-env1.json"])
    _store(tmp_path, "vm-b", ["aaaaaaaa-env1.json"])
    machine_command.relabel("vm", tmp_path)
    with pytest.raises(SystemExit, match="already exist"):
        machine_command.relabel("vm-b", tmp_path)
    assert (tmp_path / "vm-b" / "aaaaaaaa-env1.json").exists()


def test_stored_results_are_keyed_by_fingerprint_names():
    """No result is stored under a host name: every machine folder is a fingerprint name."""
    from tools.results import machines

    stored = machines()
    assert stored
    for name in stored:
        assert name.rsplit("-", 1)[-1].isalnum() and len(name.rsplit("-", 1)[-1]) == 6, name
        recorded = json.load(open(os.path.join(machine_command.RESULTS, name, "machine.json")))
        assert recorded["machine"] == name


def _dispatches(extra_env):
    code = ("import json; from benchmarks import bench_simd as b; "
            "print(json.dumps({l: b.track_numpy_dispatches(l) for l in b.LEVELS}))")
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, **extra_env},
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_each_environment_records_the_simd_levels_numpy_dispatches_to():
    on = _dispatches({})
    assert on["AVX2"] == int("AVX2" in machine.cpu_features()), "an AVX2 host's NumPy dispatches AVX2 kernels"
    off = _dispatches({"NPY_DISABLE_CPU_FEATURES": ",".join(machine.dispatched_targets())})
    assert set(off.values()) == {0}, f"with every target disabled NumPy still reports {off}"


def test_the_simd_disabled_environment_is_the_newest_numpy_with_its_targets_named():
    """asv.conf.json's SIMD-disabled twin follows the newest release of the matrix, in that release's target names."""
    conf = util.load_json(os.path.join(ROOT, "asv.conf.json"), js_comments=True)
    newest = max(conf["matrix"]["req"]["numpy"], key=Version)
    (twin,) = [e for e in conf["include"] if "NPY_DISABLE_CPU_FEATURES" in e.get("env_nobuild", {})]
    assert twin["req"]["numpy"] == newest
    assert {k: v for k, v in twin["req"].items() if k != "numpy"} == {
        k: v[0] for k, v in conf["matrix"]["req"].items() if k != "numpy"}, "the twin differs only by its switch"
    assert set(twin["env_nobuild"]["NPY_DISABLE_CPU_FEATURES"].split(",")) >= {"X86_V3", "X86_V4"}

"""Machine identity: results are keyed by a hardware fingerprint, and old results are re-labelled, not lost."""
import json
import os
import platform
import re
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


MACHINES = os.path.join(os.path.dirname(__file__), "data", "machines")
READABLE = {  # recording in tests/data/machines/: the readable part of its name
    "linux-x86_64-intel-sapphire-rapids": "intel-xeon-processor-2cpu-24gib-avx512-spr-",
    "linux-x86_64-amd-epyc-9654": "amd-epyc-9654-96-core-processor-4cpu-16gib-avx512-icl-",
    "linux-aarch64-graviton2": "arm-neoverse-n1-4cpu-16gib-asimddp-",
    "linux-aarch64-graviton3": "arm-neoverse-v1-4cpu-16gib-sve-",
    "linux-aarch64-ampere-one": "ampere-1-4cpu-16gib-asimdfhm-",
    "darwin-arm64-apple-m1-pro": "apple-m1-pro-8cpu-16gib-asimdfhm-",
    "darwin-arm64-apple-m2": "apple-m2-8cpu-16gib-asimdfhm-",
    "darwin-arm64-apple-m1-big-sur": "apple-processor-8cpu-16gib-asimdfhm-",
}
GRAVITON2_ID = "CPU implementer {} CPU variant 0x3 CPU part {} CPU revision 1"  # with another implementer, part


def _recording(name):
    """A recorded machine: the inputs its second line gives, and its /proc/cpuinfo or sysctl text."""
    _, given, text = open(os.path.join(MACHINES, name)).read().split("\n", 2)
    return dict(re.findall(r"(\w+)=(\S+)", given)), text


def recorded(name, text=None, **given):
    """facts_from a recorded machine, with its text or any input replaced."""
    inputs, recording = _recording(name)
    inputs = {**inputs, **given}
    report = {"sysctl" if inputs["system"] == "Darwin" else "cpuinfo": recording if text is None else text}
    return machine.facts_from(inputs["system"], inputs["machine"], int(inputs.get("cpus", 0)),
                              int(inputs.get("memory_bytes", 0)), inputs["simd"].split(","), **report)


def test_a_stored_machine_gets_its_name_and_record_back_from_its_recorded_cpuinfo():
    name = "intel-xeon-processor-2cpu-24gib-avx512-spr-b0d3dd"
    facts = recorded("linux-x86_64-intel-sapphire-rapids")
    assert machine.machine_name(facts) == name
    stored = json.load(open(os.path.join(machine_command.RESULTS, name, "machine.json")))
    assert {k: v for k, v in machine.asv_machine_info(facts).items() if k != "os"} == {
        k: stored[k] for k in ("machine", "cpu", "num_cpu", "ram", "arch")}


@pytest.mark.parametrize("name", sorted(READABLE))
def test_a_recorded_machine_gets_a_readable_name(name):
    assert machine.machine_name(recorded(name)).startswith(READABLE[name])


def test_every_recorded_machine_is_named_and_every_name_is_another():
    assert sorted(os.listdir(MACHINES)) == sorted(READABLE)
    names = [machine.machine_name(recorded(name)) for name in READABLE]
    assert len({name.rsplit("-", 1)[1] for name in names}) == len(READABLE)


def test_two_arm_cores_with_the_same_simd_targets_are_two_machines():
    n1, v1 = (recorded(name, simd="ASIMDHP,ASIMDDP") for name in ("linux-aarch64-graviton2", "linux-aarch64-graviton3"))
    assert (n1["cpu"], v1["cpu"]) == ("Arm Neoverse-N1", "Arm Neoverse-V1")
    assert n1["cpu_id"] == GRAVITON2_ID.format("0x41", "0xd0c")
    assert machine.machine_name(n1).rsplit("-", 1)[0] != machine.machine_name(v1).rsplit("-", 1)[0]


def test_a_mac_is_told_by_its_performance_and_efficiency_cores():
    m1_pro, m2 = recorded("darwin-arm64-apple-m1-pro"), recorded("darwin-arm64-apple-m2")
    assert m1_pro["cpu_id"] == "hw.cpufamily 458787763 hw.perflevel0.physicalcpu 6 hw.perflevel1.physicalcpu 2"
    assert m2["cpu_id"].endswith("hw.perflevel0.physicalcpu 4 hw.perflevel1.physicalcpu 4")
    assert (m1_pro["cpus"], m1_pro["memory_gib"]) == (8, 16)  # hw.ncpu and hw.memsize


@pytest.mark.parametrize("edit, cpu, cpu_id", [
    (lambda text: re.sub(r"CPU part.*\n", "", text), "Arm part unknown",
     "CPU implementer 0x41 CPU variant 0x3 CPU revision 1"),
    (lambda text: text.replace("0xd0c", "0xfff"), "Arm part 0xfff", GRAVITON2_ID.format("0x41", "0xfff")),
    (lambda text: text.replace("0x41", "0x99"), "arm 0x99 part 0xd0c", GRAVITON2_ID.format("0x99", "0xd0c")),
    (lambda text: "", "aarch64", ""),  # no /proc/cpuinfo: the machine type
])
def test_a_missing_or_unknown_arm_field_falls_back_to_hex_or_the_machine_type(edit, cpu, cpu_id):
    facts = recorded("linux-aarch64-graviton2", text=edit(_recording("linux-aarch64-graviton2")[1]))
    assert (facts["cpu"], facts["cpu_id"]) == (cpu, cpu_id)
    assert machine.machine_name(facts)


def test_a_mac_without_sysctl_fields_falls_back_to_what_it_was_given():
    facts = recorded("darwin-arm64-apple-m2", text="", cpus="10", memory_bytes=str(32 * 2**30))
    assert facts == {"cpu": "arm64", "cpu_id": "", "arch": "arm64", "cpus": 10, "memory_gib": 32,
                     "simd": ["ASIMDHP", "ASIMDDP", "ASIMDFHM"]}
    assert recorded("darwin-arm64-apple-m1-big-sur")["cpu_id"] == ""  # Big Sur's sysctl: no hw.* fields


def test_a_mac_is_read_with_one_sysctl_call(tmp_path, monkeypatch):
    (tmp_path / "recording").write_text(_recording("darwin-arm64-apple-m2")[1])
    sysctl = tmp_path / "sysctl"
    sysctl.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/calls\ncat {tmp_path}/recording\n')
    sysctl.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(machine.platform, "system", lambda: "Darwin")
    facts = machine.fingerprint()
    assert (tmp_path / "calls").read_text().splitlines() == [" ".join(machine.SYSCTL_KEYS)]
    assert (facts["cpu"], facts["cpus"], facts["memory_gib"]) == ("Apple M2", 8, 16)


def test_a_rehearsal_stand_in_is_named_as_one_and_measured_as_this_machine(monkeypatch):
    monkeypatch.delenv(machine.STAND_IN, raising=False)
    real = machine.fingerprint()
    monkeypatch.setenv(machine.STAND_IN, "ubuntu-24.04-arm")
    facts = machine.fingerprint()
    assert facts == {**real, "stand_in": "ubuntu-24.04-arm"}
    name, real_name = machine.machine_name(facts), machine.machine_name(real)
    assert name.startswith("stand-in-ubuntu-24-04-arm-" + real_name.rsplit("-", 1)[0] + "-") and name != real_name
    record, real_record = machine.asv_machine_info(facts), machine.asv_machine_info(real)
    assert record["cpu"] == f"rehearsal stand-in for ubuntu-24.04-arm, measured on {real_record['cpu']}"
    same = ("num_cpu", "ram", "arch", "os")
    assert {k: record[k] for k in same} == {k: real_record[k] for k in same}
    monkeypatch.setenv(machine.STAND_IN, "macos-14")
    assert machine.this_machine() not in (name, real_name)


def test_the_command_prints_the_name_alone_for_the_workflow(monkeypatch, capsys):
    """`make machine` (the nightly's benchmark jobs read results/<name>/ and baselines/<name> by it)."""
    monkeypatch.setenv(machine.STAND_IN, "ubuntu-24.04-arm")
    assert machine_command.main(["--name"]) == 0
    assert capsys.readouterr().out == machine.this_machine() + "\n"


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

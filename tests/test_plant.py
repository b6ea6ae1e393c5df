"""testing/plant.py: the slowdowns the gate trials and the nightly rehearsal plant, written into a
checkout's code as they must be (what they cost is measured by testing/trials.py, docs/gate.md)."""
import os
import shutil

import pytest

from measurement.paths import ROOT
from testing.plant import WORK, CannotPlant, plant


def work(target):
    """(the file's text, the edit planting target's extra work, that edit's anchors) for a target of WORK."""
    path, edit = WORK[target]
    with open(os.path.join(ROOT, path)) as f:
        return f.read(), edit, edit.keywords


def test_the_planted_work_runs_the_loop_once_more_over_a_share_before_its_own_pass():
    """--work: the compiled loop's body once more over its first 3%, then the loop as it was."""
    text, edit, anchors = work("compiled.ema_with_reset:cython")
    state, header = anchors["state"], anchors["header"]
    planted = edit(text, 1.03)
    extra = planted.index("for i in range(1, <Py_ssize_t>(n * 0.03)):")
    body = text[text.index(header) + len(header):].split("\n\n")[0]
    assert planted[extra:].count(body) == 2  # the extra pass's body, then the loop's own
    assert planted.index(state) < extra < planted.index(state, extra) < planted.index(header)
    assert planted.replace(planted[planted.index(state):planted.index(state, extra)], "", 1) == text


def test_the_nightly_slowdown_makes_numexprs_call_twice_before_returning_its_result():
    text, edit, anchors = work("fused_expressions.expression:numexpr")
    statement = anchors["statement"]
    planted = edit(text, 2)
    call = statement.replace("return ", "", 1).rstrip("\n")
    assert planted.count(call) == text.count(call) + 1
    assert planted.index(call + "  # planted") < planted.index(statement)
    compile(planted, "fused_expressions.py", "exec")
    with pytest.raises(CannotPlant):
        edit(text, 1.5)


def test_a_spin_wait_is_appended_to_the_variants_technique_module(tmp_path):
    (tmp_path / "npopt").mkdir()
    shutil.copy(os.path.join(ROOT, "npopt", "vectorization.py"), tmp_path / "npopt")
    plant(str(tmp_path), "vectorization.add:ufunc", 1.25)
    text = (tmp_path / "npopt" / "vectorization.py").read_text()
    assert text.startswith(open(os.path.join(ROOT, "npopt", "vectorization.py")).read())
    assert '_KERNELS["vectorization.add"].variants["ufunc"] = ' in text and "_slowed(_variant.fn, 1.25)" in text
    compile(text, "vectorization.py", "exec")


def test_work_that_is_not_defined_or_whose_code_is_gone_cannot_be_planted(tmp_path):
    with pytest.raises(CannotPlant, match="no extra work"):
        plant(str(tmp_path), "vectorization.add:ufunc", 2, work=True)
    (tmp_path / "npopt").mkdir()
    (tmp_path / "npopt" / "fused_expressions.py").write_text("def expression_numexpr(a, b, c):\n    return a\n")
    with pytest.raises(CannotPlant, match="gone"):
        plant(str(tmp_path), "fused_expressions.expression:numexpr", 2, work=True)

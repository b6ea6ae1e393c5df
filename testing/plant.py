"""Plant a slowdown of one variant (technique.kernel:variant) into a checkout of this repository, as
the gate trials and the nightly rehearsal do: a spin-wait after each call, or real extra work (WORK),
which a count of instructions sees too."""
import functools
import itertools
import os

SPIN_WAIT = '''

# --- planted slowdown: every call of {target} takes {factor} times as long ---
import dataclasses as _dataclasses
import time as _time

from npopt.registry import KERNELS as _KERNELS


def _slowed(fn, factor):
    def slow(*args):
        start = _time.perf_counter()
        out = fn(*args)
        until = start + factor * (_time.perf_counter() - start)
        while _time.perf_counter() < until:
            pass
        return out
    return slow


_variant = _KERNELS["{kernel}"].variants["{variant}"]
_KERNELS["{kernel}"].variants["{variant}"] = _dataclasses.replace(_variant, fn=_slowed(_variant.fn, {factor}))
'''


class CannotPlant(Exception):
    """The checkout no longer has the code a planted slowdown extends."""


def require(text, *anchors):
    """Raise CannotPlant unless text has every anchor."""
    missing = [anchor.strip() for anchor in anchors if anchor not in text]
    if missing:
        raise CannotPlant(f"the code to slow down is gone: no {missing}")


def extra_pass(text, factor, state, header):
    """text with the loop at header run over its first FACTOR - 1 once more, before it: between the first
    state and the state set again (so the loop's own pass starts as before and overwrites what it wrote)."""
    require(text, state, header)
    start = text.index(header) + len(header)
    indent = len(header) - len(header.lstrip())
    lines = text[start:].splitlines(keepends=True)
    body = "".join(itertools.takewhile(lambda line: len(line) - len(line.lstrip()) > indent, lines))
    extra = f"{header[:indent]}for i in range(1, <Py_ssize_t>(n * {factor - 1:g})):  # planted: extra work\n{body}"
    return text.replace(state, state + extra + state, 1)


def called_again(text, factor, statement):
    """text with the call that `return` statement makes made FACTOR - 1 times more before it (FACTOR a
    whole number)."""
    require(text, statement)
    if factor != int(factor) or factor < 2:
        raise CannotPlant(f"a call made again slows down by a whole factor, not {factor}")
    call = statement.replace("return ", "", 1).rstrip("\n") + "  # planted: called again\n"
    return text.replace(statement, call * (int(factor) - 1) + statement, 1)


WORK = {  # target: (file, the edit of its text that adds the extra work for a factor)
    "compiled.ema_with_reset:cython": ("npopt/_recurrences.pyx", functools.partial(
        extra_pass, state="        prev = x[0]\n", header="        for i in range(1, n):\n")),
    "fused_expressions.expression:numexpr": ("npopt/fused_expressions.py", functools.partial(
        called_again, statement='    return numexpr.evaluate(EXPRESSION_TEXT, local_dict={"a": a, "b": b, "c": c})\n')),
}


def plant(checkout, target, factor, work=False):
    """Plant the slowdown of target in the checkout: a spin-wait appended to its technique's module, or
    with ``work`` the extra work of WORK. Raises CannotPlant."""
    kernel, variant = target.split(":")
    if not work:
        with open(os.path.join(checkout, "npopt", f"{kernel.split('.')[0]}.py"), "a") as f:
            f.write(SPIN_WAIT.format(target=target, kernel=kernel, variant=variant, factor=factor))
        return
    if target not in WORK:
        raise CannotPlant(f"no extra work is defined for {target}; there is for {', '.join(WORK)}")
    path, edit = WORK[target]
    with open(os.path.join(checkout, path)) as f:
        text = f.read()
    with open(os.path.join(checkout, path), "w") as f:
        f.write(edit(text, factor))

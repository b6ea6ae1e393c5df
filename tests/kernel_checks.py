"""Checks every kernel gets. Each technique's test module subclasses ``KernelChecks`` once;
conftest.py parametrizes ``kernel``/``variant``/``case``/``bad`` over that technique's registered kernels
(the module's name, test_<technique>.py, says which)."""
import inspect
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile import (assert_agrees, bad_inputs, byte_swapped, fortran, is_text, outcome, python_values, read_only,
                     strided, with_nans)


def _copies(args):
    return tuple(np.copy(a) if isinstance(a, np.ndarray) else list(a) if isinstance(a, list) else a for a in args)


def _is_array(arg):
    """Whether an argument is an array: an ndarray, or a list (the storage of Python loops)."""
    return isinstance(arg, (np.ndarray, list))


def _public_args(kernel, variant):
    """The arguments the variant's public function takes, by name, for a valid call."""
    v = kernel.variants[variant]
    args = v.prepare(*kernel.inputs(5))
    names = list(inspect.signature(v.fn).parameters)
    return v.fn, names, list(args)


def _raises_naming(fn, args, name, error):
    with pytest.raises(error) as info:
        fn(*args)
    assert re.search(rf"\b{name}\b", str(info.value)), f"message does not name {name!r}: {info.value}"


# A variant whose prepare makes Python lists (small_arrays) takes them as its arrays: a list argument
# must be a list of real numbers.
BAD_LISTS = {
    "an ndarray": (np.asarray, TypeError),
    "a nested list": (lambda a: [[v] for v in a], TypeError),
    "a list of strings": (lambda a: [str(v) for v in a], TypeError),
    "a list of complex numbers": (lambda a: [complex(v, 1) for v in a], TypeError),
}


class KernelChecks:
    """The checks of every kernel of a technique: agreement with the reference on hostile input, arguments
    left as given, and bad input refused by name."""

    def test_reference_is_registered(self, kernel):
        assert kernel.reference in kernel.variants
        assert len(kernel.variants) >= 2, "a technique needs something to compare against"

    def test_variant_agrees_with_reference_on_hostile_input(self, kernel, variant, case):
        label, args = case
        expected = outcome(kernel.variants[kernel.reference], args)
        assert_agrees(kernel, variant, args, expected, outcome(kernel.variants[variant], args))

    # each technique's subclass runs this method: the executors differ only by name, with no state or setup
    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors])
    @given(n=st.integers(0, 300), dtype_index=st.integers(0, 2), seed=st.integers(0, 2**32 - 1),
           layout=st.sampled_from(["plain", "strided", "fortran"]), nans=st.booleans())
    def test_variant_agrees_with_reference_property(self, kernel, variant, n, dtype_index, seed, layout, nans):
        n = n if not kernel.inputs(3)[0].ndim == 2 else n % 40
        dtype = kernel.dtypes[dtype_index % len(kernel.dtypes)]
        args = kernel.inputs(n, dtype=dtype, seed=seed)
        args = tuple({"plain": lambda a: a, "strided": strided, "fortran": fortran}[layout](a) for a in args)
        if nans and kernel.nan_ok:
            args = tuple(with_nans(a) for a in args)
        expected = outcome(kernel.variants[kernel.reference], args)
        assert_agrees(kernel, variant, args, expected, outcome(kernel.variants[variant], args))

    def test_no_variant_changes_an_argument_it_does_not_declare(self, kernel, case):
        """bottleneck's input-modification check: copy every argument, call, compare.

        Calling a variant (prepare, then fn) leaves the caller's arguments as they were; fn itself
        writes only into the arguments it declares in ``mutates``, which prepare made for it.
        """
        label, args = case
        for v in (v for v in kernel.variants.values() if v.unavailable is None):
            given, prepared, kept = _copies(args), (), ()
            try:
                prepared = v.prepare(*args)
                kept = _copies(prepared)
                with np.errstate(all="ignore"):
                    v.fn(*prepared)
            except (TypeError, ValueError):
                pass  # whether it should have raised is the agreement test's business
            for i, (after, before) in enumerate(zip(args, given)):
                np.testing.assert_array_equal(after, before, err_msg=f"{v.name} changed its caller's argument {i}")
            for name, after, before in zip(inspect.signature(v.fn).parameters, prepared, kept):
                if name not in v.mutates:
                    np.testing.assert_array_equal(after, before, err_msg=f"{v.name} changed {name}, not in its mutates")

    def test_written_argument_is_used_as_given(self, kernel, variant):
        """An argument a variant declares it writes into receives the result, so it must be writeable as
        given: read-only is a ValueError and another byte order a TypeError (validation would convert it
        to a copy the caller never sees), both naming it, never an error from deep inside a kernel."""
        fn, names, args = _public_args(kernel, variant)
        for name in kernel.variants[variant].mutates:
            i = names.index(name)
            assert np.shares_memory(fn(*args), args[i]), f"the result is not written into {name}"
            _raises_naming(fn, args[:i] + [read_only(args[i])] + args[i + 1:], name, ValueError)
            _raises_naming(fn, args[:i] + [byte_swapped(args[i])] + args[i + 1:], name, TypeError)

    def test_bad_array_argument_is_rejected_by_name(self, kernel, variant, bad):
        """Each array argument in turn replaced by bad input of the kernel's kind (conftest.py
        parametrizes ``bad`` over ``bad_inputs(kernel)``): numbers, or strings as Python values."""
        corrupt, error = bad_inputs(kernel)[bad]
        fn, names, args = _public_args(kernel, variant)
        for i, arg in enumerate(args):
            if isinstance(arg, np.ndarray) or (isinstance(arg, list) and is_text(kernel)):  # lists of numbers: BAD_LISTS
                given = python_values(arg) if is_text(kernel) else arg
                _raises_naming(fn, args[:i] + [corrupt(given)] + args[i + 1:], names[i], error)

    @pytest.mark.parametrize("bad_list", list(BAD_LISTS))
    def test_bad_list_argument_is_rejected_by_name(self, kernel, variant, bad_list):
        if is_text(kernel):
            pytest.skip("a list of strings is a text kernel's valid input: its bad input is bad_inputs(kernel)")
        corrupt, error = BAD_LISTS[bad_list]
        fn, names, args = _public_args(kernel, variant)
        for i, arg in enumerate(args):
            if isinstance(arg, list):
                _raises_naming(fn, args[:i] + [corrupt(arg)] + args[i + 1:], names[i], error)

    def test_mismatched_lengths_are_rejected_by_name(self, kernel, variant):
        """A shorter array is a ValueError naming it, unless the kernel declares its length free:
        then it is valid input, and the variant must agree with the reference on it."""
        fn, names, args = _public_args(kernel, variant)
        arrays = [i for i, a in enumerate(args) if isinstance(a, (np.ndarray, list))]
        for i in arrays[1:]:
            if names[i] in kernel.free_lengths:
                shorter = list(kernel.inputs(5))
                shorter[i] = shorter[i][..., :-1]
                expected = outcome(kernel.variants[kernel.reference], shorter)
                assert_agrees(kernel, variant, shorter, expected, outcome(kernel.variants[variant], shorter))
            else:
                shorter = args[i][..., :-1] if isinstance(args[i], np.ndarray) else args[i][:-1]
                _raises_naming(fn, args[:i] + [shorter] + args[i + 1:], names[i], ValueError)

    def test_bad_scalar_argument_is_rejected_by_name(self, kernel, variant):
        fn, names, args = _public_args(kernel, variant)
        for i, arg in enumerate(args):
            if not _is_array(arg):
                _raises_naming(fn, args[:i] + ["1.0"] + args[i + 1:], names[i], TypeError)
                _raises_naming(fn, args[:i] + [float("nan")] + args[i + 1:], names[i], ValueError)

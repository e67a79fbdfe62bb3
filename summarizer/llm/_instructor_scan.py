"""instructor's async-validator check, run once per response model instead of per call.

instructor (1.17) refuses response models that declare its async validators, which
its runtime does not run, by walking every attribute of every class in the model's
MRO and in every nested model's. It makes that walk five times per call (``create``,
the patched ``create``, twice in ``prepare_response_model``, and the retry loop):
0.45-0.55 ms each for the record's model, about a quarter of a batch client's CPU per
request (``bench/batch_throughput.py``, profiled with py-spy).

The answer depends only on the class, so for the response models this package hands
to instructor (:func:`remember`), a pass is remembered; a model that fails is checked
again, and fails again, on every call, and any other argument goes to instructor's own
function every time, as before. The function is replaced where instructor looks it
up: in its own module, which the call sites that import it at call time read, and in
every loaded instructor module that imported it by name. With another instructor
layout nothing is found, nothing is replaced, and calls cost what they did; the test
suite checks that the pinned version is covered.
"""

from __future__ import annotations

import functools
import importlib
import sys
import weakref
from collections.abc import Callable
from typing import Any

__all__ = ["install", "remember"]

_MODULE = "instructor.v2.validation.async_validators"
_NAME = "reject_async_validators"
_MARK = "_summarizer_remembers_passes"
_ours: weakref.WeakSet[type[Any]] = weakref.WeakSet()
_passed: weakref.WeakSet[type[Any]] = weakref.WeakSet()


def remember(model: type[Any]) -> None:
    """Let ``model``'s passing check be remembered (a class this package made)."""
    _ours.add(model)


def install() -> bool:
    """Replace instructor's check with the remembering one (idempotent); False when
    this instructor has no such function."""
    try:
        module = importlib.import_module(_MODULE)
    except ImportError:
        return False
    current = getattr(module, _NAME, None)
    if not callable(current):
        return False
    wrapper = current if hasattr(current, _MARK) else _remembering(current)
    original = getattr(wrapper, "__wrapped__")  # noqa: B009 - set by functools.wraps
    for name, loaded in list(sys.modules.items()):
        if (name == "instructor" or name.startswith("instructor.")) and getattr(
            loaded, _NAME, None
        ) is original:
            setattr(loaded, _NAME, wrapper)
    return True


def _remembering(original: Callable[[Any], None]) -> Callable[[Any], None]:
    @functools.wraps(original)
    def reject_async_validators(response_model: Any) -> None:
        if _holds(_passed, response_model):
            return
        original(response_model)
        if _holds(_ours, response_model):
            _passed.add(response_model)

    setattr(reject_async_validators, _MARK, True)
    return reject_async_validators


def _holds(group: weakref.WeakSet[type[Any]], model: Any) -> bool:
    try:
        return model in group  # False for what a WeakSet cannot refer to (None, ...)
    except TypeError:  # weak-referenceable but unhashable
        return False

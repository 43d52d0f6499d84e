"""The parts every exercise check shares: the ``Verdict``, the registry, and helpers that read an answer.

A check is a function registered with ``@exercise("LL.N", hint, stronger_hint)`` in the lesson's module
(``lessonLL.py``). It receives the learner's answer, calls
``need(condition, message)`` for every way the answer can be wrong (the message says what is wrong in the
learner's terms, read off the answer and a real PyTorch run of the task), and returns ``(message, details)``
when everything holds. ``lrlab.exercises.check`` turns that, or the first unmet ``need``, into a Verdict.
A ``need`` message is built before its condition is tested: it must be computable for a right answer too.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import torch

from .. import data, schedules
from ..train import History


class Entry(NamedTuple):
    """A registered exercise: its ``check`` function and its ``hints`` (a gentle one, then a stronger one)."""

    check: Callable
    hints: tuple[str, str]


REGISTRY: dict[str, Entry] = {}  # "LL.N" -> Entry


@dataclass
class Verdict:
    """What a check found: ``status`` is "not attempted", "correct" or "wrong"; its repr is the verdict.

    ``bool(verdict)`` is True only for a correct answer; ``details`` are extra lines shown under it.
    """

    exercise: str
    status: str
    message: str
    details: list = field(default_factory=list)

    def __bool__(self):
        return self.status == "correct"

    def __repr__(self):
        head = {"not attempted": "not attempted yet.", "correct": "correct:", "wrong": "not yet:"}[self.status]
        return "\n".join([f"Exercise {self.exercise}: {head} {self.message}", *(f"  {d}" for d in self.details)])


class Wrong(Exception):
    """A wrong answer; the message says what is wrong, in the learner's terms."""


def exercise(number: str, hint: str, stronger_hint: str):
    """Register the decorated function as the check of exercise ``number`` ("LL.N"), with its two hints: the
    first call of ``hint(number)`` gives ``hint``, later calls ``stronger_hint`` (closer to the answer)."""
    if number in REGISTRY:
        raise ValueError(f"exercise {number!r} is registered twice")

    def register(fn):
        REGISTRY[number] = Entry(fn, (hint, stronger_hint))
        return fn
    return register


def need(ok: bool, message: str) -> None:
    """Stop the check with ``message`` unless ``ok``."""
    if not ok:
        raise Wrong(message)


def what(x) -> str:
    """A short description of any object: "a float (0.5)", "a WineMLP"."""
    text, name = repr(x), type(x).__name__
    shown = f" ({text})" if len(text) <= 60 and "\n" not in text and " at 0x" not in text else ""
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}{shown}"


def plural(n, word: str) -> str:
    """"1 epoch", "3 epochs", "1.5 decades"."""
    return f"{n:.3g} {word}{'' if n == 1 else 's'}"


def number(x, name: str) -> float:
    """The learner's number as a float, or a Wrong that says why it is not one."""
    if isinstance(x, torch.Tensor) and x.numel() == 1:
        x = x.item()
    if isinstance(x, (list, tuple)) and len(x) == 1:
        raise Wrong(f"{name} is a {type(x).__name__} with one number in it ({x!r}); give the number itself")
    if isinstance(x, str):
        raise Wrong(f"{name} is the text {x!r}; give a number, without quotes")
    need(isinstance(x, numbers.Real) and not isinstance(x, bool), f"{name} must be a number; you gave {what(x)}")
    need(math.isfinite(x), f"{name}={x!r} must be a finite number")
    return float(x)


def learning_rate(x, name: str) -> float:
    """The learner's learning rate as a float, or a Wrong that says why it is not one (a number > 0)."""
    lr = number(x, name)
    need(lr > 0, f"{name}={lr:g}: a learning rate is a number > 0")
    return lr


def values(fn, arguments, shown: Callable[..., str], owed: str) -> list[float]:
    """``fn(*args)`` for each ``args`` in ``arguments``, as floats, or a Wrong naming the first call that raised or
    returned no number: ``shown(*args)`` is how that call reads ("lr_lambda(3)"), ``owed`` what it must return."""
    out = []
    for args in arguments:
        call = shown(*args)
        try:
            value = fn(*args)
        except Exception as err:  # noqa: BLE001 - the learner's function, explained
            raise Wrong(f"calling your {call} raised {type(err).__name__}: {err}") from None
        need(value is not None, f"your {call} returned None: it must return {owed} (a number)")
        out.append(number(value, f"what your {call} returns"))
    return out


def preview_lrs(name: str, num_epochs: int, **params) -> list:
    """A real scheduler's LR per epoch (``schedules.preview``); its argument errors become the explanation."""
    try:
        return schedules.preview(name, num_epochs, **params)["lr"]
    except (ValueError, TypeError) as err:
        raise Wrong(str(err)) from None


def history(h, what_it_is: str) -> None:
    """Insist on a non-empty ``History``; a tuple holding one is explained."""
    if isinstance(h, tuple) and h and isinstance(h[0], History):
        raise Wrong(f"you passed a tuple whose first element is the History: take it out with [0] ({what_it_is})")
    need(isinstance(h, History), f"expected {what_it_is}; you gave {what(h)}")
    need(h.num_epochs > 0, "your History is empty: the run trained no epoch")


def need_same_run(h: History, ref: History, ref_name: str, fix: str) -> None:
    """Compare the learner's training losses with a reference run's and say where they part."""
    k = next((i for i, (a, b) in enumerate(zip(h.train_loss, ref.train_loss, strict=False))
              if not math.isclose(a, b, rel_tol=1e-6)), None)
    if k is None:
        return
    need(k > 0, f"your first epoch's training loss is {h.train_loss[0]:.4g} where {ref_name} has "
         f"{ref.train_loss[0]:.4g}: a different model, starting weights or data")
    raise Wrong(f"your training losses match {ref_name} for {plural(k, 'epoch')}, then differ "
                f"({h.train_loss[k]:.4g} instead of {ref.train_loss[k]:.4g}): the same start, different steps. {fix}")


@functools.lru_cache(maxsize=4)
def wine(standardize: bool = True, batch_size: int | None = None):
    """The lessons' Wine data, loaded once per setting."""
    return data.wine(standardize=standardize, batch_size=batch_size)

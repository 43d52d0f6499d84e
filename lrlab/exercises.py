"""Exercises that check themselves: ``check("03.3", gamma)`` says "correct", or what is wrong, in your terms.

A check inspects your answer (a number, an optimizer, a History, a range test, a trace) and runs the task
on real PyTorch objects to compare: the explanation is read off the difference ("with gamma=0.5 the 20th
epoch trains with lr=1.91e-07", "your LR halves after epochs 2, 5, 8; StepLR's after epochs 3, 6, 9").
``None`` means "not attempted yet" and brings a hint. A check never raises on a wrong answer: a wrong type
is explained too. ``bool(verdict)`` is True only for a correct answer. A check leaves the random generators
as it found them, so the cells after it give the same numbers whether it ran or not.

The checks live in ``exercises_01_02``, ``exercises_03_04`` and ``exercises_05_06``, one small file per pair
of lessons; ``lrlab.explain`` puts the difference between two LR curves into words.

Example::

    >>> check("03.3", None)
    Exercise 03.3: not attempted yet. Hint: the 20th epoch trains with 0.1 * gamma ** 19; set that equal to 0.001.
    >>> check("03.3", 0.5)       # 0.1 * 0.5 ** 19
    Exercise 03.3: not yet: with gamma=0.5 the 20th epoch trains with lr=1.91e-07, 5.2e+03 times too small; ...
    >>> bool(check("03.3", (0.001 / 0.1) ** (1 / 19)))
    True
"""

from __future__ import annotations

import contextlib
import random

import numpy as np
import torch

from . import exercises_01_02, exercises_03_04, exercises_05_06  # noqa: F401 - importing registers the checks
from .exercises_core import REGISTRY, Verdict, Wrong

__all__ = ["check", "hint", "available", "Verdict"]


def available() -> list[str]:
    """The exercises that have a check, as "LL.N" strings, sorted."""
    return sorted(REGISTRY)


def _get(exercise: str):
    if exercise not in REGISTRY:
        raise ValueError(f"exercise={exercise!r} has no check; valid exercises: {', '.join(available())}.")
    return REGISTRY[exercise]


@contextlib.contextmanager
def _learners_rng_kept():
    """Checks train reference runs, and lrlab.fit seeds every generator: put the learner's generators back."""
    saved = random.getstate(), np.random.get_state(), torch.random.get_rng_state()
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
    try:
        yield
    finally:
        random.setstate(saved[0])
        np.random.set_state(saved[1])
        torch.random.set_rng_state(saved[2])
        if cuda is not None:
            torch.cuda.set_rng_state_all(cuda)


def check(exercise: str, *answer, **context) -> Verdict:
    """Check an answer to a lesson's code exercise.

    Args:
        exercise (str): "LL.N", the lesson and the exercise's number in it, e.g. "03.3".
        *answer: what the exercise asks for (``gamma``; ``milestones, gamma`` for "03.4"). None, or all
            None, means not attempted yet.
        **context: lesson objects a check looks at too (``model=`` for "01.3", ``sched=`` for "01.5").

    Returns:
        Verdict: its repr says "correct", or "not yet" and what is wrong, or "not attempted yet" and a hint.

    Example::

        >>> check("01.5", 0.3)
        Exercise 01.5: not yet: 0.3 is the LR right after your edit, before the second sched.step(): ...
    """
    fn, hint_text = _get(exercise)
    if all(a is None for a in answer):
        return Verdict(exercise, "not attempted", f"Hint: {hint_text}")
    try:
        with _learners_rng_kept():
            message, details = fn(*answer, **context)
    except Wrong as wrong:
        return Verdict(exercise, "wrong", str(wrong))
    except Exception as err:  # noqa: BLE001 - a check explains, it never ends in a traceback
        return Verdict(exercise, "wrong", f"checking your answer failed with {type(err).__name__}: {err}")
    return Verdict(exercise, "correct", message, details)


def hint(exercise: str) -> str:
    """The hint a stub shows while the exercise is not attempted."""
    return _get(exercise)[1]

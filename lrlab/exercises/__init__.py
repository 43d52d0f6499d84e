"""Exercises that check themselves: ``check("05.3", gamma)`` says "correct", or what is wrong, in your terms.

A check inspects your answer (a number, an optimizer, a History, a range test, a trace) and runs the task
on real PyTorch objects to compare: the explanation is read off the difference ("with gamma=0.5 the 20th
epoch trains with lr=1.91e-07", "your LR halves after epochs 2, 5, 8; StepLR's after epochs 3, 6, 9").
``None`` means "not attempted yet"; nothing is given away before you try. ``hint("05.3")`` gives a hint when
you ask for one, and a stronger one on the second call.
A check never raises on a wrong answer: a wrong type is explained too. ``bool(verdict)`` is
True only for a correct answer. lrlab never reseeds your random generators, so the cells after a check give
the same numbers whether it ran or not.

Each lesson's checks live in its own module, ``lessonLL.py``; every such module in this package is imported
(and so registered) here. ``_core`` holds what the checks share, ``_feedback`` puts the difference between two
LR curves into words.

Example::

    >>> print(check("05.3", None))  # doctest: +NORMALIZE_WHITESPACE
    Exercise 05.3: not attempted yet. Replace None with your answer and run the cell again;
    lrlab.exercises.hint("05.3") gives a hint.
    >>> check("05.3", 0.9)       # stepped after each of 100 batches an epoch: 0.1 * 0.9 ** 1900
    Exercise 05.3: not yet: with gamma=0.9 the first batch of epoch 20 trains with lr=1.15e-88, ...
    >>> bool(check("05.3", (0.001 / 0.1) ** (1 / 1900)))
    True
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from .. import validation
from ._core import REGISTRY, Verdict, Wrong

__all__ = ["check", "hint", "available", "Verdict"]
LESSON_MODULE = re.compile(r"lesson\d\d$")
_hints_given: dict[str, int] = {}  # exercise -> how many times hint() gave one (a second call is stronger)

for _module in pkgutil.iter_modules(__path__):  # importing a lesson's module registers its checks
    if LESSON_MODULE.match(_module.name):
        importlib.import_module(f"{__name__}.{_module.name}")


def available() -> list[str]:
    """The exercises that have a check, as "LL.N" strings, sorted.

    Example::

        >>> available()[:3]
        ['01.1', '01.2', '01.3']
    """
    return sorted(REGISTRY)


def _get(exercise: str):
    if exercise not in REGISTRY:
        raise ValueError(f"exercise={exercise!r} has no check; valid exercises: {', '.join(available())}.")
    return REGISTRY[exercise]


def check(exercise: str, *answer, **context) -> Verdict:
    """Check an answer to a lesson's code exercise.

    Args:
        exercise (str): "LL.N", the lesson and the exercise's number in it, e.g. "05.3".
        *answer: what the exercise asks for (``gamma``; ``milestones, gamma`` for "05.4"). None, or all
            None, means not attempted yet.
        **context: lesson objects a check looks at too (``model=`` for "02.1", ``sched=`` for "02.3").

    Returns:
        Verdict: its repr says "correct", or "not yet" and what is wrong, or "not attempted yet" and how to ask
        for a hint (never the hint itself: nothing printed before an attempt gives the answer away).

    Example::

        >>> check("02.3", 0.3)
        Exercise 02.3: not yet: 0.3 is the LR right after your edit, before the second sched.step(): ...
    """
    entry = _get(exercise)
    if all(a is None for a in answer):
        return Verdict(exercise, "not attempted", f"Replace None with your answer and run the cell again; "
                       f'lrlab.exercises.hint("{exercise}") gives a hint.')
    try:
        message, details = entry.check(*answer, **context)
    except Wrong as wrong:
        return Verdict(exercise, "wrong", str(wrong))
    except Exception as err:  # noqa: BLE001 - a check explains, it never ends in a traceback
        return Verdict(exercise, "wrong", f"checking your answer failed with {type(err).__name__}: {err}")
    return Verdict(exercise, "correct", message, details)


def hint(exercise: str, level: int | None = None) -> str:
    """A hint for ``exercise``, only when you ask: a gentle one, then, from the second call on, a stronger one.

    Args:
        exercise (str): "LL.N", e.g. "05.3".
        level (int, optional): 1 (gentle) or 2 (stronger) to ask for one of them; None gives the next.

    Example::

        >>> hint("05.3", level=1)
        'a scheduler counts step() calls, nothing else: how many has it had when the first batch of epoch 20 trains?'
        >>> hint("05.3", level=2)[:59]
        'before that batch, 19 whole epochs of 100 batches have run,'
    """
    hints = _get(exercise).hints
    if level is None:
        level = _hints_given[exercise] = min(_hints_given.get(exercise, 0) + 1, len(hints))
    validation.require_one_of("level", level, (1, 2), note=" (1: gentle, 2: stronger; None: the next)")
    return hints[level - 1]

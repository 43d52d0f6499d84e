"""Rules that read an LR range test's smoothed loss curve and suggest an LR; bring your own.

A rule is any function ``(lrs, losses) -> lr`` of two plain lists, the LRs and the smoothed losses (both
ends trimmed), as fastai's ``SuggestionMethod``s are. The first line of its docstring says what it does.
``SUGGESTION_RULES`` holds the three named rules; ``suggest`` applies rules to a ``FinderResult``, and
``lr_range_test(..., rules=...)`` passes yours on.

Example::

    >>> lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    >>> losses = [2.3, 2.2, 1.5, 0.9, 3.0]
    >>> steepest(lrs, losses), valley(lrs, losses), minimum_tenth(lrs, losses)
    (0.01, 0.001, 0.01)
    >>> def half_of_minimum(lrs, losses):
    ...     \"\"\"Half the LR at the lowest smoothed loss.\"\"\"
    ...     return lrs[losses.index(min(losses))] / 2
    >>> rules = {"steepest": steepest, "minimum/2": half_of_minimum}
    >>> from lrlab.finder import FinderResult
    >>> fake = FinderResult(lrs, losses, losses, "end_lr", "", "exp", 1e-4, 1.0, 5, 0.0)
    >>> {name: s.lr for name, s in suggest(fake, rules=rules, skip_start=0, skip_end=0).items()}
    {'steepest': 0.01, 'minimum/2': 0.05}
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import torch

from .. import validation


@dataclass
class Suggestion:
    """One rule's pick: its ``name``, the suggested ``lr``, the smoothed ``loss`` at the recorded step
    ``index`` nearest to that LR (where the plot marks it), and the ``rule`` in one line."""

    name: str
    lr: float
    loss: float
    index: int
    rule: str


# --- the three named rules: (lrs, losses) -> lr ------------------------------------------------------
def steepest(lrs: list, losses: list) -> float:
    """Where the smoothed loss falls fastest per decade of LR (searched up to its minimum)."""
    end = max(2, losses.index(min(losses)) + 1)
    x = torch.tensor([math.log10(v) for v in lrs[:end]], dtype=torch.float64)
    y = torch.tensor(losses[:end], dtype=torch.float64)
    return lrs[int(torch.gradient(y, spacing=(x,))[0].argmin())]


def minimum_tenth(lrs: list, losses: list) -> float:
    """A tenth of the LR at the lowest smoothed loss (at the minimum the LR is already too hot)."""
    return lrs[losses.index(min(losses))] / 10


def valley(lrs: list, losses: list) -> float:
    """The middle of the longest run of ever-lower smoothed losses (fastai's default)."""
    tails, tail_at, parent = [], [], [None] * len(losses)  # patience sorting on -loss: O(n log n)
    best_end, best_len = 0, 0
    for i, v in enumerate(losses):
        k = bisect.bisect_left(tails, -v)
        parent[i] = tail_at[k - 1] if k else None
        tails[k:k + 1], tail_at[k:k + 1] = [-v], [i]
        if k + 1 > best_len:
            best_end, best_len = i, k + 1
    start = best_end
    while parent[start] is not None:
        start = parent[start]
    return lrs[(start + best_end) // 2]


SUGGESTION_RULES = {"steepest": steepest, "minimum/10": minimum_tenth, "valley": valley}


def describe(rule) -> str:
    """A rule's one-line description, as a phrase: the first line of its docstring, else its name.

    Example::

        >>> describe(minimum_tenth)
        'a tenth of the LR at the lowest smoothed loss (at the minimum the LR is already too hot)'
    """
    doc = (getattr(rule, "__doc__", None) or "").strip()
    if not doc:
        return getattr(rule, "__name__", repr(rule))
    line = doc.splitlines()[0].rstrip(".")
    return line if line[1:2].isupper() else line[:1].lower() + line[1:]  # "LR ..." keeps its capitals


def named_rules(rules) -> dict:
    """``{name: rule}`` from None (SUGGESTION_RULES), a dict, or a list of rules and built-in rule names."""
    if rules is None:
        return dict(SUGGESTION_RULES)
    items = rules.items() if isinstance(rules, dict) else None
    if items is None:
        if isinstance(rules, str) or not hasattr(rules, "__iter__"):
            raise ValueError(f"rules={rules!r} must be a dict of name -> rule, or a list of rules (functions "
                             f"(lrs, losses) -> lr) and names of {', '.join(SUGGESTION_RULES)}.")
        items = [(r, SUGGESTION_RULES.get(r)) if isinstance(r, str) else (getattr(r, "__name__", repr(r)), r)
                 for r in rules]
    named = {}
    for name, rule in items:
        if rule is None:
            raise ValueError(f"rules names {name!r}, which is not a rule; the named rules are "
                             f"{', '.join(SUGGESTION_RULES)}.")
        validation.require_callable(f"rules[{name!r}]", rule, "a function (lrs, losses) -> lr")
        named[str(name)] = rule
    return named


def _nearest(lrs, lr) -> int:
    return min(range(len(lrs)), key=lambda i: abs(math.log(lrs[i] / lr)))


def suggest(result, rules=None, skip_start: int | None = None, skip_end: int = 5) -> dict:
    """Each rule's suggestion for a range test's result, as ``{name: Suggestion}``.

    Args:
        result (FinderResult): from ``lr_range_test`` (its ``lr``, ``smooth_loss`` and ``num_iter``).
        rules (dict or list, optional): ``{name: rule}``, or a list of rules (named after their function) and
            names from ``SUGGESTION_RULES``; a rule is a function ``(lrs, losses) -> lr``. Default: the three
            of ``SUGGESTION_RULES``.
        skip_start (int, default num_iter // 10): first steps left out (the loss barely moves there).
        skip_end (int, default 5): last steps left out (the blow-up). With fewer than 3 steps left, every step
            is used; with fewer than 3 steps in all there are no suggestions.

    Example::

        >>> from lrlab.finder import FinderResult
        >>> fake = FinderResult([1e-3, 1e-2, 1e-1, 1.0], [2.0, 1.0, 0.5, 3.0], [2.0, 1.0, 0.5, 3.0], "end_lr", "",
        ...                     "exp", 1e-3, 1.0, 4, 0.0)
        >>> suggest(fake, rules=["minimum/10"])["minimum/10"].lr
        0.01
    """
    named = named_rules(rules)
    lo = result.num_iter // 10 if skip_start is None else skip_start
    for key, value in (("skip_start", lo), ("skip_end", skip_end)):
        validation.require_int(key, value, minimum=0)
    n = len(result.smooth_loss)
    hi = n - skip_end
    if hi - lo < 3:
        lo, hi = 0, n
    if hi - lo < 3:
        return {}
    lrs, losses = result.lr[lo:hi], result.smooth_loss[lo:hi]
    out = {}
    for name, rule in named.items():
        lr = rule(list(lrs), list(losses))
        if not (validation.is_real(lr) and lr > 0):
            raise ValueError(f"rules[{name!r}] returned {lr!r}; a rule must return an LR, a finite number > 0.")
        i = _nearest(result.lr, lr)
        out[name] = Suggestion(name, float(lr), result.smooth_loss[i], i, describe(rule))
    return out

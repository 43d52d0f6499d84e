"""The three rules that read an LR range test's smoothed loss curve and suggest an LR.

Each rule is a small function of plain lists (LRs and smoothed losses); ``suggest`` applies all three to
a ``FinderResult`` (anything with ``lr``, ``smooth_loss`` and ``num_iter``) after trimming its ends.

Example::

    >>> lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    >>> losses = [2.3, 2.2, 1.5, 0.9, 3.0]
    >>> lrs[steepest(lrs, losses)], lrs[valley(losses)]   # fastest fall at 1e-2; valley 0..3, middle 1
    (0.01, 0.001)
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import torch

RULES = {
    "steepest": "where the smoothed loss falls fastest per decade of LR (searched up to its minimum)",
    "minimum/10": "a tenth of the LR at the lowest smoothed loss (at the minimum the LR is already too hot)",
    "valley": "the middle of the longest run of ever-lower smoothed losses (fastai's default)",
}


@dataclass
class Suggestion:
    """One rule's pick: its ``name``, the suggested ``lr``, the smoothed ``loss`` at the recorded step
    ``index`` nearest to that LR (where the plot marks it), and the ``rule`` in one line."""

    name: str
    lr: float
    loss: float
    index: int
    rule: str


# --- the three rules: each takes LRs and smoothed losses (lists), returns an index or an LR ---------
def steepest(lrs: list, losses: list) -> int:
    """Index of the steepest fall of ``losses`` against log10(lr), searched up to the minimum loss."""
    end = max(2, losses.index(min(losses)) + 1)
    x = torch.tensor([math.log10(v) for v in lrs[:end]], dtype=torch.float64)
    y = torch.tensor(losses[:end], dtype=torch.float64)
    return int(torch.gradient(y, spacing=(x,))[0].argmin())


def valley(losses: list) -> int:
    """Index in the middle of the longest strictly falling subsequence of ``losses`` (the longest valley)."""
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
    return (start + best_end) // 2


def _nearest(lrs, lr) -> int:
    return min(range(len(lrs)), key=lambda i: abs(math.log(lrs[i] / lr)))


def suggest(result, skip_start: int | None = None, skip_end: int = 5) -> dict:
    """The three suggestions for a range test's result, as ``{name: Suggestion}``.

    Args:
        result (FinderResult): from ``lr_range_test`` (its ``lr``, ``smooth_loss`` and ``num_iter``).
        skip_start (int, default num_iter // 10): first steps left out (the loss barely moves there).
        skip_end (int, default 5): last steps left out (the blow-up). With fewer than 3 steps left,
            every step is used; with fewer than 3 steps in all there are no suggestions.
    """
    lo = result.num_iter // 10 if skip_start is None else skip_start
    for key, value in (("skip_start", lo), ("skip_end", skip_end)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{key}={value!r} is out of range; it must be an integer >= 0.")
    n = len(result.smooth_loss)
    hi = n - skip_end
    if hi - lo < 3:
        lo, hi = 0, n
    if hi - lo < 3:
        return {}
    lrs, losses = result.lr[lo:hi], result.smooth_loss[lo:hi]
    picks = {"steepest": lrs[steepest(lrs, losses)],
             "minimum/10": lrs[losses.index(min(losses))] / 10,
             "valley": lrs[valley(losses)]}
    out = {}
    for name, lr in picks.items():
        i = _nearest(result.lr, lr)
        out[name] = Suggestion(name, float(lr), result.smooth_loss[i], i, RULES[name])
    return out

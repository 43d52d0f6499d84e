"""Self-checking exercises of lesson 07 (warmup and cosine), each registered under its number "07.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("07.N", answer)``.
"""

from __future__ import annotations

import math
import numbers

from torch.optim import lr_scheduler

from .. import schedules
from ._core import Wrong, exercise, need, number, what
from ._feedback import changes, differences, lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = "EPOCHS, WARMUP, LR = 30, 5, 0.1"
DEFS = ("restarts",)

# Section 1's schedule: 30 epochs, 5 of them a linear warmup from 0.1 * LR, then a cosine to 0 over the other 25.
EPOCHS, WARMUP, START = 30, 5, 0.1


def _warmup_cosine(total_iters: int = WARMUP, milestone: int = WARMUP, t_max: int = EPOCHS - WARMUP):
    def factory(optimizer):
        warmup = lr_scheduler.LinearLR(optimizer, start_factor=START, total_iters=total_iters)
        cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=t_max)
        return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[milestone])
    return factory


def _cos(t: float, length: float) -> float:
    return (1 + math.cos(math.pi * t / length)) / 2


# Typical slips in a hand-written warmup + cosine factor, as closed forms of the epoch: (slip, what to do).
_SLIPS = {
    "the cosine is cut short: its length is EPOCHS, but it only starts after the warmup":
        lambda e: START + (1 - START) * e / WARMUP if e < WARMUP else _cos(e - WARMUP, EPOCHS),
    "the cosine's clock starts at epoch 0, not at the milestone: count t = epoch - WARMUP":
        lambda e: START + (1 - START) * e / WARMUP if e < WARMUP else _cos(e, EPOCHS - WARMUP),
    "the cosine's clock starts at epoch 0 and it lasts EPOCHS: count t = epoch - WARMUP, over EPOCHS - WARMUP epochs":
        lambda e: START + (1 - START) * e / WARMUP if e < WARMUP else _cos(e, EPOCHS),
    "the cosine reaches 0 one epoch early: its length is EPOCHS - WARMUP - 1, so the last epoch trains with LR 0":
        lambda e: START + (1 - START) * e / WARMUP if e < WARMUP else _cos(e - WARMUP, EPOCHS - WARMUP - 1),
    "your warmup reaches the full LR one epoch early ((epoch + 1) / WARMUP): LinearLR's line reaches it only at the "
    "milestone, where the cosine takes over":
        lambda e: START + (1 - START) * (e + 1) / WARMUP if e < WARMUP else _cos(e - WARMUP, EPOCHS - WARMUP),
    "your warmup starts from 0 (epoch / WARMUP): section 1's starts from 0.1 * LR":
        lambda e: e / WARMUP if e < WARMUP else _cos(e - WARMUP, EPOCHS - WARMUP),
}


def _factors(fn) -> list:
    """The learner's factor for every epoch, or a Wrong that says where and how the function fails."""
    need(callable(fn), f"expected a function epoch -> factor (def warmup_cosine_factor(epoch): ...); you gave "
         f"{what(fn)}")
    out = []
    for e in range(EPOCHS):
        try:
            value = fn(e)
        except Exception as err:  # noqa: BLE001 - the learner's function, explained
            raise Wrong(f"your function raised {type(err).__name__} at epoch {e}: {err}") from None
        need(value is not None, f"your function returned None at epoch {e}: it must return the factor (a number)")
        out.append(number(value, f"your function's value at epoch {e}"))
        need(out[-1] >= 0, f"your function gives a negative factor, {out[-1]:.3g}, at epoch {e}: an LR below 0 makes "
             "SGD climb the loss. The cosine part is (1 + cos(...)) / 2, between 0 and 1")
    return out


@exercise("07.1", "two cases: epoch < WARMUP gives section 1's warmup line as a factor (0.1 at epoch 0); after it, the "
          "cosine's closed form divided by LR, with its clock starting at the milestone.",
          "if epoch < WARMUP: return 0.1 + 0.9 * epoch / WARMUP; else return (1 + math.cos(math.pi * t / T)) / 2 "
          "with t = epoch - WARMUP and T = EPOCHS - WARMUP")
def _warmup_cosine_factor(fn):
    factors = _factors(fn)
    target = schedules.preview(_warmup_cosine(), EPOCHS, lr=1.0)["lr"]
    mine = schedules.preview(lambda o: lr_scheduler.LambdaLR(o, fn), EPOCHS, lr=1.0)["lr"]  # the real LambdaLR
    if all(lr_equal(a, b, 1e-6) for a, b in zip(mine, target, strict=True)):
        return "LambdaLR with your function gives the LRs of linear_then_cosine, every epoch", [
            f"factors: {factors[0]:.2g} at epoch 0, 1 at the milestone (epoch {WARMUP}), {factors[-1]:.2g} at the "
            f"last epoch"]
    need(not all(lr_equal(a, 0.1 * b, 1e-6) for a, b in zip(mine, target, strict=True)),
         "your function returns LRs (0.1 * the factor): LambdaLR multiplies the optimizer's LR by what it returns, "
         "so return the factor itself (0.1 at epoch 0, 1 at the milestone)")
    for slip, closed in _SLIPS.items():
        need(not all(lr_equal(a, closed(e), 1e-6) for e, a in enumerate(mine)), slip)
    k = next(e for e, (a, b) in enumerate(zip(mine, target, strict=True)) if not lr_equal(a, b, 1e-6))
    part = "warmup" if k < WARMUP else "cosine"
    raise Wrong(f"your factors first differ from linear_then_cosine's at epoch {k}, in the {part}: there yours is "
                f"{mine[k]:.4g}, PyTorch's {target[k]:.4g}")


# Exercise 2's run: 20 epochs of 50 batches, 2 epochs of warmup, stepped after every batch.
_E2, _B2, _W2 = 20, 50, 2


def _integer(x, name: str) -> int:
    value = number(x, name)
    need(value == int(value) and value >= 1, f"{name}={x!r} must be a whole number of scheduler steps, >= 1")
    return int(value)


@exercise("07.2", "stepped after every batch, the milestone and T_max count batches, not epochs.",
          "the warmup lasts 2 epochs of 50 batches; the cosine lasts the batches left of 20 x 50")
def _milestone_and_t_max(milestone, t_max=None):
    need(milestone is not None and t_max is not None, "give both: milestone, t_max = ..., ...")
    m, t = _integer(milestone, "milestone"), _integer(t_max, "t_max")
    total, right_m = _E2 * _B2, _W2 * _B2
    need(m != _W2, f"milestone={m} counts epochs, but the scheduler is stepped after every batch: the warmup would "
         f"be over after {m} batches. Count the batches of the {_W2} warmup epochs")
    need(m == right_m, f"with milestone={m} the warmup ends after {m} batches, {m / _B2:.3g} epochs of {_B2} batches; "
         f"the task warms up for {_W2} epochs")
    lrs = schedules.preview(_warmup_cosine(total_iters=m, milestone=m, t_max=t), _E2, _B2, step_on="batch",
                            lr=1.0)["lr"]
    need(t != total, f"T_max={t} is the whole run: the cosine only starts at the milestone, so it is cut short (the "
         f"last batch trains with {lrs[-1]:.3g} x LR)")
    rises = [i for i, f in changes(lrs) if f > 1 and i > m]
    need(t not in (_E2, _E2 - _W2), f"T_max={t} counts epochs: stepped after every batch, the cosine reaches 0 "
         f"after {t} batches and rises again, {len(rises)} times in this run")
    need(not rises, f"with T_max={t} the cosine reaches 0 after batch {m + t} and the LR rises again before the run "
         f"ends: T_max counts only the batches after the warmup")
    need(t == total - right_m, f"with T_max={t} the last batch trains with {lrs[-1]:.3g} x LR; a cosine that ends "
         f"with the run gets every batch after the warmup")
    return f"milestone={m}, T_max={t}: the cosine ends with the run", [
        f"the last batch trains with {lrs[-1]:.2g} x LR, the lowest LR of the run"]


@exercise("07.3", "the cycles last 3, 6, 12, ... epochs (T_mult=2 doubles each one); a restart comes where a cycle "
          "ends.",
          "add the cycle lengths up: 3, then 3 + 6, then 3 + 6 + 12, and stop before 30")
def _restarts(curve):
    task = "CosineAnnealingWarmRestarts(T_0=3, T_mult=2)"
    target = schedules.preview("CosineAnnealingWarmRestarts", 30, T_0=3, T_mult=2)["lr"]
    want = [i for i, f in changes(target) if f > 1]  # epochs completed when the LR jumps up
    lengths = [b - a for a, b in zip([0] + want, want, strict=False)]
    if isinstance(curve, (list, tuple)) and curve and all(isinstance(e, numbers.Integral) for e in curve):
        got = list(curve)  # the restart epochs themselves
        need(got != lengths, f"{got} are the lengths of the cycles; a restart comes after the epochs so far: "
             "add the lengths up")
        for e in got:
            need(e in want, f"after epoch {e} the LR of {task} does not jump up: it goes from {target[e - 1]:.3g} "
                 f"to {target[e]:.3g}" if 0 < e < len(target) else f"epoch {e} is outside the 30-epoch run")
        need(got == want, f"you list {len(got)} restarts; the LR of {task} jumps up {len(want)} times in 30 epochs")
        return f"the restarts come after epochs {want}", [f"the cycles last {lengths} epochs"]
    lrs = curve["lr"] if isinstance(curve, dict) and "lr" in curve else curve
    need(isinstance(lrs, (list, tuple)) and len(lrs) > 0 and all(isinstance(v, numbers.Real) for v in lrs),
         f"expected the list of restart epochs (or a schedules.preview(...) dict); you gave {what(curve)}")
    found = differences(list(lrs), target, f"{task}'s")
    need(not found, "; ".join(found))
    return f"your curve is {task}'s: the LR jumps up after epochs {want}", [f"the cycles last {lengths} epochs"]

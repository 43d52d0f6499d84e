"""Self-checking exercises of lesson 07 (warmup and cosine), each registered under its number "07.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("07.N", answer)``.
"""

from __future__ import annotations

import math
import numbers

from torch.optim import lr_scheduler

from .. import schedules
from ._core import Wrong, exercise, need, number, values, what
from ._feedback import changes, differences, lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = "EPOCHS, WARMUP, LR = 30, 5, 0.1"
DEFS = ("restarts",)

# Exercise 1's schedule: section 1's (30 epochs, 5 of them a linear warmup from 0.1 * LR), but the cosine over the
# other 25 ends at eta_min = 0.1 * LR instead of 0.
EPOCHS, WARMUP, START, LR = 30, 5, 0.1, 0.1
FLOOR = 0.1  # eta_min as a factor of LR


def _warmup_cosine(total_iters: int = WARMUP, milestone: int = WARMUP, t_max: int = EPOCHS - WARMUP,
                   eta_min: float = 0.0):
    def factory(optimizer):
        warmup = lr_scheduler.LinearLR(optimizer, start_factor=START, total_iters=total_iters)
        cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=t_max, eta_min=eta_min)
        return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[milestone])
    return factory


def _cos(t: float, length: float) -> float:
    return (1 + math.cos(math.pi * t / length)) / 2


def _line(e: float) -> float:
    return START + (1 - START) * e / WARMUP


def _with(floor=FLOOR, height=1 - FLOOR, warmup=_line, t=lambda e: e - WARMUP, length=EPOCHS - WARMUP):
    """A warmup + cosine factor with one part changed: a typical slip."""
    return lambda e: warmup(e) if e < WARMUP else floor + height * _cos(t(e), length)


# Typical slips in a hand-written warmup + cosine factor, as closed forms of the epoch: (slip, what to do).
_SLIPS = {
    "your cosine ends at 0, as section 1's does; this one ends at eta_min = 0.1 * LR, the factor 0.1":
        _with(floor=0, height=1),
    "your cosine ends at 0.01 * LR: eta_min = 0.01 is an LR, but LambdaLR wants a factor of LR, eta_min / LR = 0.1":
        _with(floor=LR * FLOOR, height=1 - LR * FLOOR),
    "your cosine starts at 1.1 at the milestone: adding 0.1 lifts the whole half cosine; it must fall from 1 to 0.1, "
    "a height of 0.9, not 1":
        _with(height=1),
    "the cosine is cut short: its length is EPOCHS, but it only starts after the warmup":
        _with(length=EPOCHS),
    "the cosine's clock starts at epoch 0, not at the milestone: count t = epoch - WARMUP":
        _with(t=lambda e: e),
    "the cosine's clock starts at epoch 0 and it lasts EPOCHS: count t = epoch - WARMUP, over EPOCHS - WARMUP epochs":
        _with(t=lambda e: e, length=EPOCHS),
    "the cosine reaches its floor one epoch early: its length is EPOCHS - WARMUP - 1":
        _with(length=EPOCHS - WARMUP - 1),
    "your warmup reaches the full LR one epoch early ((epoch + 1) / WARMUP): LinearLR's line reaches it only at the "
    "milestone, where the cosine takes over":
        _with(warmup=lambda e: _line(e + 1)),
    "your warmup starts from 0 (epoch / WARMUP): section 1's starts from 0.1 * LR":
        _with(warmup=lambda e: e / WARMUP),
}


def _factors(fn) -> list:
    """The learner's factor for every epoch, or a Wrong that says where and how the function fails."""
    need(callable(fn), f"expected a function epoch -> factor (def warmup_cosine_factor(epoch): ...); you gave "
         f"{what(fn)}")
    out = values(fn, [(e,) for e in range(EPOCHS)], lambda e: f"warmup_cosine_factor({e})", "that epoch's factor")
    for e, value in enumerate(out):
        need(value >= 0, f"your function gives a negative factor, {value:.3g}, at epoch {e}: an LR below 0 makes "
             "SGD climb the loss. A half cosine (1 + cos(...)) / 2 stays between 0 and 1")
    return out


@exercise("07.1", "two cases, both factors of LR: before the milestone, section 1's warmup line; after it, a half "
          "cosine that falls from 1 to eta_min / LR (not to 0), its clock starting at the milestone.",
          "after the milestone: floor + (1 - floor) * c, where c is section 1's half cosine (1 at the milestone, 0 at "
          "the end of the run) and floor is eta_min written as a factor of LR")
def _warmup_cosine_factor(fn):
    factors = _factors(fn)
    target = schedules.preview(_warmup_cosine(eta_min=FLOOR * LR), EPOCHS, lr=LR)["lr"]
    mine = schedules.preview(lambda o: lr_scheduler.LambdaLR(o, fn), EPOCHS, lr=LR)["lr"]  # the real LambdaLR
    if all(lr_equal(a, b, 1e-6) for a, b in zip(mine, target, strict=True)):
        return "LambdaLR with your function gives the SequentialLR's LRs, every epoch", [
            f"factors: {factors[0]:.2g} at epoch 0, 1 at the milestone (epoch {WARMUP}), {factors[-1]:.3g} at the "
            f"last epoch, on its way to {FLOOR:g}"]
    need(not all(lr_equal(a, LR * b, 1e-6) for a, b in zip(mine, target, strict=True)),
         "your function returns LRs (LR * the factor): LambdaLR multiplies the initial LR by what it returns, "
         "so return the factor itself (0.1 at epoch 0, 1 at the milestone)")
    for slip, closed in _SLIPS.items():
        need(not all(lr_equal(a, LR * closed(e), 1e-6) for e, a in enumerate(mine)), slip)
    k = next(e for e, (a, b) in enumerate(zip(mine, target, strict=True)) if not lr_equal(a, b, 1e-6))
    part = "warmup" if k < WARMUP else "cosine"
    raise Wrong(f"your factors first differ from the SequentialLR's at epoch {k}, in the {part}: there yours gives "
                f"lr={mine[k]:.4g}, PyTorch's {target[k]:.4g} (factor {target[k] / LR:.4g})")


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


@exercise("07.3", "each cycle lasts T_mult times as long as the one before, starting with T_0 epochs; a restart comes "
          "where a cycle ends.",
          "write down the cycle lengths first (T_mult=2 doubles them); a restart comes after the sum of the lengths so "
          "far, as long as that sum is below 30")
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

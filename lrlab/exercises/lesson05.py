"""Self-checking exercises of lesson 05 (step and exponential decay), each registered under its number "05.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("05.N", answer)``. Every check compares with a real PyTorch scheduler.
"""

from __future__ import annotations

import math
import numbers
import warnings

from torch.optim import lr_scheduler

from .. import schedules
from ._core import Wrong, exercise, need, number, preview_lrs, values, what
from ._feedback import describe, differences, lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = ""
DEFS = ()


# --- 05.1: MultiStepLR's closed form, written by hand -----------------------------------------------------------
# (lr0, milestones, gamma, epochs): uneven milestones, a milestone at epoch 1, one past the end
CASES = ((0.1, [5, 8], 0.1, 12), (0.05, [2, 3, 10], 0.5, 12), (1.0, [1], 0.2, 4), (0.3, [20], 0.1, 6))


def _multistep(lr0, milestones, gamma, epochs):
    """The LR each epoch trains with, from a real MultiStepLR stepped once per epoch after the optimizer."""
    opt = schedules.dummy_optimizer(lr0)
    sched = lr_scheduler.MultiStepLR(opt, milestones=milestones, gamma=gamma)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def _learners_curve(fn, lr0, milestones, gamma, epochs):
    return values(fn, [(epoch, lr0, list(milestones), gamma) for epoch in range(epochs)],
                  lambda *args: f"multistep_lr{args}", "that epoch's LR")


@exercise("05.1", "StepLR's formula is lr0 * gamma ** (the number of cuts so far), with epoch // step_size cuts. "
          "MultiStepLR follows the same pattern: how many cuts has epoch `epoch` seen?",
          "a milestone m has been passed once epoch >= m: a milestone of 5 means epoch 5 (from 0) is the first to "
          "train with the lower LR. Count the milestones passed, then use that count as the power of gamma")
def _multistep_closed_form(multistep_lr):
    need(callable(multistep_lr) and not isinstance(multistep_lr, type),
         f"expected a function multistep_lr(epoch, lr0, milestones, gamma); you gave {what(multistep_lr)}")
    for lr0, milestones, gamma, epochs in CASES:
        mine = _learners_curve(multistep_lr, lr0, milestones, gamma, epochs)
        target = _multistep(lr0, milestones, gamma, epochs)
        found = differences(mine, target, f"MultiStepLR(milestones={milestones}, gamma={gamma})'s")
        if found and lr_equal(mine[0], 1.0) and not lr_equal(lr0, 1.0):
            found = [f"your function gives {mine[0]:g} at epoch 0, where the LR is lr0={lr0:g}: multiply by lr0"]
        need(not found, f"from lr0={lr0}: " + "; ".join(found))
    lr0, milestones, gamma, epochs = CASES[0]
    return f"your closed form gives MultiStepLR's LR at every epoch of {len(CASES)} settings", [
        f"MultiStepLR(milestones={milestones}, gamma={gamma}) from {lr0}: the LR "
        f"{describe(_multistep(lr0, milestones, gamma, epochs))}"]


# --- 05.2: scheduler.step() at the start of the epoch -----------------------------------------------------------
def _loop_lrs(step_first: bool, num_epochs: int = 8):
    """The LR each epoch trains with when StepLR(step_size=3, gamma=0.5) from 0.1 is stepped before or after the
    epoch's optimizer step, and what PyTorch warned (first sentence of each warning)."""
    opt = schedules.dummy_optimizer(0.1)
    sched = lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    lrs = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(num_epochs):
            if step_first:
                sched.step()
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            if not step_first:
                sched.step()
    return lrs, [str(w.message).split(". ")[0] for w in caught]


def _first_with(lrs, lr):
    return next(i + 1 for i, x in enumerate(lrs) if lr_equal(x, lr))


@exercise("05.2", "write down the LR each epoch trains with when the scheduler has already stepped once before the "
          "first epoch's optimizer steps.",
          "StepLR counts its steps: after k calls of scheduler.step() the LR is 0.1 * 0.5 ** (k // 3). In this loop, "
          "epoch 1 trains after 1 call, epoch 2 after 2 calls, ...")
def _wrong_order(first_halved):
    need(not isinstance(first_halved, float) or first_halved.is_integer(),
         f"first_halved={first_halved!r}: give the epoch's number (a whole number), not an LR")
    need(isinstance(first_halved, numbers.Integral) or isinstance(first_halved, float),
         f"first_halved must be an epoch number, counted from 1; you gave {what(first_halved)}")
    n = int(first_halved)
    wrong, warned = _loop_lrs(step_first=True)
    right, _ = _loop_lrs(step_first=False)
    answer, in_order = _first_with(wrong, 0.05), _first_with(right, 0.05)
    if n == answer:
        return f"epoch {n} is the first to train with 0.05, one epoch early", [
            f"LR of epochs 1 to {len(wrong)}: {', '.join(f'{x:g}' for x in wrong)}",
            *(f"PyTorch warns: {w}" for w in warned[:1]),
            f"with scheduler.step() after the epoch's optimizer steps, epoch {in_order} would be the first"]
    need(n != in_order, f"epoch {n} is the first to train with 0.05 when scheduler.step() comes at the end of the "
         "epoch. This loop calls it at the start, before the epoch's optimizer steps: the schedule runs one "
         "step ahead")
    need(n != answer - 1, f"epoch {n}: counted from 0 that would be right, but count the epochs from 1 (the "
         "first epoch is epoch 1)")
    raise Wrong(f"epoch {n} trains with {wrong[n - 1]:g} in this loop" if 1 <= n <= len(wrong) else
                f"epoch {n}: the LR halves much earlier (StepLR halves every 3 scheduler steps)")


# --- 05.3: gamma per batch, from the LR the first batch of an epoch should train with ------------------------
LR0, LR_END, BATCHES, EPOCH = 0.1, 1e-3, 100, 20  # from 0.1; the first batch of epoch 20 trains with 0.001


def _where_reached(g: float):
    """(epoch from 1, batch from 1) of the first batch whose LR is 0.001 or less, with a per-batch ExponentialLR of
    gamma ``g`` from 0.1, 100 batches an epoch: None when it is not reached in 200 epochs."""
    if not 0 < g < 1:
        return None
    k = math.ceil(math.log(LR_END / LR0) / math.log(g) - 1e-9)  # steps taken before that batch
    return (k // BATCHES + 1, k % BATCHES + 1) if k < 200 * BATCHES else None


@exercise("05.3", "a scheduler counts step() calls, nothing else: how many has it had when the first batch of "
          "epoch 20 trains?",
          "before that batch, 19 whole epochs of 100 batches have run, each batch followed by one scheduler step. "
          "Then 0.1 * gamma ** (that number of steps) must equal 0.001")
def _gamma_per_batch(gamma):
    g = number(gamma, "gamma")
    need(not g >= 1, f"with gamma={g:g} the LR never falls: {'it stays at 0.1' if g == 1 else 'it grows every step'}")
    curve = preview_lrs("ExponentialLR", EPOCH, steps_per_epoch=BATCHES, step_on="batch", lr=LR0, gamma=g)
    lr = curve[(EPOCH - 1) * BATCHES]  # the first batch of epoch 20
    if lr_equal(lr, LR_END, 1e-6):
        return f"with gamma={g:.6g} the first batch of epoch {EPOCH} trains with lr={lr:.3g}", [
            f"{(EPOCH - 1) * BATCHES} scheduler steps come before it; the first batch of epoch 1 trains with "
            f"{curve[0]:g}, epoch 10's with {curve[9 * BATCHES]:.3g}"]
    ratio = lr / LR_END
    size = ("so small that it rounds to 0" if ratio == 0 else
            f"{ratio:.4g} times too large" if ratio > 1 else f"{1 / ratio:.4g} times too small")
    message = f"with gamma={g:.6g} the first batch of epoch {EPOCH} trains with lr={lr:.3g}, {size}"
    where = _where_reached(g)
    if where is not None and where[1] != 1:
        message += f"; your LR reaches 0.001 in batch {where[1]} of epoch {where[0]}"
    elif where is not None:
        message += f"; your LR reaches 0.001 at the first batch of epoch {where[0]}"
    if where == (1, EPOCH):
        message += (": that gamma is the one for a scheduler stepped once per epoch. Stepped after every batch, "
                    "it counts batches, and it is applied 100 times an epoch")
    elif where == (EPOCH + 1, 1):
        message += (f": one epoch late. You counted {EPOCH} epochs of steps; the first batch of epoch {EPOCH} comes "
                    f"after {EPOCH - 1} (the first batch of epoch 1 trains with 0.1, undecayed)")
    elif where is not None and where[0] == EPOCH and where[1] == BATCHES:
        message += ": that is the last batch of the epoch; the task asks for its first batch"
    raise Wrong(message)

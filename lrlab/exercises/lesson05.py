"""Self-checking exercises of lesson 05 (step and exponential decay), each registered under its number "05.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("05.N", answer)``. Every check compares with a real PyTorch scheduler.
"""

from __future__ import annotations

import numbers
import warnings

from torch.optim import lr_scheduler

from .. import schedules
from ._core import Wrong, exercise, need, number, preview_lrs, what
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
    out = []
    for epoch in range(epochs):
        try:
            lr = fn(epoch, lr0, list(milestones), gamma)
        except Exception as err:  # noqa: BLE001 - the learner's code: explain, never raise
            raise Wrong(f"multistep_lr({epoch}, {lr0}, {milestones}, {gamma}) raised {type(err).__name__}: "
                        f"{err}") from None
        out.append(number(lr, f"multistep_lr({epoch}, {lr0}, {milestones}, {gamma})"))
    return out


@exercise("05.1", "count the milestones that are <= epoch; the LR is lr0 times gamma to the power of that count.",
          "sum(1 for m in milestones if m <= epoch) counts them: a milestone of 5 means epoch 5 (from 0) is the "
          "first to train with the lower LR")
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


# --- 05.3: gamma from the LR the last epoch should train with ---------------------------------------------------
@exercise("05.3", "the 20th epoch trains with 0.1 * gamma ** 19; set that equal to 0.001.",
          "gamma ** 19 must be 0.001 / 0.1 = 0.01, so gamma is the 19th root of 0.01: raise it to the power 1 / 19")
def _gamma_for(gamma):
    g = number(gamma, "gamma")
    curve = preview_lrs("ExponentialLR", 20, lr=0.1, gamma=g)
    lr_20 = curve[-1]
    if lr_equal(lr_20, 1e-3, 1e-6):
        return f"with gamma={g:.4g} the 20th epoch trains with lr={lr_20:.3g}", [
            f"the LR {describe(curve)}: 19 decays from 0.1 to 0.001"]
    need(g < 1, f"with gamma={g:g} the LR never falls: it {describe(curve)}")
    ratio = lr_20 / 1e-3
    size = f"{ratio:.2g} times too large" if ratio > 1 else f"{1 / ratio:.2g} times too small"
    message = f"with gamma={g:.4g} the 20th epoch trains with lr={lr_20:.3g}, {size}"
    longer = preview_lrs("ExponentialLR", 200, lr=0.1, gamma=g)
    k = next((i for i, lr in enumerate(longer) if lr <= 1e-3 * (1 + 1e-6)), None)
    if k is not None and lr_equal(longer[k], 1e-3, 1e-6):
        message += (f"; your LR reaches 0.001 in epoch {k + 1}, after {k} decays. The 20th epoch has had 19: the "
                    "first epoch trains with 0.1, undecayed")
    elif k is not None:
        message += f"; your LR passes 0.001 between epochs {k} and {k + 1}"
    raise Wrong(message)

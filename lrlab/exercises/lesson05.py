"""Self-checking exercises of lesson 05 (step and exponential decay), each registered under its number "05.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("05.N", answer)``.
"""

from __future__ import annotations

import warnings

from torch.optim import lr_scheduler

from .. import schedules
from ._core import Wrong, exercise, need, number, preview_lrs
from ._feedback import describe, differences, lr_equal


def _loop_lrs(step_first: bool, num_epochs: int = 3):
    """The LR each epoch trains with when ExponentialLR(gamma=0.5) from 0.1 is stepped before or after it."""
    opt = schedules.dummy_optimizer(0.1)
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
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


# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = 'step = schedules.preview("StepLR", 12, lr=0.1, step_size=3, gamma=0.5)'
DEFS = ()


@exercise("05.2", "the loop steps the scheduler once before the first optimizer.step(); what LR does that leave?",
          "ExponentialLR multiplies the LR by gamma at each scheduler.step(): one step from 0.1 with gamma=0.5 "
          "leaves 0.1 * 0.5 for the first epoch")
def _wrong_order(first_lr):
    x = number(first_lr, "first_lr")
    wrong, warned = _loop_lrs(step_first=True)
    right, _ = _loop_lrs(step_first=False)
    if lr_equal(x, wrong[0]):
        return f"the first epoch trains with {x:g}, the LR meant for the second epoch", [
            *(f"PyTorch warns: {w}" for w in warned[:1]),
            f"with scheduler.step() at the end of the epoch it would train with {right[0]:g}"]
    need(not lr_equal(x, right[0]), f"{x:g} is the first epoch's LR when scheduler.step() comes at the end of the "
         "epoch, after its optimizer steps; this loop calls scheduler.step() at the start, before any optimizer.step()")
    curve = preview_lrs("ExponentialLR", 10, lr=0.1, gamma=0.5)
    k = next((i for i, lr in enumerate(curve) if lr_equal(x, lr)), None)
    need(k is None, f"{x:g} is the LR after {k} scheduler steps; when the first epoch trains, this loop has "
         "stepped the scheduler once")
    raise Wrong(f"{x:g} is not an LR this ExponentialLR(gamma=0.5) from lr=0.1 ever sets: "
                f"{', '.join(f'{lr:g}' for lr in curve[:4])}, ...")


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


@exercise("05.4", "at which epochs (from 0) does the StepLR line of section 1 drop? Give milestones and gamma.",
          "StepLR(step_size=3, gamma=0.5) halves the LR at epochs 3, 6 and 9 of the 12: those are MultiStepLR's "
          "milestones, with the same gamma")
def _multistep(milestones, gamma=None):
    need(milestones is not None and gamma is not None, "give both milestones and gamma: milestones, gamma = [...], ...")
    mine = preview_lrs("MultiStepLR", 12, lr=0.1, milestones=milestones, gamma=gamma)
    target = preview_lrs("StepLR", 12, lr=0.1, step_size=3, gamma=0.5)
    found = differences(mine, target, "StepLR(step_size=3, gamma=0.5)'s")
    need(not found, "; ".join(found))
    return f"MultiStepLR(milestones={list(milestones)}, gamma={gamma:g}) gives the 12 LRs of StepLR(step_size=3, " \
           "gamma=0.5)", [f"both: the LR {describe(target)}"]

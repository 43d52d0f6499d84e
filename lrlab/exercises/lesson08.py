"""Self-checking exercises of lesson 08 (one cycle), each registered under its number "08.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("08.N", answer)``.
"""

from __future__ import annotations

import math

import torch
from torch.optim import lr_scheduler

from .. import schedules
from ._core import Wrong, exercise, need, number, values, what
from ._feedback import lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = "EPOCHS, BATCHES, MAX_LR = 12, 180, 0.5"
DEFS = ()

# Exercise 1: 50,000 images in batches of 128 (the last batch kept), 30 epochs.
_IMAGES, _BATCH, _EPOCHS = 50_000, 128, 30


def _batches_per_epoch() -> int:
    """What PyTorch's own DataLoader says: len() of a loader over 50,000 items in batches of 128."""
    return len(torch.utils.data.DataLoader(range(_IMAGES), batch_size=_BATCH))


def _last_lr_and_failure(total_steps: int, steps_run: int):
    """Run a real OneCycleLR(max_lr=0.5, total_steps) for ``steps_run`` optimizer steps: the LR of the last step, and
    the step (from 1) whose scheduler.step() raised, or None."""
    optimizer = schedules.dummy_optimizer(0.5)
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, total_steps=total_steps, cycle_momentum=False)
    lr = None
    for k in range(1, steps_run + 1):
        lr = optimizer.param_groups[0]["lr"]
        optimizer.step()
        try:
            scheduler.step()
        except ValueError:
            return lr, k
    return lr, None


@exercise("08.1", "total_steps counts optimizer steps: batches per epoch times epochs. How many batches does one epoch "
          "of 50,000 images in batches of 128 have, the last smaller batch included?",
          "50,000 / 128 = 390.6: how many batches is that when the last, smaller one is kept? Then count the epochs")
def _total_steps(total_steps):
    n = number(total_steps, "total_steps")
    need(n == int(n) and n >= 1, f"total_steps={total_steps!r} must be a whole number of steps, >= 1")
    n = int(n)
    per_epoch = _batches_per_epoch()
    right = per_epoch * _EPOCHS
    if n == right:
        return f"{per_epoch} batches an epoch x {_EPOCHS} epochs = {right} steps", [
            "the last batch of each epoch holds 50,000 - 390 x 128 = 80 images, and it is a step too"]
    need(n != _EPOCHS, f"total_steps={n} counts epochs, but OneCycleLR is stepped after every batch: it would run its "
         f"whole cycle in the first {n} batches, then raise a ValueError")
    need(n != per_epoch, f"{n} is one epoch's batches; the run lasts {_EPOCHS} epochs")
    need(n != _IMAGES * _EPOCHS, f"{n} counts images; OneCycleLR counts optimizer steps, one per batch of {_BATCH}")
    need(n != (_IMAGES // _BATCH) * _EPOCHS, f"{n} = 390 x {_EPOCHS} leaves out the last, smaller batch of each epoch "
         f"(80 images): it is a step too. The run would stop with a ValueError at step {n + 1} of {right}")
    if n < right:
        raise Wrong(f"with total_steps={n} the cycle ends after {n} of the run's {right} steps: scheduler.step() "
                    f"raises a ValueError at step {n + 1}")
    lr, _ = _last_lr_and_failure(n, right)
    raise Wrong(f"with total_steps={n} the run ends {n - right} steps before the cycle does: its last step trains with "
                f"lr={lr:.3g}, not the cycle's final {0.5 / 25 / 1e4:.0e}")


# Exercise 2: OneCycleLR(max_lr=0.5, total_steps=1000), every other argument at its default.
_MAX_LR, _TOTAL = 0.5, 1000


def _closed(step, start=_MAX_LR / 25, end=_MAX_LR / 25 / 1e4, peak=0.3 * _TOTAL - 1, last=_TOTAL - 1, cos=True):
    if step <= peak:
        a, b, pct = start, _MAX_LR, step / peak
    else:
        a, b, pct = _MAX_LR, end, (step - peak) / (last - peak)
    return b + (a - b) * (1 + math.cos(math.pi * pct)) / 2 if cos else a + (b - a) * pct


# Typical slips in a hand-written one-cycle LR, as closed forms of the step: (slip, what it does).
_SLIPS = {
    "your cycle starts at max_lr: the first step trains with max_lr / div_factor = 0.02":
        lambda k: _closed(k, start=_MAX_LR),
    "your cycle ends at max_lr / final_div_factor = 5e-05; PyTorch's ends at max_lr / div_factor / final_div_factor "
    "= 2e-06, the starting LR divided by final_div_factor":
        lambda k: _closed(k, end=_MAX_LR / 1e4),
    "your peak comes one step late: counted from 0, the first phase ends at step pct_start * total_steps - 1 = 299":
        lambda k: _closed(k, peak=0.3 * _TOTAL),
    "your last phase ends one step late: counted from 0, the last step is total_steps - 1 = 999, and it trains with "
    "the final LR":
        lambda k: _closed(k, last=_TOTAL),
    "your phases are straight lines: the default anneal_strategy='cos' follows half cosines":
        lambda k: _closed(k, cos=False),
}


def _values(fn) -> list:
    """The learner's LR for every step, or a Wrong that says where and how the function fails."""
    need(callable(fn), f"expected a function step -> LR (def one_cycle_lr(step): ...); you gave {what(fn)}")
    return values(fn, [(k,) for k in range(_TOTAL)], lambda k: f"one_cycle_lr({k})", "that step's LR")


@exercise("08.2", "two phases, each half a cosine between its two ends; section 2 gives the formula and the step where "
          "each phase ends (counted from 0). Where does the first start, and where does the second end?",
          "the first phase runs from max_lr / 25 up to max_lr and ends at step 0.3 * 1000 - 1 = 299; the second "
          "from max_lr down to max_lr / 25 / 1e4, from step 299 to the last step, 999. pct: the fraction of its phase "
          "done")
def _one_cycle_lr(fn):
    mine = _values(fn)
    target = schedules.preview(lambda o: lr_scheduler.OneCycleLR(o, max_lr=_MAX_LR, total_steps=_TOTAL), _TOTAL,
                               lr=_MAX_LR)["lr"]  # the real scheduler, one step per "epoch"
    if all(lr_equal(a, b, 1e-6) for a, b in zip(mine, target, strict=True)):
        top = target.index(max(target))
        return "your closed form gives PyTorch's LR at every one of the 1,000 steps", [
            f"step 0: {target[0]:.3g}, peak {max(target):g} at step {top}, step 999: {target[-1]:.3g}"]
    for slip, closed in _SLIPS.items():
        need(not all(lr_equal(a, closed(k), 1e-6) for k, a in enumerate(mine)), slip)
    k = next(k for k, (a, b) in enumerate(zip(mine, target, strict=True)) if not lr_equal(a, b, 1e-6))
    phase = "rising" if k <= 299 else "falling"
    raise Wrong(f"your LRs first differ from PyTorch's at step {k}, in the {phase} phase: yours is {mine[k]:.6g}, "
                f"PyTorch's {target[k]:.6g}")


# Exercise 3: SGD(lr=0.1, momentum=0.9) with OneCycleLR(max_lr=0.4, total_steps=1000), the rest at its defaults.
def _momentums() -> tuple:
    """The momentum of the first step and of the step at the LR's peak, read off a real OneCycleLR."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.4, total_steps=_TOTAL)
    lrs, momentums = [], []
    for _ in range(_TOTAL):
        lrs.append(optimizer.param_groups[0]["lr"])
        momentums.append(optimizer.param_groups[0]["momentum"])
        optimizer.step()
        scheduler.step()
    return momentums[0], momentums[lrs.index(max(lrs))]


@exercise("08.3", "section 4: what does OneCycleLR do to the param groups' momentum the moment it is built, whatever "
          "momentum you gave SGD? Then, which way does the momentum move while the LR rises?",
          "with cycle_momentum=True the momentum runs between max_momentum and base_momentum (section 1 gives their "
          "defaults), opposite to the LR: where is the LR lowest, and where highest?")
def _first_and_peak_momentum(first_momentum, peak_momentum=None):
    need(first_momentum is not None and peak_momentum is not None,
         "give both: first_momentum, peak_momentum = ..., ...")
    first, peak = number(first_momentum, "first_momentum"), number(peak_momentum, "peak_momentum")
    want_first, want_peak = _momentums()
    ok = math.isclose(first, want_first) and math.isclose(peak, want_peak)
    if ok:
        return f"the first step uses momentum {want_first:g}, the peak step {want_peak:g}", [
            "the 0.9 you gave SGD never trains a single step: the scheduler overwrote it when it was built"]
    need(not math.isclose(first, 0.9), "the first step does not use the 0.9 you gave SGD: with cycle_momentum=True "
         "(the default), OneCycleLR writes its own momentum into the param groups the moment it is built")
    need(not (math.isclose(first, want_peak) and math.isclose(peak, want_first)),
         "reversed: the momentum mirrors the LR, so it is highest where the LR is lowest (the first step) and lowest "
         "at the LR's peak")
    need(math.isclose(first, want_first), f"the first step's momentum is not {first:g}: at the start the LR is at its "
         "lowest, so the momentum is at its highest, max_momentum (see its default in section 1)")
    raise Wrong(f"the first step's momentum is right; at the LR's peak the momentum is at its lowest, base_momentum "
                f"(see its default in section 1), not {peak:g}")

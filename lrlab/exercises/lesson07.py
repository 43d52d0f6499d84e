"""Self-checking exercises of lesson 07 (warmup, cosine and one-cycle), each registered under its number "07.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("07.N", answer)``.
"""

from __future__ import annotations

import numbers

from torch.optim import lr_scheduler

from .. import schedules
from ._core import exercise, history, need, what
from ._feedback import changes, differences, lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = "E = 8\nd = data.digits()"
DEFS = ("restarts", "cosine")


@exercise("07.3", "the cycles last 3, 6, 12, ... epochs; restarts(curve) lists where they end",
          "curve = schedules.preview('CosineAnnealingWarmRestarts', 30, T_0=3, T_mult=2): the LR jumps back up "
          "after epochs 3, 3 + 6 and 3 + 6 + 12")
def _restarts(curve):
    task = "CosineAnnealingWarmRestarts(T_0=3, T_mult=2)"
    target = schedules.preview("CosineAnnealingWarmRestarts", 30, T_0=3, T_mult=2)["lr"]
    want = [i for i, f in changes(target) if f > 1]  # epochs completed when the LR jumps up
    if isinstance(curve, (list, tuple)) and curve and all(isinstance(e, numbers.Integral) for e in curve):
        got = list(curve)  # the restart epochs themselves
        lengths = [b - a for a, b in zip([0] + want, want, strict=False)]
        need(got != lengths, f"{got} are the lengths of the cycles; a restart comes after the epochs so far: "
             "add the lengths up")
        for e in got:
            need(e in want, f"after epoch {e} the LR of {task} does not jump up: it goes from {target[e - 1]:.3g} "
                 f"to {target[e]:.3g}" if 0 < e < len(target) else f"epoch {e} is outside the 30-epoch run")
        need(got == want, f"you list {len(got)} restarts; the LR of {task} jumps up {len(want)} times in 30 epochs")
        return f"the restarts come after epochs {want}", [f"the cycles last {lengths} epochs"]
    lrs = curve["lr"] if isinstance(curve, dict) and "lr" in curve else curve
    need(isinstance(lrs, (list, tuple)) and len(lrs) > 0 and all(isinstance(v, numbers.Real) for v in lrs),
         f"expected the dict schedules.preview(...) returns (or the list of restart epochs); you gave {what(curve)}")
    found = differences(list(lrs), target, f"{task}'s")
    need(not found, "; ".join(found))
    return f"your curve is {task}'s: the LR jumps up after epochs {want}", [
        f"the cycles last {[b - a for a, b in zip([0] + want, want, strict=False)]} epochs"]


@exercise("07.4", "build a fresh SmallCNN(seed=0), SGD(lr=0.1, momentum=0.9) and cosine(optimizer) for each run, "
          "then lrlab.fit(model, optimizer, scheduler, d, num_epochs=E, step_on=...)",
          "two runs that differ only in step_on: 'epoch' for {'per epoch': ...} and 'batch' for {'per batch': ...}; "
          "each with its own new model, optimizer and cosine(optimizer)")
def _cosine_runs(cosine_runs):
    need(isinstance(cosine_runs, dict), "expected a dict {'per epoch': History, 'per batch': History}; you gave "
         f"{what(cosine_runs)}")
    need(set(cosine_runs) == {"per epoch", "per batch"}, f"your dict has the keys {sorted(map(str, cosine_runs))}; "
         "the task asks 'per epoch' and 'per batch'")
    for name, h in cosine_runs.items():
        history(h, f"a History under {name!r}")
        need(h.num_epochs == 8, f"your {name!r} run has {h.num_epochs} epochs; the task trains E = 8")
        steps = len(h.lr) // h.num_epochs
        need(steps > 1, f"your {name!r} run took one step an epoch: train on the digits of section 8 (d)")
        step_on = name.split()[1]
        target = schedules.preview(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=8), 8, steps, step_on=step_on,
                                   lr=0.1)["lr"]
        found = differences(h.lr, target, "the task's", steps)
        need(not found, f"your {name!r} run: " + "; ".join(found))
    a, b = cosine_runs["per epoch"], cosine_runs["per batch"]
    need(lr_equal(a.loss[0], b.loss[0], 1e-6), f"your two runs start from different models (first batch loss "
         f"{a.loss[0]:.4g} and {b.loss[0]:.4g}): build a fresh SmallCNN(seed=0) for each")
    lows = [i for i, _ in changes(b.lr) if b.lr[i] < b.lr[i - 1] and (i + 1 == len(b.lr) or b.lr[i + 1] >= b.lr[i])]
    return "both runs follow CosineAnnealingLR(T_max=8), one stepped once per epoch, one after every batch", [
        f"final validation loss: per epoch {a.val_loss[-1]:.3f}, per batch {b.val_loss[-1]:.3f}",
        f"stepped per batch, the LR hits bottom {len(lows)} times in 8 epochs"]

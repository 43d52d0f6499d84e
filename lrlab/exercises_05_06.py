"""Self-checking exercises of lessons 05 (warmup, cosine, one-cycle) and 06 (schedules in practice).

Each check is registered under its exercise number and reached through ``lrlab.exercises.check``.
"""

from __future__ import annotations

import copy
import functools
import numbers

import torch
from torch.optim import lr_scheduler

from . import checkpoint, models, recipes, schedules
from .checks import Finding, lint_schedule
from .exercises_core import Wrong, exercise, history, need, what, wine
from .explain import changes, differences, same
from .train import History, fit


# --- lesson 05: warmup, cosine and one-cycle ------------------------------------------------------------
@exercise("05.3", "the cycles last 3, 6, 12, ... epochs; restarts(curve) lists where they end")
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


@exercise("05.4", "build a fresh SmallCNN(seed=0), SGD(lr=0.1, momentum=0.9) and cosine(optimizer) for each run, "
          "then lrlab.fit(model, optimizer, scheduler, d, E, step_on=...)")
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
    need(same(a.loss[0], b.loss[0], 1e-6), f"your two runs start from different models (first batch loss "
         f"{a.loss[0]:.4g} and {b.loss[0]:.4g}): build a fresh SmallCNN(seed=0) for each")
    lows = [i for i, _ in changes(b.lr) if b.lr[i] < b.lr[i - 1] and (i + 1 == len(b.lr) or b.lr[i + 1] >= b.lr[i])]
    return "both runs follow CosineAnnealingLR(T_max=8), one stepped once per epoch, one after every batch", [
        f"final validation loss: per epoch {a.val_loss[-1]:.3f}, per batch {b.val_loss[-1]:.3f}",
        f"stepped per batch, the LR hits bottom {len(lows)} times in 8 epochs"]


# --- lesson 06: schedules in practice -------------------------------------------------------------------
def _lint_codes(num_epochs: int, steps_per_epoch: int, step_on: str, t_max: int = 30) -> list:
    factory = lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=t_max)  # noqa: E731
    return [f.code for f in lint_schedule(factory, num_epochs, steps_per_epoch, step_on=step_on)]


@exercise("06.3", "lint_schedule(factory, 30, 9, step_on='batch', verbose=True)")
def _lint(findings):
    need(isinstance(findings, list) and all(isinstance(f, Finding) for f in findings), "expected the list of "
         f"findings lint_schedule(...) returns; you gave {what(findings)}")
    got, want = [f.code for f in findings], _lint_codes(30, 9, "batch")
    need(got or not want, "your lint found nothing: the schedule it looked at has no mistake. Lint "
         "CosineAnnealingLR(T_max=30) stepped after every batch of a 30-epoch run with 9 batches an epoch")
    slips = {(9, 30, "batch"): "with num_epochs and steps_per_epoch swapped: 30 epochs of 9 batches",
             (30, 9, "epoch"): "stepped once per epoch: pass step_on='batch'"}
    for (n, steps, step_on), slip in slips.items():
        need(got != _lint_codes(n, steps, step_on), f"your findings are those of CosineAnnealingLR(T_max=30) {slip}")
    need(got == want, f"your findings ({', '.join(got)}) are not those of CosineAnnealingLR(T_max=30) stepped "
         "after every batch of 30 epochs of 9 batches: lint_schedule(factory, 30, 9, step_on='batch')")
    task = lint_schedule(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=30), 30, 9, step_on="batch")
    need([str(f) for f in findings] == [str(f) for f in task], "your findings name the right mistakes, but for "
         "another schedule (their messages differ): lint CosineAnnealingLR(T_max=30)")
    return f"the lint reports {', '.join(want)}", ["next: fix the schedule and lint it again; a silent lint is []"]


def _build():
    """Lesson 06's build(): WineMLP(seed=0), Adam(lr=0.05), 5 epochs of warmup, then a cosine to epoch 30."""
    model = models.WineMLP(seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    return model, optimizer, recipes.warmup_cosine(optimizer, warmup=5, total=30)


@functools.lru_cache(maxsize=8)
def _resumed(how: str, stop: int = 20) -> History:
    """The 30-epoch Wine run, uninterrupted or resumed after ``stop`` epochs in one of the ways ``how`` names."""
    model, optimizer, scheduler = _build()
    if how == "uninterrupted":
        return fit(model, optimizer, scheduler, wine(), 30, verbose=False)
    first = fit(model, optimizer, scheduler, wine(), stop, verbose=False)
    states = copy.deepcopy([model.state_dict(), optimizer.state_dict(), scheduler.state_dict()])
    if how == "scheduler built after loading":
        model = models.WineMLP(seed=0)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        model.load_state_dict(states[0])
        optimizer.load_state_dict(states[1])
        scheduler = recipes.warmup_cosine(optimizer, warmup=5, total=30)
        scheduler.load_state_dict(states[2])
    else:
        model, optimizer, scheduler = _build()
        for part, state, name in zip((model, optimizer, scheduler), states, ("model", "optimizer", "scheduler"),
                                     strict=True):
            if how != f"{name} not loaded":
                part.load_state_dict(state)
    return checkpoint.join(first, fit(model, optimizer, scheduler, wine(), 30 - stop, verbose=False))


def _same(a: History, b: History) -> bool:
    return all(same(x, y) for x, y in zip(a.lr + a.val_loss, b.lr + b.val_loss, strict=True))


@exercise("06.4", "follow section 1 with STOP replaced by 20")
def _resume_20(resumed_20):
    history(resumed_20, "the joined History, checkpoint.join(part_1, part_2)")
    h, whole = resumed_20, _resumed("uninterrupted")
    need(h.num_epochs == whole.num_epochs, f"your joined history has {h.num_epochs} epochs; the run has 30: fit the "
         "EPOCHS - done epochs that are left and join both parts")
    if _same(h, whole):
        return "the run resumed after epoch 20 is the uninterrupted run, LR for LR and loss for loss", []
    for how, fix in {"scheduler not loaded": "its new scheduler starts the warmup again. Load all three states",
                     "scheduler built after loading": "building the scheduler reset the LR. Build all three first, "
                     "then load", "optimizer not loaded": "Adam's moments and its LR start afresh. Load the "
                     "optimizer's state too", "model not loaded": "the weights start afresh. Load the model's state "
                     "too"}.items():
        need(not _same(h, _resumed(how)), f"your run is the one resumed after epoch 20 with the {how}: {fix}")
    k = next((i for i, (a, b) in enumerate(zip(h.lr, whole.lr, strict=True)) if not same(a, b)), None)
    need(k is None, f"your LR first differs from the uninterrupted run's in epoch {k + 1} ({h.lr[k]:.4g} instead of "
         f"{whole.lr[k]:.4g})" if k is not None else "")
    j = next(i for i, (a, b) in enumerate(zip(h.val_loss, whole.val_loss, strict=True)) if not same(a, b))
    raise Wrong(f"your LRs are right, but the validation loss first differs in epoch {j + 1}: "
                + ("the model's or the optimizer's state was not restored" if j >= 20
                   else "the first part is not the run build() makes"))

"""Self-checking exercises of lesson 11 (schedules in practice), each registered under its number "11.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("11.N", answer)``.
"""

from __future__ import annotations

import copy
import functools

import torch
from torch.optim import lr_scheduler

from .. import checkpoint, models, schedules
from ..lint import Finding, lint_schedule
from ..train import History, fit
from ._core import Wrong, exercise, history, need, what, wine
from ._feedback import lr_equal


def _lint_codes(num_epochs: int, steps_per_epoch: int, step_on: str, t_max: int = 30) -> list:
    factory = lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=t_max)  # noqa: E731
    return [f.code for f in lint_schedule(factory, num_epochs, steps_per_epoch, step_on=step_on)]


# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = ("from lrlab import checkpoint\nfrom lrlab.lint import lint_schedule\nwine = data.wine()\n"
           "EPOCHS, STOP, WARMUP = 30, 12, 5")
DEFS = ("build",)


@exercise("11.3", "lint_schedule(factory, 30, 9, step_on='batch', verbose=True)",
          "findings = lint_schedule(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=30), 30, 9, step_on='batch', "
          "verbose=True): 30 epochs of 9 batches, the scheduler stepped after every batch")
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
    """Lesson 11's build(): WineMLP(seed=0), Adam(lr=0.05), 5 epochs of warmup, then a cosine to epoch 30."""
    model = models.WineMLP(seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    return model, optimizer, schedules.warmup_cosine(optimizer, warmup=5, total=30)


@functools.lru_cache(maxsize=8)
def _resumed(how: str, stop: int = 20) -> History:
    """The 30-epoch Wine run, uninterrupted or resumed after ``stop`` epochs in one of the ways ``how`` names."""
    model, optimizer, scheduler = _build()
    if how == "uninterrupted":
        return fit(model, optimizer, scheduler, wine(), num_epochs=30, verbose=False)
    first = fit(model, optimizer, scheduler, wine(), num_epochs=stop, verbose=False)
    states = copy.deepcopy([model.state_dict(), optimizer.state_dict(), scheduler.state_dict()])
    if how == "scheduler built after loading":
        model = models.WineMLP(seed=0)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        model.load_state_dict(states[0])
        optimizer.load_state_dict(states[1])
        scheduler = schedules.warmup_cosine(optimizer, warmup=5, total=30)
        scheduler.load_state_dict(states[2])
    else:
        model, optimizer, scheduler = _build()
        for part, state, name in zip((model, optimizer, scheduler), states, ("model", "optimizer", "scheduler"),
                                     strict=True):
            if how != f"{name} not loaded":
                part.load_state_dict(state)
    return checkpoint.join(first, fit(model, optimizer, scheduler, wine(), num_epochs=30 - stop, verbose=False))


def _identical_runs(a: History, b: History) -> bool:
    return all(lr_equal(x, y) for x, y in zip(a.lr + a.val_loss, b.lr + b.val_loss, strict=True))


@exercise("11.4", "follow section 1 with STOP replaced by 20",
          "build(); fit 20 epochs; checkpoint.save(...); build() again; checkpoint.load(...) all three; fit the 10 "
          "epochs left; resumed_20 = checkpoint.join(part_1, part_2)")
def _resume_20(resumed_20):
    history(resumed_20, "the joined History, checkpoint.join(part_1, part_2)")
    h, whole = resumed_20, _resumed("uninterrupted")
    need(h.num_epochs == whole.num_epochs, f"your joined history has {h.num_epochs} epochs; the run has 30: fit the "
         "EPOCHS - done epochs that are left and join both parts")
    if _identical_runs(h, whole):
        return "the run resumed after epoch 20 is the uninterrupted run, LR for LR and loss for loss", []
    for how, fix in {"scheduler not loaded": "its new scheduler starts the warmup again. Load all three states",
                     "scheduler built after loading": "building the scheduler reset the LR. Build all three first, "
                     "then load", "optimizer not loaded": "Adam's moments and its LR start afresh. Load the "
                     "optimizer's state too", "model not loaded": "the weights start afresh. Load the model's state "
                     "too"}.items():
        need(not _identical_runs(h, _resumed(how)), f"your run is the one resumed after epoch 20 with the {how}: {fix}")
    k = next((i for i, (a, b) in enumerate(zip(h.lr, whole.lr, strict=True)) if not lr_equal(a, b)), None)
    need(k is None, f"your LR first differs from the uninterrupted run's in epoch {k + 1} ({h.lr[k]:.4g} instead of "
         f"{whole.lr[k]:.4g})" if k is not None else "")
    j = next(i for i, (a, b) in enumerate(zip(h.val_loss, whole.val_loss, strict=True)) if not lr_equal(a, b))
    raise Wrong(f"your LRs are right, but the validation loss first differs in epoch {j + 1}: "
                + ("the model's or the optimizer's state was not restored" if j >= 20
                   else "the first part is not the run build() makes"))

"""Self-checking exercises of lesson 06 (ReduceLROnPlateau), each registered under its number "06.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("06.N", answer)``. Every check compares with a real ``ReduceLROnPlateau``
(through ``lrlab.plateau.trace``), never with a number written down here.
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings

import torch
from torch.optim import lr_scheduler

from .. import models, plateau
from ..train import fit
from ._core import Wrong, exercise, need, what, wine

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = "from lrlab import plateau\nfrom lrlab.train import lr_cuts"
DEFS = ("wine_run",)

SLOW = [1.0 - 3e-5 * i for i in range(30)]  # exercise 1: a loss falling by 3e-5 an epoch


# --- 06.1: predict the cuts of a slowly falling loss -----------------------------------------------------------
def _epoch_list(x, name: str) -> list[int]:
    """The learner's list of epoch numbers, or a Wrong that says why it is not one."""
    if isinstance(x, (str, bytes)) or not isinstance(x, (list, tuple)):
        raise Wrong(f"{name} must be a list of epoch numbers (counted from 1); you gave {what(x)}")
    for e in x:
        need(isinstance(e, numbers.Integral) and not isinstance(e, bool),
             f"{name} holds {what(e)}; give whole epoch numbers, counted from 1")
    return [int(e) for e in x]


@exercise("06.1", "compare one epoch's fall (3e-5) with the smallest fall the default threshold counts as an "
          "improvement: 1e-4 of the best, in rel mode.",
          "no single epoch clears best * (1 - 1e-4), so count the epochs until the loss is 1e-4 below the best. In "
          "between, bad epochs pile up: the third one is more than patience=2 and cuts; then the count restarts")
def _predict_slow(predicted_cuts):
    mine = _epoch_list(predicted_cuts, "predicted_cuts")
    t = plateau.trace(SLOW, patience=2)
    right, fine = t["cuts"], plateau.trace(SLOW, patience=2, threshold=1e-5)["cuts"]
    if mine == right:
        return f"the LR is cut after epochs {right}", [
            f"improved, epochs 1 to 9: {t['improved'][:9]}: one epoch in four beats the bar",
            f"with threshold=1e-5 every epoch is an improvement: cuts after {fine or 'no epoch'}"]
    every = right[0] if right else 0
    need(mine != [], "you predict no cut, as if every epoch improved the loss. It does fall every epoch, but "
         "by 3e-5, 0.003 % of the loss, and threshold=1e-4 (rel) counts only a fall of more than 0.01 % of the "
         "best: a single epoch is a bad epoch")
    need(mine != [c - 1 for c in right], f"every cut in your list comes one epoch early (PyTorch: {right}). "
         "patience=2 allows two bad epochs; the third one cuts (and count the epochs from 1)")
    need(mine != [c + 1 for c in right], f"every cut in your list comes one epoch late (PyTorch: {right}): the "
         "cut comes on the third bad epoch, in the same scheduler.step() that counts it")
    step = mine[1] - mine[0] if len(mine) > 1 else None
    need(step != 3, "your cuts come every 3 epochs, as if the loss never improved. It does, now and then: once "
         "it has fallen more than 1e-4 below the best, that epoch is a new best and the count starts again")
    first = right[0] if right else None
    raise Wrong(f"your cuts: {mine}; PyTorch's: {right}. The first cut comes after epoch {first}, then one every "
                f"{every} epochs: look at plateau.trace(slow, patience=2)['num_bad_epochs'] to see why")


# --- 06.2: the rule, written by hand ----------------------------------------------------------------------------
# (name, series, patience, threshold): each one tells a common slip apart from the rule
_NOISY = [0.1551, 0.1447, 0.1406, 0.1472, 0.1271, 0.1213, 0.1192, 0.1203, 0.1165, 0.1177, 0.1163, 0.1077,
          0.1085, 0.1166, 0.1078, 0.1061, 0.1053, 0.1019]  # a noisy validation loss (lesson 06, section 4)
CASES = (
    ("a metric that never improves ([1.0] * 30)", [1.0] * 30, 10, 1e-4),
    ("a slow steady fall (1.0 - 3e-5 * i, 30 epochs)", SLOW, 2, 1e-4),
    ("a noisy validation loss (18 epochs)", _NOISY, 2, 0.02),
    ("a fall that stops (1.0, 0.5, 0.4, then 0.4 for 12 epochs)", [1.0, 0.5, 0.4] + [0.4] * 12, 3, 1e-4),
    ("a metric that never improves, patience=0", [2.0] * 6, 0, 1e-4),
    ("a fall, then equal values ([1.0, 0.5, 0.5, 0.5, 0.5, 0.5])", [1.0] + [0.5] * 5, 1, 0.0),
)


def _reference(metrics, patience, threshold, *, early=False, no_reset=False, equal_improves=False,
               no_threshold=False, absolute=False, from_zero=False, first_bad=False) -> list[int]:
    """The rule of ReduceLROnPlateau (mode min), and the slips a hand-written version makes, one flag each."""
    best, bad, cuts = (metrics[0] if first_bad else math.inf), 0, []
    for epoch, m in enumerate(metrics, start=0 if from_zero else 1):
        bar = best if no_threshold else (best - threshold if absolute else best * (1 - threshold))
        if (m <= bar) if equal_improves else (m < bar):
            best, bad = m, 0
        else:
            bad += 1
        if (bad >= patience) if early else (bad > patience):
            cuts.append(epoch)
            if not no_reset:
                bad = 0
    return cuts


SLIPS = {
    "early": "You cut when the bad epochs reach patience; PyTorch waits for more than patience: `bad > patience`",
    "no_reset": "After a cut you keep counting; PyTorch sets num_bad_epochs back to 0 after every cut",
    "equal_improves": "An epoch equal to the bar counts as an improvement in yours; PyTorch needs `metric < bar`, "
                      "strictly: an equal value is a bad epoch",
    "no_threshold": "You count any fall as an improvement; PyTorch's bar is best * (1 - threshold): a fall smaller "
                    "than threshold * best is a bad epoch",
    "absolute": "Your bar is best - threshold (threshold_mode='abs'); the task is rel mode: best * (1 - threshold)",
    "from_zero": "Your epochs are counted from 0; count them from 1, as plateau.trace does",
    "first_bad": "You start with best = the first metric, so epoch 1 counts as a bad epoch; PyTorch starts with "
                 "best = inf (mode min), so epoch 1 is always an improvement",
}


def _call(fn, name, series, patience, threshold):
    try:
        out = fn(list(series), patience, threshold)
    except Exception as err:  # noqa: BLE001 - the learner's code: explain, never raise
        raise Wrong(f"on {name} with patience={patience}, threshold={threshold:g} your function raised "
                    f"{type(err).__name__}: {err}") from None
    need(out is not None, "your function returns None: return the list of epochs")
    return _epoch_list(list(out) if hasattr(out, "__iter__") and not isinstance(out, (str, dict)) else out,
                       "what your function returns")


@exercise("06.2", "keep the best metric so far (start at float('inf')) and a count of bad epochs; an epoch "
          "improves when metric < best * (1 - threshold), and then the count goes back to 0.",
          "after the improvement test: if the count is more than patience, record the epoch (counted from 1) and "
          "set the count back to 0. An epoch equal to the bar is a bad epoch")
def _cut_epochs(cut_epochs):
    need(callable(cut_epochs) and not isinstance(cut_epochs, type),
         f"expected a function cut_epochs(metrics, patience, threshold); you gave {what(cut_epochs)}")
    mine = [_call(cut_epochs, *case) for case in CASES]
    want = [plateau.trace(series, patience=p, threshold=t)["patience_out"] for _, series, p, t in CASES]
    if mine == want:
        return "your function runs out of patience where a real ReduceLROnPlateau does, on all " \
               f"{len(CASES)} series", [f"{name}: {cuts}" for (name, *_), cuts in zip(CASES, want, strict=True)]
    slips = [s for s in SLIPS if all(_reference(series, p, t, **{s: True}) == m
                                     for (_, series, p, t), m in zip(CASES, mine, strict=True))]
    k = next(i for i, (a, b) in enumerate(zip(mine, want, strict=True)) if a != b)
    name, _, p, t = CASES[k]
    message = f"on {name}, patience={p}, threshold={t:g}: your function says {mine[k]}, PyTorch {want[k]}"
    raise Wrong(message + (f". {SLIPS[slips[0]]}" if slips else ""))


# --- 06.3: mode="min" on an accuracy ----------------------------------------------------------------------------
@functools.lru_cache(maxsize=2)
def _plateau_run(monitor: str, mode: str):
    """Lesson 06's wine_run: standardised Wine, WineMLP(seed=0), Adam(lr=0.1), ReduceLROnPlateau, 100 epochs;
    returns (History, the scheduler after the run)."""
    model = models.WineMLP(seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    sched = lr_scheduler.ReduceLROnPlateau(opt, mode=mode, factor=0.1, patience=10)
    with warnings.catch_warnings():  # fit may warn about this very mismatch: the learner saw it already
        warnings.simplefilter("ignore")
        return fit(model, opt, sched, wine(), num_epochs=100, monitor=monitor, verbose=False), sched


@exercise("06.3", "in mode='min' the scheduler keeps the lowest value it has been given as its best. Which epoch of a "
          "training run usually has the lowest validation accuracy?",
          "wine_run returns the scheduler it stepped as its third item; after the run, read its `best` attribute. "
          "Pass wine_run the settings the task names (monitor, mode, factor, patience)")
def _plateau_best(scheduler_best):
    ref, sched = _plateau_run("val_acc", "min")
    best = sched.best  # what the real scheduler holds after the run
    accs = ref.val_acc
    span = f"the run's validation accuracies go from {min(accs):.3f} to {max(accs):.3f}"
    if isinstance(scheduler_best, tuple) and scheduler_best and hasattr(scheduler_best[0], "val_acc"):
        raise Wrong("you passed what wine_run returns (History, model, scheduler): give the number the scheduler "
                    "holds as its best, its `best` attribute")
    need(not hasattr(scheduler_best, "val_acc"), "you passed the History: give the number the scheduler holds as "
         "its best (an attribute of the scheduler, not of the History)")
    need(not isinstance(scheduler_best, lr_scheduler.ReduceLROnPlateau), "you passed the scheduler itself: give "
         "the number it holds as its best, scheduler.best")
    if isinstance(scheduler_best, torch.Tensor) and scheduler_best.numel() == 1:
        scheduler_best = scheduler_best.item()
    need(isinstance(scheduler_best, numbers.Real) and not isinstance(scheduler_best, bool),
         f"scheduler_best must be a number; you gave {what(scheduler_best)}")
    x = float(scheduler_best)
    if math.isclose(x, best, rel_tol=1e-6):  # 1e-6: a float32 tensor too
        cuts = plateau.trace(accs, mode="min", factor=0.1, patience=10)["cuts"]
        return f"the scheduler's best is {best:.3f}, the first epoch's accuracy: the lowest of the run", [
            f"{span}; mode='min' keeps the lowest as best, so every later epoch is a bad epoch",
            f"LR cut after epochs {cuts}: every {_gaps(cuts)} epochs, whatever the training does"]
    need(not math.isinf(x), f"best={x:g} is where a scheduler starts in mode='min', before any step: read it from "
         "the scheduler that wine_run stepped, after the run")
    need(not math.isclose(x, max(accs), rel_tol=1e-6), f"{x:.3f} is the highest accuracy of the run: what "
         "mode='max' would keep. With mode='min' the scheduler counts a LOWER accuracy as better")
    need(not math.isclose(x, accs[-1], rel_tol=1e-6), f"{x:.3f} is the last epoch's accuracy; the scheduler "
         "replaces its best only when an epoch beats it")
    other, _ = _plateau_run("val_loss", "min")
    need(not any(math.isclose(x, v, rel_tol=1e-6) for v in [*ref.val_loss, *other.val_loss]),
         f"{x:.4g} is a validation loss; the task's scheduler is given the validation accuracy (monitor='val_acc')")
    raise Wrong(f"{x:g} is not what the scheduler holds after the run. Run wine_run with the task's settings and "
                "read the best of the scheduler it returns")


def _gaps(cuts: list) -> str:
    """The spacing of regular cuts as text ("11"), or the list of gaps."""
    gaps = sorted({b - a for a, b in zip(cuts, cuts[1:], strict=False)})
    return str(gaps[0]) if len(gaps) == 1 else ", ".join(map(str, gaps))

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
from ..train import MONITORS, fit
from ._core import Wrong, exercise, history, need, what, wine
from ._feedback import changes, lr_equal

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
    """Lesson 06's wine_run: standardised Wine, WineMLP(seed=0), Adam(lr=0.1), ReduceLROnPlateau, 100 epochs."""
    model = models.WineMLP(seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    sched = lr_scheduler.ReduceLROnPlateau(opt, mode=mode, factor=0.1, patience=10)
    with warnings.catch_warnings():  # fit may warn about this very mismatch: the learner saw it already
        warnings.simplefilter("ignore")
        return fit(model, opt, sched, wine(), num_epochs=100, monitor=monitor, verbose=False)


def _replays(h, metric: str, mode: str, patience: int = 10) -> bool:
    """Does a real ReduceLROnPlateau, fed this run's ``metric``, set exactly this run's LRs?"""
    t = plateau.trace(getattr(h, metric), mode=mode, factor=0.1, patience=patience, lr=h.lr[0])
    return all(lr_equal(a, b) for a, b in zip(t["lr"], h.epoch_lr, strict=True))


@exercise("06.3", "call wine_run with the task's settings: monitor='val_acc', mode='min', factor=0.1, patience=10; "
          "it returns a pair.",
          "wine_run returns (History, model): unpack it, run_wrong, _ = wine_run(...). With mode='min' the "
          "scheduler counts a LOWER accuracy as better")
def _plateau_wrong_mode(run_wrong):
    history(run_wrong, "wine_run returns (History, model)")
    h = run_wrong
    need(h.num_epochs == 100, f"your run has {h.num_epochs} epochs; wine_run trains 100")
    need(lr_equal(h.lr[0], 0.1), f"your run starts at lr={h.lr[0]:g}; wine_run uses Adam(lr=0.1)")
    cuts = [(i + 1, f) for i, f in changes([h.lr[0]] + h.epoch_lr)]
    for _, f in cuts:
        need(lr_equal(f, 0.1, 1e-6), f"your LR was multiplied by {f:.3g} at a cut; the task asks factor=0.1")
    if not _replays(h, "val_acc", "min"):
        need(not _replays(h, "val_acc", "max"), "your scheduler used mode='max', the right setting for an accuracy. "
             "This exercise shows the slip: monitor='val_acc' with mode='min'")
        for metric in MONITORS:
            for mode in ("min", "max"):
                need(not _replays(h, metric, mode), f"your scheduler followed {metric} with mode={mode!r}: pass "
                     "monitor='val_acc' and keep mode='min'")
        for patience in range(31):
            need(not _replays(h, "val_acc", "min", patience), f"your cuts come after patience={patience} bad "
                 "epochs; the task asks patience=10")
        raise Wrong(f"your LR cuts (after epochs {[e for e, _ in cuts]}) are not what ReduceLROnPlateau(mode='min', "
                    "factor=0.1, patience=10) does with your run's val_acc: call wine_run as the task says")
    ref = _plateau_run("val_acc", "min")
    need(lr_equal(h.train_loss[0], ref.train_loss[0], 1e-6), f"your first training loss is {h.train_loss[0]:.4g}; "
         f"wine_run(standardize=True, ...) starts at {ref.train_loss[0]:.4g}: standardise the features")
    need(all(lr_equal(a, b, 1e-6) for a, b in zip(h.val_acc, ref.val_acc, strict=True)), "the scheduler is right, "
         "but the training differs from wine_run's: use wine_run from section 1")
    t = plateau.trace(h.val_acc, mode="min", factor=0.1, patience=10)
    return f"LR cut after epochs {t['cuts']}", [
        f"the best accuracy the scheduler keeps is {t['best'][-1]:.3f}, the first epoch's ({h.val_acc[0]:.3f}); "
        f"the run's lowest is {min(h.val_acc):.3f}, its highest {max(h.val_acc):.3f}"]

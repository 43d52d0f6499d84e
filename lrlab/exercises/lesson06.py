"""Self-checking exercises of lesson 06 (ReduceLROnPlateau), each registered under its number "06.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("06.N", answer)``.
"""

from __future__ import annotations

import functools

import torch
from torch.optim import lr_scheduler

from .. import models, plateau
from ..train import MONITORS, fit
from ._core import Wrong, exercise, history, need, what, wine
from ._feedback import changes, lr_equal


@functools.lru_cache(maxsize=2)
def _plateau_run(monitor: str, mode: str):
    """Lesson 06's wine_run: standardised Wine, WineMLP(seed=0), Adam(lr=0.1), ReduceLROnPlateau, 100 epochs."""
    model = models.WineMLP(seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    sched = lr_scheduler.ReduceLROnPlateau(opt, mode=mode, factor=0.1, patience=10)
    return fit(model, opt, sched, wine(), num_epochs=100, monitor=monitor, verbose=False)


def _replays(h, metric: str, mode: str, patience: int = 10) -> bool:
    """Does a real ReduceLROnPlateau, fed this run's ``metric``, set exactly this run's LRs?"""
    t = plateau.trace(getattr(h, metric), mode=mode, factor=0.1, patience=patience, lr=h.lr[0])
    return all(lr_equal(a, b) for a, b in zip(t["lr"], h.epoch_lr, strict=True))


# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = "from lrlab import plateau\nfrom lrlab.train import lr_cuts"
DEFS = ("wine_run",)


@exercise("06.3", "run_wrong = wine_run(standardize=True, monitor='val_acc', mode='min', factor=0.1, patience=10)[0]",
          "wine_run returns a pair (History, trace): [0] takes the History. monitor='val_acc' with mode='min' makes "
          "the scheduler wait for the accuracy to fall")
def _plateau_wrong_mode(run_wrong):
    history(run_wrong, "the History, the first element of what wine_run(...) returns")
    h = run_wrong
    need(h.num_epochs == 100, f"your run has {h.num_epochs} epochs; wine_run trains 100")
    need(lr_equal(h.lr[0], 0.1), f"your run starts at lr={h.lr[0]:g}; wine_run uses Adam(lr=0.1)")
    cuts = [(i + 1, f) for i, f in changes([h.lr[0]] + h.epoch_lr)]
    for _, f in cuts:
        need(lr_equal(f, 0.1, 1e-6), f"your LR was multiplied by {f:.3g} at a cut; the task asks factor=0.1")
    if not _replays(h, "val_acc", "min"):
        need(not _replays(h, "val_acc", "max"), "your scheduler used mode='max', the right setting for an accuracy "
             "(run_acc in section 5). This exercise shows the slip: monitor='val_acc' with mode='min'")
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


@exercise("06.4", "slow_trace = plateau.trace(slow, patience=2); then look at slow_trace['improved'] and "
          "slow_trace['cuts']",
          "slow_trace = plateau.trace(slow, patience=2): with the default threshold 1e-4 (relative) a fall of 3e-5 "
          "an epoch never counts as an improvement, so the LR is cut every 3 epochs")
def _slow_trace(slow_trace):
    t = slow_trace
    need(isinstance(t, dict) and "params" in t and "metric" in t, f"expected the dict plateau.trace(...) returns; "
         f"you gave {what(t)}")
    slow = [1.0 - 3e-5 * i for i in range(30)]
    need(len(t["metric"]) == 30 and all(lr_equal(a, b) for a, b in zip(t["metric"], slow, strict=False)),
         "your trace replays another series: pass slow = [1.0 - 3e-5 * i for i in range(30)]")
    want = plateau.trace(slow, patience=2)
    wrong = [f"{k}={v!r} (the task: {want['params'][k]!r})" for k, v in t["params"].items() if v != want["params"][k]]
    need(not wrong, "your trace used " + ", ".join(wrong) + ". First run it with patience=2 and the defaults")
    return f"with patience=2 and the default threshold the LR is cut after epochs {t['cuts']}", [
        f"improved, epochs 1 to 12: {t['improved'][:12]}",
        "next: predict, then run plateau.trace(slow, patience=2, threshold=1e-5)['cuts']"]

"""Self-checking exercises of lessons 03 (step and exponential decay) and 04 (ReduceLROnPlateau).

Each check is registered under its exercise number and reached through ``lrlab.exercises.check``.
"""

from __future__ import annotations

import functools
import warnings

import torch
from torch.optim import lr_scheduler

from . import models, plateau, schedules
from .exercises_core import Wrong, exercise, history, need, number, preview_lrs, what, wine
from .explain import changes, describe, differences, same
from .train import MONITORS, fit


# --- lesson 03: step and exponential decay --------------------------------------------------------------
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


@exercise("03.2", "the loop steps the scheduler once before the first optimizer.step(); what LR does that leave?")
def _wrong_order(first_lr):
    x = number(first_lr, "first_lr")
    wrong, warned = _loop_lrs(step_first=True)
    right, _ = _loop_lrs(step_first=False)
    if same(x, wrong[0]):
        return f"the first epoch trains with {x:g}, the LR meant for the second epoch", [
            *(f"PyTorch warns: {w}" for w in warned[:1]),
            f"with scheduler.step() at the end of the epoch it would train with {right[0]:g}"]
    need(not same(x, right[0]), f"{x:g} is the first epoch's LR when scheduler.step() comes at the end of the epoch, "
         "after its optimizer steps; this loop calls scheduler.step() at the start, before any optimizer.step()")
    curve = preview_lrs("ExponentialLR", 10, lr=0.1, gamma=0.5)
    k = next((i for i, lr in enumerate(curve) if same(x, lr)), None)
    need(k is None, f"{x:g} is the LR after {k} scheduler steps; when the first epoch trains, this loop has "
         "stepped the scheduler once")
    raise Wrong(f"{x:g} is not an LR this ExponentialLR(gamma=0.5) from lr=0.1 ever sets: "
                f"{', '.join(f'{lr:g}' for lr in curve[:4])}, ...")


@exercise("03.3", "the 20th epoch trains with 0.1 * gamma ** 19; set that equal to 0.001.")
def _gamma_for(gamma):
    g = number(gamma, "gamma")
    curve = preview_lrs("ExponentialLR", 20, lr=0.1, gamma=g)
    lr_20 = curve[-1]
    if same(lr_20, 1e-3, 1e-6):
        return f"with gamma={g:.4g} the 20th epoch trains with lr={lr_20:.3g}", [
            f"the LR {describe(curve)}: 19 decays from 0.1 to 0.001"]
    need(g < 1, f"with gamma={g:g} the LR never falls: it {describe(curve)}")
    ratio = lr_20 / 1e-3
    size = f"{ratio:.2g} times too large" if ratio > 1 else f"{1 / ratio:.2g} times too small"
    message = f"with gamma={g:.4g} the 20th epoch trains with lr={lr_20:.3g}, {size}"
    longer = preview_lrs("ExponentialLR", 200, lr=0.1, gamma=g)
    k = next((i for i, lr in enumerate(longer) if lr <= 1e-3 * (1 + 1e-6)), None)
    if k is not None and same(longer[k], 1e-3, 1e-6):
        message += (f"; your LR reaches 0.001 in epoch {k + 1}, after {k} decays. The 20th epoch has had 19: the "
                    "first epoch trains with 0.1, undecayed")
    elif k is not None:
        message += f"; your LR passes 0.001 between epochs {k} and {k + 1}"
    raise Wrong(message)


@exercise("03.4", "at which epochs (from 0) does the StepLR line of section 1 drop? Give milestones and gamma.")
def _multistep(milestones, gamma=None):
    need(milestones is not None and gamma is not None, "give both milestones and gamma: milestones, gamma = [...], ...")
    mine = preview_lrs("MultiStepLR", 12, lr=0.1, milestones=milestones, gamma=gamma)
    target = preview_lrs("StepLR", 12, lr=0.1, step_size=3, gamma=0.5)
    found = differences(mine, target, "StepLR(step_size=3, gamma=0.5)'s")
    need(not found, "; ".join(found))
    return f"MultiStepLR(milestones={list(milestones)}, gamma={gamma:g}) gives the 12 LRs of StepLR(step_size=3, " \
           "gamma=0.5)", [f"both: the LR {describe(target)}"]


# --- lesson 04: ReduceLROnPlateau -----------------------------------------------------------------------
@functools.lru_cache(maxsize=2)
def _plateau_run(monitor: str, mode: str):
    """Lesson 04's wine_run: standardised Wine, WineMLP(seed=0), Adam(lr=0.1), ReduceLROnPlateau, 100 epochs."""
    model = models.WineMLP(seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    sched = lr_scheduler.ReduceLROnPlateau(opt, mode=mode, factor=0.1, patience=10)
    return fit(model, opt, sched, wine(), 100, monitor=monitor, verbose=False)


def _replays(h, metric: str, mode: str, patience: int = 10) -> bool:
    """Does a real ReduceLROnPlateau, fed this run's ``metric``, set exactly this run's LRs?"""
    t = plateau.trace(getattr(h, metric), mode=mode, factor=0.1, patience=patience, lr=h.lr[0])
    return all(same(a, b) for a, b in zip(t["lr"], h.epoch_lr, strict=True))


@exercise("04.3", "run_wrong = wine_run(standardize=True, monitor='val_acc', mode='min', factor=0.1, patience=10)[0]")
def _plateau_wrong_mode(run_wrong):
    history(run_wrong, "the History, the first element of what wine_run(...) returns")
    h = run_wrong
    need(h.num_epochs == 100, f"your run has {h.num_epochs} epochs; wine_run trains 100")
    need(same(h.lr[0], 0.1), f"your run starts at lr={h.lr[0]:g}; wine_run uses Adam(lr=0.1)")
    cuts = [(i + 1, f) for i, f in changes([h.lr[0]] + h.epoch_lr)]
    for _, f in cuts:
        need(same(f, 0.1, 1e-6), f"your LR was multiplied by {f:.3g} at a cut; the task asks factor=0.1")
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
    need(same(h.train_loss[0], ref.train_loss[0], 1e-6), f"your first training loss is {h.train_loss[0]:.4g}; "
         f"wine_run(standardize=True, ...) starts at {ref.train_loss[0]:.4g}: standardise the features")
    need(all(same(a, b, 1e-6) for a, b in zip(h.val_acc, ref.val_acc, strict=True)), "the scheduler is right, "
         "but the training differs from wine_run's: use wine_run from section 1")
    t = plateau.trace(h.val_acc, mode="min", factor=0.1, patience=10)
    return f"LR cut after epochs {t['cuts']}", [
        f"the best accuracy the scheduler keeps is {t['best'][-1]:.3f}, the first epoch's ({h.val_acc[0]:.3f}); "
        f"the run's lowest is {min(h.val_acc):.3f}, its highest {max(h.val_acc):.3f}"]


@exercise("04.4", "slow_trace = plateau.trace(slow, patience=2); then look at slow_trace['improved'] and "
          "slow_trace['cuts']")
def _slow_trace(slow_trace):
    t = slow_trace
    need(isinstance(t, dict) and "params" in t and "metric" in t, f"expected the dict plateau.trace(...) returns; "
         f"you gave {what(t)}")
    slow = [1.0 - 3e-5 * i for i in range(30)]
    need(len(t["metric"]) == 30 and all(same(a, b) for a, b in zip(t["metric"], slow, strict=False)),
         "your trace replays another series: pass slow = [1.0 - 3e-5 * i for i in range(30)]")
    want = plateau.trace(slow, patience=2)
    wrong = [f"{k}={v!r} (the task: {want['params'][k]!r})" for k, v in t["params"].items() if v != want["params"][k]]
    need(not wrong, "your trace used " + ", ".join(wrong) + ". First run it with patience=2 and the defaults")
    return f"with patience=2 and the default threshold the LR is cut after epochs {t['cuts']}", [
        f"improved, epochs 1 to 12: {t['improved'][:12]}",
        "next: predict, then run plateau.trace(slow, patience=2, threshold=1e-5)['cuts']"]

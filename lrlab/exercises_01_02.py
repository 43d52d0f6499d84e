"""Self-checking exercises of lessons 01 (the learning rate) and 02 (the LR range test).

Each check is registered under its exercise number and reached through ``lrlab.exercises.check``.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn
from torch.optim import lr_scheduler

from . import finder, models, schedules
from .exercises_core import Wrong, exercise, history, need, number, plural, same_run, what, wine
from .explain import changes, describe, same
from .train import fit


# --- lesson 01: the learning rate -----------------------------------------------------------------------
@exercise("01.2", "lrlab.fit(model, torch.optim.SGD(model.parameters(), lr=10), None, wine, num_epochs=100, "
           "diverge_threshold=None)")
def _unguarded(h):
    history(h, "the History that lrlab.fit(...) returns")
    need(not h.stopped, f"your run stopped after {h.num_epochs} epochs, so lrlab's guard was still on: pass "
          f"diverge_threshold=None to lrlab.fit. (It said: {h.stopped})")
    need(len(h.lr) == h.num_epochs, f"your run took {len(h.lr)} optimizer steps in {h.num_epochs} epochs: train "
          "on the full batch, wine = data.wine(), one step an epoch")
    need(same(h.lr[0], 10), f"your run trained with lr={h.lr[0]:g}; the task asks lr=10")
    need(not changes(h.lr), f"your LR {describe(h.lr)}: train without a scheduler (None), at lr=10 throughout")
    need(h.num_epochs == 100, f"your run has {h.num_epochs} epochs; the task asks num_epochs=100")
    model = models.WineMLP()
    ref = fit(model, torch.optim.SGD(model.parameters(), lr=10), None, wine(), 100, diverge_threshold=None,
              verbose=False)
    same_run(h, ref, "SGD(lr=10) on a fresh WineMLP()", "Use plain torch.optim.SGD(model.parameters(), lr=10).")
    with torch.no_grad():
        classes = model.cpu()(wine().tensors["X_val"]).argmax(1).unique().tolist()
    low = min(h.train_loss[5:])
    return "all 100 epochs ran and the loss never became NaN (stopped is None)", [
        f"first loss {h.train_loss[0]:.3f}; lowest loss after epoch 5: {low:.3f}, "
        f"{'above' if low > h.train_loss[0] else 'below'} the untrained network's",
        f"final validation accuracy {h.val_acc[-1]:.2f}; classes predicted for the 36 validation wines: {classes}"]


@exercise("01.3", "torch.optim.SGD([{'params': model.fc3.parameters(), 'lr': 0.5}, "
           "{'params': [*model.fc1.parameters(), *model.fc2.parameters()]}], lr=0.05)")
def _two_groups(opt, model=None):
    need(not isinstance(opt, (list, tuple)), "you passed the list of groups itself: give it to the optimizer, "
          "torch.optim.SGD([...], lr=0.05)")
    need(isinstance(opt, torch.optim.Optimizer), f"expected a torch.optim.Optimizer; you gave {what(opt)}")
    need(isinstance(model, nn.Module), "pass the model your optimizer trains too: check('01.3', opt, model=model)")
    need(type(opt) is torch.optim.SGD, f"your optimizer is {type(opt).__name__}; the task asks torch.optim.SGD")
    names = {id(p): n for n, p in model.named_parameters()}
    group_of = {id(p): i for i, g in enumerate(opt.param_groups) for p in g["params"]}
    need(set(group_of) <= set(names), "your optimizer holds parameters that are not model's: build it on this "
          "model (run the whole cell again, it makes a new model)")
    missing = [n for k, n in names.items() if k not in group_of]
    need(not missing, f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} in no group: the optimizer "
          "would never train them")
    n = len(opt.param_groups)
    need(n == 2, f"your optimizer has {n} group{'s' * (n > 1)}; the task asks two: "
          "model.fc3 in one, everything else in the other")
    out = {group_of[id(p)] for p in model.fc3.parameters()}
    need(len(out) == 1, "model.fc3's weight and bias are in different groups: both go in the output layer's group")
    g_out = out.pop()
    strays = [names[id(p)] for p in opt.param_groups[g_out]["params"] if not names[id(p)].startswith("fc3.")]
    need(not strays, f"the group of model.fc3 also holds {', '.join(strays)}: only the output layer goes there")
    lr_out, lr_rest = opt.param_groups[g_out]["lr"], opt.param_groups[1 - g_out]["lr"]
    need(same(lr_out, 0.5), f"the group of model.fc3 has lr={lr_out:g}; the task asks 0.5")
    need(same(lr_rest, 0.05), f"the group of fc1 and fc2 has lr={lr_rest:g}; the task asks 0.05")
    model_copy, opt_copy = copy.deepcopy((model, opt))  # train a copy: your model stays as it is
    h = fit(model_copy, opt_copy, None, wine(), 50, verbose=False)
    return f"group {g_out} trains model.fc3 at lr=0.5, group {1 - g_out} the rest at lr=0.05", [
        f"50 epochs with lrlab.fit (on a copy): the first step used the group LRs {h.lrs[0]}; "
        f"final validation accuracy {h.val_acc[-1]:.2f}"]


def _hand_edit_steps(make) -> dict:
    """The task's steps on a real scheduler from ``make(optimizer)``: the LR after each of them."""
    opt = schedules.dummy_optimizer(0.1)
    sched, lrs = make(opt), {}
    opt.step()
    sched.step()
    lrs["after the first sched.step()"] = opt.param_groups[0]["lr"]
    opt.param_groups[0]["lr"] = 0.3
    lrs["right after your edit, before the second sched.step()"] = opt.param_groups[0]["lr"]
    opt.step()
    sched.step()
    lrs["end"] = opt.param_groups[0]["lr"]
    return lrs


@exercise("01.5", "after the edit and the second sched.step(), set lr_after = opt.param_groups[0]['lr'] and "
           "compare it with 0.3 * 0.5 and with 0.1 * 0.5 ** 2")
def _hand_edit(lr_after, sched=None):
    x = number(lr_after, "lr_after")
    if sched is not None:
        need(isinstance(sched, lr_scheduler.LambdaLR), f"sched is {what(sched)}; the task steps the cell's LambdaLR")
        need(sched.last_epoch == 2, f"your scheduler was stepped {sched.last_epoch} times (sched.last_epoch); "
              "the task steps it twice, once before your edit and once after")
    steps = _hand_edit_steps(lambda o: lr_scheduler.LambdaLR(o, lr_lambda=lambda epoch: 0.5 ** epoch))
    multiplied = _hand_edit_steps(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.5))["end"]
    if not same(x, steps["end"]):
        for when, lr in steps.items():
            need(not same(x, lr), f"{x:g} is the LR {when}: read opt.param_groups[0]['lr'] after the second "
                  "sched.step()")
        need(not same(x, multiplied), f"{x:g} is your 0.3 times 0.5, what a scheduler that multiplies the LR it "
              "finds (StepLR, ExponentialLR) would leave; step the LambdaLR and read the LR it leaves")
        raise Wrong(f"lr_after={x:g} is not the LR these steps leave: opt.step(); sched.step(); the edit; "
                  "opt.step(); sched.step(); then lr_after = opt.param_groups[0]['lr']")
    return f"lr_after = {x:g}: your 0.3 did not survive", [
        f"LambdaLR computes every LR from the initial one: 0.1 * lr_lambda(2) = {steps['end']:g}. A scheduler "
        f"that multiplies the LR it finds, like StepLR, would have left {multiplied:g}"]


# --- lesson 02: the LR range test -----------------------------------------------------------------------
@exercise("02.1", "121 LRs cover 6 decades with 120 equal factors; step 60 is halfway.")
def _step_60(predicted):
    x = number(predicted, "predicted")
    lrs = finder.ramp(1e-6, 1.0, 121)
    per_decade = round((len(lrs) - 1) / math.log10(lrs[-1] / lrs[0]))  # equal factors: the same in each decade
    if same(x, lrs[60], 1e-6):
        return f"step 60 uses {lrs[60]:.3g}", [f"{per_decade} steps in every decade: step 60 is 3 decades up"]
    linear = finder.ramp(1e-6, 1.0, 121, mode="linear")
    need(not same(x, linear[60], 1e-3), f"{x:g} is step 60 of a linear ramp (equal differences); a range test "
          "ramps exponentially: equal factors, the same number of steps in every decade")
    need(lrs[0] <= x <= lrs[-1], f"{x:g} is outside the ramp, which goes from {lrs[0]:g} to {lrs[-1]:g}")
    step = math.log(x / lrs[0]) / math.log(lrs[1] / lrs[0])  # where x sits on this ramp, in steps
    where = (f"the LR of step {round(step)}" if abs(step - round(step)) < 1e-3
             else f"between the LRs of steps {math.floor(step)} and {math.ceil(step)}")
    raise Wrong(f"{x:g} is {where} (counting from 0), {plural(abs(step - 60) / per_decade, 'decade')} "
              f"{'above' if step > 60 else 'below'} step 60")


def _range_test(result, **settings):
    """Check a Wine range test against section 3's set-up run with ``settings``; return the reference run."""
    need(isinstance(result, finder.FinderResult), f"expected the result of finder.lr_range_test(...); you gave "
         f"{what(result)}")
    for key, want in settings.items():
        got = getattr(result, key)
        need(got == want, f"your test ran with {key}={got!r}; the task asks {key}={want!r}")
    model = models.WineMLP()
    ref = finder.lr_range_test(model, torch.optim.Adam(model.parameters()), None, wine(batch_size=16), **settings)
    need(result.smooth == ref.smooth, f"your test smoothed with smooth={result.smooth:g}; keep the default "
         f"{ref.smooth:g}, as in section 3")
    need(result.loss_kind == ref.loss_kind, "your test recorded the validation loss (val_data=...); section 3's "
         "records the training loss")
    k = next((i for i, (a, b) in enumerate(zip(result.loss, ref.loss, strict=False))
              if not math.isclose(a, b, rel_tol=1e-6)), None)
    need(k != 0, f"your first loss is {result.loss[0]:.4g} where section 3's model and data give {ref.loss[0]:.4g}: "
         "use section 3's model (a fresh models.WineMLP()) and data (wine in batches of 16)")
    if k is not None:
        raise Wrong(f"your losses match section 3's set-up for {plural(k, 'step')}, then differ: the same model and "
                    "data, different steps. Use section 3's optimizer, torch.optim.Adam(model.parameters())")
    need(result.steps == ref.steps, f"your test stopped after {result.steps} steps where section 3's set-up stops "
         f"after {ref.steps} ({ref.message}): keep the default diverge_th")
    return ref


@exercise("02.2", "copy the call of section 3 and add mode='linear'; then count sum(lr < 0.01 for lr in linear.lr)")
def _linear_test(linear):
    _range_test(linear, start_lr=1e-4, end_lr=10, num_iter=100, mode="linear")
    below = sum(lr < 0.01 for lr in linear.lr)
    return f"your linear test matches section 3's set-up with mode='linear': {linear.steps} steps", [
        f"steps with an LR below 0.01: {below}; the second step is already at {linear.lr[1]:.3g}",
        *linear.summary().splitlines()]


@exercise("02.3", "same call as section 3 with start_lr=1e-6; then print(wide.summary())")
def _wide_test(wide):
    _range_test(wide, start_lr=1e-6, end_lr=10, num_iter=100, mode="exp")
    model = models.WineMLP()
    narrow = finder.lr_range_test(model, torch.optim.Adam(model.parameters()), None, wine(batch_size=16), 1e-4, 10, 100)
    per_decade = (wide.num_iter - 1) / math.log10(wide.end_lr / wide.start_lr)
    return f"your test starts at 1e-6 and takes {wide.num_iter} steps", [
        f"about {round(per_decade)} steps per decade instead of {round((narrow.num_iter - 1) / 5)}; steepest descent "
        f"moved from {narrow.suggestions['steepest'].lr:.2g} to {wide.suggestions['steepest'].lr:.2g}",
        *wide.summary().splitlines()]

"""Self-checking exercises of lesson 01 (the learning rate), each registered under its number "01.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("01.N", answer)``.
"""

from __future__ import annotations

import copy

import torch
from torch import nn
from torch.optim import lr_scheduler

from .. import models, schedules
from ..train import fit
from ._core import Wrong, exercise, history, need, need_same_run, number, what, wine
from ._feedback import changes, describe, lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = "wine = data.wine()"
DEFS = ()


@exercise("01.2", "lrlab.fit(model, torch.optim.SGD(model.parameters(), lr=10), None, wine, num_epochs=100, "
          "diverge_threshold=None)",
          "unguarded = lrlab.fit(model, torch.optim.SGD(model.parameters(), lr=10), None, wine, num_epochs=100, "
          "diverge_threshold=None): diverge_threshold=None switches off the guard that stops the run early, so "
          "all 100 epochs train")
def _unguarded(h):
    history(h, "the History that lrlab.fit(...) returns")
    need(not h.stopped, f"your run stopped after {h.num_epochs} epochs, so lrlab's guard was still on: pass "
          f"diverge_threshold=None to lrlab.fit. (It said: {h.stopped})")
    need(len(h.lr) == h.num_epochs, f"your run took {len(h.lr)} optimizer steps in {h.num_epochs} epochs: train "
          "on the full batch, wine = data.wine(), one step an epoch")
    need(lr_equal(h.lr[0], 10), f"your run trained with lr={h.lr[0]:g}; the task asks lr=10")
    need(not changes(h.lr), f"your LR {describe(h.lr)}: train without a scheduler (None), at lr=10 throughout")
    need(h.num_epochs == 100, f"your run has {h.num_epochs} epochs; the task asks num_epochs=100")
    model = models.WineMLP()
    ref = fit(model, torch.optim.SGD(model.parameters(), lr=10), None, wine(), num_epochs=100,
              diverge_threshold=None, verbose=False)
    need_same_run(h, ref, "SGD(lr=10) on a fresh WineMLP()", "Use plain torch.optim.SGD(model.parameters(), lr=10).")
    with torch.no_grad():
        classes = model.cpu()(wine().tensors["X_val"]).argmax(1).unique().tolist()
    low = min(h.train_loss[5:])
    return "all 100 epochs ran and the loss never became NaN (stopped is None)", [
        f"first loss {h.train_loss[0]:.3f}; lowest loss after epoch 5: {low:.3f}, "
        f"{'above' if low > h.train_loss[0] else 'below'} the untrained network's",
        f"final validation accuracy {h.val_acc[-1]:.2f}; classes predicted for the 36 validation wines: {classes}"]


@exercise("01.3", "torch.optim.SGD([{'params': model.fc3.parameters(), 'lr': 0.5}, "
          "{'params': [*model.fc1.parameters(), *model.fc2.parameters()]}], lr=0.05)",
          "opt = torch.optim.SGD([{'params': model.fc3.parameters(), 'lr': 0.5}, {'params': "
          "[*model.fc1.parameters(), *model.fc2.parameters()]}], lr=0.05): each dict is one param group; the second "
          "has no 'lr' of its own, so it takes lr=0.05")
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
    need(lr_equal(lr_out, 0.5), f"the group of model.fc3 has lr={lr_out:g}; the task asks 0.5")
    need(lr_equal(lr_rest, 0.05), f"the group of fc1 and fc2 has lr={lr_rest:g}; the task asks 0.05")
    model_copy, opt_copy = copy.deepcopy((model, opt))  # train a copy: your model stays as it is
    h = fit(model_copy, opt_copy, None, wine(), num_epochs=50, verbose=False)
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
          "compare it with 0.3 * 0.5 and with 0.1 * 0.5 ** 2",
          "LambdaLR sets every LR to initial_lr * lr_lambda(epoch) and never reads the LR it finds: after two steps "
          "that is 0.1 * lr_lambda(2), whatever you wrote in between")
def _hand_edit(lr_after, sched=None):
    x = number(lr_after, "lr_after")
    if sched is not None:
        need(isinstance(sched, lr_scheduler.LambdaLR), f"sched is {what(sched)}; the task steps the cell's LambdaLR")
        need(sched.last_epoch == 2, f"your scheduler was stepped {sched.last_epoch} times (sched.last_epoch); "
              "the task steps it twice, once before your edit and once after")
    steps = _hand_edit_steps(lambda o: lr_scheduler.LambdaLR(o, lr_lambda=lambda epoch: 0.5 ** epoch))
    multiplied = _hand_edit_steps(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.5))["end"]
    if not lr_equal(x, steps["end"]):
        for when, lr in steps.items():
            need(not lr_equal(x, lr), f"{x:g} is the LR {when}: read opt.param_groups[0]['lr'] after the second "
                  "sched.step()")
        need(not lr_equal(x, multiplied), f"{x:g} is your 0.3 times 0.5, what a scheduler that multiplies the LR it "
              "finds (StepLR, ExponentialLR) would leave; step the LambdaLR and read the LR it leaves")
        raise Wrong(f"lr_after={x:g} is not the LR these steps leave: opt.step(); sched.step(); the edit; "
                  "opt.step(); sched.step(); then lr_after = opt.param_groups[0]['lr']")
    return f"lr_after = {x:g}: your 0.3 did not survive", [
        f"LambdaLR computes every LR from the initial one: 0.1 * lr_lambda(2) = {steps['end']:g}. A scheduler "
        f"that multiplies the LR it finds, like StepLR, would have left {multiplied:g}"]

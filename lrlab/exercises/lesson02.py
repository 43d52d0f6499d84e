"""Self-checking exercises of lesson 02 (where the LR lives), each registered under its number "02.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("02.N", answer)``.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812
from torch.optim import lr_scheduler

from .. import models, schedules
from ..train import fit
from ._core import Wrong, exercise, learning_rate, need, number, what, wine
from ._feedback import lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = ("wine = data.wine()\nX, y = wine.tensors['X_train'], wine.tensors['y_train']\n"
           "loss_fn = torch.nn.CrossEntropyLoss()")
DEFS = ()


@exercise("02.1", "give torch.optim.SGD a list of two dicts instead of model.parameters(): each dict holds its "
          "tensors under 'params' and, where it differs from the keyword lr, an 'lr' of its own.",
          "two dicts in a list: the first holds model.fc3's parameters and its own 'lr'; the second holds fc1's and "
          "fc2's parameters together in one list (unpack both with *) and no 'lr', so the keyword lr (0.05) applies")
def _two_groups(opt, model=None):
    need(not isinstance(opt, (list, tuple)), "you passed the list of groups itself: give it to the optimizer, "
          "torch.optim.SGD([...], lr=0.05)")
    need(isinstance(opt, torch.optim.Optimizer), f"expected a torch.optim.Optimizer; you gave {what(opt)}")
    need(isinstance(model, nn.Module), "pass the model your optimizer trains too: check('02.1', opt, model=model)")
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
        f"50 epochs with lrlab.fit (on a copy): every step used the group LRs {h.lrs[0]}; "
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


COSINE_T_MAX = 10  # exercise 02.3: CosineAnnealingLR(opt, T_max=10) on an optimizer built with lr=0.1


def _cosine(t: int, lr0: float = 0.1) -> float:
    """CosineAnnealingLR's closed form (eta_min 0): the LR of step t, computed from the initial LR."""
    return lr0 * (1 + math.cos(math.pi * t / COSINE_T_MAX)) / 2


@exercise("02.3", "run the five steps the task lists, then read the LR where the optimizer reads it. Compare it "
          "with your 0.3 and with the cosine's own value at step 2, computed from the initial LR 0.1.",
          "read the LR from the param group after the second sched.step(). If it is neither 0.3 nor "
          "0.1 * (1 + cos(2 * pi / 10)) / 2, divide it by 0.3 and compare with (1 + cos(2 * pi / 10)) / "
          "(1 + cos(pi / 10)): what did the scheduler do with the LR it found?")
def _hand_edit(lr_after, sched=None):
    x = number(lr_after, "lr_after")
    if sched is not None:
        need(isinstance(sched, lr_scheduler.CosineAnnealingLR),
             f"sched is {what(sched)}; the task steps the cell's CosineAnnealingLR")
        need(sched.last_epoch == 2, f"your scheduler was stepped {sched.last_epoch} times (sched.last_epoch); "
             "the task steps it twice, once before your edit and once after")
        need(not lr_equal(sched.optimizer.param_groups[0]["lr"], _cosine(2)),
             f"your optimizer's LR is {_cosine(2):.4g}, the cosine's own value at step 2: the hand edit is missing. "
             "Set opt.param_groups[0]['lr'] = 0.3 between the two steps (run the whole cell again first)")
    steps = _hand_edit_steps(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=COSINE_T_MAX))
    if not lr_equal(x, steps["end"]):
        for when, lr in steps.items():
            need(not lr_equal(x, lr), f"{x:g} is the LR {when}: read opt.param_groups[0]['lr'] after the second "
                 "sched.step()")
        need(not lr_equal(x, _cosine(2)), f"{x:.4g} is the cosine's value at step 2 computed from the initial LR: "
             "what a scheduler that recomputes from initial_lr would leave. Run the steps on the real "
             "CosineAnnealingLR and read the LR it leaves")
        raise Wrong(f"lr_after={x:g} is not the LR these steps leave: opt.step(); sched.step(); the edit; "
                    "opt.step(); sched.step(); then lr_after = opt.param_groups[0]['lr']")
    ratio = (1 + math.cos(2 * math.pi / COSINE_T_MAX)) / (1 + math.cos(math.pi / COSINE_T_MAX))
    return f"lr_after = {x:.4g}: your 0.3 carried on", [
        f"CosineAnnealingLR is chainable: its step multiplied the 0.3 it found by (1 + cos(2pi/10)) / "
        f"(1 + cos(pi/10)) = {ratio:.4f}",
        f"recomputed from the initial LR it would be {_cosine(2):.4g}; the rest of the cosine now runs "
        f"{0.3 / _cosine(1):.3g} times higher, down to 0 at step {COSINE_T_MAX}"]


ADAM_LR = 0.01  # exercise 02.4: match Adam(lr=0.01)'s first step


def _first_moves(optimizer_cls, lr) -> torch.Tensor:
    """How far every weight of a fresh WineMLP moves in one full-batch step of ``optimizer_cls(lr=lr)``."""
    model = models.WineMLP()
    X, y = wine().tensors["X_train"], wine().tensors["y_train"]
    opt = optimizer_cls(model.parameters(), lr=lr)
    start = torch.nn.utils.parameters_to_vector(model.parameters()).detach().clone()
    F.cross_entropy(model(X), y).backward()
    opt.step()
    return (torch.nn.utils.parameters_to_vector(model.parameters()).detach() - start).abs()


@exercise("02.4", "SGD moves a weight by lr times its gradient. Compute the gradients (forward, loss, backward), "
          "find the largest one in size, and solve lr * largest = 0.01.",
          "after loss.backward() every p.grad holds its gradients: take the largest absolute value in each tensor, "
          "then the largest of those over all the model's parameters, and solve lr * that = 0.01")
def _sgd_lr_like_adam(sgd_lr):
    x = learning_rate(sgd_lr, "sgd_lr")
    sgd = _first_moves(torch.optim.SGD, x)  # a real SGD step at the learner's LR
    adam = _first_moves(torch.optim.Adam, ADAM_LR)
    largest = sgd.max().item()
    if abs(largest - ADAM_LR) > 1e-3 * ADAM_LR:
        gmax = largest / x  # SGD's move is lr * |gradient|
        if lr_equal(x, ADAM_LR, 1e-6):
            raise Wrong(f"that is Adam's lr: SGD at lr={x:g} moves the weight with the largest gradient "
                        f"({gmax:.3g}) by only {largest:.3g}. SGD's step is lr times the gradient")
        if lr_equal(x, ADAM_LR * gmax, 1e-3):
            raise Wrong(f"you multiplied 0.01 by the largest gradient ({gmax:.3g}); SGD's step is lr times the "
                        f"gradient, so solve lr * {gmax:.3g} = 0.01 for lr")
        why = ("divide 0.01 by the single largest gradient (in size), not by a sum or a norm of many"
               if largest < ADAM_LR else "you divided by a gradient smaller than the largest one: take the largest "
               "in size, over every parameter tensor of the model")
        raise Wrong(f"a real SGD step at lr={x:g} moves the weight with the largest gradient by {largest:.3g}, "
                    f"{largest / ADAM_LR:.3g} times Adam's 0.01: {why}")
    moved = adam > 0
    return f"SGD at lr={x:.3g} moves the weight with the largest gradient by 0.01, as far as Adam(lr=0.01)", [
        f"but the median weight that moves at all moves {sgd[moved].median().item():.2g} under SGD and "
        f"{adam[moved].median().item():.2g} under Adam: one LR cannot make SGD's steps Adam's"]

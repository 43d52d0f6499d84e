"""Self-checking exercises of lesson 01 (the learning rate), each registered under its number "01.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("01.N", answer)``.
"""

from __future__ import annotations

import math
import numbers

import torch
from torch.nn import functional as F  # noqa: N812

from .. import landscape, models
from ..train import History, fit
from ._core import Wrong, exercise, history, need, need_same_run, number, plural, what, wine
from ._feedback import changes, describe, lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = "wine = data.wine()"
DEFS = ()

BOWL = (0.5, 8.0)  # exercise 01.1's curvatures
STEPS = 300  # how long the check's real SGD runs on the bowl are


@exercise("01.1", "one step multiplies the distance along a direction of curvature l by (1 - lr * l): find the "
          "largest lr for which that factor stays between -1 and 1 in both directions.",
          "|1 - lr * l| < 1 means 0 < lr < 2 / l. Both directions must shrink, so the steeper one (l = 8) sets the "
          "limit: lr_max = 2 / 8")
def _largest_stable_lr(lr_max):
    x = number(lr_max, "lr_max")
    need(x > 0, f"lr_max={x:g}: a learning rate is a number > 0")
    bound = landscape.stability_bound(BOWL)
    (l1, l2), factors = BOWL, [1 - x * lam for lam in BOWL]
    in_words = (f"at lr={x:g} one step multiplies x by 1 - lr*{l1:g} = {factors[0]:+.3g} and y by 1 - lr*{l2:g} = "
                f"{factors[1]:+.3g}")
    if abs(x - bound) > 1e-3 * bound:
        path = landscape.sgd_path(x, STEPS, lambdas=BOWL)  # real SGD at the learner's own LR
        if x > bound:
            run = (f"real SGD at lr={x:g} diverged after {plural(len(path['lr']), 'step')}" if path["diverged"] else
                   f"real SGD at lr={x:g} ends {STEPS} steps with the loss at {path['loss'][-1]:.3g}, up from "
                   f"{path['loss'][0]:.3g}")
            smallest = (f" (2 / {l1:g} is the limit for x alone; y is {l2 / l1:g} times steeper)"
                        if lr_equal(x, 2 / l1, 1e-3) else "")
            raise Wrong(f"{in_words}: |{factors[1]:+.3g}| > 1, so the distance along y grows every step; {run}. "
                        f"Every direction must shrink, so the steepest one sets the limit{smallest}")
        fastest = (f" {x:g} makes 1 - lr*{l2:g} exactly 0: y reaches the valley floor in one step. Above it the factor "
                   "turns negative (y changes side every step), yet y still shrinks while the factor is above -1."
                   if lr_equal(x, 1 / l2, 1e-3) else "")
        raise Wrong(f"{in_words}: both in size below 1, so it converges (real SGD: loss {path['loss'][-1]:.2g} after "
                    f"{STEPS} steps). But they stay below 1 up to a larger LR: find where |1 - lr*{l2:g}| reaches 1."
                    f"{fastest}")
    below = landscape.sgd_path(0.95 * x, STEPS, lambdas=BOWL)
    above = landscape.sgd_path(1.05 * x, STEPS, lambdas=BOWL)
    need(not below["diverged"] and above["diverged"], "the real SGD runs disagree with the bound: please report it")
    return f"lr_max = {x:g}: 2 / {l2:g} = {bound:g}, the steeper direction sets the limit", [
        f"real SGD at 0.95 x {x:g}: loss {below['loss'][0]:.3g} -> {below['loss'][-1]:.2g} in {STEPS} steps "
        f"(y multiplied by {1 - 0.95 * x * l2:+.2f} a step)",
        f"real SGD at 1.05 x {x:g}: diverged after {plural(len(above['lr']), 'step')} "
        f"(y multiplied by {1 - 1.05 * x * l2:+.2f} a step)"]


@exercise("01.2", "lrlab.fit takes a keyword that sets its stop line (look at its signature with "
          "help(lrlab.fit)); a value of None switches the check off.",
          "unguarded = lrlab.fit(model, torch.optim.SGD(model.parameters(), lr=10), None, wine, num_epochs=100, "
          "diverge_threshold=None)")
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


LOOP_EPOCHS, LOOP_LR = 50, 0.01  # exercise 01.3: Adam(lr=0.01), 50 full-batch epochs


def _wine_loop(optimizer="adam", lr=LOOP_LR, epochs=LOOP_EPOCHS, zero_grad=True) -> list:
    """The training losses of a plain full-batch loop on a fresh WineMLP, as a learner might write it."""
    model = models.WineMLP()
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(model.parameters(), lr=lr)
    X, y = wine().tensors["X_train"], wine().tensors["y_train"]
    losses = []
    for _ in range(epochs):
        if zero_grad:
            opt.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def _floats(answer) -> tuple[list, bool]:
    """The learner's losses as floats, and whether they were stored as tensors."""
    if isinstance(answer, History):
        raise Wrong("this is a History from lrlab.fit: write the loop yourself and collect each step's loss in a list")
    if isinstance(answer, torch.Tensor):
        need(answer.dim() == 1, f"adam_losses is a tensor of shape {tuple(answer.shape)}; give a list of losses")
        return [float(v) for v in answer.detach().cpu()], False
    need(isinstance(answer, (list, tuple)), f"adam_losses must be a list of losses; you gave {what(answer)}")
    need(len(answer) > 0, "adam_losses is empty: append each step's loss to it inside your loop")
    tensors = any(isinstance(v, torch.Tensor) for v in answer)
    values = []
    for i, v in enumerate(answer):
        if isinstance(v, torch.Tensor):
            need(v.numel() == 1, f"adam_losses[{i}] is a tensor of shape {tuple(v.shape)}; give one loss per step")
            v = v.item()
        need(isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v),
             f"adam_losses[{i}] is {what(v)}; every entry must be a finite loss")
        values.append(float(v))
    return values, tensors


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(math.isclose(u, v, rel_tol=1e-4, abs_tol=1e-7) for u, v in zip(a, b, strict=True))


@exercise("01.3", "copy section 4's loop and change what the task changes: the optimizer, its lr, and the number of "
          "epochs. Keep zero_grad, backward, step and the scheduler's step.",
          "optimizer = torch.optim.Adam(model.parameters(), lr=0.01) with scheduler = "
          "torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 1.0); loop for epoch in range(50), and append "
          "loss.item() to adam_losses after each step")
def _own_loop(adam_losses):
    mine, tensors = _floats(adam_losses)
    model = models.WineMLP()
    ref = fit(model, torch.optim.Adam(model.parameters(), lr=LOOP_LR), None, wine(), num_epochs=LOOP_EPOCHS,
              verbose=False).loss
    n = len(mine)
    need(n == len(ref), f"your list has {n} loss{'es' * (n != 1)}; {LOOP_EPOCHS} full-batch epochs make {LOOP_EPOCHS} "
         "optimizer steps, one loss each" + (" (section 4 ran 100 epochs; this task 50)" if n == 100 else ""))
    need(not _same(mine[:-1], ref[1:]), "your losses are Adam(lr=0.01)'s one step late: you measured the loss again "
         "after optimizer.step(); record the loss of the forward pass that made the gradients")
    need(math.isclose(mine[0], ref[0], rel_tol=1e-4), f"your first loss is {mine[0]:.4g} where a fresh "
         f"models.WineMLP() on all 142 training wines starts at {ref[0]:.4g}: a different model, starting weights, "
         "data or loss function")
    if not _same(mine, ref):
        for make, mistake in [
            (lambda: _wine_loop(zero_grad=False), "the loop never calls optimizer.zero_grad(): each backward() "
             "adds to the gradients of all the steps before it"),
            (lambda: _wine_loop(lr=1e-3), "they are Adam's at lr=0.001, its default: pass lr=0.01"),
            (lambda: _wine_loop("sgd"), "they are plain SGD's at lr=0.01: the task asks torch.optim.Adam"),
        ]:
            if _same(mine, make()):
                raise Wrong(f"your losses start right, then part from Adam(lr=0.01)'s: {mistake}")
        k = next(i for i, (a, b) in enumerate(zip(mine, ref, strict=True))
                 if not math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-7))
        raise Wrong(f"your losses match Adam(lr=0.01)'s for {plural(k, 'step')}, then differ ({mine[k]:.4g} instead "
                    f"of {ref[k]:.4g}): the same start, different steps. Check the optimizer, its lr, and that the "
                    "LR stays constant")
    tip = ["tip: append loss.item(), a float; a stored tensor keeps its whole autograd graph alive"] if tensors else []
    return f"your {n} losses are lrlab.fit's for Adam(lr=0.01), step for step", [
        f"training loss {mine[0]:.3f} -> {mine[-1]:.4f}", *tip]

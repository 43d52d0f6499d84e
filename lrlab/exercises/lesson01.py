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
from ._core import Wrong, exercise, learning_rate, need, plural, what, wine
from ._feedback import lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = "wine = data.wine()"
DEFS = ()

BOWL = (0.5, 8.0)  # exercise 01.1's curvatures
STEPS = 300  # how long the check's real SGD runs on the bowl are


@exercise("01.1", "one step multiplies the distance along a direction of curvature l by (1 - lr * l): find the "
          "lr at which that factor reaches -1, in each direction.",
          "|1 - lr * l| < 1 means 0 < lr < 2 / l. Work that limit out for l = 0.5 and for l = 8: every direction must "
          "shrink, so the one that breaks first sets the bound")
def _largest_stable_lr(lr_max):
    x = learning_rate(lr_max, "lr_max")
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


def _trained(lr: float = 10.0, epochs: int = 8) -> models.WineMLP:
    """Section 6's network: a fresh WineMLP after ``epochs`` full-batch steps of SGD at ``lr``."""
    model = models.WineMLP()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    X, y = wine().tensors["X_train"], wine().tensors["y_train"]
    for _ in range(epochs):
        opt.zero_grad()
        F.cross_entropy(model(X), y).backward()
        opt.step()
    return model


def _layer_output(model, layer, X) -> torch.Tensor:
    """What ``layer`` outputs (its first call) during ``model(X)``."""
    outputs = []
    handle = layer.register_forward_hook(lambda module, inputs, output: outputs.append(output.detach()))
    try:
        with torch.no_grad():
            model(X)
    finally:
        handle.remove()
    return outputs[0]


def _count_hook_calls(layer) -> list:
    """Count the calls of every hook registered on ``layer`` from now on: [count]. The learner's hook is wrapped on
    the way in (an instance attribute shadows ``register_forward_hook`` for this one layer)."""
    calls, register = [0], layer.register_forward_hook

    def counting_register(hook, *args, **kwargs):
        def counted(*a, **k):
            calls[0] += 1
            return hook(*a, **k)
        return register(counted, *args, **kwargs)

    layer.register_forward_hook = counting_register
    return calls


def _dead_cases() -> list:
    """(name, model, layer, X): the layers the check counts on, with a known number of dead units each."""
    X = wine().tensors["X_train"]
    fresh, hot, long_hot = models.WineMLP(), _trained(), _trained(epochs=100)
    with torch.random.fork_rng(devices=[]):  # seeded, and the learner's own generator left alone
        torch.manual_seed(0)
        seq = torch.nn.Sequential(torch.nn.Linear(13, 10), torch.nn.ReLU(), torch.nn.Linear(10, 12),
                                  torch.nn.ReLU(), torch.nn.Linear(12, 3))
    with torch.no_grad():
        seq[2].bias[:3] = -100.0  # three units switched off by hand
    return [("a fresh WineMLP's fc2", fresh, fresh.fc2, X),
            ("an nn.Sequential with three units of its second Linear switched off, that Linear", seq, seq[2], X),
            ("the lr = 10 network of section 6 after 8 epochs, its fc2", hot, hot.fc2, X),
            ("the same network's fc1", hot, hot.fc1, X),
            ("the lr = 10 network after 100 epochs, its fc2", long_hot, long_hot.fc2, X),
            ("the same network's fc1", long_hot, long_hot.fc1, X)]


def _count(value, case: str) -> int:
    """The learner's count as an int, or a Wrong that says why it is not one."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
        value = value.item()
    if isinstance(value, torch.Tensor):
        raise Wrong(f"on {case}: your dead_units returned a tensor of shape {tuple(value.shape)}"
                    + (" (one entry per unit?)" if value.dim() == 1 else "") + ": return the number of dead units, "
                    "an int (.sum() counts the True entries, int(...) makes it a number)")
    need(isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer(),
         f"on {case}: your dead_units returned {what(value)}; return a whole number of units, an int")
    return int(value)


@exercise("01.2", "let the model run its own forward pass on X, and catch the layer's output on the way with a forward "
          "hook (the exercise says how to put one on and take it off); then look at each unit's column.",
          "the hook is called with (module, inputs, output): keep `output` in a list made before you register it. Run "
          "the model on X under torch.no_grad(), then take the hook off with the handle's remove(). The output has one "
          "row per example and one column per unit: a unit is dead when its whole column is <= 0 (reduce over dim 0, "
          "then count)")
def _dead_units(dead_units):
    need(callable(dead_units), f"expected a function dead_units(model, layer, X) -> int; you gave {what(dead_units)}")
    counts = []
    for case, model, layer, X in _dead_cases():
        out = _layer_output(model, layer, X)
        want = int((out <= 0).all(dim=0).sum())
        units = out.shape[1]
        weights = [p.detach().clone() for p in model.parameters()]
        calls = _count_hook_calls(layer)
        try:
            got = dead_units(model, layer, X)
        except Exception as err:  # noqa: BLE001 - the learner's function, explained
            fed = (" The layer's input is what the layers before it output: run model(X) and catch the layer's "
                   "output with a hook, rather than calling the layer on X." if isinstance(err, RuntimeError)
                   and "shape" in str(err) else "")
            raise Wrong(f"on {case}: dead_units(model, layer, X) raised {type(err).__name__}: {err}.{fed}") from None
        got = _count(got, case)
        need(all(torch.equal(w, p) for w, p in zip(weights, model.parameters(), strict=True)),
             f"on {case}: your dead_units changed the model's weights: it must only look (no optimizer step)")
        seen = calls[0]
        with torch.no_grad():
            model(X)
        need(calls[0] == seen, "your hook is still on the layer after dead_units returned: it would run on every "
             "later forward pass of your model. Keep the handle that register_forward_hook returns and call its "
             "remove() before you return")
        if got != want:
            need(got <= units, f"on {case}: your dead_units says {got}, but the layer has only {units} units: you "
                 "counted entries (examples x units); count units, the columns whose entries are all <= 0")
            need(got != int((out == 0).all(dim=0).sum()), f"on {case}: your dead_units says {got} where {want} of "
                 f"{units} units output <= 0 for every example. A dead unit's Linear output is negative, not 0 (the "
                 "ReLU after it makes the 0): test <= 0, or > 0 for the live ones")
            need(got != units - want, f"on {case}: {got} is the number of live units (output > 0 for some "
                 f"example); the task asks for the dead ones")
            need(got != int((out <= 0).all(dim=1).sum()), f"on {case}: your count ({got}) reduces over the wrong "
                 "dimension: the output has one row per example and one column per unit, so test each column (dim=0)")
            raise Wrong(f"on {case}: your dead_units says {got} of {units} units are dead; PyTorch's own output of "
                        f"that layer has {want} that are <= 0 for every example")
        counts.append((case, got, units))
    shown = [f"{case}: {got} of {units} dead" for case, got, units in counts]
    return f"your dead_units counts every layer right, {len(counts)} layers in 3 kinds of model", shown


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
          "only three things change from section 4: the optimizer's class (Adam instead of SGD), its lr, and the "
          "range of the loop (50 epochs). Keep the LambdaLR that returns 1.0, and append loss.item(), a float, after "
          "each step")
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

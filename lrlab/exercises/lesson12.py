"""Self-checking exercises of lesson 12 (schedules in real training code), each registered under its number "12.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("12.N", answer)``. The check compares with a real ``torch.optim.AdamW``.
"""

from __future__ import annotations

import math

import torch

from .. import schedules
from ._core import Wrong, exercise, need, number, what

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = ""
DEFS = ()


# --- 12.4: the fraction of a weight AdamW's decay leaves over a run ----------------------------------------------
def _lrs(name: str) -> list:
    """The LR of every step of a real PyTorch schedule (stepped per batch on a dummy optimizer)."""
    if name == "constant":
        return [0.1] * 20
    if name == "warmup + cosine":
        return schedules.preview(lambda o: schedules.warmup_cosine(o, 20, 200), 200, lr=0.01)["lr"]
    return schedules.preview(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.05, total_steps=100),
                             100, lr=0.05)["lr"]


CASES = (("constant", 0.5), ("warmup + cosine", 0.1), ("one-cycle", 0.2))  # (schedule, weight_decay)


def _adamw_left(lrs, weight_decay: float) -> float:
    """A real AdamW on one weight of 1.0 (float64) whose gradient stays 0, stepped with the LRs ``lrs``."""
    w = torch.ones(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([w], lr=lrs[0], weight_decay=weight_decay)
    for lr in lrs:
        opt.param_groups[0]["lr"] = lr
        w.grad = torch.zeros_like(w)
        opt.step()
    return w.item()


def _answer(fn, lrs, weight_decay) -> float:
    try:
        value = fn(list(lrs), weight_decay)
    except Exception as err:  # noqa: BLE001 - explained, never raised
        raise Wrong(f"weight_left(lrs, weight_decay) raised {type(err).__name__}: {err}") from None
    return number(value, "what weight_left returns")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6)  # float32 arithmetic (a torch tensor) is close enough


@exercise("12.4", "each step multiplies the weight by one factor (section 3 prints them); what does a whole run of "
          "steps do to it?",
          "a running product over the list, one factor per step, each made from that step's own LR; with a constant "
          "LR it would be one factor to the power of the number of steps")
def _weight_left(weight_left):
    need(callable(weight_left), f"expected a function weight_left(lrs, weight_decay); you gave {what(weight_left)}")
    for name, weight_decay in CASES:
        lrs = _lrs(name)
        want, got = _adamw_left(lrs, weight_decay), _answer(weight_left, lrs, weight_decay)
        if _close(got, want):
            continue
        n, total = len(lrs), sum(lrs)
        first_only = (1 - lrs[0] * weight_decay) ** n
        need(not _close(got, first_only), f"with the {name} LRs yours is {got:.6g}, AdamW's {want:.6g}: you used "
             f"the first LR for every step. With a schedule each step decays with its own LR")
        need(not _close(got, math.exp(-weight_decay * total)), f"with the {name} LRs yours is {got:.6g}, AdamW's "
             f"{want:.6g}: exp(-weight_decay * sum(lrs)) is the approximation for small steps; AdamW multiplies "
             "one factor per step")
        need(not _close(got, 1 - weight_decay * total), f"with the {name} LRs yours is {got:.6g}, AdamW's "
             f"{want:.6g}: the decays do not add up, they multiply (each step shrinks what the steps before left)")
        need(False, f"with the {name} LRs ({n} steps, weight_decay={weight_decay}) yours is {got:.6g}, but a real "
             f"AdamW leaves {want:.6g} of a weight whose gradient stays 0")
    constant, cosine = [1e-3] * 1000, schedules.preview(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
        o, T_max=1000), 1000, lr=1e-3)["lr"]
    kept = (_answer(weight_left, constant, 0.1), _answer(weight_left, cosine, 0.1))
    return ("your weight_left is a real AdamW's decay, step for step, on a constant, a warmup + cosine and a "
            "one-cycle schedule"), [f"1,000 steps at weight_decay=0.1: a constant LR of 1e-3 leaves {kept[0]:.4f} "
                                    f"of a weight, a cosine from 1e-3 to 0 leaves {kept[1]:.4f}"]

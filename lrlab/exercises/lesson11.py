"""Self-checking exercises of lesson 11 (classic scheduler mistakes), each registered under its number "11.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("11.N", answer)``.
"""

from __future__ import annotations

import math

from .. import schedules
from ..lint import lint_schedule
from ._core import exercise, need, what
from ._feedback import lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = "import warnings\nfrom functools import partial\nfrom lrlab.lint import lint_schedule"
DEFS = ()

# The exercise's run: 12 epochs of 40 batches, the scheduler stepped after every batch; 2 epochs of linear warmup
# from 0.1 x LR, then one cosine to 0 at the end of the run.
EPOCHS, BATCHES, WARMUP_EPOCHS, LR = 12, 40, 2, 0.1
STEPS, WARMUP = EPOCHS * BATCHES, WARMUP_EPOCHS * BATCHES


def _target(k: int) -> float:
    """The planned LR of optimizer step k (the closed form): the warmup line, then the cosine over the rest."""
    if k < WARMUP:
        return LR * (0.1 + 0.9 * k / WARMUP)
    return LR * (1 + math.cos(math.pi * (k - WARMUP) / (STEPS - WARMUP))) / 2


def _where(k: int) -> str:
    return f"step {k} (epoch {k // BATCHES + 1}, batch {k % BATCHES + 1})"


def _same(a: float, b: float) -> bool:
    return lr_equal(a, b, 1e-9) or abs(a - b) <= 1e-12


@exercise("11.3", "the loop steps the scheduler after every batch, so every length in the schedule counts batches: "
          "how many batches do the 2 warmup epochs make, and how many are left after them?",
          "three lengths change, not one: the warmup's total_iters, the milestone and T_max, each counted in batches "
          "(40 an epoch); T_max counts only the batches after the warmup")
def _fixed(fixed):
    need(callable(fixed) and not hasattr(fixed, "step"), "expected a function optimizer -> scheduler, like broken; "
         f"you gave {what(fixed)}" + (": give the function that builds it" if hasattr(fixed, "step") else ""))
    dummy = schedules.dummy_optimizer(LR)
    try:
        built = fixed(dummy)
    except Exception as err:  # noqa: BLE001 - explained, never raised
        need(False, f"fixed(optimizer) raised {type(err).__name__}: {err}")
    need(hasattr(built, "step") and hasattr(built, "state_dict"), f"fixed(optimizer) must return a scheduler; "
         f"yours returned {what(built)}")
    need(getattr(built, "optimizer", None) is dummy, "your function builds its scheduler on another optimizer than "
         "the one it is given: use its argument")
    findings = lint_schedule(fixed, EPOCHS, BATCHES, step_on="batch", lr=LR)
    need(not findings, "the lint still finds: " + "; ".join(str(f) for f in findings))
    lrs = schedules.preview(fixed, EPOCHS, BATCHES, step_on="batch", lr=LR)["lr"]
    off = [k for k, lr in enumerate(lrs) if not _same(lr, _target(k))]
    if off:
        peak = next((k for k, lr in enumerate(lrs) if _same(lr, LR)), None)  # where your warmup reaches the LR
        need(_same(lrs[0], _target(0)), f"your first step trains with LR {lrs[0]:.3g}; the plan starts the warmup at "
             f"0.1 x {LR} = {_target(0):.3g}")
        yours = f"your warmup reaches the full LR at {_where(peak)}" if peak is not None else \
            "your LR never reaches the full LR"
        need(peak == WARMUP, f"{yours}; the plan's reaches it after {WARMUP_EPOCHS} epochs, at {_where(WARMUP)}: the "
             "warmup's total_iters and the milestone count batches too")
        k = max(off, key=lambda i: abs(lrs[i] - _target(i)))  # where your curve is farthest from the plan
        need(False, f"the lint is silent, but the LR is not the plan: at {_where(k)} yours is {lrs[k]:.3g}, the "
             f"plan's {_target(k):.3g} (a linear warmup over {WARMUP} steps, then one cosine to 0 over the "
             f"{STEPS - WARMUP} steps left)")
    return (f"the lint is silent and PyTorch's LR follows the plan at every one of the {STEPS} steps: up to {LR} in "
            f"{WARMUP} batches, then down along one cosine to {lrs[-1]:.1e}"), [
        "stepped per batch, a schedule's lengths (total_iters, milestones, T_max) count batches"]

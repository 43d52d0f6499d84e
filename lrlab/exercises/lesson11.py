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
PRELUDE = "import warnings\nfrom lrlab.lint import lint_schedule"
DEFS = ()

EPOCHS, BATCHES, LR = 30, 9, 0.1  # the exercise's run: 30 epochs of 9 batches, the scheduler stepped every batch
STEPS = EPOCHS * BATCHES


def _target(k: int) -> float:
    """The planned LR of optimizer step k: one cosine from LR to 0 over the whole run (the closed form)."""
    return LR * (1 + math.cos(math.pi * k / STEPS)) / 2


@exercise("11.3", "the loop steps the scheduler after every batch, so T_max counts batches: how many scheduler steps "
          "does the whole run take?",
          "30 epochs of 9 batches are 270 scheduler steps: a cosine that ends with the run has T_max=270 (30 * 9)")
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
    off = [i for i, lr in enumerate(lrs) if not lr_equal(lr, _target(i), 1e-9) and abs(lr - _target(i)) > 1e-12]
    k = max(off, key=lambda i: abs(lrs[i] - _target(i)), default=None)  # where your curve is farthest from the plan
    need(not off, (f"the lint is silent, but the LR is not one cosine from {LR} to 0 over the {STEPS} steps of the "
                   f"run: at step {k} (epoch {k // BATCHES + 1}) yours is {lrs[k]:.3g}, the cosine's "
                   f"{_target(k):.3g}") if off else "")
    return (f"the lint is silent and PyTorch's LR falls along one cosine from {LR} to {lrs[-1]:.1e} at the last of "
            f"the {STEPS} steps"), ["a horizon (T_max, total_iters, step_size) counts scheduler steps: here batches"]

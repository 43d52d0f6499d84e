"""Self-checking exercises of lesson 09 (comparing schedules), each registered under its number "09.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("09.N", answer)``.
"""

from __future__ import annotations

from statistics import fmean

from torch.optim import lr_scheduler

from .. import schedules
from ..train import History
from ._core import exercise, history, need, what
from ._feedback import differences

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = ("from lrlab import compare\nEPOCHS, PEAK, SEEDS = 12, 0.5, (0, 1, 2)\nd = data.digits(batch_size=8)\n"
           "BATCHES = d.steps_per_epoch\nSTEPS = EPOCHS * BATCHES\n"
           'COLUMNS = ["schedule", "runs", "final_val_loss", "val_loss_range", "final_val_acc"]')
DEFS = ()

# The lesson's runs: 12 epochs of 180 batches, peak LR 0.5.
_EPOCHS, _BATCHES, _PEAK = 12, 180, 0.5


@exercise("09.1", "LambdaLR multiplies PEAK by a factor of the step: 1 at step 0, falling in a straight line to 0 at "
          "step STEPS. Step it after every batch (step_on='batch'), one fresh model and optimizer per seed.",
          "the factor is the fraction of the run still ahead after `step` optimizer steps, out of STEPS. Train one "
          "run per seed as section 2 does: a fresh model and optimizer each time, the scheduler stepped per batch")
def _linear_runs(linear_runs):
    if isinstance(linear_runs, History):
        need(False, "you gave one History: give a list of them, one run per seed in SEEDS")
    need(isinstance(linear_runs, (list, tuple)) and len(linear_runs) > 0,
         f"expected a list of Histories, one run per seed in SEEDS; you gave {what(linear_runs)}")
    for i, h in enumerate(linear_runs):
        history(h, f"a History from lrlab.fit in place {i} of your list")
    need(len(linear_runs) >= 3, f"you have {len(linear_runs)} run(s); the comparison runs every schedule once per "
         "seed in SEEDS, three at least")
    target = schedules.preview(lambda o: lr_scheduler.PolynomialLR(o, total_iters=_EPOCHS * _BATCHES, power=1),
                               _EPOCHS, _BATCHES, step_on="batch", lr=_PEAK)["lr"]  # PyTorch's own linear decay
    for i, h in enumerate(linear_runs):
        negative = next((k for k, lr in enumerate(h.lr) if lr < 0), None)
        need(negative is None, f"run {i}'s LR goes below 0 at step {negative}: your factor falls to 0 long before the "
             "run ends (it counts epochs, or one epoch's batches); divide by STEPS, the batches of the whole run")
        need(h.num_epochs == _EPOCHS, f"run {i} has {h.num_epochs} epochs; the comparison trains EPOCHS = {_EPOCHS}")
        need(len(h.lr) == len(target), f"run {i} took {len(h.lr)} optimizer steps; the lesson's runs take "
             f"{len(target)}: train on the lesson's data d (batches of 8)")
        found = differences(h.lr, target, "the task's schedule", _BATCHES)
        need(not found, f"run {i}: " + "; ".join(found))
    firsts = [h.loss[0] for h in linear_runs]
    need(len({round(f, 9) for f in firsts}) == len(firsts), "some of your runs start from the same first batch loss "
         "(the same seed): pass a different seed to models.MLP(seed=...) and to lrlab.fit(..., seed=...) for each run")
    finals = [h.val_loss[-1] for h in linear_runs]
    return ("your LambdaLR gives PyTorch's linear decay to 0 (the LRs of PolynomialLR(total_iters=STEPS, power=1)), "
            "stepped after every batch, in every run"), [
        f"final validation loss: mean {fmean(finals):.3f}, from {min(finals):.3f} to {max(finals):.3f} over "
        f"{len(finals)} seeds: compare that with the table's rows",
        f"the last step trains with lr={linear_runs[0].lr[-1]:.2g}, PEAK / STEPS"]

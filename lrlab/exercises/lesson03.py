"""Self-checking exercises of lesson 03 (the LR range test), each registered under its number "03.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("03.N", answer)``.
"""

from __future__ import annotations

import math

import torch

from .. import finder, models
from ._core import Wrong, exercise, need, number, plural, what, wine
from ._feedback import lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = ("from lrlab import finder\nwine = data.wine(batch_size=16)\nmodel = models.WineMLP()\n"
           "opt = torch.optim.Adam(model.parameters())")
DEFS = ()


@exercise("03.1", "121 LRs cover 6 decades with 120 equal factors; step 60 is halfway.",
          "halfway in equal factors is halfway in decades: 3 decades above 1e-6, on a log scale")
def _step_60(predicted):
    x = number(predicted, "predicted")
    lrs = finder.ramp(1e-6, 1.0, 121)
    per_decade = round((len(lrs) - 1) / math.log10(lrs[-1] / lrs[0]))  # equal factors: the same in each decade
    if lr_equal(x, lrs[60], 1e-6):
        return f"step 60 uses {lrs[60]:.3g}", [f"{per_decade} steps in every decade: step 60 is 3 decades up"]
    linear = finder.ramp(1e-6, 1.0, 121, mode="linear")
    need(not lr_equal(x, linear[60], 1e-3), f"{x:g} is step 60 of a linear ramp (equal differences); a range test "
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


@exercise("03.2", "copy the call of section 3 and add mode='linear'; then count sum(lr < 0.01 for lr in linear.lr)",
          "linear = finder.lr_range_test(model, opt, None, wine, start_lr=1e-4, end_lr=10, num_iter=100, "
          "mode='linear')")
def _linear_test(linear):
    _range_test(linear, start_lr=1e-4, end_lr=10, num_iter=100, mode="linear")
    below = sum(lr < 0.01 for lr in linear.lr)
    return f"your linear test matches section 3's set-up with mode='linear': {linear.steps} steps", [
        f"steps with an LR below 0.01: {below}; the second step is already at {linear.lr[1]:.3g}",
        *linear.summary().splitlines()]


@exercise("03.3", "same call as section 3 with start_lr=1e-6; then print(wide.summary())",
          "wide = finder.lr_range_test(model, opt, None, wine, start_lr=1e-6, end_lr=10, num_iter=100): the same "
          "100 steps now cover 7 decades")
def _wide_test(wide):
    _range_test(wide, start_lr=1e-6, end_lr=10, num_iter=100, mode="exp")
    model = models.WineMLP()
    narrow = finder.lr_range_test(model, torch.optim.Adam(model.parameters()), None, wine(batch_size=16), 1e-4, 10, 100)
    per_decade = (wide.num_iter - 1) / math.log10(wide.end_lr / wide.start_lr)
    return f"your test starts at 1e-6 and takes {wide.num_iter} steps", [
        f"about {round(per_decade)} steps per decade instead of {round((narrow.num_iter - 1) / 5)}; steepest descent "
        f"moved from {narrow.suggestions['steepest'].lr:.2g} to {wide.suggestions['steepest'].lr:.2g}",
        *wide.summary().splitlines()]

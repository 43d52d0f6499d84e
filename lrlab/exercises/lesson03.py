"""Self-checking exercises of lesson 03 (the LR range test), each registered under its number "03.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("03.N", answer)``.
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers

import torch
from torch.optim import lr_scheduler

from .. import data, finder, models
from ._core import Wrong, exercise, need, number, plural, what
from ._feedback import lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = ("from lrlab import finder\nd = data.digits(batch_size=64)\nmodel = models.MLP()\n"
           "optimizer = torch.optim.Adam(model.parameters())")
DEFS = ()

# exercise 1: an exponential ramp from 1e-4 to 1 in 50 steps, as a LambdaLR lambda
RAMP_START, RAMP_END, RAMP_STEPS = 1e-4, 1.0, 50
# exercise 2: the first LR whose smoothed loss is at least 10% below the first one
DROP = 0.1
# exercise 3: a test from 1e-6 to 1 in 121 steps, smooth=0.98
LAG_START, LAG_END, LAG_STEPS, LAG_BETA = 1e-6, 1.0, 121, 0.98


def _call(fn, name, *args):
    """``fn(*args)``, or a Wrong that says what went wrong in the learner's function."""
    try:
        return fn(*args)
    except Exception as err:  # noqa: BLE001 - the learner's function, explained
        shown = ", ".join("[...]" if isinstance(a, list) else repr(a) for a in args)
        raise Wrong(f"calling your {name}({shown}) raised {type(err).__name__}: {err}") from None


def _ramp_lrs(scheduler_fn) -> list:
    """The LR of each of the 50 steps of a real scheduler on an optimizer built with lr=1e-4."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=RAMP_START)
    scheduler = scheduler_fn(optimizer)
    lrs = []
    for _ in range(RAMP_STEPS):
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    return lrs


@exercise("03.1", "LambdaLR multiplies the initial LR 1e-4 by your factor: at step 0 it must be 1, at step 49 "
          "1 / 1e-4; in between, the same factor from each step to the next.",
          "49 equal factors make up the total factor 1 / 1e-4 = 1e4, so one factor is its 49th root; by step i, i of "
          "them have been applied (none at step 0)")
def _ramp_lambda(lr_lambda):
    need(callable(lr_lambda), f"expected a function of the step number (def lr_lambda(i): ...); you gave "
         f"{what(lr_lambda)}")
    for i in range(RAMP_STEPS):  # the learner's factors first: their errors are explained in their terms
        value = _call(lr_lambda, "lr_lambda", i)
        need(isinstance(value, (numbers.Real, torch.Tensor)) and not isinstance(value, bool),
             f"your lr_lambda({i}) returned {what(value)}; it must return a number, the factor for step {i}")
        need(number(value, f"lr_lambda({i})") > 0, f"your lr_lambda({i}) returned {value!r}; every factor must be "
             "> 0 (the LR is the initial LR times it)")
    lrs = _ramp_lrs(lambda opt: lr_scheduler.LambdaLR(opt, lambda i: float(number(lr_lambda(i), "lr_lambda"))))
    gamma = (RAMP_END / RAMP_START) ** (1 / (RAMP_STEPS - 1))
    target = _ramp_lrs(lambda opt: lr_scheduler.ExponentialLR(opt, gamma=gamma))  # PyTorch's own ramp
    if all(lr_equal(a, b, 1e-6) for a, b in zip(lrs, target, strict=True)):  # 1e-6: a float32 factor too
        return (f"your lr_lambda makes LambdaLR step the LR from {lrs[0]:g} to {lrs[-1]:g}, as "
                f"ExponentialLR(gamma={gamma:.4f}) does"), [f"x10 every {math.log(10) / math.log(gamma):.2f} steps"]
    need(lr_equal(lrs[0], RAMP_START, 1e-9),
         f"your ramp starts at {lrs[0]:.3g}, not {RAMP_START:g}: " + (
             "LambdaLR multiplies the optimizer's LR (1e-4) by your function's value, so return the factor, not "
             "the LR itself (the factor is 1 at step 0)" if lr_equal(lrs[0], RAMP_START ** 2, 1e-6)
             else "at step 0 the factor must be 1"))
    diffs = [b - a for a, b in itertools.pairwise(lrs)]
    ratios = [b / a for a, b in itertools.pairwise(lrs)]
    if all(math.isclose(x, diffs[0], rel_tol=1e-6) for x in diffs):
        raise Wrong(f"your LR grows by the same amount every step ({diffs[0]:.3g}): a linear ramp; the task asks "
                    "for the same factor every step")
    need(all(math.isclose(r, ratios[0], rel_tol=1e-6) for r in ratios),
         f"your LR does not grow by the same factor every step: x{ratios[0]:.4g} from step 0 to 1, "
         f"x{ratios[-1]:.4g} from step {RAMP_STEPS - 2} to {RAMP_STEPS - 1}")
    reached = math.log(RAMP_END / RAMP_START) / math.log(ratios[0]) if ratios[0] > 1 else math.inf
    last = RAMP_STEPS - 1
    if math.isfinite(reached) and abs(reached - round(reached)) < 1e-6:
        n = round(reached)
        raise Wrong(f"your ramp multiplies by {ratios[0]:.4g} every step, so it reaches {RAMP_END:g} at step {n}, "
                    f"not at the last step, {last}" + (f": {RAMP_STEPS} LRs have {last} factors between them"
                                                       if n == RAMP_STEPS else ""))
    raise Wrong(f"your ramp multiplies by {ratios[0]:.4g} every step and ends at {lrs[-1]:.3g} at step {last}, "
                f"not {RAMP_END:g}")


@functools.lru_cache(maxsize=1)
def lesson_result() -> finder.FinderResult:
    """The lesson's range test: the digits in batches of 64, MLP(seed=0), Adam, 1e-5 to 10 in 100 steps."""
    model = models.MLP()
    return finder.lr_range_test(model, torch.optim.Adam(model.parameters()), None, data.digits(batch_size=64),
                                start_lr=1e-5, end_lr=10, num_iter=100)


def start_of_descent(lrs, losses):
    """The first LR whose smoothed loss is at least 10% below the first one (the reference rule)."""
    return next(lr for lr, loss in zip(lrs, losses, strict=True) if loss <= (1 - DROP) * losses[0])


@exercise("03.2", "the rule gets two lists, the LRs and the smoothed losses; walk along them together and return "
          "the LR of the first loss that is at most 0.9 times losses[0].",
          "next(lr for lr, loss in zip(lrs, losses) if ...) returns the first LR that passes a test: put the "
          "test of the first hint where the dots are")
def _own_rule(rule):
    need(callable(rule), f"expected a function (lrs, losses) -> lr; you gave {what(rule)}")
    result = lesson_result()
    given = {}

    def capture(lrs, losses):  # the lists finder.suggest gives a rule (both ends of the curve left out)
        given.update(lrs=list(lrs), losses=list(losses))
        return lrs[0]

    finder.suggest(result, rules={"capture": capture})
    lrs, losses = given["lrs"], given["losses"]
    got = _call(rule, "rule", list(lrs), list(losses))
    need(not (isinstance(got, numbers.Integral) and not isinstance(got, bool) and 0 <= got < len(lrs)),
         f"your rule returned {got!r}: a position in the lists, not an LR; return lrs[i]")
    got = number(got, "what your rule returned")
    k = lrs.index(start_of_descent(lrs, losses))
    if lr_equal(got, lrs[k], 1e-9):
        yours = finder.suggest(result, rules={"start of descent": rule})["start of descent"]
        others = ", ".join(f"{s.name} {s.lr:.2g}" for s in result.suggestions.values())
        return (f"your rule picks {yours.lr:.3g}, where the smoothed loss is {1 - losses[k] / losses[0]:.0%} below "
                "its first value"), [f"the built-in rules on the same test: {others}"]
    need(got > 0, f"your rule returned {got:g}; a rule must return an LR, a number > 0")
    i = min(range(len(lrs)), key=lambda j: abs(math.log(lrs[j] / got)))
    need(lr_equal(lrs[i], got, 1e-6), f"your rule returned {got:.3g}, which is not one of the LRs it was given "
         f"(the nearest is {lrs[i]:.3g}); return the LR itself, lrs[i]")
    need(i != losses.index(min(losses)),
         f"{got:.3g} is the LR of the lowest smoothed loss; the task asks where the loss starts to fall: the first "
         f"loss at least {DROP:.0%} below the first one")
    drop = 1 - losses[i] / losses[0]
    need(not (i > k and drop >= DROP), f"at your LR, {got:.3g} (position {i} in the lists), the smoothed loss is "
         f"{drop:.0%} below its first value, but it was already {DROP:.0%} below at position {k} ({lrs[k]:.3g}): "
         "return the first such LR, not a later one")
    raise Wrong(f"at your LR, {got:.3g} (position {i} in the lists), the smoothed loss is {drop:.1%} below its first "
                f"value, less than {DROP:.0%}; the first LR at least {DROP:.0%} below comes at position {k}")


def _lag(beta, start, end, steps):
    """Decades of LR the smoothed curve lags: beta / (1 - beta) steps at (steps - 1) / decades steps a decade."""
    return beta / (1 - beta) / ((steps - 1) / math.log10(end / start))


@exercise("03.3", "two numbers: the EMA's lag behind a steady trend in steps (beta / (1 - beta)), and how many steps "
          "the test spends in each decade of LR.",
          "the steady-trend lag in steps is 0.98 / 0.02. 121 LRs have 120 factors between them, spread over the "
          "decades from 1e-6 to 1: how many steps make one decade?")
def _lag_prediction(lag_in_decades):
    x = number(lag_in_decades, "lag_in_decades")
    want = _lag(LAG_BETA, LAG_START, LAG_END, LAG_STEPS)
    per_decade = (LAG_STEPS - 1) / math.log10(LAG_END / LAG_START)
    steps = LAG_BETA / (1 - LAG_BETA)
    if abs(x - want) <= 0.08 * want:  # beta / (1 - beta) or 1 / (1 - beta), 120 or 121 steps: all about 2.45
        return (f"about {want:.2f} decades on a steady trend: {steps:.0f} steps of lag at {per_decade:.0f} steps per "
                "decade"), [f"with smooth=0.95 it would be {_lag(0.95, LAG_START, LAG_END, LAG_STEPS):.2f} decades",
                            "a real descent shorter than 1 / (1 - beta) steps shows less of the lag (section 5)"]
    need(not math.isclose(x, steps, rel_tol=0.05) and not math.isclose(x, 1 / (1 - LAG_BETA), rel_tol=0.05),
         f"{x:g} is the lag in steps; turn it into decades: the test spends {per_decade:.0f} steps in each decade")
    need(not math.isclose(x, _lag(0.95, LAG_START, LAG_END, LAG_STEPS), rel_tol=0.05),
         f"{x:g} decades is the lag of smooth=0.95 (19 steps); this test smooths with 0.98")
    need(not math.isclose(x, steps * per_decade, rel_tol=0.05),
         f"{x:g} is the lag in steps times the steps per decade; divide instead: {plural(steps, 'step')} of lag "
         f"at {per_decade:.0f} steps a decade")
    raise Wrong(f"{x:g} decades is {'too much' if x > want else 'too little'}: work out the lag in steps first, "
                "then how many steps the test spends in each decade of LR")

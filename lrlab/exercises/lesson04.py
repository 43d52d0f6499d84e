"""Self-checking exercises of lesson 04 (why schedule the LR at all), each registered under its number "04.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("04.N", answer)``.
"""

from __future__ import annotations

import functools
import math

from torch.optim import lr_scheduler

from .. import landscape, schedules
from ._core import Wrong, exercise, need, number, values, what
from ._feedback import differences, lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = "from lrlab import landscape"
DEFS = ()

# exercise 1: MultiStepLR(milestones=[8], gamma=0.1) over 12 epochs, as a LambdaLR lambda; the lesson's LR 0.5
EPOCHS, MILESTONE, GAMMA, LR = 12, 8, 0.1, 0.5
# exercise 2: the cloud's radius on the bowl at a constant LR of 0.025 (a quarter of the lesson's 0.1)
CLOUD_LR, LESSON_LR = 0.025, 0.1


def _factors(lr_lambda) -> list:
    """The learner's factor for each epoch (and the one after: the scheduler's last step asks for it), as floats,
    or a Wrong that says what went wrong."""
    return values(lr_lambda, [(e,) for e in range(EPOCHS + 1)], lambda e: f"lr_lambda({e})",
                  "the factor for that epoch")


@exercise("04.1", "LambdaLR multiplies the initial LR (0.5) by what your function returns: return a factor, not an "
          "LR. Which factor do the epochs before the cut need, and which the epochs after it?",
          "when epoch e (from 0) trains, scheduler.step() has been called e times, and MultiStepLR cuts once that "
          "count reaches 8. So which epochs, counted from 0, get the factor 1, and which get 0.1?")
def _step_cut(lr_lambda):
    need(callable(lr_lambda), f"expected a function of the epoch number (def lr_lambda(e): ...); you gave "
         f"{what(lr_lambda)}")
    factors = _factors(lr_lambda)
    target = schedules.preview(lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[MILESTONE], gamma=GAMMA),
                               EPOCHS, lr=LR)["lr"]
    mine = schedules.preview(lambda opt: lr_scheduler.LambdaLR(opt, lambda e: factors[e]), EPOCHS, lr=LR)["lr"]
    same = all(lr_equal(a, b, 1e-6) for a, b in zip(mine, target, strict=True))  # 1e-6: a float32 factor too
    found = [] if same else differences(mine, target, "MultiStepLR's")
    if not found:
        return f"your LambdaLR gives MultiStepLR's LRs: {LR:g} in epochs 1-{MILESTONE}, {target[-1]:g} after", [
            "per epoch: " + ", ".join(f"{lr:g}" for lr in mine)]
    need(not lr_equal(mine[0], LR * LR), f"your first epoch trains with {mine[0]:g} = {LR:g} x {LR:g}: LambdaLR "
         f"multiplies the initial LR by your value, so return the factor (1, then {GAMMA:g}), not the LR")
    need(not lr_equal(mine[-1], LR * LR * GAMMA) or not lr_equal(mine[0], LR),
         f"after the cut your LR is {mine[-1]:g} = {LR:g} x {LR * GAMMA:g}: return the factor {GAMMA:g}, not "
         f"the LR {LR * GAMMA:g}")
    raise Wrong("; ".join(found))


@functools.lru_cache(maxsize=1)
def measured_radius(lr: float = CLOUD_LR) -> tuple[float, float]:
    """Smallest and largest radius (RMS distance from the minimum over the last 1,000 of 2,000 steps) of SGD on
    the lesson's bowl (noise 1) at a constant ``lr``, over seeds 0-2."""
    radii = []
    for seed in range(3):
        points = landscape.sgd_path(lr, 2000, noise=1.0, seed=seed)["points"][-1000:]
        radii.append(landscape.rms_distance(points))
    return min(radii), max(radii)


@exercise("04.2", "how does the radius of the cloud grow with the LR: like the LR itself, or more slowly?",
          "the radius grows like the square root of the LR: multiply the radius at LR 0.1 (about 0.25) by the "
          "square root of the ratio of the two LRs")
def _cloud(radius_at_0025):
    x = number(radius_at_0025, "radius_at_0025")
    theory = landscape.stationary_spread(CLOUD_LR)
    lesson = landscape.stationary_spread(LESSON_LR)
    low, high = measured_radius()
    details = [f"SGD on the bowl at LR {CLOUD_LR:g}, seeds 0-2: radius {low:.3f} to {high:.3f} (measured over "
               "1,000 steps)"]
    if abs(x - theory) <= 0.12 * theory:  # sqrt's 0.125 and the exact 0.119 both
        return (f"{x:g}: the stationary radius at LR {CLOUD_LR:g} is {theory:.3f}, about half of {lesson:.2f}: "
                "a quarter of the LR, about half the radius (the square root of a quarter)"), details
    need(not math.isclose(x, lesson * CLOUD_LR / LESSON_LR, rel_tol=0.1),
         f"{x:g} is a quarter of the radius: the radius does not grow in proportion to the LR, but more slowly. "
         + details[0])
    need(not math.isclose(x, lesson * (CLOUD_LR / LESSON_LR) ** 2, rel_tol=0.1),
         f"{x:g} shrinks the radius with the square of the LR; it shrinks more slowly than the LR, not faster")
    need(not math.isclose(x, lesson, rel_tol=0.1), f"{x:g} is the radius at LR {LESSON_LR:g}; a smaller LR settles "
         "in a smaller cloud")
    need(x > 0, f"radius_at_0025={x:g}: a radius is a distance, > 0")
    raise Wrong(f"{x:g} is {'too large' if x > theory else 'too small'}: " + details[0])

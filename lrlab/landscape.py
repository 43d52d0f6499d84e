"""SGD on a 2-D loss landscape you can see whole: a noisy, ill-conditioned quadratic bowl.

The loss is ``0.5 * (l1 * x**2 + l2 * y**2)``, a bowl whose minimum is at (0, 0), steep along y when
``l2 > l1``. ``sgd_path`` trains the two numbers ``(x, y)`` with the real ``torch.optim.SGD`` (and, if you
pass one, a real torch scheduler). Each gradient is the exact gradient plus seeded Gaussian noise: a
stand-in for the noise of mini-batches. ``noise=0`` is plain gradient descent.

Along each axis one step multiplies the distance to the minimum by ``(1 - lr * l)``, so gradient descent
converges only when ``|1 - lr * l| < 1`` for every curvature ``l``: ``lr < 2 / max(l)``
(``stability_bound``). With noise, a constant LR never settles: the points keep hopping in a cloud around
the minimum whose size grows with the LR (``stationary_spread``); only a smaller LR shrinks it.

Everything here returns plain numbers and lists and costs milliseconds. It imports nothing from lrlab.

Example::

    >>> stability_bound((1.0, 10.0))
    0.2
    >>> path = sgd_path(0.15, 40)             # about right: close to the minimum after 40 steps
    >>> path["loss"][-1] < 1e-3 * path["loss"][0], path["diverged"]
    (True, False)
    >>> sgd_path(0.21, 200)["diverged"]       # past 2 / 10: the steep direction blows up
    True
"""

from __future__ import annotations

import math
import numbers

import torch

MAX_STEPS = 100_000
DIVERGED = 1e6  # a path stops once its loss exceeds this many times its starting loss (at least 1)


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _pair(value, name, positive=False) -> tuple:
    try:
        pair = tuple(value)
    except TypeError:
        pair = ()
    if len(pair) != 2 or not all(_number(v) and (v > 0 or not positive) for v in pair):
        kind = "positive finite numbers" if positive else "finite numbers"
        raise ValueError(f"{name}={value!r} must be a pair of {kind}, e.g. {(1.0, 10.0) if positive else (-4.0, 2.0)}.")
    return tuple(float(v) for v in pair)


def stability_bound(lambdas) -> float:
    """The largest LR for which gradient descent on the quadratic converges: ``2 / max(lambdas)``.

    One step multiplies the distance along an axis of curvature ``l`` by ``(1 - lr * l)``; it shrinks only
    while ``|1 - lr * l| < 1``, i.e. ``0 < lr < 2 / l``. The steepest axis sets the limit.

    Args:
        lambdas (pair of float): the curvatures ``(l1, l2)`` of ``0.5 * (l1 * x**2 + l2 * y**2)``, each > 0.

    Returns:
        float: ``2 / max(lambdas)``.

    Example:
        >>> stability_bound((1.0, 10.0))
        0.2
    """
    return 2.0 / max(_pair(lambdas, "lambdas", positive=True))


def loss(point, lambdas=(1.0, 10.0)) -> float:
    """The quadratic's loss ``0.5 * (l1 * x**2 + l2 * y**2)`` at one point ``(x, y)``.

    Args:
        point (pair of float): ``(x, y)``.
        lambdas (pair of float, default (1.0, 10.0)): the curvatures ``(l1, l2)``, each > 0.

    Example:
        >>> loss((2.0, 1.0), lambdas=(1.0, 10.0))     # 0.5 * (1 * 4 + 10 * 1)
        7.0
    """
    (x, y), (l1, l2) = _pair(point, "point"), _pair(lambdas, "lambdas", positive=True)
    return 0.5 * (l1 * x * x + l2 * y * y)


def stationary_spread(lr, lambdas=(1.0, 10.0), noise=1.0) -> float:
    """Root-mean-square distance from the minimum of the cloud a constant LR settles into (theory).

    Along an axis of curvature ``l`` a step is ``x <- (1 - lr * l) * x - lr * noise * z`` with ``z ~ N(0, 1)``.
    Its variance settles where it stops changing: ``lr * noise**2 / (l * (2 - lr * l))``. Add the two axes
    and take the square root. Roughly proportional to ``sqrt(lr)``: halve the cloud, quarter the LR.

    Args:
        lr (float): the constant LR, ``0 < lr < stability_bound(lambdas)``.
        lambdas (pair of float, default (1.0, 10.0)): the curvatures, each > 0.
        noise (float, default 1.0): standard deviation of the gradient noise, >= 0.

    Returns:
        float: ``sqrt(E[x**2] + E[y**2])`` once the start is forgotten.

    Example:
        >>> round(stationary_spread(0.1, lambdas=(1.0, 10.0), noise=1.0), 4)   # sqrt(0.1/1.9 + 0.1/10)
        0.2503
    """
    l1, l2 = _pair(lambdas, "lambdas", positive=True)
    bound = 2.0 / max(l1, l2)
    if not (_number(lr) and 0 < lr < bound):
        raise ValueError(f"lr={lr!r} is out of range; it must be a number with 0 < lr < {bound:g} "
                         "(2 / max(lambdas)): beyond it there is no cloud, the path diverges.")
    if not (_number(noise) and noise >= 0):
        raise ValueError(f"noise={noise!r} is out of range; it must be a finite number >= 0.")
    return math.sqrt(sum(lr * noise**2 / (lam * (2 - lr * lam)) for lam in (l1, l2)))


def rms_distance(points) -> float:
    """Root-mean-square distance of some points from the minimum (0, 0): the size of a cloud of points.

    Args:
        points (list of (x, y)): e.g. ``sgd_path(...)["points"][-200:]``; at least one.

    Example:
        >>> rms_distance([(3.0, 4.0), (0.0, 0.0)])    # sqrt((25 + 0) / 2)
        3.5355339059327378
    """
    pts = list(points)
    if not pts:
        raise ValueError("points is empty; pass at least one (x, y) pair.")
    return math.sqrt(sum(x * x + y * y for x, y in (_pair(p, "points[i]") for p in pts)) / len(pts))


def _check(lr, num_steps, noise, seed, scheduler_fn):
    if not (_number(lr) and lr > 0):
        raise ValueError(f"lr={lr!r} is out of range; it must be a finite number > 0.")
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or not 1 <= num_steps <= MAX_STEPS:
        raise ValueError(f"num_steps={num_steps!r} is out of range; it must be an integer from 1 to {MAX_STEPS:,}.")
    if not (_number(noise) and noise >= 0):
        raise ValueError(f"noise={noise!r} is out of range; it must be a finite number >= 0 (0: no noise).")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed={seed!r} must be an integer.")
    if scheduler_fn is not None and not callable(scheduler_fn):
        raise ValueError(f"scheduler_fn={scheduler_fn!r} must be None or a function optimizer -> scheduler, "
                         "e.g. lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=100, gamma=0.1).")


def sgd_path(lr, num_steps, *, lambdas=(1.0, 10.0), start=(-4.0, 2.0), noise=0.0, seed=0, scheduler_fn=None):
    """Run ``torch.optim.SGD`` on the noisy quadratic and record where it goes.

    Every step: the loss ``0.5 * (l1 * x**2 + l2 * y**2)``, ``backward()``, Gaussian noise added to the
    gradient, ``optimizer.step()``, then ``scheduler.step()`` (``scheduler.step(loss)`` for
    ReduceLROnPlateau) if there is a scheduler. A path that diverges stops early, once its loss exceeds
    ``DIVERGED`` (1e6) times its starting loss (or 1e6, from a start near the minimum). The noise comes
    from the path's own seeded ``torch.Generator``: the global RNG is never used or changed.

    Args:
        lr (float): the optimizer's LR (a scheduler starts from it), > 0.
        num_steps (int): optimizer steps, from 1 to 100,000.
        lambdas (pair of float, default (1.0, 10.0)): curvatures ``(l1, l2)``, each > 0.
        start (pair of float, default (-4.0, 2.0)): the starting point ``(x, y)``.
        noise (float, default 0.0): standard deviation of the noise added to each gradient component, >= 0.
        seed (int, default 0): seed of the noise.
        scheduler_fn (callable, optional): ``optimizer -> scheduler``, stepped once after every step.

    Returns:
        dict: ``points`` (the ``(x, y)`` before each step and after the last: one more than the steps
        taken), ``loss`` (the exact loss at each point), ``lr`` (the LR each step used), ``diverged`` (bool).

    Example:
        >>> path = sgd_path(0.05, 3, lambdas=(1.0, 10.0), start=(-4.0, 2.0))   # noise 0: x *= 0.95, y *= 0.5
        >>> [(round(x, 4), round(y, 4)) for x, y in path["points"]]
        [(-4.0, 2.0), (-3.8, 1.0), (-3.61, 0.5), (-3.4295, 0.25)]
        >>> path["lr"], path["diverged"]
        ([0.05, 0.05, 0.05], False)
    """
    _check(lr, num_steps, noise, seed, scheduler_fn)
    lambdas = torch.tensor(_pair(lambdas, "lambdas", positive=True), dtype=torch.float64)
    params = torch.tensor(_pair(start, "start"), dtype=torch.float64, requires_grad=True)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD([params], lr=lr)
    scheduler = None if scheduler_fn is None else scheduler_fn(optimizer)
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    if scheduler is not None and not (plateau or isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler)):
        raise ValueError(f"scheduler_fn returned {type(scheduler).__name__}; it must return a torch scheduler "
                         "built on the optimizer it is given.")

    def current_loss():
        return 0.5 * (lambdas * params**2).sum()

    points, losses, lrs = [tuple(params.tolist())], [], []
    limit = DIVERGED * max(current_loss().item(), 1.0)
    diverged = False
    for _ in range(num_steps + 1):
        # 1. the loss where we stand; stop if it has blown up (or after the last step)
        value = current_loss()
        losses.append(value.item())
        if not losses[-1] <= limit:  # also catches inf and nan
            diverged = True
            break
        if len(lrs) == num_steps:
            break
        # 2. the exact gradient by backward(), plus noise (a mini-batch's error), 3. the real SGD step
        optimizer.zero_grad()
        value.backward()
        params.grad += noise * torch.randn(2, generator=generator, dtype=torch.float64)
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if plateau:
            scheduler.step(losses[-1])  # ReduceLROnPlateau watches the loss
        elif scheduler is not None:
            scheduler.step()
        points.append(tuple(params.tolist()))
    return {"points": points, "loss": losses, "lr": lrs, "diverged": diverged}

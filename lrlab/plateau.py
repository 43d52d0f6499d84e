"""What ReduceLROnPlateau is thinking, epoch by epoch: ``trace`` replays a metric series through the
real scheduler and records its state (best, num_bad_epochs, cooldown counter, LR, where patience ran out).

Example::

    >>> from lrlab import plateau
    >>> plateau.trace([1.0, 0.5, 0.6, 0.7, 0.8], factor=0.5, patience=1)["cuts"]   # cut at epoch 4
    [4]
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

from . import schedules


def trace(metrics: Sequence[float], mode: str = "min", factor: float = 0.1, patience: int = 10,
          threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
          min_lr: float = 0.0, eps: float = 1e-8, lr: float = 0.1) -> dict:
    """Step a real ``ReduceLROnPlateau`` once per value of ``metrics`` and record what it thinks.

    Everything is read from PyTorch's scheduler after each step; "patience ran out" is recorded when
    PyTorch calls its own ``_reduce_lr`` (the LR may still stay put: ``min_lr``, or a cut below ``eps``).

    Args:
        metrics (sequence of float): the monitored value per epoch (e.g. ``history.val_loss``).
        mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps: as in
            ``ReduceLROnPlateau``, same defaults, checked like ``make``.
        lr (float, default 0.1): the optimizer's initial LR.

    Returns:
        dict. Per-epoch lists: ``epoch`` (from 1), ``metric``, ``must_beat`` (the docs' dynamic
        threshold from the best so far, e.g. ``best * (1 - threshold)`` for min/rel; nan at epoch 1),
        ``improved``, ``best``, ``num_bad_epochs``, ``cooldown_counter``, ``lr`` (after the step, what
        ``get_last_lr()`` shows). Epoch lists: ``patience_out``, ``cuts`` (the LR dropped) and
        ``skipped`` (it did not). ``params``: the scheduler's arguments.

    Example::

        >>> t = trace([1.0, 0.5, 0.6, 0.7, 0.8], factor=0.5, patience=1)
        >>> t["num_bad_epochs"], t["lr"]    # 0.1, 0.1, 0.1, then cut on the 2nd bad epoch: 0.05
        ([0, 0, 1, 0, 1], [0.1, 0.1, 0.1, 0.05, 0.05])
        >>> t["cuts"]
        [4]
    """
    # 1. check every argument before stepping anything
    if isinstance(metrics, (str, bytes)) or not hasattr(metrics, "__len__") or len(metrics) == 0:
        raise ValueError(f"metrics={metrics!r} must be a non-empty sequence of finite numbers.")
    metrics = list(metrics)
    for i, m in enumerate(metrics):
        if isinstance(m, bool) or not isinstance(m, numbers.Real) or not abs(m) < float("inf"):
            raise ValueError(f"metrics[{i}]={m!r} is not a finite number; metrics must be finite numbers.")
    params = dict(mode=mode, factor=factor, patience=patience, threshold=threshold,
                  threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr, eps=eps)
    opt = schedules.dummy_optimizer(lr)
    sched = schedules.make("ReduceLROnPlateau", opt, **params)
    # 2. listen in on the scheduler's own decision to reduce (its method still does the reducing)
    ran_out = []
    reduce_lr = sched._reduce_lr
    sched._reduce_lr = lambda *a, **k: (ran_out.append(True), reduce_lr(*a, **k))
    keys = ("epoch", "metric", "must_beat", "improved", "best", "num_bad_epochs", "cooldown_counter", "lr")
    out = {k: [] for k in keys} | {"patience_out": [], "cuts": [], "skipped": [], "params": params}
    sign = -1.0 if mode == "min" else 1.0
    for epoch, m in enumerate(metrics, start=1):
        # 3. the bar this epoch must pass (the documented formula, for display only), then the real step
        best, lr_before, calls = sched.best, opt.param_groups[0]["lr"], len(ran_out)
        bar = best * (1 + sign * threshold) if threshold_mode == "rel" else best + sign * threshold
        sched.step(float(m))
        # 4. read the scheduler's state after the step
        row = (epoch, float(m), bar if abs(best) < float("inf") else float("nan"), sched.best != best,
               sched.best, sched.num_bad_epochs, sched.cooldown_counter, opt.param_groups[0]["lr"])
        for key, value in zip(keys, row, strict=True):
            out[key].append(value)
        if len(ran_out) > calls:
            out["patience_out"].append(epoch)
            out["cuts" if out["lr"][-1] < lr_before else "skipped"].append(epoch)
    return out

"""What ReduceLROnPlateau is thinking, epoch by epoch: ``trace`` replays a metric series through the
real scheduler and records its state (best, num_bad_epochs, cooldown counter, LR, where patience ran out).

Everything is read from PyTorch's scheduler through its public attributes; nothing of it is patched.

Example::

    >>> from lrlab import plateau
    >>> plateau.trace([1.0, 0.5, 0.6, 0.7, 0.8], factor=0.5, patience=1)["cuts"]   # cut at epoch 4
    [4]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from . import schedules

KEYS = ("epoch", "metric", "must_beat", "improved", "best", "num_bad_epochs", "cooldown_counter", "lr")


def trace(metrics: Sequence[float], mode: str = "min", factor: float = 0.1, patience: int = 10,
          threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
          min_lr: float = 0.0, eps: float = 1e-8, lr: float = 0.1) -> dict:
    """Step a real ``ReduceLROnPlateau`` once per value of ``metrics`` and record what it thinks.

    Everything is read from PyTorch's scheduler after each step. "Patience ran out" is read from its public
    counters: a bad epoch outside the cooldown after which ``num_bad_epochs`` is back at 0. The LR may still
    stay put then (``min_lr``, or a cut smaller than ``eps``): ``cuts`` and ``skipped`` tell the two apart.

    Args:
        metrics (sequence of float): the monitored value per epoch (e.g. ``history.val_loss``).
        mode (str, default "min"): as in ``ReduceLROnPlateau``; every argument is checked like ``make`` does.
        factor (float, default 0.1): as in ``ReduceLROnPlateau``.
        patience (int, default 10): as in ``ReduceLROnPlateau``.
        threshold (float, default 1e-4): as in ``ReduceLROnPlateau``.
        threshold_mode (str, default "rel"): as in ``ReduceLROnPlateau``.
        cooldown (int, default 0): as in ``ReduceLROnPlateau``.
        min_lr (float, default 0.0): as in ``ReduceLROnPlateau``.
        eps (float, default 1e-8): as in ``ReduceLROnPlateau``.
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
    # 1. check every argument before stepping anything (make checks the scheduler's own)
    metrics = _checked(metrics)
    params = dict(mode=mode, factor=factor, patience=patience, threshold=threshold,
                  threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr, eps=eps)
    opt = schedules.dummy_optimizer(lr)
    sched = schedules.make("ReduceLROnPlateau", opt, **params)
    out = {k: [] for k in KEYS} | {"patience_out": [], "cuts": [], "skipped": [], "params": params}
    # 2. one real scheduler step per epoch, then what it did
    for epoch, metric in enumerate(metrics, start=1):
        row, ran_out, lr_before = _step(sched, metric)
        _record(out, epoch, row, ran_out, lr_before)
    return out


def _checked(metrics) -> list:
    if (isinstance(metrics, (str, bytes, dict, set)) or not hasattr(metrics, "__len__")
            or not hasattr(metrics, "__getitem__") or len(metrics) == 0):
        raise ValueError(f"metrics={metrics!r} must be a non-empty sequence of finite numbers.")
    for i, m in enumerate(metrics):
        if isinstance(m, bool) or not isinstance(m, numbers.Real) or not math.isfinite(m):
            raise ValueError(f"metrics[{i}]={m!r} is not a finite number; metrics must be finite numbers.")
    return list(metrics)


def _step(sched, metric) -> tuple[dict, bool, float]:
    """One epoch: the bar the metric must pass (the documented formula, for display only), the real step, and
    the scheduler's public state after it. Returns (row, patience ran out, LR before the step)."""
    sign = -1.0 if sched.mode == "min" else 1.0
    best, cooling, lr_before = sched.best, sched.cooldown_counter > 0, sched.optimizer.param_groups[0]["lr"]
    bar = best * (1 + sign * sched.threshold) if sched.threshold_mode == "rel" else best + sign * sched.threshold
    sched.step(float(metric))
    improved = sched.best != best
    row = {"metric": float(metric), "must_beat": bar if math.isfinite(best) else math.nan, "improved": improved,
           "best": sched.best, "num_bad_epochs": sched.num_bad_epochs, "cooldown_counter": sched.cooldown_counter,
           "lr": sched.optimizer.param_groups[0]["lr"]}
    # a bad epoch outside the cooldown adds one to num_bad_epochs; only running out of patience resets it to 0
    return row, not improved and not cooling and sched.num_bad_epochs == 0, lr_before


def _record(out: dict, epoch: int, row: dict, ran_out: bool, lr_before: float) -> None:
    """End of an epoch: append its row; where patience ran out, say whether the LR was cut or the cut skipped."""
    for key in KEYS:
        out[key].append(epoch if key == "epoch" else row[key])
    if ran_out:
        out["patience_out"].append(epoch)
        out["cuts" if row["lr"] < lr_before else "skipped"].append(epoch)

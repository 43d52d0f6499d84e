"""``warmup_cosine``: a linear warmup followed by a cosine decay, built from PyTorch's own schedulers.

The recipe is ``SequentialLR(LinearLR -> CosineAnnealingLR)`` with the one number people get wrong filled
in: the cosine gets ``T_max = total - warmup`` (the steps left after the warmup), so that it ends at
``eta_min`` exactly when the run ends, instead of being cut short (``T_max = total``) or rising again
(``T_max`` too small). lrlab adds no maths of its own: the result is the real ``SequentialLR``.

Example::

    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    >>> sched = warmup_cosine(opt, warmup=2, total=6)
    >>> lrs = [opt.param_groups[0]["lr"]]
    >>> for _ in range(5):
    ...     opt.step(); sched.step(); lrs.append(opt.param_groups[0]["lr"])
    >>> [round(v, 4) for v in lrs]   # warmup 0.01 -> 0.055, then cosine 0.1 -> 0.0854 -> 0.05 -> 0.0146
    [0.01, 0.055, 0.1, 0.0854, 0.05, 0.0146]
"""

from __future__ import annotations

import numbers

import torch

from . import schedules


def _steps(name: str, value, lo: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < lo:
        raise ValueError(f"{name}={value!r} is out of range; {name} must be an integer >= {lo} (scheduler steps).")


def warmup_cosine(optimizer: torch.optim.Optimizer, warmup: int, total: int, *, start_factor: float = 0.1,
                  eta_min: float = 0.0):
    """A linear warmup over ``warmup`` scheduler steps, then a cosine decay to ``eta_min`` over the rest.

    Count ``warmup`` and ``total`` in the unit you step the scheduler in: epochs when you call
    ``scheduler.step()`` once per epoch (``fit(..., step_on="epoch")``), batches when you call it after every
    batch (``step_on="batch"``, then ``total = num_epochs * steps_per_epoch``).

    Args:
        optimizer (torch.optim.Optimizer): its param groups' LRs are the peak LRs (one per group).
        warmup (int): scheduler steps of warmup, >= 1. ``LinearLR(start_factor, total_iters=warmup)``.
        total (int): scheduler steps in the whole run, > ``warmup``. The cosine gets
            ``CosineAnnealingLR(T_max=total - warmup)``.
        start_factor (float, default 0.1): the first step trains with ``start_factor`` times the peak LR;
            0 < start_factor <= 1.
        eta_min (float, default 0.0): the LR the cosine decays to (all groups), >= 0.

    Returns:
        torch.optim.lr_scheduler.SequentialLR: ``milestones=[warmup]``.

    Example::

        >>> sched = warmup_cosine(opt, warmup=5, total=30)   # opt: SGD(lr=0.1)
        >>> # LR per epoch: 0.01, 0.028, 0.046, 0.064, 0.082 (warmup), 0.1, 0.0996, 0.0984, ... (cosine)
    """
    # 1. check the lengths (the children's own arguments are checked by schedules.make)
    _steps("warmup", warmup, 1)
    _steps("total", total, 2)
    if total <= warmup:
        raise ValueError(f"total={total!r} must be larger than warmup={warmup!r}: the cosine needs at least one "
                         "step after the warmup.")
    # 2. the real schedulers: LinearLR for the warmup, CosineAnnealingLR for what is left, in sequence
    ramp = schedules.make("LinearLR", optimizer, start_factor=start_factor, end_factor=1.0, total_iters=warmup)
    decay = schedules.make("CosineAnnealingLR", optimizer, T_max=total - warmup, eta_min=eta_min)
    return schedules.make("SequentialLR", optimizer, schedulers=[ramp, decay], milestones=[warmup])

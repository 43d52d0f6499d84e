"""Say in words what an LR curve does, and how it differs from the curve a task asks for (was ``explain``).

The curves are plain lists of LRs, one per epoch or one per optimizer step, as ``schedules.preview`` and
``History.lr`` give them; the target curve comes from a real PyTorch scheduler. Nothing here knows any
exercise: the sentences are read off the two curves ("your LR halves every 2 epochs; StepLR's halves every
3 epochs", "your LR changes within an epoch: the scheduler was stepped after every batch").

Example::

    >>> from lrlab import schedules
    >>> every_2 = schedules.preview("StepLR", 9, step_size=2, gamma=0.5)["lr"]   # 0.1, 0.1, 0.05, 0.05, ...
    >>> describe(every_2)
    'halves every 2 epochs'
    >>> differences(every_2, schedules.preview("StepLR", 9, step_size=3, gamma=0.5)["lr"], "StepLR's")
    ["your LR halves every 2 epochs; StepLR's halves every 3 epochs"]
"""

from __future__ import annotations

import math

REL = 1e-9  # two LRs closer than this (relatively) are the same LR


def lr_equal(a: float, b: float, rel: float = REL) -> bool:
    """True when two LRs are the same LR (within ``rel``, relatively)."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-300)


def changes(lrs: list) -> list[tuple[int, float]]:
    """``(index, factor)`` for every entry whose LR differs from the one before it."""
    return [(i, lrs[i] / lrs[i - 1] if lrs[i - 1] else math.inf) for i in range(1, len(lrs))
            if not lr_equal(lrs[i], lrs[i - 1])]


def per_batch(lrs: list, steps_per_epoch: int) -> bool:
    """True when a per-step curve changes at a step that does not start an epoch."""
    return steps_per_epoch > 1 and any(i % steps_per_epoch for i, _ in changes(lrs))


def _by(factor: float) -> str:
    return "halves" if lr_equal(factor, 0.5, 1e-6) else f"is multiplied by {factor:.4g}"


def _epochs(indices) -> str:
    shown = [str(i) for i in indices[:6]] + (["..."] if len(indices) > 6 else [])
    return "epoch " + shown[0] if len(shown) == 1 else "epochs " + ", ".join(shown)


def describe(lrs: list, steps_per_epoch: int = 1) -> str:
    """One phrase for a curve: "stays at 0.1", "halves every 3 epochs", "is multiplied by 0.1 after epochs 5, 8".

    Indices are counted from 0, so "after epochs 3, 6" means: epoch 3 (the 4th) is the first to train with
    the new LR, as a MultiStepLR milestone of 3 does. A per-step curve (``steps_per_epoch > 1``) that
    changes only at epoch boundaries is described per epoch.
    """
    if not lrs:
        return "is empty"
    if per_batch(lrs, steps_per_epoch):
        return (f"changes within epochs ({len(changes(lrs))} changes in {math.ceil(len(lrs) / steps_per_epoch)} "
                f"epochs), from {lrs[0]:.3g} to {lrs[-1]:.3g}")
    lrs = lrs[::steps_per_epoch]
    found = changes(lrs)
    if not found:
        return f"stays at {lrs[0]:g}"
    where = [i for i, _ in found]
    factors = [f for _, f in found]
    if all(lr_equal(f, factors[0], 1e-6) for f in factors):
        every = where[0]
        regular = where == list(range(every, every * len(where) + 1, every))
        if regular and len(where) > 1 and where[-1] + every >= len(lrs):  # and it goes on to the end
            return f"{_by(factors[0])} every {'epoch' if every == 1 else f'{every} epochs'}"
        return f"{_by(factors[0])} after {_epochs(where)}"
    rises = [i for i, f in found if f > 1]
    if rises:
        return f"rises again after {_epochs(rises)}"
    if len(found) <= 4:
        return "changes after " + ", ".join(f"epoch {i} (x{f:.3g})" for i, f in found)
    return f"falls from {lrs[0]:.3g} to {lrs[-1]:.3g} with changing factors"


def differences(mine: list, target: list, target_name: str = "the task's", steps_per_epoch: int = 1) -> list[str]:
    """Sentences that say how curve ``mine`` differs from ``target``; empty when they are the same.

    Args:
        mine (list of float): the learner's LRs, one per epoch (or per step).
        target (list of float): what the task asks for, from a real PyTorch scheduler.
        target_name (str, default "the task's"): how the sentences name the target ("StepLR's").
        steps_per_epoch (int, default 1): entries per epoch, to tell per-batch from per-epoch stepping.
    """
    if len(mine) == len(target) and all(lr_equal(a, b) for a, b in zip(mine, target, strict=True)):
        return []
    out = []
    unit = "epoch" if steps_per_epoch == 1 else "step"
    # 1. the length of the run
    if len(mine) != len(target):
        out.append(f"your curve has {len(mine)} LRs, one per {unit}; {target_name} has {len(target)}")
    # 2. per batch versus per epoch
    if per_batch(mine, steps_per_epoch) and not per_batch(target, steps_per_epoch):
        out.append("your LR changes within an epoch: the scheduler was stepped after every batch; "
                   f"{target_name} is stepped once per epoch")
    elif per_batch(target, steps_per_epoch) and not per_batch(mine, steps_per_epoch):
        out.append("your LR stays the same within each epoch: the scheduler was stepped once per epoch; "
                   f"{target_name} is stepped after every batch")
    # 3. the first LR; one scheduler step ahead means each epoch trained with the LR meant for the next one
    if mine and target and not lr_equal(mine[0], target[0]):
        shift, what = (1, "step") if per_batch(target, steps_per_epoch) else (steps_per_epoch, "epoch")
        n = min(len(mine), len(target))
        if n > shift and all(lr_equal(a, b) for a, b in zip(mine[: n - shift], target[shift:n], strict=True)):
            out.append(f"your LRs run one scheduler step ahead of {target_name}: your first {what} trained with "
                       f"{mine[0]:g}, the LR meant for the next {what}, as when scheduler.step() is called before "
                       "optimizer.step()")
        else:
            out.append(f"your LR starts at {mine[0]:g}; {target_name} starts at {target[0]:g}")
    if out:
        return out
    # 4. two regular patterns ("halves every 2 epochs"), the same changes at other epochs, or other changes
    mine_says, target_says = describe(mine, steps_per_epoch), describe(target, steps_per_epoch)
    if " every " in mine_says and " every " in target_says and mine_says != target_says:
        return [f"your LR {mine_says}; {target_name} {target_says}"]
    mine_ch, target_ch = changes(mine[::steps_per_epoch]), changes(target[::steps_per_epoch])
    factors = [f for _, f in mine_ch + target_ch]
    if (mine_ch and target_ch and not per_batch(mine, steps_per_epoch)
            and all(lr_equal(f, factors[0], 1e-6) for f in factors)):
        mine_at, target_at = [i for i, _ in mine_ch], [i for i, _ in target_ch]
        shifts, when = {t - m for m, t in zip(mine_at, target_at, strict=False)}, ""
        if len(shifts) == 1 and 0 not in shifts:  # the same pattern, moved: say by how much
            n = shifts.pop()
            when = f": every change comes {abs(n)} epoch{'s' * (abs(n) != 1)} {'early' if n > 0 else 'late'}"
        return [f"your LR {_by(factors[0])} after {_epochs(mine_at)}; {target_name} after {_epochs(target_at)}{when}"]
    if mine_says != target_says:
        return [f"your LR {mine_says}; {target_name} {target_says}"]
    k = next(i for i, (a, b) in enumerate(zip(mine, target, strict=False)) if not lr_equal(a, b))
    return [f"your LR {mine_says}, but at {unit} {k} it is {mine[k]:.4g} where {target_name} is {target[k]:.4g}"]

"""Every private PyTorch name lrlab relies on.

Nothing else in lrlab touches a torch attribute that starts with ``_``: when a torch release renames one, this
file is the one to change, and tests/test_compat.py fails first, naming the attribute. No other lrlab module is
imported here (a leaf helper, see ARCHITECTURE.md).

Example::

    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    >>> ramp = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> decay = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    >>> seq = torch.optim.lr_scheduler.SequentialLR(opt, [ramp, decay], milestones=[2])
    >>> [type(s).__name__ for s in children(seq)], milestones(seq)
    (['LinearLR', 'ExponentialLR'], [2])
"""

from __future__ import annotations

import torch

# (class, attribute, what lrlab reads it for). tests/test_compat.py builds each class and checks the attribute.
PRIVATE = (
    ("SequentialLR", "_schedulers", "lint: the schedulers inside a SequentialLR"),
    ("SequentialLR", "_milestones", "lint: the steps at which a SequentialLR hands over"),
    ("ChainedScheduler", "_schedulers", "lint: the schedulers inside a ChainedScheduler"),
    ("Optimizer", "_opt_called", "finder: the mark a scheduler's wrapped optimizer.step leaves (torch >= 2.2)"),
)
# What building a scheduler adds to its optimizer, as instance attributes: the wrapped ``step``, and the mark that
# it was called (``_opt_called``; before torch 2.2 ``_step_count``). The finder saves and restores them, so that
# PyTorch still warns about a scheduler stepped before the optimizer after a range test.
OPTIMIZER_MARKS = ("step", "_opt_called", "_step_count")
MISSING = "<missing>"


def _private(obj, attribute: str):
    try:
        return getattr(obj, attribute)
    except AttributeError:
        raise AttributeError(f"torch {torch.__version__}: {type(obj).__name__} has no attribute {attribute!r}; "
                             "lrlab/_compat.py must learn its new name") from None


def children(scheduler) -> list:
    """The schedulers inside a SequentialLR or ChainedScheduler (``_schedulers``); [] for any other scheduler."""
    if type(scheduler).__name__ in ("SequentialLR", "ChainedScheduler"):
        return list(_private(scheduler, "_schedulers"))
    return []


def milestones(scheduler) -> list:
    """The steps at which a SequentialLR hands over to its next scheduler (``_milestones``)."""
    return list(_private(scheduler, "_milestones"))


def optimizer_marks(optimizer) -> dict:
    """The instance attributes a scheduler adds to ``optimizer`` (``OPTIMIZER_MARKS``), MISSING where absent."""
    return {k: vars(optimizer).get(k, MISSING) for k in OPTIMIZER_MARKS}


def restore_optimizer_marks(optimizer, marks: dict) -> None:
    """Put back what ``optimizer_marks`` saved: set the attributes it found, remove the ones it did not."""
    for k, v in marks.items():
        if v is MISSING:
            vars(optimizer).pop(k, None)
        else:
            setattr(optimizer, k, v)

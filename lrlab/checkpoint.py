"""Save a run and resume it exactly: the model, the optimizer *and* the scheduler, in the right order.

- ``save(path, model, optimizer, scheduler, epoch=...)``: one file with the three ``state_dict()``s.
- ``load(path, model, optimizer, scheduler)``: restores all three into objects you have just built
  (scheduler included: PyTorch's docs say to build it *before* ``optimizer.load_state_dict``, because
  building a scheduler overwrites the optimizer's LRs), then calls ``require_in_sync``; returns what ``save``
  kept.
- ``require_in_sync(optimizer, scheduler)``: a ValueError when the optimizer's LRs are not the ones the
  scheduler last set: the mark of a scheduler that was rebuilt without its state, or built after the
  optimizer's state was loaded.
- ``join(first, second, ...)``: the histories of the pieces of a resumed run, as one ``History``.

An exact resume also needs the data order. Full-batch data (``lrlab.data.wine()``) has none; a shuffled
DataLoader does, and ``lrlab.fit`` reseeds the loader at every call, so a resumed ``fit`` replays the first
epoch's order.

Example::

    >>> def build():                                         # the same code for the first run and the resume
    ...     model = lrlab.models.WineMLP()
    ...     opt = torch.optim.SGD(model.parameters(), lr=0.1)
    ...     return model, opt, lrlab.schedules.warmup_cosine(opt, warmup=3, total=30)
    >>> model, opt, sched = build()
    >>> _ = lrlab.fit(model, opt, sched, lrlab.data.wine(), num_epochs=12)
    >>> _ = save(path, model, opt, sched, epoch=12)          # path: e.g. "run.pt"
    >>> model, opt, sched = build()                          # a new process: fresh objects, scheduler too
    >>> load(path, model, opt, sched)["epoch"]               # the LR goes on where it stopped
    12
    >>> round(sched.get_last_lr()[0], 4)
    0.075
"""

from __future__ import annotations

import math
from dataclasses import fields

import torch
from torch import nn

from . import validation
from .train import History


def _validate_objects(model, optimizer, scheduler) -> None:
    validation.require_module("model", model)
    validation.require_optimizer("optimizer", optimizer)
    if scheduler is not None:
        validation.require_scheduler_of(optimizer, scheduler)


def save(path, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler=None, *, epoch: int, **extra) -> dict:
    """Write the model's, the optimizer's and the scheduler's state to ``path`` with ``torch.save``.

    Call it at the end of an epoch, after that epoch's ``scheduler.step()`` (where ``lrlab.fit`` returns).

    Args:
        path (str, os.PathLike or file object): where to write.
        model (nn.Module): its ``state_dict()`` is saved.
        optimizer (torch.optim.Optimizer): its ``state_dict()`` is saved (the LRs and e.g. SGD's momentum
            buffers or Adam's averages).
        scheduler (LRScheduler or ReduceLROnPlateau, optional): its ``state_dict()`` (step count, last LRs,
            and for SequentialLR its children's states) and its class name.
        epoch (int): epochs completed so far, >= 0; ``load`` gives it back.
        **extra: anything else to keep (plain Python values or tensors), e.g. ``best_val_loss=0.12``.

    Returns:
        dict: what was written.

    Example::

        >>> model = lrlab.models.WineMLP()
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> save(path, model, opt, lrlab.schedules.warmup_cosine(opt, warmup=3, total=30), epoch=0)["scheduler_class"]
        'SequentialLR'
    """
    _validate_objects(model, optimizer, scheduler)
    validation.require_int("epoch", epoch, minimum=0)
    # 1. the three states, and what the scheduler is, to refuse a different one when loading
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": int(epoch),
                  "scheduler": None if scheduler is None else scheduler.state_dict(),
                  "scheduler_class": None if scheduler is None else type(scheduler).__name__, "extra": extra}
    # 2. one file
    torch.save(checkpoint, path)
    return checkpoint


def load(path, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler=None) -> dict:
    """Restore a checkpoint from ``save`` into freshly built objects, then check that they agree.

    Build the model, the optimizer and the scheduler exactly as for a new run first (the scheduler too,
    before anything is loaded), then call ``load``. It loads the model, then the optimizer, then the
    scheduler, and calls ``require_in_sync``.

    Args:
        path (str, os.PathLike or file object): written by ``save``.
        model (nn.Module): built like the saved one.
        optimizer (torch.optim.Optimizer): built like the saved one, on ``model.parameters()``.
        scheduler (optional): the same class as the saved one, built on ``optimizer``; None only when the
            checkpoint has no scheduler.

    Returns:
        dict: ``{"epoch": epochs completed, **extra}`` as given to ``save``.

    Example::

        >>> def build():                       # model, optimizer and scheduler, as for a new run
        ...     model = lrlab.models.WineMLP()
        ...     opt = torch.optim.SGD(model.parameters(), lr=0.1)
        ...     return model, opt, torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        >>> model, opt, sched = build()
        >>> _ = lrlab.fit(model, opt, sched, lrlab.data.wine(), num_epochs=3)
        >>> _ = save(path, model, opt, sched, epoch=3)
        >>> model, opt, sched = build()        # all three built first, then loaded
        >>> load(path, model, opt, sched)["epoch"], sched.get_last_lr()
        (3, [0.0125])
    """
    _validate_objects(model, optimizer, scheduler)
    # 1. read (plain tensors and Python values only), and check the scheduler is the saved one
    checkpoint = torch.load(path, weights_only=True)
    saved = checkpoint.get("scheduler_class")
    if scheduler is None and saved is not None:
        raise ValueError(f"scheduler=None, but the checkpoint holds a {saved} state: build the {saved} as for a "
                         "new run and pass it, or the schedule restarts from its first step.")
    if scheduler is not None and type(scheduler).__name__ != saved:
        raise ValueError(f"scheduler is a {type(scheduler).__name__}, but the checkpoint holds "
                         f"{'no scheduler' if saved is None else 'a ' + saved + ' state'}.")
    # 2. model, optimizer, scheduler: all three were built before anything was loaded
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    if scheduler is not None:
        scheduler.load_state_dict(checkpoint["scheduler"])
        require_in_sync(optimizer, scheduler)
    return {"epoch": checkpoint["epoch"], **checkpoint["extra"]}


def require_in_sync(optimizer: torch.optim.Optimizer, scheduler) -> None:
    """Raise ValueError unless every param group's LR is the one ``scheduler`` last set (``get_last_lr()``).

    After a correct resume they agree. They disagree when the scheduler was rebuilt and its state never loaded
    (it remembers the LRs it set at step 0) or when it was built after ``optimizer.load_state_dict`` (building
    it overwrote the loaded LRs).

    Args:
        optimizer (torch.optim.Optimizer): the optimizer the scheduler drives.
        scheduler (LRScheduler or ReduceLROnPlateau): built on ``optimizer``.

    Example::

        >>> opt = torch.optim.SGD(lrlab.models.WineMLP().parameters(), lr=0.1)
        >>> sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        >>> require_in_sync(opt, sched)          # silent: the LR 0.1 is sched.get_last_lr()[0]
        >>> opt.param_groups[0]["lr"] = 0.3      # a hand edit the scheduler does not know of
        >>> require_in_sync(opt, sched)
        Traceback (most recent call last):
        ...
        ValueError: the optimizer's LRs [0.3] are not the LRs the StepLR last set [0.1]: ...
    """
    validation.require_optimizer("optimizer", optimizer)
    validation.require_scheduler_of(optimizer, scheduler)
    actual = [float(g["lr"]) for g in optimizer.param_groups]
    expected = [float(v) for v in scheduler.get_last_lr()]
    if len(actual) != len(expected) or not all(math.isclose(a, e, rel_tol=1e-12, abs_tol=0.0)
                                                for a, e in zip(actual, expected, strict=False)):
        fmt = ", ".join
        raise ValueError(f"the optimizer's LRs [{fmt(f'{a:.4g}' for a in actual)}] are not the LRs the "
                         f"{type(scheduler).__name__} last set [{fmt(f'{e:.4g}' for e in expected)}]: its state "
                         "was not loaded, or it was built after optimizer.load_state_dict() (building a scheduler "
                         "overwrites the LRs). Build model, optimizer and scheduler first, then load all three.")


def join(*histories: History) -> History:
    """One ``History`` from the histories of consecutive pieces of a run (e.g. before and after a resume).

    Lists are concatenated; the later pieces' ``step_epoch`` is shifted by the epochs before them, so plots
    read as one run. ``stopped`` is the last piece's.

    Example::

        >>> first = History(train_loss=[1.0] * 12, step_epoch=[float(e) for e in range(12)])    # epochs 1-12
        >>> second = History(train_loss=[0.5] * 18, step_epoch=[float(e) for e in range(18)])   # epochs 13-30
        >>> whole = join(first, second)
        >>> whole.num_epochs, whole.step_epoch[12]
        (30, 12.0)
    """
    if not histories or not all(isinstance(h, History) for h in histories):
        raise ValueError(f"histories must be one or more lrlab History objects, got {histories!r}.")
    out = History(device=histories[-1].device, stopped=histories[-1].stopped)
    done = 0
    for h in histories:
        for f in fields(History):
            if f.name == "step_epoch":
                out.step_epoch.extend(done + e for e in h.step_epoch)
            elif f.name not in ("stopped", "device"):
                getattr(out, f.name).extend(getattr(h, f.name))
        done += h.num_epochs
    return out

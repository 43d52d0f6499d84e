"""``fit``: one training loop for every lesson, recording the LR at every optimizer step.

The loop is the one the PyTorch docs recommend: for each batch ``zero_grad -> forward -> backward ->
optimizer.step()``, then ``scheduler.step()`` (per batch or per epoch), ReduceLROnPlateau being given
the monitored metric. A NaN/inf loss stops training with a message; the history so far is returned.
"""

from __future__ import annotations

import math
import numbers
import random
from dataclasses import asdict, dataclass, field

import torch
from torch import nn
from torch.optim import lr_scheduler

MONITORS = ("val_loss", "val_acc", "train_loss", "train_acc")


@dataclass
class History:
    """Everything ``fit`` measured, as plain lists (``asdict()`` gives a dict of them).

    Per optimizer step: ``lr`` (param group 0's LR used by that step), ``lrs`` (every group's LR),
    ``loss`` (training loss of the batch), ``step_epoch`` (fractional epoch at which the step started).
    Per epoch: ``epoch_lr`` / ``epoch_lrs`` (LR after the epoch's scheduler step, what
    ``scheduler.get_last_lr()`` shows then), ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``.
    ``stopped`` is None, or the message that says why training stopped early.
    """

    lr: list = field(default_factory=list)
    lrs: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    step_epoch: list = field(default_factory=list)
    epoch_lr: list = field(default_factory=list)
    epoch_lrs: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    stopped: str | None = None
    device: str = "cpu"

    @property
    def num_epochs(self) -> int:
        """Epochs completed."""
        return len(self.train_loss)

    @property
    def diverged(self) -> bool:
        return self.stopped is not None

    def asdict(self) -> dict:
        return asdict(self)

    def __repr__(self):
        last = (f", final train_loss={self.train_loss[-1]:.4g}" if self.train_loss else "")
        val = (f", val_loss={self.val_loss[-1]:.4g}, val_acc={self.val_acc[-1]:.3f}" if self.val_loss else "")
        stop = f", stopped={self.stopped!r}" if self.stopped else ""
        return f"History(epochs={self.num_epochs}, steps={len(self.loss)}{last}{val}{stop})"


def lr_cuts(history) -> list[int]:
    """Epochs (1-based) after which the scheduler lowered the LR; for ReduceLROnPlateau, where patience ran out.

    Read from what the real scheduler did (``history.epoch_lr`` against the LR before), never recomputed.
    """
    lrs = history.lr[:1] + list(history.epoch_lr)  # [initial LR, LR after epoch 1, after epoch 2, ...]
    return [i for i in range(1, len(lrs)) if lrs[i] < lrs[i - 1]]


def pick_device(device=None) -> torch.device:
    """``device`` if given, else CUDA, else Apple's MPS, else the CPU."""
    if device is not None:
        return torch.device(device)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's (all devices) random generators."""
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:  # pragma: no cover - numpy ships with torch's usual installs
        pass


def _split_data(data):
    """Accept a ``lrlab.data.Data``, a ``(train, val)`` pair, or a bare training iterable."""
    if hasattr(data, "train") and hasattr(data, "val"):
        return data.train, data.val
    if isinstance(data, tuple) and len(data) == 2:
        return data
    return data, None


def _check(model, optimizer, scheduler, train, num_epochs, step_on, monitor, val, seed, diverge_threshold):
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    if scheduler is not None:
        if getattr(scheduler, "optimizer", None) is not optimizer:
            raise ValueError("scheduler must be built on the same optimizer that fit() is given "
                             "(scheduler.optimizer is a different object).")
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs={num_epochs!r} is out of range; it must be an integer >= 1.")
    if step_on not in ("epoch", "batch"):
        raise ValueError(f"step_on={step_on!r} must be 'epoch' or 'batch'.")
    if monitor not in MONITORS:
        raise ValueError(f"monitor={monitor!r} must be one of {', '.join(MONITORS)}.")
    if monitor.startswith("val") and val is None:
        raise ValueError(f"monitor={monitor!r} needs validation data; pass data with a .val loader "
                         "or monitor='train_loss'.")
    if not hasattr(train, "__iter__") or (hasattr(train, "__len__") and len(train) == 0):
        raise ValueError("data has no training batches: pass lrlab.data.wine(), a (train, val) pair of "
                         "loaders, or a loader of (inputs, targets) batches.")
    if diverge_threshold is not None and not (
            isinstance(diverge_threshold, (int, float)) and diverge_threshold > 1):
        raise ValueError(f"diverge_threshold={diverge_threshold!r} must be None or a number > 1.")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed={seed!r} must be an integer.")


def _diverged(loss_value: float, first_loss: float, threshold: float | None) -> str:
    """Why this loss means divergence, or "" when it does not."""
    if not math.isfinite(loss_value):
        return f"the loss is {loss_value}"
    if threshold is not None and first_loss > 0 and loss_value > threshold * first_loss:
        return f"the loss {loss_value:.4g} is over {threshold:g}x the first loss ({first_loss:.4g})"
    return ""


def evaluate(model: nn.Module, batches, criterion=None, device=None) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` over ``batches`` of ``(inputs, targets)``, without gradients."""
    criterion = criterion or nn.CrossEntropyLoss()
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.inference_mode():  # no autograd bookkeeping at all: cheaper than no_grad
        for x, y in batches:
            x, y = x.to(device), y.to(device)
            out = model(x)
            n = len(y)
            total_loss += criterion(out, y).item() * n
            correct += (out.argmax(1) == y).sum().item()
            count += n
    model.train(was_training)
    return total_loss / count, correct / count


def fit(model: nn.Module, optimizer: torch.optim.Optimizer, scheduler=None, data=None,
        num_epochs: int = 10, step_on: str = "epoch", *, criterion=None, monitor: str = "val_loss",
        seed: int = 0, device=None, diverge_threshold: float | None = 100.0, progress: bool = False,
        verbose: bool = True) -> History:
    """Train ``model`` and record the LR at every optimizer step.

    Args:
        model (nn.Module): the model; moved to ``device``.
        optimizer (torch.optim.Optimizer): built on ``model.parameters()``.
        scheduler (LRScheduler or ReduceLROnPlateau, optional): built on ``optimizer``; None keeps the LR.
        data: ``lrlab.data.Data`` (``.train``/``.val``), a ``(train, val)`` pair, or a training loader.
        num_epochs (int, default 10): epochs to train, >= 1.
        step_on (str, default "epoch"): call ``scheduler.step()`` after every "epoch" or every "batch"
            (OneCycleLR and CyclicLR expect "batch").
        criterion (default ``nn.CrossEntropyLoss()``): the loss.
        monitor (str, default "val_loss"): the metric ReduceLROnPlateau is given: "val_loss", "val_acc",
            "train_loss" or "train_acc" (use mode="max" for accuracies).
        seed (int, default 0): seeds Python, NumPy, PyTorch and the training loader's generator.
        device (str or torch.device, optional): default CUDA, else MPS, else CPU.
        diverge_threshold (float or None, default 100.0): stop when a batch loss exceeds this many times
            the first batch's loss (a ReLU net's loss explodes, then its units die, rarely reaching NaN).
            A NaN or infinite loss always stops training; None checks only that.
        progress (bool, default False): show a tqdm progress bar over epochs.
        verbose (bool, default True): print the message when training stops on a NaN/inf loss.

    Returns:
        History: plain lists; on divergence, what was measured until then and ``stopped`` set.

    Example::

        >>> d = lrlab.data.wine()
        >>> model = lrlab.models.WineMLP()
        >>> opt = torch.optim.Adam(model.parameters(), lr=0.1)
        >>> sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        >>> h = fit(model, opt, sched, d, num_epochs=4)
        >>> h.epoch_lr                       # LR after each epoch: halves every 2 epochs
        [0.1, 0.05, 0.05, 0.025]
    """
    # 1. check everything before any training starts
    train, val = _split_data(data)
    _check(model, optimizer, scheduler, train, num_epochs, step_on, monitor, val, seed, diverge_threshold)
    criterion = criterion or nn.CrossEntropyLoss()
    is_plateau = isinstance(scheduler, lr_scheduler.ReduceLROnPlateau)
    # 2. seed every generator, the training loader's own included, and pick the device
    seed_everything(seed)
    generator = getattr(train, "generator", None)
    if isinstance(generator, torch.Generator):
        generator.manual_seed(seed)
    device = pick_device(device)
    model.to(device)
    history = History(device=str(device))
    groups = optimizer.param_groups
    steps_per_epoch = len(train) if hasattr(train, "__len__") else None
    epochs = range(num_epochs)
    first_loss = None
    model.train()
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc="epochs")
    for epoch in epochs:
        # 3. one pass over the training batches (evaluate() puts the model back in train mode)
        total_loss, correct, count = 0.0, 0, 0
        for i, (x, y) in enumerate(train):
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            out = model(x)
            loss = criterion(out, y)
            loss_value = loss.item()
            lr = groups[0]["lr"]
            if first_loss is None:
                first_loss = loss_value
            why = _diverged(loss_value, first_loss, diverge_threshold)
            if why:
                history.stopped = (f"Training diverged at epoch {epoch + 1} (step {i + 1}) with lr={lr:.4g}: "
                                   f"{why}. Stopped; the history so far is kept.")
                break
            loss.backward()
            optimizer.step()
            n = len(y)
            total_loss += loss_value * n
            correct += (out.argmax(1) == y).sum().item()
            count += n
            history.lr.append(lr)
            history.lrs.append([g["lr"] for g in groups])
            history.loss.append(loss_value)
            history.step_epoch.append(epoch + i / steps_per_epoch if steps_per_epoch else float(epoch))
            if scheduler is not None and step_on == "batch":
                scheduler.step(loss_value) if is_plateau else scheduler.step()
        if history.stopped:
            break
        # 4. end of epoch: metrics, then the epoch-level scheduler step
        history.train_loss.append(total_loss / count)
        history.train_acc.append(correct / count)
        if val is not None:
            val_loss, val_acc = evaluate(model, val, criterion, device)
            history.val_loss.append(val_loss)
            history.val_acc.append(val_acc)
            if not math.isfinite(val_loss):
                history.stopped = (f"Training diverged at epoch {epoch + 1} with lr={groups[0]['lr']:.4g}: "
                                   f"the validation loss is {val_loss}. Stopped; the history so far is kept.")
                history.epoch_lr.append(groups[0]["lr"])
                history.epoch_lrs.append([g["lr"] for g in groups])
                break
        if scheduler is not None and step_on == "epoch":
            if is_plateau:
                scheduler.step(getattr(history, monitor)[-1])
            else:
                scheduler.step()
        history.epoch_lr.append(groups[0]["lr"])
        history.epoch_lrs.append([g["lr"] for g in groups])
    if history.stopped and verbose:
        print(history.stopped)
    return history


def sweep(model_fn, optimizer_fn, lrs, data, num_epochs: int = 10, *, scheduler_fn=None, **fit_kwargs) -> dict:
    """Train a fresh model once per learning rate; return ``{lr: History}`` in the order of ``lrs``.

    Every run gets a new ``model_fn()`` (a seeded model starts from the same weights) and the same ``seed``:
    the LR is the only difference. A diverging run stops with ``fit``'s message; the sweep goes on.

    Args:
        model_fn (callable): no arguments -> a new ``nn.Module``, e.g. ``lrlab.models.WineMLP``.
        optimizer_fn (callable): ``(params, lr=...)`` -> an optimizer, e.g. ``torch.optim.SGD``.
        lrs (sequence of float): the learning rates; each finite and > 0, no repeats.
        data, num_epochs (int, default 10): as for :func:`fit`.
        scheduler_fn (callable, optional): optimizer -> scheduler, built afresh for every run.
        **fit_kwargs: passed on to :func:`fit` (``step_on``, ``seed``, ``verbose``, ...).

    Example::

        >>> runs = sweep(lrlab.models.WineMLP, torch.optim.SGD, [0.01, 10], lrlab.data.wine(), 20)
        Training diverged at epoch 5 (step 1) with lr=10: ...
        >>> runs[0.01].lr[:3], runs[10].num_epochs   # LR of the first steps; lr=10 stopped after 4 epochs
        ([0.01, 0.01, 0.01], 4)
    """
    # 1. check the arguments before any training
    for key, fn in (("model_fn", model_fn), ("optimizer_fn", optimizer_fn)):
        if not callable(fn):
            raise ValueError(f"{key}={fn!r} must be callable (e.g. lrlab.models.WineMLP, torch.optim.SGD).")
    if isinstance(model_fn, nn.Module):
        raise ValueError(f"model_fn is a model ({type(model_fn).__name__}), not a function that builds one: pass "
                         "the class (e.g. lrlab.models.WineMLP) so that every LR starts from a fresh model.")
    if scheduler_fn is not None and not callable(scheduler_fn):
        raise ValueError(f"scheduler_fn={scheduler_fn!r} must be None or a function optimizer -> scheduler.")
    if isinstance(lrs, (str, bytes)) or not (isinstance(lrs, numbers.Real) or hasattr(lrs, "__iter__")):
        raise ValueError(f"lrs={lrs!r} must be a learning rate or a sequence of them, e.g. [0.01, 0.1, 1.0].")
    lrs = [lrs] if isinstance(lrs, numbers.Real) else list(lrs)
    for lr in lrs:
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not (math.isfinite(lr) and lr > 0):
            raise ValueError(f"lrs contains {lr!r}: every learning rate must be a finite number > 0.")
    if not lrs or len(set(lrs)) != len(lrs):
        raise ValueError(f"lrs={lrs!r} must hold at least one learning rate, none repeated.")
    # 2. one fresh model, optimizer (and scheduler) per learning rate
    runs = {}
    for lr in lrs:
        model = model_fn()
        if not isinstance(model, nn.Module):
            raise ValueError(f"model_fn must return a torch.nn.Module, got {type(model).__name__}")
        optimizer = optimizer_fn(model.parameters(), lr=lr)
        runs[lr] = fit(model, optimizer, scheduler_fn(optimizer) if scheduler_fn else None, data, num_epochs,
                       **fit_kwargs)
    return runs

"""``fit``: one training loop for every lesson, recording the LR at every optimizer step.

``fit`` is the loop the lessons write by hand, in three functions a reader can hold in their head::

    for epoch in range(num_epochs):
        for x, y in train:                    # train_epoch(): one train_step() per batch
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()                  # with step_on="batch"
        val_loss, val_acc = evaluate(model, val)   # end of the epoch
        scheduler.step()                      # with step_on="epoch"; ReduceLROnPlateau: scheduler.step(val_loss)

``train_epoch`` takes two callbacks: ``accept`` (asked before the backward pass: a diverged loss must not move
the weights) and ``on_batch`` (after each optimizer step). ``fit`` records the LR there; the LR range test
(``lrlab.finder``) raises the LR there, as fastai's ``lr_find`` reuses its training loop through a callback.
Training runs where the model is (``model.to(device)`` first, ``pick_device()`` if you like), on torch's
random generator forked and seeded with ``seed``: the learner's own generators are left as they were.

Before any training, ``check_data`` looks at the first batch (type, dtype, shape, labels against the model's
outputs, NaN/inf) and every mistake that can be known then is one ValueError naming the parameter. During training
a NaN/inf loss stops training with a message (a batch holding NaN/inf is named as the data's fault instead); an
interrupt (the stop button) returns the history so far with ``stopped="interrupted"``; an error is raised again
with the history so far on it, ``err.history``.
"""

from __future__ import annotations

import contextlib
import functools
import math
import numbers
import warnings
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import torch
from torch import nn
from torch.optim import lr_scheduler

from . import _compat, schedules, validation

MONITORS = ("val_loss", "val_acc", "train_loss", "train_acc")
STEP_ON = ("epoch", "batch")


@dataclass
class History:
    """Everything ``fit`` measured, as plain lists (``asdict()`` gives a dict of them).

    Per optimizer step: ``lr`` (param group 0's LR used by that step), ``lrs`` (every group's LR),
    ``loss`` (training loss of the batch), ``step_epoch`` (fractional epoch at which the step started).
    Per epoch: ``epoch_lr`` / ``epoch_lrs`` (LR after the epoch's scheduler step, what
    ``scheduler.get_last_lr()`` shows then), ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``.
    ``stopped`` is None, or why training stopped early: the divergence message, "interrupted" (the stop button,
    a KeyboardInterrupt), or for an error ``"TypeName: message"`` (the error is raised again, with this History
    on it as ``err.history``).
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
        """True when training stopped on a diverged loss (not for an interrupt or an error)."""
        return self.stopped is not None and self.stopped.startswith("Training diverged")

    @property
    def interrupted(self) -> bool:
        """True when a KeyboardInterrupt (a notebook's stop button) ended training."""
        return self.stopped == "interrupted"

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
    """``device`` if given, else CUDA, else Apple's MPS, else the CPU: for a lesson's knob that moves a model.

    ``fit`` itself never picks a device: it trains where the model is.

    Example::

        >>> pick_device("cpu")
        device(type='cpu')
    """
    if device is not None:
        return torch.device(device)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def device_of(model: nn.Module) -> torch.device:
    """Where ``model``'s first parameter (or buffer) lives; the CPU for a model without any."""
    tensor = next(model.parameters(), None)
    if tensor is None:
        tensor = next(model.buffers(), None)
    return torch.device("cpu") if tensor is None else tensor.device


@contextlib.contextmanager
def forked_rng(seed: int, model: nn.Module | None = None, loader=None):
    """Within the block, torch's global generator (and that of ``model``'s CUDA device) is seeded with ``seed``;
    after it, the learner's generators are exactly as before. A ``loader`` with its own ``generator`` (lrlab's
    mini-batch DataLoaders) is seeded too: that generator is the loader's shuffling, not a global one.

    Example::

        >>> before = torch.get_rng_state()
        >>> with forked_rng(0):
        ...     first = torch.rand(1)
        >>> with forked_rng(0):
        ...     again = torch.rand(1)
        >>> torch.equal(first, again), torch.equal(torch.get_rng_state(), before)
        (True, True)
    """
    device = torch.device("cpu") if model is None else device_of(model)
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.random.default_generator.manual_seed(seed)
        if device.type == "cuda":
            with torch.cuda.device(device):
                torch.cuda.manual_seed(seed)
        generator = getattr(loader, "generator", None)
        if isinstance(generator, torch.Generator):
            generator.manual_seed(seed)
        yield


def split_data(data, name: str = "data"):
    """``(train, val)`` from a ``lrlab.data.Data``, a ``(train, val)`` pair, or a bare training iterable
    (``val`` is None then). A pair of tensors ``(X, y)`` is a ValueError naming ``name``: it is one batch.

    Example::

        >>> split_data(([1], [2])), split_data([1])
        (([1], [2]), ([1], None))
    """
    if hasattr(data, "train") and hasattr(data, "val"):
        return data.train, data.val
    if isinstance(data, (tuple, list)) and len(data) == 2 and all(
            isinstance(t, torch.Tensor) or type(t).__module__.split(".")[0] == "numpy" for t in data):
        raise ValueError(f"{name} is a pair of tensors (X, y), not batches: pass [(X, y)] (one full batch), "
                         "lrlab.data.loader(X, y, batch_size=...) for mini-batches, or lrlab.data.wine().")
    if isinstance(data, tuple) and len(data) == 2:
        return data
    return data, None


def check_data(model: nn.Module, data, criterion=None, *, name: str = "data") -> tuple:
    """``(train, val)`` as ``split_data`` gives them, after looking at the first batch of each, so that a mistake
    in the data fails here, in one ValueError naming ``name`` (or ``model``, or ``criterion``), before any training.

    Checked: batches that can be gone through every epoch (not a one-shot generator, not empty); each first batch
    an ``(inputs, targets)`` pair of tensors, not empty, finite; the model in float32 or float64 with finite
    weights, taking the inputs (same dtype, right shape); for CrossEntropyLoss (the default) int64 labels from 0 to
    the model's outputs - 1, and as many outputs as the data has classes; a finite loss. The model runs once on
    (up to 256 examples of) each first batch in eval mode without gradients; nothing is changed: weights, flags,
    torch's generator and the loader's shuffling are as before.

    Args:
        model (nn.Module): the model, on its device.
        data: ``lrlab.data.Data``, a ``(train, val)`` pair or a training loader.
        criterion (callable, default ``nn.CrossEntropyLoss()``): the loss.
        name (str, default "data"): the parameter's name, for the messages.

    Example::

        >>> X, y = torch.randn(8, 13), torch.randint(0, 3, (8,))
        >>> check_data(lrlab.models.WineMLP(), (X, y))
        Traceback (most recent call last):
        ...
        ValueError: data is a pair of tensors (X, y), not batches: pass [(X, y)] (one full batch), ...
        >>> check_data(lrlab.models.WineMLP(), [(X.double(), y)])
        Traceback (most recent call last):
        ...
        ValueError: data's inputs are torch.float64 but the model's weights are torch.float32: ...
    """
    train, val = split_data(data, name)
    validation.require_trainable("model", model)
    for batches, what in ((train, "training"), (val, "validation")):
        if batches is not None or what == "training":
            _check_batches(model, batches, criterion, name, what, getattr(data, "num_classes", None))
    return train, val


def _correct(outputs: torch.Tensor, y: torch.Tensor) -> int:
    """Right class predictions in a batch; 0 where the task is not classification (float targets)."""
    if outputs.dim() != 2 or y.dim() != 1 or y.is_floating_point():
        return 0
    return int(torch.count_nonzero(outputs.argmax(1) == y))


def _pair(name: str, batch, where, i: int) -> tuple:
    """``validation.require_pair`` on the hot path: the usual batch (a pair of tensors, as many targets as inputs)
    passes on a few type checks; anything else gets the full check and its message (``where`` formatted with
    ``i + 1`` only then)."""
    if type(batch) in (tuple, list) and len(batch) == 2:
        x, y = batch
        if type(x) is torch.Tensor and type(y) is torch.Tensor and x.dim() and y.dim() and 0 < len(x) == len(y):
            return x, y
    return validation.require_pair(name, batch, where.format(i + 1))


class Step(NamedTuple):
    """What ``train_step`` did: the batch's ``loss`` (a float), the model's ``outputs``, and whether it
    ``stepped`` (False when ``accept`` refused the loss: no backward pass, no optimizer step)."""

    loss: float
    outputs: torch.Tensor
    stepped: bool


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, criterion, x, y, accept=None) -> Step:
    """One optimizer step on one batch: ``zero_grad``, forward, loss, ``backward``, ``optimizer.step()``.

    Args:
        model (nn.Module): in train mode, on the device of ``x`` and ``y``.
        optimizer (torch.optim.Optimizer): built on ``model.parameters()``.
        criterion (callable): ``(outputs, y) -> loss`` tensor.
        x (Tensor): the batch's inputs.
        y (Tensor): the batch's targets.
        accept (callable, optional): ``loss value -> bool``, asked before the backward pass; False leaves the
            weights alone (a diverged loss must not move them).

    Returns:
        Step: ``(loss, outputs, stepped)``.

    Example::

        >>> model = torch.nn.Linear(2, 2)
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> step = train_step(model, opt, nn.CrossEntropyLoss(), torch.ones(4, 2), torch.zeros(4, dtype=torch.long))
        >>> step.stepped, step.outputs.shape
        (True, torch.Size([4, 2]))
    """
    optimizer.zero_grad()
    outputs = model(x)
    loss = criterion(outputs, y)
    value = loss.item()
    if accept is not None and not accept(value):
        return Step(value, outputs, False)
    loss.backward()
    optimizer.step()
    return Step(value, outputs, True)


@dataclass
class EpochResult:
    """One pass of ``train_epoch``: sums over the batches it stepped, and ``refused`` (the loss ``accept``
    turned down, where the pass stopped) or None."""

    loss_sum: float = 0.0
    correct: int | None = 0  # None: not counted (``count_correct=False``)
    count: int = 0
    steps: int = 0
    refused: float | None = None

    @property
    def mean_loss(self) -> float:
        """Training loss per example over the batches stepped (nan without any)."""
        return self.loss_sum / self.count if self.count else math.nan

    @property
    def accuracy(self) -> float:
        """Share of right class predictions over the batches stepped (nan without any, or not counted)."""
        return self.correct / self.count if self.count and self.correct is not None else math.nan


def train_epoch(model: nn.Module, optimizer: torch.optim.Optimizer, criterion, batches, *, accept=None,
                on_batch=None, device=None, count_correct: bool = True) -> EpochResult:
    """One pass over ``batches``: a ``train_step`` on each, moved to the model's device; the callbacks steer it.

    Args:
        model (nn.Module): trained in place (put in train mode if it is in eval mode).
        optimizer (torch.optim.Optimizer): built on ``model.parameters()``.
        criterion (callable): ``(outputs, y) -> loss`` tensor.
        batches (iterable): of ``(inputs, targets)``.
        accept (callable, optional): ``(i, loss value) -> bool`` before batch ``i``'s backward pass; False
            ends the pass there without stepping (``refused`` holds that loss).
        on_batch (callable, optional): ``(i, loss value) -> bool or None`` after batch ``i``'s optimizer step
            (the LR that step used is still in the param groups); True ends the pass.
        device (torch.device, optional): where the model is (found from its parameters when None).
        count_correct (bool, default True): count the right predictions (False: the accuracy is nan; cheaper).

    Returns:
        EpochResult: loss and accuracy sums, the steps taken, the refused loss if any.

    Example::

        >>> model = torch.nn.Linear(2, 2)
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> batches = [(torch.ones(4, 2), torch.zeros(4, dtype=torch.long))] * 3
        >>> train_epoch(model, opt, nn.CrossEntropyLoss(), batches, on_batch=lambda i, loss: i == 1).steps
        2
    """
    device = device_of(model) if device is None else device
    result = EpochResult(correct=0 if count_correct else None)
    if not model.training:
        model.train()
    for i, batch in enumerate(batches):
        x, y = _pair("data", batch, "batch {} of this epoch", i)
        if x.device != device or y.device != device:  # (a check is cheaper than two no-op copies)
            x, y = x.to(device), y.to(device)
        step = train_step(model, optimizer, criterion, x, y, functools.partial(_accept_batch, accept, i, x, y))
        if not step.stepped:
            result.refused = step.loss
            break
        result.loss_sum += step.loss * len(y)
        if count_correct:
            result.correct += _correct(step.outputs, y)
        result.count += len(y)
        result.steps += 1
        if on_batch is not None and on_batch(i, step.loss):
            break
    return result


def _accept_batch(accept, i: int, x, y, loss_value: float) -> bool:
    """Before batch ``i``'s backward pass: a loss that is not finite because the batch holds NaN or inf is the
    data's fault, a ValueError naming ``data`` (nothing has moved yet); then ``accept`` decides."""
    if not math.isfinite(loss_value):
        _require_sound_batch("data", x, y, f"batch {i + 1} of this epoch")
    return True if accept is None else accept(i, loss_value)


def _require_sound_batch(name: str, x, y, where: str) -> None:
    problem = validation.batch_problem(x, y)
    if problem:
        raise ValueError(f"{name}'s {where} {problem}, so its loss is not finite: a problem of the data, not of the "
                         "learning rate. Fix or drop that batch.")


def _check_batches(model, batches, criterion, name, what, num_classes=None) -> None:
    """The checks of ``check_data`` on one loader: its kind, then its first batch, tried on the model."""
    validation.require_batches(name, batches, what)
    check_batch(model, validation.peek(name, batches), criterion, name=name, where=f"first {what} batch",
                num_classes=num_classes, all_labels=validation.labels_in_memory(batches))


def check_batch(model: nn.Module, batch, criterion=None, *, name: str = "data", where: str = "first batch",
                num_classes: int | None = None, all_labels=None) -> None:
    """``check_data``'s checks of one batch: an ``(inputs, targets)`` pair of tensors, not empty, finite, that the
    model takes and the criterion scores (``lrlab.validation.require_fits``); a ValueError naming ``name``,
    ``model`` or ``criterion`` otherwise.

    Example::

        >>> check_batch(lrlab.models.WineMLP(), (torch.zeros(4, 13), torch.tensor([0, 1, 2, 5])))
        Traceback (most recent call last):
        ...
        ValueError: model has 3 outputs, but data's labels go up to 5 (first batch): it needs 6 outputs, one per class.
    """
    x, y = validation.require_pair(name, batch, where)
    problem = validation.batch_problem(x, y)
    if problem:
        raise ValueError(f"{name}'s {where} {problem}: fix the data (a NaN in the data is not a learning-rate "
                         "problem).")
    validation.require_fits(model, x, y, criterion, name=name, where=where, num_classes=num_classes,
                            all_labels=all_labels)


def evaluate(model: nn.Module, batches, criterion=None, device=None, *, check: bool = True,
             name: str = "batches") -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` over ``batches`` of ``(inputs, targets)``, without gradients.

    Runs where the model is, in eval mode; every module's train/eval flag is put back afterwards.

    Args:
        model (nn.Module): the model.
        batches (iterable): of ``(inputs, targets)``, e.g. ``lrlab.data.wine().val``.
        criterion (callable, default ``nn.CrossEntropyLoss()``): the loss.
        device (torch.device, optional): where the model is (found from its parameters when None).
        check (bool, default True): look at the first batch first, as ``check_data`` does (a ValueError naming
            ``batches`` or ``model`` for a batch that does not fit); False skips that (a loop that checked already).
        name (str, default "batches"): what the messages call the batches (a caller's own parameter, "data").

    Example::

        >>> d = lrlab.data.wine()
        >>> loss, acc = evaluate(lrlab.models.WineMLP(), d.val)   # an untrained model
        >>> round(loss, 2), round(acc, 2)
        (1.08, 0.53)
    """
    if check:
        validation.require_module("model", model)
        validation.require_criterion("criterion", criterion)
        if hasattr(batches, "train") and hasattr(batches, "val"):
            raise ValueError(f"{name} is a lrlab Data (training and validation loaders): pass one of them, e.g. "
                             "data.val.")
        validation.require_trainable("model", model)
        _check_batches(model, batches, criterion, name, "evaluation")
    return _evaluate(model, batches, criterion, device, name)


# torch's layers whose forward ignores the train/eval flag (a model made only of these and of models that say
# ``mode_free = True`` computes the same in both modes)
_MODE_FREE = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.ReLU, nn.LeakyReLU, nn.GELU, nn.Tanh, nn.Sigmoid, nn.Flatten,
              nn.Identity, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.Sequential, nn.ModuleList)


def mode_free(model: nn.Module) -> bool:
    """True when ``model.train()`` and ``model.eval()`` change nothing it computes: every module is one of torch's
    mode-free layers (exactly, not a subclass) or a class that says ``mode_free = True`` itself (lrlab's models).
    A Dropout, a BatchNorm or any other module makes it False.

    Example::

        >>> mode_free(nn.Sequential(nn.Linear(2, 2), nn.ReLU())), mode_free(nn.Sequential(nn.Dropout()))
        (True, False)
    """
    return all(type(m) in _MODE_FREE or type(m).__dict__.get("mode_free") is True for m in model.modules())


def _evaluate(model: nn.Module, batches, criterion=None, device=None, name: str = "data", *,
              then_train: bool = False, same_in_both_modes: bool = False) -> tuple[float, float]:
    """``evaluate`` without the checks (``fit`` made them before training). ``then_train``: the caller trains the
    whole model, so put it back in train mode afterwards instead of restoring each module's flag (cheaper).
    ``same_in_both_modes`` (``mode_free(model)``, found once by the caller): leave the flags alone (cheaper still)."""
    criterion = criterion or nn.CrossEntropyLoss()
    device = device_of(model) if device is None else device
    modules = [model] if then_train else list(model.modules())
    flags = [True] if then_train else [m.training for m in modules]
    if not same_in_both_modes:
        model.eval()
    total_loss, correct, count = 0.0, 0, 0
    try:
        with torch.inference_mode():  # no autograd bookkeeping at all: cheaper than no_grad
            for i, batch in enumerate(batches):
                x, y = _pair(name, batch, "evaluation batch {}", i)
                if x.device != device or y.device != device:
                    x, y = x.to(device), y.to(device)
                out = model(x)
                n = len(y)
                loss = criterion(out, y).item()
                if not math.isfinite(loss):
                    _require_sound_batch(name, x, y, f"evaluation batch {i + 1}")
                total_loss += loss * n
                correct += _correct(out, y)
                count += n
    finally:  # an interrupt too: every module's train/eval flag as it was
        if same_in_both_modes:
            pass
        elif all(flags) or not any(flags):
            model.train(flags[0])
        else:  # a model with some modules in eval mode and some in train mode: each one as it was
            for m, training in zip(modules, flags, strict=True):
                m.training = training
    if count == 0:
        raise ValueError(f"{name} holds no examples to evaluate on.")
    return total_loss / count, correct / count


def _divergence(loss_value: float, first_loss: float, threshold: float | None) -> str:
    """Why this loss means divergence, or "" when it does not."""
    if not math.isfinite(loss_value):
        return f"the loss is {loss_value}"
    if threshold is not None and first_loss > 0 and loss_value > threshold * first_loss:
        return f"the loss {loss_value:.4g} is over {threshold:g}x the first loss ({first_loss:.4g})"
    return ""


def _validate_fit(model, optimizer, scheduler, train, val, num_epochs, step_on, monitor, seed, diverge_threshold,
                  criterion=None, progress=False, verbose=True):
    validation.require_module("model", model)
    validation.require_optimizer("optimizer", optimizer)
    validation.require_optimizer_of(model, optimizer)
    validation.require_lrs_valid(optimizer)
    if scheduler is not None:
        validation.require_scheduler_of(optimizer, scheduler)
        _require_schedule(scheduler)
    validation.require_int("num_epochs", num_epochs, 1, validation.MAX_EPOCHS)
    validation.require_one_of("step_on", step_on, STEP_ON)
    validation.require_one_of("monitor", monitor, MONITORS)
    if monitor.startswith("val") and val is None:
        raise ValueError(f"monitor={monitor!r} needs validation data; pass data with a .val loader "
                         "or monitor='train_loss'.")
    if (step_on == "batch" and isinstance(scheduler, lr_scheduler.ReduceLROnPlateau)
            and monitor != "train_loss"):
        raise ValueError(f"monitor={monitor!r} cannot reach a ReduceLROnPlateau stepped after every batch: it gets "
                         "each batch's training loss. Pass monitor='train_loss', or step_on='epoch'.")
    validation.require_real("diverge_threshold", diverge_threshold, 1, low_open=True, none_ok=True)
    validation.require_seed("seed", seed, none_ok=True)
    validation.require_criterion("criterion", criterion)
    validation.require_bool("progress", progress)
    validation.require_bool("verbose", verbose)
    _warn_mode_mismatch(scheduler, monitor)


def _require_schedule(scheduler) -> None:
    """``schedules.check_built`` on the scheduler and every scheduler inside it (SequentialLR, ChainedScheduler):
    a torch scheduler built directly with values that make no schedule (ConstantLR's factor 0, eta_min above the
    LR, CyclicLR's base_lr above max_lr) is refused before training."""
    pending = [scheduler]
    while pending:
        s = pending.pop()
        schedules.check_built(s)
        pending += _compat.children(s)


def _warn_mode_mismatch(scheduler, monitor: str) -> None:
    """A UserWarning when ReduceLROnPlateau waits for the monitored metric to move the wrong way: mode='min' with an
    accuracy cuts the LR while the accuracy rises; mode='max' with a loss, while the loss falls."""
    if not isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
        return
    accuracy = monitor.endswith("acc")
    if scheduler.mode != ("min" if accuracy else "max"):
        return
    kind, good = ("an accuracy", "rises") if accuracy else ("a loss", "falls")
    warnings.warn(f"ReduceLROnPlateau(mode={scheduler.mode!r}) is given monitor={monitor!r}, {kind}: it will cut "
                  f"the LR while the metric {good}. Build it with mode={'max' if accuracy else 'min'!r} for "
                  f"{kind}.", UserWarning, stacklevel=3)


def _length(batches) -> int | None:
    try:
        return len(batches)
    except TypeError:
        return None


def _require_enough_steps(scheduler, step_on: str, num_epochs: int, steps_per_epoch: int | None) -> None:
    """A ValueError before training when OneCycleLR would be stepped past its total_steps (PyTorch raises there,
    in the middle of the run)."""
    if not isinstance(scheduler, lr_scheduler.OneCycleLR) or (step_on == "batch" and steps_per_epoch is None):
        return
    steps = num_epochs * steps_per_epoch if step_on == "batch" else num_epochs
    left = scheduler.total_steps - scheduler.last_epoch
    if steps > left:
        per = f"{num_epochs} epochs x {steps_per_epoch} batches" if step_on == "batch" else f"{num_epochs} epochs"
        raise ValueError(f"scheduler: OneCycleLR(total_steps={scheduler.total_steps}) has {left} steps left, but "
                         f"this fit steps it {steps} times ({per}, step_on={step_on!r}): PyTorch would stop the run "
                         f"at step {left + 1}. Build it with total_steps={steps + scheduler.last_epoch}"
                         + (f" (or epochs={num_epochs}, steps_per_epoch={steps_per_epoch})." if step_on == "batch"
                            else "."))


class _FitRun:
    """What one ``fit`` call records: the callbacks of ``train_epoch`` and the end of each epoch."""

    def __init__(self, history, optimizer, scheduler, val, step_on, monitor, diverge_threshold, steps_per_epoch):
        self.history, self.optimizer, self.scheduler, self.val = history, optimizer, scheduler, val
        self.step_on, self.monitor, self.diverge_threshold = step_on, monitor, diverge_threshold
        self.steps_per_epoch, self.epoch, self.first_loss = steps_per_epoch, 0, None
        self.device = torch.device(history.device)
        self.plateau = isinstance(scheduler, lr_scheduler.ReduceLROnPlateau)
        self.mode_free = None  # whether the model computes the same in train and eval mode (at the first epoch's end)

    def _lrs(self) -> list:
        return [g["lr"] for g in self.optimizer.param_groups]

    def _scheduler_step(self, metric) -> None:
        if self.plateau:
            self.scheduler.step(metric)
        else:
            self.scheduler.step()
        # a LambdaLR whose lr_lambda returns NaN or a negative: say so at once, not as a "divergence" later
        if not all(type(g["lr"]) is float and 0.0 <= g["lr"] < math.inf for g in self.optimizer.param_groups):
            validation.require_lrs_valid(self.optimizer, "scheduler", f" after its step in epoch {self.epoch + 1}")

    def accept(self, i: int, loss_value: float) -> bool:
        """Before the backward pass: refuse a diverged loss, and say why in ``history.stopped``. A loss that is
        not finite at the first step, before any update, is not the LR's doing: a ValueError naming the model."""
        if self.first_loss is None:
            if not math.isfinite(loss_value):
                raise ValueError(f"model: the loss is {loss_value} at the first step, before any update, so not "
                                 "because of the learning rate: the model's outputs in train mode (or the criterion) "
                                 "are not finite on the first batch.")
            self.first_loss = loss_value
        why = _divergence(loss_value, self.first_loss, self.diverge_threshold)
        if why:
            self.history.stopped = (f"Training diverged at epoch {self.epoch + 1} (step {i + 1}) with "
                                    f"lr={self._lrs()[0]:.4g}: {why}. Stopped; the history so far is kept.")
        return not why

    def on_batch(self, i: int, loss_value: float) -> None:
        """After the optimizer step: the LR it used, its loss, where it started; then a per-batch scheduler step."""
        h, lrs = self.history, self._lrs()
        h.lr.append(lrs[0])
        h.lrs.append(lrs)
        h.loss.append(loss_value)
        h.step_epoch.append(self.epoch + i / self.steps_per_epoch if self.steps_per_epoch else float(self.epoch))
        if self.scheduler is not None and self.step_on == "batch":
            self._scheduler_step(loss_value)

    def end_epoch(self, model, criterion, result: EpochResult) -> bool:
        """The end of an epoch: training metrics, validation, then the epoch's scheduler step and LR. False when
        training must stop (a loss refused in the epoch, or a non-finite validation loss)."""
        h = self.history
        if result.refused is not None:
            return False
        h.train_loss.append(result.mean_loss)
        h.train_acc.append(result.accuracy)
        if self.val is not None:
            if self.mode_free is None:
                self.mode_free = mode_free(model)
            val_loss, val_acc = _evaluate(model, self.val, criterion, self.device, then_train=True,
                                          same_in_both_modes=self.mode_free)
            h.val_loss.append(val_loss)
            h.val_acc.append(val_acc)
            if not math.isfinite(val_loss):
                h.stopped = (f"Training diverged at epoch {self.epoch + 1} with lr={self._lrs()[0]:.4g}: "
                             f"the validation loss is {val_loss}. Stopped; the history so far is kept.")
        if self.scheduler is not None and self.step_on == "epoch" and not h.stopped:
            self._scheduler_step(getattr(h, self.monitor)[-1])
        h.epoch_lr.append(self._lrs()[0])
        h.epoch_lrs.append(self._lrs())
        return not h.stopped


def fit(model: nn.Module, optimizer: torch.optim.Optimizer, scheduler, data, *, num_epochs: int,
        step_on: str = "epoch", criterion=None, monitor: str = "val_loss", seed: int | None = 0,
        diverge_threshold: float | None = 100.0, progress: bool = False, verbose: bool = True) -> History:
    """Train ``model`` where it is and record the LR at every optimizer step.

    Args:
        model (nn.Module): the model, on the device to train on (a model on the CPU trains on the CPU).
        optimizer (torch.optim.Optimizer): built on ``model.parameters()``.
        scheduler (LRScheduler or ReduceLROnPlateau or None): built on ``optimizer``; None keeps the LR.
        data: ``lrlab.data.Data`` (``.train``/``.val``), a ``(train, val)`` pair, or a training loader.
        num_epochs (int): epochs to train, 1 to 10,000 (``validation.MAX_EPOCHS``).
        step_on (str, default "epoch"): call ``scheduler.step()`` after every "epoch" or every "batch"
            (OneCycleLR and CyclicLR expect "batch").
        criterion (callable, default ``nn.CrossEntropyLoss()``): the loss.
        monitor (str, default "val_loss"): the metric ReduceLROnPlateau is given at the end of each epoch:
            "val_loss", "val_acc", "train_loss" or "train_acc" (use mode="max" for accuracies: a mismatch
            warns). Stepped per batch it gets each batch's training loss: pass monitor="train_loss" then.
        seed (int or None, default 0): 0 <= seed < 2**32; seeds torch's generator for this run only (forked:
            yours is left alone) and the training loader's own shuffling generator, so every call starts the same
            data order.
            None seeds nothing: torch's generator and the loader's generator are used as they are and move on,
            as in your own loop. Pass None to continue a run, e.g. after ``checkpoint.load(..., loader=...)``.
        diverge_threshold (float or None, default 100.0): stop when a batch loss exceeds this many times
            the first batch's loss (a ReLU net's loss explodes, then its units die, rarely reaching NaN).
            A NaN or infinite loss always stops training; None checks only that.
        progress (bool, default False): show a tqdm progress bar over epochs.
        verbose (bool, default True): print the message when training stops on a diverged loss or an interrupt.

    Returns:
        History: plain lists; on divergence or an interrupt (KeyboardInterrupt: a notebook's stop button), what
        was measured until then, with ``stopped`` set ("interrupted" for an interrupt). The model is left in
        train mode.

    Raises:
        ValueError: before any training, for every mistake that can be known then: an argument out of range
            (naming it), an optimizer built on another model, a first batch that does not fit the model (wrong
            type, dtype, shape, labels out of range, NaN/inf), OneCycleLR's total_steps too small for the run.
            During training, a batch holding NaN/inf (named as a data problem, not as divergence) or a scheduler
            that sets a NaN or negative LR.
        Exception: any error during training is raised again after it is recorded: ``err.history`` holds the
            History measured until then (``stopped`` is the error's type and message).

    Example::

        >>> d = lrlab.data.wine()
        >>> model = lrlab.models.WineMLP()
        >>> opt = torch.optim.Adam(model.parameters(), lr=0.1)
        >>> sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        >>> h = fit(model, opt, sched, d, num_epochs=4)
        >>> h.epoch_lr                       # LR after each epoch: halves every 2 epochs
        [0.1, 0.05, 0.05, 0.025]
    """
    # 1. check everything before any training starts: the arguments, then the first batches, tried on the model
    train, val = split_data(data)
    _validate_fit(model, optimizer, scheduler, train, val, num_epochs, step_on, monitor, seed, diverge_threshold,
                  criterion, progress, verbose)
    train, val = check_data(model, data, criterion)
    _require_enough_steps(scheduler, step_on, num_epochs, _length(train))
    criterion = criterion or nn.CrossEntropyLoss()
    history = History(device=str(device_of(model)))
    run = _FitRun(history, optimizer, scheduler, val, step_on, monitor, diverge_threshold, _length(train))
    epochs = range(num_epochs)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc="epochs")
    # 2. torch's generator forked and seeded for this run (the learner's is left alone), the loader's seeded
    model.train()
    rng = contextlib.nullcontext() if seed is None else forked_rng(seed, model, train)  # None: continue as is
    try:
        with rng, schedules.quiet_epoch_warning():
            for epoch in epochs:
                run.epoch = epoch
                # 3. one pass over the training batches: a train_step each, recorded by run.on_batch
                result = train_epoch(model, optimizer, criterion, train, accept=run.accept, on_batch=run.on_batch,
                                     device=run.device)
                # 4. the end of the epoch: metrics, validation, the epoch-level scheduler step
                if not run.end_epoch(model, criterion, result):
                    break
    except KeyboardInterrupt:  # the stop button: keep what was measured
        history.stopped = "interrupted"
        if verbose:
            print(f"Interrupted in epoch {run.epoch + 1}: the history so far is returned ({history.num_epochs} "
                  f"epochs complete, {len(history.loss)} steps).")
        return history
    except Exception as err:  # an error: raised again, with what was measured on it
        _keep_history(err, history, run.epoch)
        raise
    finally:  # an interrupt in the middle of the validation must not leave the model in eval mode
        model.train()
    if history.stopped and verbose:
        print(history.stopped)
    return history


def _keep_history(err: Exception, history: History, epoch: int) -> None:
    """Record ``err`` in ``history.stopped`` and put the history on the error as ``err.history``."""
    history.stopped = f"{type(err).__name__}: {err}"
    with contextlib.suppress(AttributeError, TypeError):  # an exception type that takes no attributes
        err.history = history
    if hasattr(err, "add_note"):  # Python >= 3.11
        err.add_note(f"lrlab.fit stopped in epoch {epoch + 1}; what it measured until then ({history.num_epochs} "
                     f"epochs, {len(history.loss)} steps) is on this error: err.history.")


def sweep(model_fn, optimizer_fn, lrs, data, *, num_epochs: int, scheduler_fn=None, **fit_kwargs) -> dict:
    """Train a fresh model once per learning rate; return ``{lr: History}`` in the order of ``lrs``.

    Every run gets a new ``model_fn()`` (a seeded model starts from the same weights) and the same ``seed``:
    the LR is the only difference. A diverging run stops with ``fit``'s message; the sweep goes on. An interrupt
    (the stop button) ends the sweep: the runs so far are returned, the interrupted one with
    ``stopped="interrupted"``.

    Args:
        model_fn (callable): no arguments -> a new ``nn.Module``, e.g. ``lrlab.models.WineMLP``.
        optimizer_fn (callable): ``(params, lr=...)`` -> an optimizer, e.g. ``torch.optim.SGD``.
        lrs (float or sequence of float): the learning rates, 1 to 100 of them (``validation.MAX_RUNS``); each a
            number with 0 < lr <= 10,000, no repeats.
        data: as for :func:`fit`.
        num_epochs (int): epochs per run, 1 to 10,000, as for :func:`fit`.
        scheduler_fn (callable, optional): optimizer -> scheduler, built afresh for every run.
        **fit_kwargs: passed on to :func:`fit` (``step_on``, ``seed``, ``verbose``, ...).

    Example::

        >>> runs = sweep(lrlab.models.WineMLP, torch.optim.SGD, [0.01, 10], lrlab.data.wine(), num_epochs=20)
        Training diverged at epoch 5 (step 1) with lr=10: ...
        >>> runs[0.01].lr[:3], runs[10].num_epochs   # LR of the first steps; lr=10 stopped after 4 epochs
        ([0.01, 0.01, 0.01], 4)
    """
    # 1. check the arguments before any training
    lrs = _validate_sweep(model_fn, optimizer_fn, lrs, num_epochs, scheduler_fn, fit_kwargs)
    # 2. one fresh model, optimizer (and scheduler) per learning rate; the first two models built first, to know
    #    that model_fn builds a new one each time
    built = [_built_model(model_fn) for _ in lrs[:2]]
    if len(built) == 2 and built[0] is built[1]:
        raise ValueError("model_fn returns the same model object at every call: each learning rate would go on "
                         "training the model the last one left. Return a new model, e.g. model_fn=lrlab.models."
                         "WineMLP or lambda: MyNet().")
    runs = {}
    for k, lr in enumerate(lrs):
        model = built[k] if k < len(built) else _built_model(model_fn)
        optimizer = _built_optimizer(optimizer_fn, model, lr)
        scheduler = _built_scheduler(scheduler_fn, optimizer)
        runs[lr] = fit(model, optimizer, scheduler, data, num_epochs=num_epochs, **fit_kwargs)
        if runs[lr].interrupted:  # the stop button stops the sweep, not only this run
            if fit_kwargs.get("verbose", True):
                print(f"sweep: interrupted at lr={lr:g}; the {len(runs)} runs so far are returned.")
            break
    return runs


FIT_OPTIONS = ("step_on", "criterion", "monitor", "seed", "diverge_threshold", "progress", "verbose")


def _validate_sweep(model_fn, optimizer_fn, lrs, num_epochs, scheduler_fn, fit_kwargs) -> list:
    """Every argument of ``sweep`` checked; returns ``lrs`` as a list."""
    for key, fn in (("model_fn", model_fn), ("optimizer_fn", optimizer_fn)):
        validation.require_callable(key, fn, "callable (e.g. lrlab.models.WineMLP, torch.optim.SGD)")
    if isinstance(model_fn, nn.Module):
        raise ValueError(f"model_fn is a model ({type(model_fn).__name__}), not a function that builds one: pass "
                         "the class (e.g. lrlab.models.WineMLP) so that every LR starts from a fresh model.")
    if isinstance(optimizer_fn, torch.optim.Optimizer):
        raise ValueError(f"optimizer_fn is an optimizer ({type(optimizer_fn).__name__}), not a function that builds "
                         "one: pass the class, e.g. torch.optim.SGD, or lambda params, lr: torch.optim.SGD(params, "
                         "lr=lr, momentum=0.9).")
    validation.require_callable("scheduler_fn", scheduler_fn, "a function optimizer -> scheduler", none_ok=True)
    if hasattr(scheduler_fn, "step") and hasattr(scheduler_fn, "optimizer"):
        raise ValueError("scheduler_fn is a scheduler, not a function that builds one: pass e.g. "
                         "lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=10).")
    if isinstance(lrs, (str, bytes, dict)) or not (validation.is_real(lrs, finite=False)
                                                    or hasattr(lrs, "__iter__")):
        raise ValueError(f"lrs={lrs!r} must be a learning rate or a sequence of them, e.g. [0.01, 0.1, 1.0].")
    lrs = [lrs] if isinstance(lrs, numbers.Real) else list(lrs)
    if not 1 <= len(lrs) <= validation.MAX_RUNS:
        raise ValueError(f"lrs holds {len(lrs)} learning rates; lrs must hold 1 to {validation.MAX_RUNS}.")
    for i, lr in enumerate(lrs):
        validation.require_lr(f"lrs[{i}]", lr)
    if len(set(lrs)) != len(lrs):
        raise ValueError(f"lrs={lrs!r} repeats a learning rate; lrs must hold each at most once.")
    validation.require_int("num_epochs", num_epochs, 1, validation.MAX_EPOCHS)
    for key in fit_kwargs:
        if key not in FIT_OPTIONS:
            raise ValueError(f"sweep passes {key}=... on to fit, which has no such option; fit's options: "
                             f"{', '.join(FIT_OPTIONS)}.")
    return lrs


def _built_model(model_fn) -> nn.Module:
    try:
        model = model_fn()
    except TypeError as err:
        raise ValueError(f"model_fn must build a model when called with no arguments; model_fn() raised "
                         f"TypeError: {err}") from None
    if not isinstance(model, nn.Module):
        raise ValueError(f"model_fn must return a torch.nn.Module, got {type(model).__name__}.")
    return model


def _built_optimizer(optimizer_fn, model: nn.Module, lr: float) -> torch.optim.Optimizer:
    try:
        optimizer = optimizer_fn(model.parameters(), lr=lr)
    except TypeError as err:
        raise ValueError(f"optimizer_fn must be called as optimizer_fn(params, lr=...); it raised TypeError: "
                         f"{err}") from None
    validation.require_optimizer("optimizer_fn's result", optimizer, note=" (optimizer_fn builds one)")
    validation.require_optimizer_of(model, optimizer, "optimizer_fn's optimizer")
    return optimizer


def _built_scheduler(scheduler_fn, optimizer):
    if scheduler_fn is None:
        return None
    scheduler = scheduler_fn(optimizer)
    try:
        validation.require_scheduler_of(optimizer, scheduler)
    except ValueError as err:
        raise ValueError(f"scheduler_fn(optimizer) must build a scheduler on the optimizer it is given: "
                         f"{err}") from None
    return scheduler

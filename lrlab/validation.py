"""Argument checks shared by lrlab's functions. Each ``require_*`` returns the value when it is fine and
otherwise raises a ValueError that names the parameter, the value given and what it must be.

No other lrlab module is imported here (a leaf helper, see ARCHITECTURE.md).

Example::

    >>> require_int("num_epochs", 20, minimum=1)
    20
    >>> require_int("num_epochs", 0, minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: num_epochs=0 is out of range; num_epochs must be an integer >= 1.
    >>> require_real("smooth", 1.0, 0, 1, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: smooth=1.0 is out of range; smooth must be a number with 0 <= smooth < 1.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator

import torch
import torch.utils.data
from torch import nn

# Upper bounds of counts and values: far beyond any lesson, low enough that a typo (10**9) fails at once instead of
# running for hours. data, schedules and the other bottom modules keep copies (they import nothing from lrlab);
# tests/test_bad_input.py checks that the copies agree.
MAX_EPOCHS = 10_000  # fit, sweep, verify, preview, lint_schedule
MAX_STEPS = 100_000  # scheduler steps of a preview or lint (num_epochs x steps_per_epoch), range-test iterations
MAX_LR = 1e4  # any learning rate lrlab is given; no network trains above ~10
MAX_SEED = 2**32 - 1  # numpy's range: 0 <= seed < 2**32
MAX_RUNS = 100  # learning rates in a sweep, factors in verify


def is_int(value) -> bool:
    """True for an integer (Python or NumPy), False for a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value, finite: bool = True) -> bool:
    """True for a real number (not a bool, not NaN; with ``finite``, not infinite either)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        return False
    return math.isfinite(value) or not finite


def _fail(name, value, must, where="", ranged=True):
    prefix = f"{where}: " if where else ""
    middle = f" is out of range; {name} must be " if ranged else " must be "
    raise ValueError(f"{prefix}{name}={value!r}{middle}{must}.")


def _number(x) -> str:
    """A bound as a reader writes it: 10,000 and 4,294,967,295 for integers, 1e-08 or 0.1 for the rest."""
    return f"{x:,}" if is_int(x) else f"{x:g}"


def _bounds(name, low, high, low_open, high_open) -> str:
    lo_op, hi_op = "<" if low_open else "<=", "<" if high_open else "<="
    if low is not None and high is not None:
        return f" with {_number(low)} {lo_op} {name} {hi_op} {_number(high)}"
    if low is not None:
        return f" {'>' if low_open else '>='} {_number(low)}"
    if high is not None:
        return f" {'<' if high_open else '<='} {_number(high)}"
    return ""


def require_int(name: str, value, minimum: int | None = None, maximum: int | None = None, *, where: str = "",
                none_ok: bool = False) -> int | None:
    """``value`` if it is an integer within ``[minimum, maximum]`` (None: no bound), else a ValueError.

    Args:
        name (str): the parameter's name, as the caller spells it.
        value: what was given.
        minimum (int, optional): the smallest value allowed.
        maximum (int, optional): the largest value allowed.
        where (str, default ""): a prefix for the message, e.g. the explorer's name.
        none_ok (bool, default False): None is allowed too.

    Example::

        >>> require_int("patience", 3, minimum=0)
        3
    """
    if none_ok and value is None:
        return None
    ok = is_int(value) and (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
    if not ok:
        bounded = minimum is not None or maximum is not None
        must = f"{'None or ' if none_ok else ''}an integer{_bounds(name, minimum, maximum, False, False)}"
        _fail(name, value, must, where, ranged=bounded)
    return value


def require_real(name: str, value, low: float | None = None, high: float | None = None, *, low_open: bool = False,
                 high_open: bool = False, finite: bool = True, where: str = "", none_ok: bool = False,
                 must: str | None = None, slack: float = 0.0) -> float | None:
    """``value`` if it is a number within the bounds (None: no bound), else a ValueError.

    Args:
        name (str): the parameter's name.
        value: what was given.
        low (float, optional): the lower bound.
        high (float, optional): the upper bound.
        low_open (bool, default False): ``value`` must be strictly above ``low``.
        high_open (bool, default False): ``value`` must be strictly below ``high``.
        finite (bool, default True): refuse infinities (NaN is always refused).
        where (str, default ""): a prefix for the message.
        none_ok (bool, default False): None is allowed too.
        must (str, optional): what the message says ``value`` must be, instead of the bounds.
        slack (float, default 0.0): relative tolerance at the bounds (a slider's rounding).

    Example::

        >>> require_real("lr", 0.1, 0, low_open=True)
        0.1
    """
    if none_ok and value is None:
        return value
    ok = is_real(value, finite)
    if ok and low is not None:
        edge = low * (1 - slack) if low > 0 else low - slack
        ok = value > edge if low_open else value >= edge
    if ok and high is not None:
        edge = high * (1 + slack) if high > 0 else high + slack
        ok = value < edge if high_open else value <= edge
    if not ok:
        number = "a finite number" if finite and low is None and high is None else "a number"
        text = must or f"{number}{_bounds(name, low, high, low_open, high_open)}"
        _fail(name, value, f"{'None or ' if none_ok else ''}{text}", where, ranged=low is not None or
              high is not None or must is not None)
    return value


def require_one_of(name: str, value, options, *, where: str = "", note: str = ""):
    """``value`` if it is one of ``options`` (a bool never counts as 0 or 1), else a ValueError listing them.

    Args:
        name (str): the parameter's name.
        value: what was given.
        options (sequence): the values allowed.
        where (str, default ""): a prefix for the message.
        note (str, default ""): said after the list, e.g. what each option means.

    Example::

        >>> require_one_of("step_on", "batch", ("epoch", "batch"))
        'batch'
    """
    if isinstance(value, bool) or value not in options:
        listed = " or ".join(", ".join(repr(o) for o in options).rsplit(", ", 1))
        _fail(name, value, f"{'one of ' if len(options) > 2 else ''}{listed}{note}", where, ranged=False)
    return value


def require_bool(name: str, value) -> bool:
    """``value`` if it is True or False, else a ValueError.

    Example::

        >>> require_bool("cycle", True)
        True
    """
    if not isinstance(value, bool):
        _fail(name, value, "True or False", ranged=False)
    return value


def require_callable(name: str, value, what: str, *, none_ok: bool = False):
    """``value`` if it can be called, else a ValueError saying ``what`` it must be.

    Args:
        name (str): the parameter's name.
        value: what was given.
        what (str): what it must be, e.g. "a function optimizer -> scheduler".
        none_ok (bool, default False): None is allowed too.

    Example::

        >>> require_callable("scheduler_fn", None, "a function optimizer -> scheduler", none_ok=True)
    """
    if (none_ok and value is None) or callable(value):
        return value
    _fail(name, value, f"{'None or ' if none_ok else ''}{what}", ranged=False)


def _kind(value) -> str:
    return type(value).__name__


def require_module(name: str, value) -> nn.Module:
    """``value`` if it is a ``torch.nn.Module``, else a ValueError naming what it is.

    Example::

        >>> require_module("model", "net")
        Traceback (most recent call last):
        ...
        ValueError: model must be a torch.nn.Module, got str.
    """
    if not isinstance(value, nn.Module):
        raise ValueError(f"{name} must be a torch.nn.Module, got {_kind(value)}.")
    return value


def require_optimizer(name: str, value, *, note: str = "") -> torch.optim.Optimizer:
    """``value`` if it is a ``torch.optim.Optimizer``, else a ValueError naming what it is.

    Args:
        name (str): the parameter's name.
        value: what was given.
        note (str, default ""): said after "must be a torch.optim.Optimizer", e.g. why.

    Example::

        >>> require_optimizer("optimizer", "adam")
        Traceback (most recent call last):
        ...
        ValueError: optimizer must be a torch.optim.Optimizer, got str.
    """
    if not isinstance(value, torch.optim.Optimizer):
        raise ValueError(f"{name} must be a torch.optim.Optimizer{note}, got {_kind(value)}.")
    return value


def require_scheduler_of(optimizer, scheduler) -> None:
    """A ValueError unless ``scheduler`` is a PyTorch scheduler built on ``optimizer`` (the same object).

    Example::

        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> require_scheduler_of(opt, torch.optim.lr_scheduler.StepLR(opt, step_size=1))
    """
    if isinstance(scheduler, type):
        raise ValueError(f"scheduler is the class {scheduler.__name__}: build it on the optimizer first, e.g. "
                         f"{scheduler.__name__}(optimizer, ...).")
    if isinstance(scheduler, str):
        raise ValueError(f"scheduler={scheduler!r} is a name: build the scheduler, e.g. "
                         f"lrlab.schedules.make({scheduler!r}, optimizer, ...).")
    if not hasattr(scheduler, "state_dict") or not hasattr(scheduler, "get_last_lr"):
        also = ": call it on the optimizer first, scheduler = factory(optimizer)" if callable(scheduler) else ""
        raise ValueError(f"scheduler must be a torch.optim.lr_scheduler object, got {_kind(scheduler)}{also}.")
    if getattr(scheduler, "optimizer", None) is not optimizer:
        raise ValueError("scheduler must be built on the optimizer given here (scheduler.optimizer is a "
                         "different object).")


def require_seed(name: str, value, *, where: str = "", none_ok: bool = False) -> int | None:
    """``value`` if it is an integer with 0 <= value < 2**32 (numpy's seeds, and torch's), else a ValueError.

    Example::

        >>> require_seed("seed", 2**32)
        Traceback (most recent call last):
        ...
        ValueError: seed=4294967296 is out of range; seed must be an integer with 0 <= seed <= 4,294,967,295.
    """
    return require_int(name, value, 0, MAX_SEED, where=where, none_ok=none_ok)


def require_lr(name: str, value, *, where: str = "", high: float = MAX_LR) -> float:
    """``value`` if it is a learning rate: a number with 0 < value <= ``high`` (``MAX_LR``), else a ValueError.

    Example::

        >>> require_lr("lr", 1e300)
        Traceback (most recent call last):
        ...
        ValueError: lr=1e+300 is out of range; lr must be a number with 0 < lr <= 10000.
    """
    return require_real(name, value, 0, high, low_open=True, where=where)


def require_criterion(name: str, value, *, none_ok: bool = True):
    """``value`` if it is a loss function ``(outputs, targets) -> loss`` (an instance, not a class), else a
    ValueError.

    Example::

        >>> require_criterion("criterion", nn.CrossEntropyLoss)
        Traceback (most recent call last):
        ...
        ValueError: criterion=<class '...CrossEntropyLoss'> is a class: pass an instance, CrossEntropyLoss().
    """
    if isinstance(value, type):
        raise ValueError(f"{name}={value!r} is a class: pass an instance, {value.__name__}().")
    return require_callable(name, value, "a loss function (outputs, targets) -> loss, e.g. nn.CrossEntropyLoss()",
                            none_ok=none_ok)


def require_optimizer_of(model: nn.Module, optimizer, name: str = "optimizer") -> None:
    """A ValueError unless ``optimizer`` holds at least one of ``model``'s parameters.

    An optimizer built on another model (an old one, before ``model = ...`` ran again) steps that model's weights
    and trains nothing of this one, without a word.

    Example::

        >>> model = nn.Linear(2, 2)
        >>> require_optimizer_of(model, torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1))
        Traceback (most recent call last):
        ...
        ValueError: optimizer holds none of model's 2 parameters: it was built on another model ...
    """
    mine = {id(p) for p in model.parameters()}
    held = [p for group in optimizer.param_groups for p in group["params"]]
    if not any(id(p) in mine for p in held):
        raise ValueError(f"{name} holds none of model's {len(mine)} parameters: it was built on another model "
                         "(e.g. before `model = ...` ran again), so training would change nothing here. Build it "
                         "on this model: torch.optim.SGD(model.parameters(), lr=...).")


def require_lrs_valid(optimizer, name: str = "optimizer", when: str = "") -> None:
    """A ValueError unless every param group's LR is a finite number >= 0 (torch accepts NaN and inf).

    Args:
        optimizer (torch.optim.Optimizer): whose ``param_groups`` are read.
        name (str, default "optimizer"): who is to blame, for the message (e.g. "scheduler").
        when (str, default ""): where in a run, for the message (e.g. " after epoch 3").

    Example::

        >>> require_lrs_valid(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=math.inf))
        Traceback (most recent call last):
        ...
        ValueError: optimizer: param group 0 has lr=inf; a learning rate must be a finite number >= 0.
    """
    for i, group in enumerate(optimizer.param_groups):
        lr = group["lr"]
        if isinstance(lr, torch.Tensor):
            lr = lr.item() if lr.numel() == 1 else math.nan
        if not (is_real(lr) and lr >= 0):
            raise ValueError(f"{name}: param group {i} has lr={lr!r}{when}; a learning rate must be a finite number "
                             ">= 0.")


# --- data: batches of (inputs, targets), looked at before any training --------------------------------------------
CLASSIFICATION_LOSSES = (nn.CrossEntropyLoss, nn.NLLLoss)
SAME_SHAPE_LOSSES = (nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss, nn.BCEWithLogitsLoss, nn.BCELoss)
PEEK_ROWS = 256  # examples of a first batch the model is tried on (a full-batch validation set may be large)
_HINT = ("pass lrlab.data.wine(), a (train, val) pair of loaders, a DataLoader of (inputs, targets) batches, or "
         "[(X, y)] for one full batch")


def _what(value) -> str:
    """A short description of a value for a message: "a tensor of shape (3, 4)", "a numpy ndarray", "a dict"."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    if type(value).__module__.split(".")[0] == "numpy":
        return f"a numpy {type(value).__name__}"
    return f"a {type(value).__name__}"


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [""])[0][:200]


def require_batches(name: str, batches, what: str = "training") -> None:
    """A ValueError unless ``batches`` can be gone through again and again (a DataLoader, a list of pairs).

    Args:
        name (str): the parameter's name ("data", "val_data", "batches").
        batches: what was given.
        what (str, default "training"): which batches, for the message.

    Example::

        >>> require_batches("data", iter([(torch.zeros(2, 3), torch.zeros(2))]))
        Traceback (most recent call last):
        ...
        ValueError: data is a one-shot iterator (list_iterator): it is empty after one pass, ...
    """
    if batches is None:
        raise ValueError(f"{name} has no {what} batches (None): {_HINT}.")
    if isinstance(batches, (str, bytes)):
        raise ValueError(f"{name}={batches!r} is text, not data: {_HINT}.")
    if isinstance(batches, type):
        raise ValueError(f"{name} is the class {batches.__name__}, not data: {_HINT}.")
    if isinstance(batches, torch.Tensor) or type(batches).__module__.split(".")[0] == "numpy":
        raise ValueError(f"{name} is {_what(batches)}, not batches: {_HINT}.")
    if isinstance(batches, torch.utils.data.Dataset) and not hasattr(batches, "__iter__"):
        raise ValueError(f"{name} is a {type(batches).__name__} (a Dataset, not batches): wrap it in "
                         "torch.utils.data.DataLoader(dataset, batch_size=64, shuffle=True).")
    if not hasattr(batches, "__iter__"):
        raise ValueError(f"{name} is {_what(batches)}, which holds no batches: {_HINT}.")
    if isinstance(batches, Iterator):
        raise ValueError(f"{name} is a one-shot iterator ({type(batches).__name__}): it is empty after one pass, so "
                         "a second epoch would train on nothing. Pass a list of batches or a DataLoader.")
    try:
        empty = len(batches) == 0
    except TypeError:  # an iterable without a length (a DataLoader over an IterableDataset): read on
        empty = False
    if empty:
        raise ValueError(f"{name} has no {what} batches (it is empty): {_HINT}.")


def peek(name: str, batches):
    """The first batch of ``batches``, read without moving anything: torch's global generator and the loader's own
    shuffling generator are as they were afterwards (a resumed run keeps its data order).

    Example::

        >>> peek("data", [(1, 2), (3, 4)])
        (1, 2)
    """
    generator = getattr(batches, "generator", None)
    state = generator.get_state() if isinstance(generator, torch.Generator) else None
    try:
        with torch.random.fork_rng(devices=[]):  # a loader without a generator of its own draws from torch's
            return next(iter(batches))
    except StopIteration:
        raise ValueError(f"{name} yields no batches (it is empty): {_HINT}.") from None
    except Exception as err:  # noqa: BLE001 - whatever the loader raises, say where it came from
        raise ValueError(f"{name}: reading its first batch failed: {type(err).__name__}: {_first_line(err)}") from None
    finally:
        if state is not None:
            generator.set_state(state)


def require_pair(name: str, batch, where: str = "first batch") -> tuple:
    """``(inputs, targets)`` from one batch, or a ValueError naming ``name``: a dict, a 3-tuple, numpy arrays, an
    empty batch or a different count of inputs and targets.

    Example::

        >>> require_pair("data", {"x": torch.zeros(2, 3), "y": torch.zeros(2)})
        Traceback (most recent call last):
        ...
        ValueError: data yields dict batches (keys ['x', 'y'], first batch); lrlab trains on ...
    """
    if isinstance(batch, dict):
        raise ValueError(f"{name} yields dict batches (keys {list(batch)[:5]}, {where}); lrlab trains on "
                         "(inputs, targets) pairs: e.g. DataLoader(TensorDataset(X, y), batch_size=64) or [(X, y)].")
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        got = f"{len(batch)} items" if isinstance(batch, (tuple, list)) else _what(batch)
        also = " (for tensors X and y, pass [(X, y)]: a list of one batch)" if isinstance(batch, torch.Tensor) else ""
        raise ValueError(f"{name} yields batches of {got} ({where}); each batch must be an (inputs, targets) "
                         f"pair{also}.")
    x, y = batch
    for label, t in (("inputs", x), ("targets", y)):
        if not isinstance(t, torch.Tensor):
            fix = "torch.as_tensor(X, dtype=torch.float32)" if label == "inputs" else "torch.as_tensor(y).long()"
            raise ValueError(f"{name}'s {label} are {_what(t)}, not a torch.Tensor ({where}): convert them with "
                             f"{fix}.")
        if t.dim() == 0:
            raise ValueError(f"{name}'s {label} are a single number ({where}): a batch holds one example per row.")
    if len(x) == 0:
        raise ValueError(f"{name} has an empty batch ({where}): it holds no examples.")
    if len(x) != len(y):
        raise ValueError(f"{name} has {len(x)} inputs but {len(y)} targets ({where}): one target per example.")
    return x, y


def batch_problem(x: torch.Tensor, y: torch.Tensor) -> str:
    """What is wrong with one batch's values, "" when nothing: NaN or inf in the inputs or the targets.

    Example::

        >>> batch_problem(torch.tensor([[1.0, math.nan]]), torch.tensor([0]))
        'holds 1 NaN value in its inputs'
    """
    for label, t in (("inputs", x), ("targets", y)):
        if t.is_floating_point() or t.is_complex():
            finite = torch.isfinite(t)
            if not finite.all():
                nan = int(torch.isnan(t).sum())
                inf = t.numel() - int(finite.sum()) - nan
                parts = [f"{n} {kind}" for n, kind in ((nan, "NaN"), (inf, "inf")) if n]
                plural = "s" if nan + inf > 1 else ""
                return f"holds {' and '.join(parts)} value{plural} in its {label}"
    return ""


def _lazy(p) -> bool:
    return isinstance(p, (nn.parameter.UninitializedParameter, nn.parameter.UninitializedBuffer))


def require_trainable(name: str, model: nn.Module) -> None:
    """A ValueError unless ``model`` has parameters, in float32 or float64, all finite.

    Example::

        >>> require_trainable("model", nn.Linear(2, 2).half())
        Traceback (most recent call last):
        ...
        ValueError: model's weights are torch.float16 (weight): train in float32 ...
    """
    params = list(model.named_parameters())
    if not params:
        raise ValueError(f"{name} has no parameters: there is nothing to train.")
    for pname, p in params:
        if _lazy(p) or not p.is_floating_point():
            continue
        if p.dtype in (torch.float16, torch.bfloat16):
            raise ValueError(f"{name}'s weights are {p.dtype} ({pname}): train in float32 (model.float()); for "
                             "mixed precision keep float32 weights and use torch.autocast.")
        if not torch.isfinite(p).all():
            raise ValueError(f"{name}'s weights hold NaN or inf ({pname}) before any training (left so by an "
                             "earlier run?): build a new model.")


def labels_in_memory(batches) -> torch.Tensor | None:
    """Every target of ``batches`` when they are at hand without a pass over the data (a list of pairs, a
    DataLoader over a TensorDataset), else None."""
    if isinstance(batches, (list, tuple)) and all(isinstance(b, (list, tuple)) and len(b) == 2
                                                  and isinstance(b[1], torch.Tensor) for b in batches):
        return torch.cat([b[1].reshape(-1) for b in batches]) if batches else None
    tensors = getattr(getattr(batches, "dataset", None), "tensors", None)
    if isinstance(tensors, tuple) and len(tensors) == 2 and isinstance(tensors[1], torch.Tensor):
        return tensors[1].reshape(-1)
    return None


def _forward(model: nn.Module, x: torch.Tensor, name: str, where: str, shape: tuple):
    """``model(x)`` in eval mode, without gradients, on forked RNGs; every train/eval flag and every buffer (a
    forward that counts its calls) is put back."""
    modules = list(model.modules())
    flags = [m.training for m in modules]
    buffers = [(b, b.detach().clone()) for b in model.buffers() if not _lazy(b)]
    model.eval()
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=[x.device] if x.device.type == "cuda" else []):
            return model(x)
    except Exception as err:  # noqa: BLE001 - the shapes or dtypes do not fit: say it in lrlab's words
        hint = " The inputs are integers: convert them with X.float()." if not x.is_floating_point() else ""
        raise ValueError(f"model cannot take {name}'s {where}: inputs of shape {shape} ({x.dtype}) -> "
                         f"{type(err).__name__}: {_first_line(err)}.{hint}") from None
    finally:
        for m, training in zip(modules, flags, strict=True):
            m.training = training
        with torch.no_grad():
            for b, value in buffers:
                b.copy_(value)


def _require_classes(out, y, loss_name, name, where, num_classes, all_labels) -> None:
    """Class scores against class labels: dtype, shape, the label range against the model's outputs."""
    if out.dim() < 2:
        raise ValueError(f"model returns outputs of shape {tuple(out.shape)}: {loss_name} needs one score per class, "
                         "shape (N, number of classes).")
    classes = out.shape[1]
    if y.is_floating_point():
        if y.shape == out.shape:  # class probabilities, which CrossEntropyLoss takes too
            return
        raise ValueError(f"{name}'s targets are {y.dtype} of shape {tuple(y.shape)} ({where}): {loss_name} needs "
                         "integer class labels: y.long().")
    if y.dtype != torch.int64:
        raise ValueError(f"{name}'s targets are {y.dtype} ({where}): {loss_name} needs torch.int64 class labels: "
                         "y.long().")
    if y.dim() == 2 and y.shape[1] == 1 and out.dim() == 2:
        raise ValueError(f"{name}'s targets have shape {tuple(y.shape)} ({where}): class labels must be 1-D, one "
                         "per example: y.squeeze(1).")
    if y.dim() != out.dim() - 1 or tuple(y.shape[1:]) != tuple(out.shape[2:]):
        raise ValueError(f"model returns outputs of shape {tuple(out.shape)} for {name}'s targets of shape "
                         f"{tuple(y.shape)} ({where}): {loss_name} wants outputs (N, C) and targets (N,); check the "
                         "inputs' shape.")
    _require_label_range(y, classes, name, where, num_classes, all_labels)


def _require_label_range(y, classes, name, where, num_classes, all_labels, ignore_index=-100) -> None:
    labels = y[y != ignore_index]
    if labels.numel() == 0:
        return
    low, high = int(labels.min()), int(labels.max())
    if low < 0:
        raise ValueError(f"{name}'s labels go down to {low} ({where}): class labels run from 0 to the number of "
                         "classes - 1.")
    if high >= classes and low >= 1 and high == classes:
        raise ValueError(f"{name}'s labels run from 1 to {high} ({where}): classes are counted from 0; subtract "
                         f"1 (y - 1) for the model's {classes} outputs.")
    if high >= classes:
        raise ValueError(f"model has {classes} outputs, but {name}'s labels go up to {high} ({where}): it needs "
                         f"{high + 1} outputs, one per class.")
    if num_classes is None and all_labels is not None and len(all_labels) >= 10 * classes:
        num_classes = int(all_labels.max()) + 1
    if num_classes is not None and classes != num_classes:
        raise ValueError(f"model has {classes} outputs, but {name} has {num_classes} classes: build the model with "
                         f"{num_classes} outputs, one per class.")


def _require_same_shape(out, y, loss_name, name, where) -> None:
    if not y.is_floating_point():
        raise ValueError(f"{name}'s targets are {y.dtype} ({where}): {loss_name} needs float targets: y.float().")
    if y.shape != out.shape:
        raise ValueError(f"{name}'s targets have shape {tuple(y.shape)} but the model's outputs {tuple(out.shape)} "
                         f"({where}): {loss_name} would broadcast them against each other. Make them agree, e.g. "
                         "y.view(-1, 1) for one output.")


def require_fits(model: nn.Module, x: torch.Tensor, y: torch.Tensor, criterion=None, *, name: str = "data",
                 where: str = "first batch", num_classes: int | None = None, all_labels=None) -> None:
    """A ValueError naming ``name``, ``model`` or ``criterion`` unless one batch goes through: the inputs' dtype
    against the weights, a forward pass (eval mode, no gradients, nothing changed), the targets against the
    outputs (for CrossEntropyLoss and NLLLoss: int64 labels from 0 to outputs - 1, as many classes as the data
    has), and a finite loss.

    Args:
        model (nn.Module): the model, on its device.
        x (Tensor): the batch's inputs (at most ``PEEK_ROWS`` go through the model).
        y (Tensor): its targets.
        criterion (callable, optional): the loss; None means ``nn.CrossEntropyLoss()``.
        name (str, default "data"): the parameter the batch came from.
        where (str, default "first batch"): which batch, for the message.
        num_classes (int, optional): the classes the data has (``lrlab.data.Data.num_classes``).
        all_labels (Tensor, optional): every label of the data, when at hand (``labels_in_memory``).

    Example::

        >>> require_fits(nn.Linear(13, 2), torch.zeros(4, 13), torch.tensor([0, 1, 2, 1]))
        Traceback (most recent call last):
        ...
        ValueError: model has 2 outputs, but data's labels go up to 2 (first batch): it needs 3 outputs, ...
    """
    criterion = nn.CrossEntropyLoss() if criterion is None else criterion
    weight = next((p for p in model.parameters() if p.is_floating_point() and not _lazy(p)), None)
    if weight is not None and x.is_floating_point() and x.dtype != weight.dtype:
        raise ValueError(f"{name}'s inputs are {x.dtype} but the model's weights are {weight.dtype}: convert the "
                         f"inputs with X.float() (lrlab.data gives float32), or the model with model.to({x.dtype}).")
    device = x.device if weight is None else weight.device
    xs, ys = x[:PEEK_ROWS].to(device), y[:PEEK_ROWS].to(device)
    out = _forward(model, xs, name, where, tuple(x.shape))
    builtin = isinstance(criterion, CLASSIFICATION_LOSSES + SAME_SHAPE_LOSSES)
    if builtin and not isinstance(out, torch.Tensor):
        raise ValueError(f"model returns {_what(out)}, not a tensor: {type(criterion).__name__} needs the outputs "
                         "alone (return the logits from forward).")
    if isinstance(out, torch.Tensor):
        if len(out) != len(xs):
            raise ValueError(f"model returns {len(out)} outputs for {len(xs)} examples of {name}'s {where}: one row "
                             "of outputs per example.")
        if out.is_floating_point() and not torch.isfinite(out).all():
            raise ValueError(f"model's outputs on {name}'s {where} hold NaN or inf before any training, from finite "
                             "inputs and weights: its forward is at fault, not the learning rate.")
    if isinstance(criterion, CLASSIFICATION_LOSSES):
        _require_classes(out, y.to(device), type(criterion).__name__, name, where, num_classes, all_labels)
    elif isinstance(criterion, SAME_SHAPE_LOSSES):
        _require_same_shape(out, ys, type(criterion).__name__, name, where)
    _require_finite_loss(criterion, out, ys, name, where)


def _require_finite_loss(criterion, out, y, name, where) -> None:
    try:
        with torch.no_grad():
            loss = criterion(out, y)
    except Exception as err:  # noqa: BLE001 - the criterion refuses these outputs or targets
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else _what(out)
        raise ValueError(f"criterion cannot take the model's outputs {shape} and {name}'s targets "
                         f"{tuple(y.shape)} ({y.dtype}, {where}) -> {type(err).__name__}: {_first_line(err)}") from None
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise ValueError(f"criterion must return one number (a scalar tensor), got {_what(loss)}: use "
                         "reduction='mean'.")
    if not torch.isfinite(loss).all():
        raise ValueError(f"criterion gives a loss of {loss.item()} on {name}'s {where} before any training, from "
                         "finite inputs, targets and outputs: the loss function is at fault, not the learning rate.")

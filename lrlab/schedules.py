"""Build PyTorch LR schedulers by name, with the argument checks PyTorch leaves out, and preview them.

lrlab never re-implements a scheduler's maths: ``make`` builds the real class from
``torch.optim.lr_scheduler``, ``preview`` steps it on a dummy parameter, and ``warmup_cosine`` is PyTorch's own
``SequentialLR(LinearLR -> CosineAnnealingLR)`` with the cosine's length filled in.

Example::

    >>> from lrlab import schedules
    >>> curve = schedules.preview(lambda opt: schedules.make("StepLR", opt, step_size=2, gamma=0.5),
    ...                           num_epochs=5)
    >>> curve["lr"]
    [0.1, 0.1, 0.05, 0.05, 0.025]
"""

from __future__ import annotations

import contextlib
import difflib
import inspect
import numbers
import warnings
from collections.abc import Callable, Sequence

import torch
from torch.optim import lr_scheduler

PLATEAU = "ReduceLROnPlateau"
# Schedulers whose LR is meant to change every mini-batch.
PER_BATCH = ("OneCycleLR", "CyclicLR")


# SequentialLR of torch < 2.9 passes an epoch to its children's step(), and PyTorch warns about its own call.
EPOCH_WARNING = "The epoch parameter"


@contextlib.contextmanager
def quiet_epoch_warning():
    """Silence the "The epoch parameter in `scheduler.step()`" UserWarning that SequentialLR of torch < 2.9
    triggers by its own call: the learner did nothing wrong, and the warning would reach a notebook's stderr.

    Example::

        >>> with quiet_epoch_warning():
        ...     warnings.warn("The epoch parameter in `scheduler.step()` was not necessary", UserWarning)
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=EPOCH_WARNING, category=UserWarning)
        yield


def available() -> list[str]:
    """Names of every scheduler class in ``torch.optim.lr_scheduler``, sorted."""
    names = []
    for name, obj in vars(lr_scheduler).items():
        if name.startswith("_") or not inspect.isclass(obj) or name == "LRScheduler":
            continue
        if issubclass(obj, lr_scheduler.LRScheduler) or name == PLATEAU:
            names.append(name)
    return sorted(names)


def get_class(name: str) -> type:
    """The scheduler class called ``name`` (case-insensitive), or a ValueError with a did-you-mean."""
    if not isinstance(name, str):
        raise ValueError(f"name must be a scheduler name (str), got {name!r}")
    by_lower = {n.lower(): n for n in available()}
    key = name.lower()
    if key not in by_lower and key + "lr" in by_lower:  # "step" -> "StepLR"
        key += "lr"
    if key not in by_lower:
        close = difflib.get_close_matches(key, list(by_lower), n=1, cutoff=0.5)
        hint = f" Did you mean {by_lower[close[0]]!r}?" if close else ""
        raise ValueError(f"name={name!r} is not a scheduler in torch.optim.lr_scheduler.{hint} "
                         f"Valid names: {', '.join(available())}.")
    return getattr(lr_scheduler, by_lower[key])


# --- argument rules: what PyTorch accepts silently but should not ------------------------------------
def _count(minimum: int):
    def check(v):
        return isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= minimum
    return check, f"an integer >= {minimum}"


def _real(lo=None, hi=None, lo_open=True, hi_open=False):
    def check(v):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or v != v:
            return False
        if lo is not None and (v <= lo if lo_open else v < lo):
            return False
        return not (hi is not None and (v >= hi if hi_open else v > hi))
    if hi is None:
        return check, f"a number {'>' if lo_open else '>='} {lo}"
    if lo is None:
        return check, f"a number {'<' if hi_open else '<='} {hi}"
    return check, f"a number with {lo} {'<' if lo_open else '<='} value {'<' if hi_open else '<='} {hi}"


def _choice(*options):
    return (lambda v: v in options), "one of " + ", ".join(repr(o) for o in options)


def _real_or_list(rule):
    check, text = rule
    def check_all(v):
        return all(check(x) for x in v) if isinstance(v, (list, tuple)) else check(v)
    return check_all, text + " (or a list of them, one per param group)"


_POSITIVE = _real(0)
_NON_NEGATIVE = _real(0, lo_open=False)
# parameter name -> (test, what it must be): the rules make() checks before PyTorch sees a value
PARAM_RULES: dict[str, tuple[Callable, str]] = {
    "gamma": _POSITIVE,
    "step_size": _count(1),
    "T_max": _count(1),
    "T_0": _count(1),
    "T_mult": _count(1),
    "total_iters": _count(1),
    "total_steps": _count(1),
    "epochs": _count(1),
    "steps_per_epoch": _count(1),
    "step_size_up": _count(1),
    "patience": _count(0),
    "cooldown": _count(0),
    "threshold": _NON_NEGATIVE,
    "eta_min": _NON_NEGATIVE,
    "min_lr": _real_or_list(_NON_NEGATIVE),
    "eps": _NON_NEGATIVE,
    "power": _NON_NEGATIVE,
    "max_lr": _real_or_list(_POSITIVE),
    "base_lr": _real_or_list(_POSITIVE),
    "div_factor": _POSITIVE,
    "final_div_factor": _POSITIVE,
    "pct_start": _real(0, 1, lo_open=True, hi_open=True),
    "start_factor": _real(0, 1),
    "end_factor": _real(0, 1, lo_open=False),
    "mode": _choice("min", "max"),
    "threshold_mode": _choice("rel", "abs"),
    "anneal_strategy": _choice("cos", "linear"),
}
# Same parameter name, different meaning: (class, parameter) -> rule, in place of PARAM_RULES'.
PARAM_OVERRIDES: dict[tuple[str, str], tuple[Callable, str]] = {
    (PLATEAU, "factor"): _real(0, 1, hi_open=True),
    ("ConstantLR", "factor"): _real(0, 1),  # 0 passes PyTorch's own check, then divides by zero at total_iters
    ("CyclicLR", "mode"): _choice("triangular", "triangular2", "exp_range"),
    ("CyclicLR", "step_size_down"): (lambda v: v is None or _count(1)[0](v), "None or an integer >= 1"),
}


def check_params(name: str, **params) -> None:
    """Raise ValueError for any parameter of scheduler ``name`` that is unknown, missing or out of range.

    Example::

        >>> check_params("StepLR", step_size=0)
        Traceback (most recent call last):
        ...
        ValueError: StepLR: step_size=0 is out of range; step_size must be an integer >= 1.
    """
    cls = get_class(name)
    sig = inspect.signature(cls.__init__)
    accepted = [p for p in sig.parameters if p not in ("self", "optimizer", "args", "kwargs")]
    for key in params:
        if key not in accepted:
            close = difflib.get_close_matches(key, accepted, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"{cls.__name__} has no parameter {key!r} (given {key}={params[key]!r}).{hint} "
                             f"Its parameters: {', '.join(accepted)}.")
    for p in sig.parameters.values():
        if p.name in accepted and p.default is inspect.Parameter.empty and p.name not in params:
            raise ValueError(f"{cls.__name__} needs {p.name}=...; it has no default.")
    for key, value in params.items():
        rule = PARAM_OVERRIDES.get((cls.__name__, key)) or PARAM_RULES.get(key)
        if rule is not None and not rule[0](value):
            raise ValueError(f"{cls.__name__}: {key}={value!r} is out of range; {key} must be {rule[1]}.")
    if "milestones" in params:
        ms = params["milestones"]
        ok = isinstance(ms, (list, tuple)) and all(_count(1)[0](m) for m in ms)
        if not ok or list(ms) != sorted(set(ms)):
            raise ValueError(f"{cls.__name__}: milestones={ms!r} must be a strictly increasing list of "
                             "integers >= 1.")
    for fn in ("lr_lambda", "scale_fn"):
        if fn in params and params[fn] is not None and not callable(params[fn]):
            raise ValueError(f"{cls.__name__}: {fn}={params[fn]!r} must be a function of the epoch.")


def make(name: str, optimizer: torch.optim.Optimizer, **params):
    """Build the PyTorch scheduler ``name`` on ``optimizer``, after checking every parameter.

    Args:
        name (str): a class in ``torch.optim.lr_scheduler``, case-insensitive ("StepLR", "steplr",
            or "step"). Unknown names raise ValueError with a did-you-mean.
        optimizer (torch.optim.Optimizer): the optimizer whose param-group LRs the scheduler drives.
        **params: the scheduler's own arguments, checked first (gamma > 0, step_size >= 1 and an
            integer, 0 < factor < 1 for ReduceLROnPlateau, patience >= 0, ...).

    Returns:
        The real ``torch.optim.lr_scheduler`` object.

    Example::

        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = make("ExponentialLR", opt, gamma=0.5)
        >>> for _ in range(3):
        ...     opt.step(); sched.step()
        >>> sched.get_last_lr()    # 0.1 -> 0.05 -> 0.025 -> 0.0125
        [0.0125]
    """
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    cls = get_class(name)
    check_params(cls.__name__, **params)
    return cls(optimizer=optimizer, **params)  # by keyword: ChainedScheduler takes schedulers first


OPTIMIZER_TYPES = ("sgd", "adam")


def dummy_optimizer(lr: float = 0.1, optimizer_type: str = "sgd") -> torch.optim.Optimizer:
    """An optimizer over one zero parameter with no gradient, for stepping a real scheduler without training.

    Args:
        lr (float, default 0.1): its initial LR, > 0.
        optimizer_type (str, default "sgd"): "sgd" (momentum 0.9, which OneCycleLR and CyclicLR cycle) or "adam".

    Example::

        >>> dummy_optimizer(0.5, "adam").param_groups[0]["lr"]
        0.5
    """
    if isinstance(lr, bool) or not _POSITIVE[0](lr):
        raise ValueError(f"lr={lr!r} is out of range; it must be a number > 0.")
    if optimizer_type not in OPTIMIZER_TYPES:
        raise ValueError(f"optimizer_type={optimizer_type!r} must be 'sgd' or 'adam'.")
    param = torch.zeros(1, requires_grad=True)
    if optimizer_type == "sgd":
        return torch.optim.SGD([param], lr=lr, momentum=0.9)
    return torch.optim.Adam([param], lr=lr)


def preview(factory, num_epochs: int, steps_per_epoch: int = 1, *, step_on: str = "epoch",
            lr: float = 0.1, metrics: Sequence[float] | None = None, optimizer_type: str = "sgd",
            **params) -> dict:
    """The LR curve of a real PyTorch scheduler, without any training.

    The scheduler runs on a dummy parameter: each step calls ``optimizer.step()`` (a no-op, there is
    no gradient) and then ``scheduler.step()``, exactly as a training loop does.

    Args:
        factory (callable or str): ``optimizer -> scheduler`` (e.g. ``lambda opt: make("StepLR", opt,
            step_size=3)``), or a scheduler name with its parameters given as ``**params``.
        num_epochs (int): epochs to preview, >= 1.
        steps_per_epoch (int, default 1): optimizer steps (mini-batches) per epoch, >= 1.
        step_on (str, default "epoch"): step the scheduler after every "epoch" or every "batch".
        lr (float, default 0.1): the optimizer's initial LR.
        metrics (sequence of float, optional): what ReduceLROnPlateau is given at each scheduler
            step (one value per epoch, or per batch with step_on="batch"). Required for it.
        optimizer_type (str, default "sgd"): "sgd" (momentum 0.9) or "adam"; matters for the momentum
            that OneCycleLR and CyclicLR cycle.
        **params: the scheduler's own arguments, when ``factory`` is a name.

    Returns:
        dict of lists, one entry per optimizer step: ``step_epoch`` (fractional epoch at which the step
        starts, as in ``History.step_epoch``), ``lr`` (LR of param group 0 used by that step) and ``momentum``
        (SGD momentum or Adam beta1 at that step).

    Example::

        >>> preview("ExponentialLR", num_epochs=4, gamma=0.5)["lr"]   # 0.1, 0.05, 0.025, 0.0125
        [0.1, 0.05, 0.025, 0.0125]
    """
    for key, value, lo in (("num_epochs", num_epochs, 1), ("steps_per_epoch", steps_per_epoch, 1)):
        if not _count(lo)[0](value):
            raise ValueError(f"{key}={value!r} is out of range; it must be an integer >= {lo}.")
    if step_on not in ("epoch", "batch"):
        raise ValueError(f"step_on={step_on!r} must be 'epoch' or 'batch'.")
    opt = dummy_optimizer(lr, optimizer_type)
    if isinstance(factory, str):
        scheduler = make(factory, opt, **params)
    elif callable(factory):
        if params:
            raise ValueError("give scheduler parameters either to the factory or as **params with a name")
        scheduler = factory(opt)
    else:
        raise ValueError(f"factory={factory!r} must be a scheduler name or a function optimizer -> scheduler")
    is_plateau = isinstance(scheduler, lr_scheduler.ReduceLROnPlateau)
    n_sched_steps = num_epochs * steps_per_epoch if step_on == "batch" else num_epochs
    if is_plateau:
        if metrics is None or len(metrics) < n_sched_steps:
            got = "no metrics" if metrics is None else f"{len(metrics)} metrics"
            raise ValueError(f"metrics: ReduceLROnPlateau needs one value per scheduler step "
                             f"({n_sched_steps}); got {got}.")
    momentum_key = "betas" if "betas" in opt.defaults else "momentum"
    out = {"step_epoch": [], "lr": [], "momentum": []}
    k = 0  # scheduler steps so far
    with quiet_epoch_warning():
        for epoch in range(num_epochs):
            for batch in range(steps_per_epoch):
                group = opt.param_groups[0]
                m = group[momentum_key]
                out["step_epoch"].append(epoch + batch / steps_per_epoch)
                out["lr"].append(float(group["lr"]))
                out["momentum"].append(float(m[0] if momentum_key == "betas" else m))
                opt.step()
                if step_on == "batch" or batch == steps_per_epoch - 1:
                    try:
                        scheduler.step(metrics[k]) if is_plateau else scheduler.step()
                    except ValueError as err:  # e.g. OneCycleLR stepped past total_steps
                        raise ValueError(f"{type(scheduler).__name__} refused step {k + 1} "
                                         f"(epoch {epoch}): {err}") from None
                    k += 1
    return out


def warmup_cosine(optimizer: torch.optim.Optimizer, warmup: int, total: int, *, start_factor: float = 0.1,
                  eta_min: float = 0.0):
    """A linear warmup over ``warmup`` scheduler steps, then a cosine decay to ``eta_min`` over the rest.

    The recipe is ``SequentialLR(LinearLR -> CosineAnnealingLR)`` with the one number people get wrong filled
    in: the cosine gets ``T_max = total - warmup`` (the steps left after the warmup), so that it ends at
    ``eta_min`` exactly when the run ends, instead of being cut short (``T_max = total``) or rising again
    (``T_max`` too small). Count ``warmup`` and ``total`` in the unit you step the scheduler in: epochs with
    ``fit(..., step_on="epoch")``, batches with ``step_on="batch"`` (then ``total = num_epochs *
    steps_per_epoch``).

    Args:
        optimizer (torch.optim.Optimizer): its param groups' LRs are the peak LRs (one per group).
        warmup (int): scheduler steps of warmup, >= 1: ``LinearLR(start_factor, total_iters=warmup)``.
        total (int): scheduler steps in the whole run, > ``warmup``: the cosine gets ``T_max=total - warmup``.
        start_factor (float, default 0.1): the first step trains with this times the peak LR, 0 < it <= 1.
        eta_min (float, default 0.0): the LR the cosine decays to (all groups), >= 0.

    Returns:
        torch.optim.lr_scheduler.SequentialLR: the real one, ``milestones=[warmup]``.

    Example::

        >>> curve = preview(lambda opt: warmup_cosine(opt, warmup=2, total=6), num_epochs=6)
        >>> [round(lr, 4) for lr in curve["lr"]]   # warmup 0.01 -> 0.055, then cosine 0.1 -> 0.0854 -> ...
        [0.01, 0.055, 0.1, 0.0854, 0.05, 0.0146]
    """
    # 1. check the lengths (the children's own arguments are checked by make)
    for name, value, lo in (("warmup", warmup, 1), ("total", total, 2)):
        if not _count(lo)[0](value):
            raise ValueError(f"{name}={value!r} is out of range; {name} must be an integer >= {lo} (scheduler "
                             "steps).")
    if total <= warmup:
        raise ValueError(f"total={total!r} must be larger than warmup={warmup!r}: the cosine needs at least one "
                         "step after the warmup.")
    # 2. the real schedulers: LinearLR for the warmup, CosineAnnealingLR for what is left, in sequence
    ramp = make("LinearLR", optimizer, start_factor=start_factor, end_factor=1.0, total_iters=warmup)
    decay = make("CosineAnnealingLR", optimizer, T_max=total - warmup, eta_min=eta_min)
    return make("SequentialLR", optimizer, schedulers=[ramp, decay], milestones=[warmup])

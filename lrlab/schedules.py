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
import dis
import functools
import inspect
import math
import numbers
import types
import warnings
from collections.abc import Callable, Sequence

import torch
from torch.optim import lr_scheduler

PLATEAU = "ReduceLROnPlateau"
# Schedulers whose LR is meant to change every mini-batch.
PER_BATCH = ("OneCycleLR", "CyclicLR")
# Upper bounds (copies of lrlab.validation's: this module imports no other lrlab module): a preview of more than
# MAX_STEPS scheduler steps would take minutes; an LR above MAX_LR is a typo.
MAX_EPOCHS = 10_000
MAX_STEPS = 100_000
MAX_LR = 1e4


class FactoryError(ValueError):
    """A scheduler factory that cannot be previewed: it is not a function ``optimizer -> scheduler``, builds its
    scheduler on another optimizer, or gives an LR that is NaN, infinite or negative. ``lrlab.lint`` raises it
    instead of reporting it as a finding."""


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
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            return False
        if lo is not None and (v <= lo if lo_open else v < lo):
            return False
        return not (hi is not None and (v >= hi if hi_open else v > hi))
    if hi is None:
        return check, f"a finite number {'>' if lo_open else '>='} {lo}"
    if lo is None:
        return check, f"a finite number {'<' if hi_open else '<='} {hi}"
    return check, f"a number with {lo:g} {'<' if lo_open else '<='} value {'<' if hi_open else '<='} {hi:g}"


def _choice(*options):
    return (lambda v: v in options), "one of " + ", ".join(repr(o) for o in options)


def _real_or_list(rule):
    check, text = rule
    def check_all(v):
        return all(check(x) for x in v) if isinstance(v, (list, tuple)) else check(v)
    return check_all, text + " (or a list of them, one per param group)"


_POSITIVE = _real(0)
_NON_NEGATIVE = _real(0, lo_open=False)
_AN_LR = _real(0, MAX_LR)
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
    "eta_min": _real(0, MAX_LR, lo_open=False),
    "min_lr": _real_or_list(_real(0, MAX_LR, lo_open=False)),
    "eps": _NON_NEGATIVE,
    "power": _NON_NEGATIVE,
    "max_lr": _real_or_list(_AN_LR),
    "base_lr": _real_or_list(_AN_LR),
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
        if not ok or list(ms) != sorted(set(ms)) or (not ms and cls.__name__ == "MultiStepLR"):
            raise ValueError(f"{cls.__name__}: milestones={ms!r} must be a strictly increasing list of "
                             f"integers >= 1{', at least one' if cls.__name__ == 'MultiStepLR' else ''}.")
    for fn in ("lr_lambda", "scale_fn"):
        if fn in params and params[fn] is not None and not callable(params[fn]):
            raise ValueError(f"{cls.__name__}: {fn}={params[fn]!r} must be a function of the epoch.")
    _check_together(cls.__name__, params)


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _check_together(name: str, params: dict) -> None:
    """Rules between parameters: CyclicLR's base_lr <= max_lr; a LambdaLR's or MultiplicativeLR's lr_lambda a
    finite number >= 0 on the first steps (the rest of the curve is checked by ``preview``)."""
    if name == "CyclicLR" and "base_lr" in params and "max_lr" in params:
        base, top = _as_list(params["base_lr"]), _as_list(params["max_lr"])
        pairs = zip(base, top, strict=True) if len(base) == len(top) else [(b, m) for b in base for m in top]
        if any(b > m for b, m in pairs):
            raise ValueError(f"CyclicLR: base_lr={params['base_lr']!r} is above max_lr={params['max_lr']!r}; base_lr "
                             "must be <= max_lr (the LR cycles from base_lr up to max_lr).")
    if name in ("LambdaLR", "MultiplicativeLR") and "lr_lambda" in params:
        for fn in _as_list(params["lr_lambda"]):
            for epoch in (0, 1) if name == "LambdaLR" else (1,):
                _check_factor(name, fn, epoch)


def _check_factor(name: str, fn, epoch: int) -> None:
    try:
        value = fn(epoch)
    except Exception as err:  # noqa: BLE001 - the learner's function fails: say which and where
        raise ValueError(f"{name}: lr_lambda({epoch}) raised {type(err).__name__}: {err}; lr_lambda must return a "
                         "finite number >= 0 for every epoch.") from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name}: lr_lambda({epoch}) returns {value!r}; lr_lambda must return a finite number >= 0 "
                         "(the LR is the initial LR times it).")


def _check_with_optimizer(name: str, optimizer, params: dict) -> None:
    """Rules that need the optimizer: eta_min not above its LR; a gamma that keeps the LR within MAX_LR; one value
    per param group in a list; SequentialLR/ChainedScheduler's schedulers built on it, one more than the
    milestones."""
    lrs = [g.get("initial_lr", g["lr"]) for g in optimizer.param_groups]
    if name in ("StepLR", "MultiStepLR", "ExponentialLR") and params.get("gamma", 0) * max(lrs) > MAX_LR:
        raise ValueError(f"{name}: gamma={params['gamma']!r} takes the LR ({max(lrs):g}) above {MAX_LR:g} at its "
                         f"first step; gamma must keep the LR <= {MAX_LR:g} (gamma < 1 lowers it).")
    for key, value in params.items():
        if key in ("min_lr", "max_lr", "base_lr") and isinstance(value, (list, tuple)) and len(value) != len(lrs):
            raise ValueError(f"{name}: {key}={value!r} holds {len(value)} values; {key} must hold one per param group "
                             f"({len(lrs)}), or be one number.")
    if name in ("CosineAnnealingLR", "CosineAnnealingWarmRestarts") and "eta_min" in params:
        if any(params["eta_min"] > lr for lr in lrs):
            raise ValueError(f"{name}: eta_min={params['eta_min']!r} is above the optimizer's LR ({min(lrs):g}); "
                             "eta_min must be <= the LR: the cosine decays from the LR down to eta_min.")
    if name in ("SequentialLR", "ChainedScheduler") and "schedulers" in params:
        inside = params["schedulers"]
        if not isinstance(inside, (list, tuple)) or not inside:
            raise ValueError(f"{name}: schedulers={inside!r} must be a non-empty list of schedulers.")
        for i, s in enumerate(inside):
            if not hasattr(s, "step") or not hasattr(s, "optimizer"):
                raise ValueError(f"{name}: schedulers[{i}]={s!r} is not a scheduler.")
            if s.optimizer is not optimizer:
                raise ValueError(f"{name}: schedulers[{i}] ({type(s).__name__}) is built on another optimizer; "
                                 "schedulers must all be built on the optimizer given here.")
        if name == "SequentialLR" and len(params.get("milestones", ())) != len(inside) - 1:
            raise ValueError(f"SequentialLR: milestones={params.get('milestones')!r} must hold one milestone fewer "
                             f"than schedulers ({len(inside)} schedulers, so {len(inside) - 1} milestones).")


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
    _check_with_optimizer(cls.__name__, optimizer, params)
    return cls(optimizer=optimizer, **params)  # by keyword: ChainedScheduler takes schedulers first


OPTIMIZER_TYPES = ("sgd", "adam")


def dummy_optimizer(lr: float = 0.1, optimizer_type: str = "sgd") -> torch.optim.Optimizer:
    """An optimizer over one zero parameter with no gradient, for stepping a real scheduler without training.

    Args:
        lr (float, default 0.1): its initial LR, 0 < lr <= 10,000 (``MAX_LR``).
        optimizer_type (str, default "sgd"): "sgd" (momentum 0.9, which OneCycleLR and CyclicLR cycle) or "adam".

    Example::

        >>> dummy_optimizer(0.5, "adam").param_groups[0]["lr"]
        0.5
    """
    if not _AN_LR[0](lr):
        raise ValueError(f"lr={lr!r} is out of range; lr must be a number with 0 < lr <= {MAX_LR:g}.")
    if optimizer_type not in OPTIMIZER_TYPES:
        raise ValueError(f"optimizer_type={optimizer_type!r} must be 'sgd' or 'adam'.")
    param = torch.zeros(1, requires_grad=True)
    if optimizer_type == "sgd":
        return torch.optim.SGD([param], lr=lr, momentum=0.9)
    return torch.optim.Adam([param], lr=lr)


def _optimizers_named_in(fn) -> list[str]:
    """The names by which ``fn`` reaches an optimizer of the session: a global name its code (or a lambda inside it)
    loads, a variable it closes over, an argument bound by ``functools.partial``."""
    found = []
    if isinstance(fn, functools.partial):
        found += [repr(a) for a in (*fn.args, *fn.keywords.values()) if isinstance(a, torch.optim.Optimizer)]
        fn = fn.func
    code = getattr(fn, "__code__", None)
    if code is None:
        return found
    codes, names = [code], set()
    while codes:
        c = codes.pop()
        names |= {i.argval for i in dis.get_instructions(c) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
        codes += [k for k in c.co_consts if isinstance(k, types.CodeType)]
    space = getattr(fn, "__globals__", {})
    found += sorted(n for n in names if isinstance(space.get(n), torch.optim.Optimizer))
    for name, cell in zip(code.co_freevars, getattr(fn, "__closure__", None) or (), strict=False):
        with contextlib.suppress(ValueError):  # an empty cell
            if isinstance(cell.cell_contents, torch.optim.Optimizer):
                found.append(name)
    return found


def from_factory(factory, optimizer: torch.optim.Optimizer, name: str = "factory"):
    """``factory(optimizer)``, refused (a ``FactoryError`` naming ``name``) unless it is a scheduler built on
    ``optimizer`` itself.

    A factory that builds its scheduler on the session's real optimizer (``lambda opt: StepLR(optimizer, ...)``,
    ``optimizer`` rather than ``opt``) would step that optimizer's LR while it previews, and show a flat curve.
    When the factory names such an optimizer it is refused before it is called, so nothing is changed.

    Args:
        factory (callable): ``optimizer -> scheduler``.
        optimizer (torch.optim.Optimizer): the optimizer to build on (a ``dummy_optimizer``).
        name (str, default "factory"): the parameter's name, for the message.

    Example::

        >>> real = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> from_factory(lambda opt: lr_scheduler.StepLR(real, step_size=2), dummy_optimizer())
        Traceback (most recent call last):
        ...
        lrlab.schedules.FactoryError: factory uses the optimizer 'real' of your session: ...
    """
    if not callable(factory):
        raise FactoryError(f"{name}={factory!r} must be a function optimizer -> scheduler, e.g. "
                           "lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=10).")
    named = _optimizers_named_in(factory)
    if named:
        raise FactoryError(f"{name} uses the optimizer {named[0]!r} of your session: it must build its scheduler "
                           "on the optimizer it is given (lambda opt: StepLR(opt, ...)), or it would change "
                           f"{named[0]}'s LR. Nothing was called.")
    try:
        scheduler = factory(optimizer)
    except ValueError:  # lrlab.schedules.make's own checks, or PyTorch refusing the arguments: clear already
        raise
    except Exception as err:  # noqa: BLE001 - a TypeError from a wrong call, ...: name the factory
        raise FactoryError(f"{name}(optimizer) raised {type(err).__name__}: {err}; {name} must be a function "
                           "optimizer -> scheduler.") from None
    if not hasattr(scheduler, "step") or not hasattr(scheduler, "optimizer"):
        raise FactoryError(f"{name} must return a scheduler; it returned {type(scheduler).__name__}.")
    if scheduler.optimizer is not optimizer:
        raise FactoryError(f"{name} built its scheduler on another optimizer, not on the one it is given: write "
                           f"lambda opt: {type(scheduler).__name__}(opt, ...). That other optimizer's LR may have "
                           "been changed by building it.")
    try:
        check_built(scheduler, name)
    except ValueError as err:
        raise FactoryError(str(err)) from None
    return scheduler


def check_built(scheduler, name: str = "scheduler") -> None:
    """A ValueError naming ``name`` for a scheduler built directly from ``torch.optim.lr_scheduler`` (not through
    ``make``) with values that make no schedule: ConstantLR's factor 0, a gamma that is 0, negative or infinite,
    CyclicLR's base_lr above its max_lr, CosineAnnealingLR's eta_min above the LR. Read from the object's own
    attributes; children of SequentialLR are the caller's to pass.

    Example::

        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> check_built(lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=0.5))
        Traceback (most recent call last):
        ...
        ValueError: scheduler: CosineAnnealingLR's eta_min (0.5) is above its LR (0.1): ...
    """
    kind = type(scheduler).__name__
    factor, gamma = getattr(scheduler, "factor", None), getattr(scheduler, "gamma", None)
    if kind == "ConstantLR" and not _real(0, 1)[0](factor):
        raise ValueError(f"{name}: ConstantLR's factor ({factor!r}) must be a number with 0 < factor <= 1 (PyTorch "
                         "divides by it when the constant phase ends).")
    if kind in ("StepLR", "MultiStepLR", "ExponentialLR") and not _POSITIVE[0](gamma):
        raise ValueError(f"{name}: {kind}'s gamma ({gamma!r}) must be a finite number > 0.")
    if kind == "CyclicLR" and any(b > m for b, m in zip(scheduler.base_lrs, scheduler.max_lrs, strict=False)):
        raise ValueError(f"{name}: CyclicLR's base_lr ({scheduler.base_lrs}) is above its max_lr "
                         f"({scheduler.max_lrs}); base_lr must be <= max_lr.")
    if kind in ("CosineAnnealingLR", "CosineAnnealingWarmRestarts") and any(
            scheduler.eta_min > lr for lr in scheduler.base_lrs):
        raise ValueError(f"{name}: {kind}'s eta_min ({scheduler.eta_min:g}) is above its LR "
                         f"({min(scheduler.base_lrs):g}): eta_min must be <= the LR, the cosine decays down to it.")


def _require_lr_curve(out: dict, label: str) -> None:
    """A FactoryError when a previewed LR is NaN, infinite or negative: no schedule gives that."""
    for k, value in enumerate(out["lr"]):
        if not math.isfinite(value) or value < 0:
            raise FactoryError(f"{label}: the LR at step {k + 1} (epoch {out['step_epoch'][k]:g}) is {value!r}; an "
                               "LR must be a finite number >= 0 (a LambdaLR's lr_lambda returning NaN or a negative?)"
                               ".")


def _require_metrics(metrics, needed: int) -> list:
    if isinstance(metrics, (str, bytes)) or not isinstance(metrics, Sequence) or len(metrics) < needed:
        got = ("no metrics" if metrics is None else f"{len(metrics)} metrics" if isinstance(metrics, Sequence)
               else repr(metrics))
        raise ValueError(f"metrics: ReduceLROnPlateau needs one value per scheduler step ({needed}); got {got}.")
    for i, m in enumerate(metrics[:needed]):
        if isinstance(m, bool) or not isinstance(m, numbers.Real) or not math.isfinite(m):
            raise ValueError(f"metrics[{i}]={m!r} is not a finite number; metrics must be finite numbers.")
    return list(metrics)


def preview(factory, num_epochs: int, steps_per_epoch: int = 1, *, step_on: str = "epoch",
            lr: float = 0.1, metrics: Sequence[float] | None = None, optimizer_type: str = "sgd",
            **params) -> dict:
    """The LR curve of a real PyTorch scheduler, without any training.

    The scheduler runs on a dummy parameter: each step calls ``optimizer.step()`` (a no-op, there is
    no gradient) and then ``scheduler.step()``, exactly as a training loop does.

    Args:
        factory (callable or str): ``optimizer -> scheduler`` (e.g. ``lambda opt: make("StepLR", opt,
            step_size=3)``), or a scheduler name with its parameters given as ``**params``.
        num_epochs (int): epochs to preview, 1 to 10,000 (``MAX_EPOCHS``).
        steps_per_epoch (int, default 1): optimizer steps (mini-batches) per epoch, >= 1; num_epochs x
            steps_per_epoch at most 100,000 (``MAX_STEPS``: a preview that long takes about 15 s).
        step_on (str, default "epoch"): step the scheduler after every "epoch" or every "batch".
        lr (float, default 0.1): the optimizer's initial LR, 0 < lr <= 10,000.
        metrics (sequence of float, optional): what ReduceLROnPlateau is given at each scheduler
            step (one value per epoch, or per batch with step_on="batch"). Required for it.
        optimizer_type (str, default "sgd"): "sgd" (momentum 0.9) or "adam"; matters for the momentum
            that OneCycleLR and CyclicLR cycle.
        **params: the scheduler's own arguments, when ``factory`` is a name.

    Returns:
        dict of lists, one entry per optimizer step: ``step_epoch`` (fractional epoch at which the step
        starts, as in ``History.step_epoch``), ``lr`` (LR of param group 0 used by that step) and ``momentum``
        (SGD momentum or Adam beta1 at that step).

    Raises:
        ValueError: an argument out of range; ``FactoryError`` (a ValueError) for a factory that is not
            ``optimizer -> scheduler``, builds on another optimizer (the session's real one), or gives an LR that
            is NaN, infinite or negative anywhere on the curve.

    Example::

        >>> preview("ExponentialLR", num_epochs=4, gamma=0.5)["lr"]   # 0.1, 0.05, 0.025, 0.0125
        [0.1, 0.05, 0.025, 0.0125]
    """
    # 1. the counts and the settings, then the real scheduler on a dummy optimizer
    require_steps(num_epochs, steps_per_epoch)
    if step_on not in ("epoch", "batch"):
        raise ValueError(f"step_on={step_on!r} must be 'epoch' or 'batch'.")
    opt = dummy_optimizer(lr, optimizer_type)
    if isinstance(factory, str):
        scheduler = make(factory, opt, **params)
    elif callable(factory):
        if params:
            raise ValueError(f"params {sorted(params)} were given with a factory: give scheduler parameters either "
                             "to the factory or as **params with a name.")
        scheduler = from_factory(factory, opt)
    else:
        raise ValueError(f"factory={factory!r} must be a scheduler name or a function optimizer -> scheduler")
    is_plateau = isinstance(scheduler, lr_scheduler.ReduceLROnPlateau)
    n_sched_steps = num_epochs * steps_per_epoch if step_on == "batch" else num_epochs
    if is_plateau:
        metrics = _require_metrics(metrics, n_sched_steps)
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
                        raise ValueError(f"factory: {type(scheduler).__name__} refused step {k + 1} "
                                         f"(epoch {epoch}) of the {n_sched_steps} previewed: {err}") from None
                    except Exception as err:  # noqa: BLE001 - e.g. ConstantLR(factor=0) divides by zero
                        raise FactoryError(f"factory: {type(scheduler).__name__} failed at step {k + 1} (epoch "
                                           f"{epoch}): {type(err).__name__}: {err}") from None
                    k += 1
    # 2. a curve no schedule gives: NaN, inf or a negative LR
    _require_lr_curve(out, f"factory={factory!r}" if isinstance(factory, str) else "factory")
    return out


def require_steps(num_epochs, steps_per_epoch=1) -> int:
    """``num_epochs x steps_per_epoch`` if both are counts within lrlab's bounds (1 to ``MAX_EPOCHS`` epochs, a
    total of at most ``MAX_STEPS`` steps), else a ValueError naming the count.

    Example::

        >>> require_steps(10**9)
        Traceback (most recent call last):
        ...
        ValueError: num_epochs=1000000000 is out of range; num_epochs must be an integer with 1 <= num_epochs <= 10,000.
    """
    for key, value, top in (("num_epochs", num_epochs, MAX_EPOCHS), ("steps_per_epoch", steps_per_epoch, MAX_STEPS)):
        if not _count(1)[0](value) or value > top:
            raise ValueError(f"{key}={value!r} is out of range; {key} must be an integer with 1 <= {key} <= {top:,}.")
    if num_epochs * steps_per_epoch > MAX_STEPS:
        raise ValueError(f"num_epochs x steps_per_epoch = {num_epochs:,} x {steps_per_epoch:,} is out of range; "
                         f"num_epochs x steps_per_epoch must be <= {MAX_STEPS:,} steps.")
    return num_epochs * steps_per_epoch


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
    # 2. the children's arguments, all before any scheduler is built (building one changes the optimizer's LR)
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    check_params("LinearLR", start_factor=start_factor, end_factor=1.0, total_iters=warmup)
    check_params("CosineAnnealingLR", T_max=total - warmup, eta_min=eta_min)
    _check_with_optimizer("CosineAnnealingLR", optimizer, {"eta_min": eta_min})
    # 3. the real schedulers: LinearLR for the warmup, CosineAnnealingLR for what is left, in sequence
    ramp = make("LinearLR", optimizer, start_factor=start_factor, end_factor=1.0, total_iters=warmup)
    decay = make("CosineAnnealingLR", optimizer, T_max=total - warmup, eta_min=eta_min)
    return make("SequentialLR", optimizer, schedulers=[ramp, decay], milestones=[warmup])

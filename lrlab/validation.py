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

import torch
from torch import nn


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


def _bounds(name, low, high, low_open, high_open) -> str:
    lo_op, hi_op = "<" if low_open else "<=", "<" if high_open else "<="
    if low is not None and high is not None:
        return f" with {low:g} {lo_op} {name} {hi_op} {high:g}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high:g}"
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
    if not hasattr(scheduler, "state_dict") or not hasattr(scheduler, "get_last_lr"):
        raise ValueError(f"scheduler must be a torch.optim.lr_scheduler object, got {_kind(scheduler)}.")
    if getattr(scheduler, "optimizer", None) is not optimizer:
        raise ValueError("scheduler must be built on the optimizer given here (scheduler.optimizer is a "
                         "different object).")

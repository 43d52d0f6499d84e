"""What the explorers of ``lrlab.widgets`` run, with no widget in sight: plain data in, plain data out.

- ``lr_cuts(history)`` (from ``lrlab.train``): the epochs after which the scheduler lowered the LR.
- ``PLATEAU``, ``STEP``, ``PREVIEW``: every explorer parameter's control and range; ``require_control`` raises
  the ValueError for a value outside it.
- ``train_run(...)`` -> ``History`` (the real scheduler through ``lrlab.fit``) and ``preview_run(...)`` -> dict
  (``lrlab.schedules.preview``).

The explorers draw these with ``lrlab.plots.TrainingFigure`` and ``CurveFigure``.

Example::

    >>> h = train_run(lrlab.data.wine(), "StepLR", {"step_size": 2, "gamma": 0.5}, lr=0.1, num_epochs=5)
    >>> h.epoch_lr                 # 0.1, 0.05, 0.05, 0.025, 0.025
    [0.1, 0.05, 0.05, 0.025, 0.025]
    >>> lr_cuts(h)                 # the LR was lowered after epochs 2 and 4
    [2, 4]
"""

from __future__ import annotations

import contextlib
import inspect

import torch

from . import models, schedules, validation
from .train import fit, lr_cuts  # noqa: F401 - lr_cuts is part of what the explorers use from here

# --- 1. parameter ranges: ("int", lo, hi) | ("float", lo, hi, step) | ("log", lo, hi) | ("choice", options)
#        | ("text",). A slider cannot leave its range; a value given in code outside it is a ValueError.
PLATEAU = {
    "lr": ("log", 1e-3, 1.0), "factor": ("float", 0.05, 0.95, 0.05), "patience": ("int", 0, 30),
    "threshold": ("log", 1e-5, 1e-1), "cooldown": ("int", 0, 20), "min_lr": ("choice", (0.0, 1e-5, 1e-4, 1e-3)),
    "mode": ("choice", (("min (validation loss)", "min"), ("max (validation accuracy)", "max"))),
}
STEP = {"scheduler": ("choice", ("StepLR", "ExponentialLR")), "lr": ("log", 1e-3, 1.0),
        "gamma": ("float", 0.05, 1.0, 0.01), "step_size": ("int", 1, 50)}
# Schedule explorer: the range, and the value used when the scheduler's own default is outside it (or absent).
PREVIEW = {
    "step_size": (("int", 1, 50), 10), "milestones": (("text",), "30, 60, 80"),
    "gamma": (("float", 0.05, 1.0, 0.01), 0.5), "factor": (("float", 0.05, 1.0, 0.05), 0.5),
    "start_factor": (("float", 0.05, 1.0, 0.05), 0.25), "end_factor": (("float", 0.0, 1.0, 0.05), 1.0),
    "total_iters": (("int", 1, 100), 5), "power": (("float", 0.0, 5.0, 0.1), 1.0), "T_max": (("int", 1, 100), 50),
    "T_0": (("int", 1, 50), 10), "T_mult": (("int", 1, 4), 1),
    "eta_min": (("choice", (0.0, 1e-5, 1e-4, 1e-3, 1e-2)), 0.0), "base_lr": (("log", 1e-5, 1.0), 1e-3),
    "max_lr": (("log", 1e-4, 1.0), 0.1), "step_size_up": (("int", 1, 500), 100),
    "mode": (("choice", ("triangular", "triangular2", "exp_range")), "triangular"),
    "pct_start": (("float", 0.05, 0.95, 0.05), 0.3), "anneal_strategy": (("choice", ("cos", "linear")), "cos"),
    "div_factor": (("log", 1.0, 1e4), 25.0), "final_div_factor": (("log", 1.0, 1e6), 1e4),
}


def require_control(where: str, name: str, spec: tuple, value) -> None:
    """ValueError naming ``name``, ``value`` and the range of ``spec`` when ``value`` is outside it.

    Args:
        where (str): who asks, for the message (the explorer's class name; "" for none).
        name (str): the parameter.
        spec (tuple): its control and range, as in ``PLATEAU``, ``STEP`` and ``PREVIEW``.
        value: what was given.

    Example::

        >>> require_control("PlateauExplorer", "patience", PLATEAU["patience"], 40)
        Traceback (most recent call last):
        ...
        ValueError: PlateauExplorer: patience=40 is out of range; patience must be an integer with 0 <= patience <= 30.
    """
    kind = spec[0]
    if kind == "choice":
        validation.require_one_of(name, value, [o[1] if isinstance(o, tuple) else o for o in spec[1]], where=where)
    elif kind == "text":
        if not isinstance(value, str):
            raise ValueError(f"{where}: {name}={value!r} must be text such as '30, 60, 80'.")
    elif kind == "int":
        validation.require_int(name, value, spec[1], spec[2], where=where)
    else:  # a slider's own rounding may land a hair outside its range
        validation.require_real(name, value, spec[1], spec[2], where=where, slack=1e-9)


def require_run_settings(where: str, data, num_epochs, optimizer_type, seed) -> None:
    """ValueError for a training explorer's fixed arguments (the controls are checked by ``require_control``)."""
    if data is not None and getattr(data, "name", None) not in ("wine", "digits", "mnist"):
        raise ValueError(f"{where}: data={data!r} must be lrlab.data.wine(), digits() or mnist() (None: wine).")
    require_control(where, "num_epochs", ("int", 1, 1000), num_epochs)
    validation.require_one_of("optimizer_type", optimizer_type, schedules.OPTIMIZER_TYPES, where=where,
                              note=" (Adam, or SGD with momentum 0.9)")
    validation.require_int("seed", seed, where=where)


def require_previewable(name, values: dict, num_epochs, steps_per_epoch) -> str:
    """ValueError unless ``name`` is previewable and ``values`` are among its controls; returns its class name."""
    for key, value in (("num_epochs", num_epochs), ("steps_per_epoch", steps_per_epoch)):
        require_control("ScheduleExplorer", key, ("int", 1, 1000), value)
    name, offered = schedules.get_class(name).__name__, previewable()
    if name not in offered:
        raise ValueError(f"name={name!r} cannot be explored here (it needs a function, other schedulers or a "
                         f"metric); name must be one of {', '.join(offered)}.")
    for key in values:
        if key != "lr" and key not in offered[name]:
            raise ValueError(f"ScheduleExplorer: {name} has no control {key!r}; a control must be one of "
                             f"lr, {', '.join(offered[name])}.")
    return name


def previewable() -> dict[str, list[str]]:
    """Schedulers whose every required parameter has a control (all but LambdaLR, MultiplicativeLR,
    SequentialLR, ChainedScheduler; ReduceLROnPlateau needs a metric) -> the names of their controls."""
    offered = {}
    for name in schedules.available():
        sig = inspect.signature(schedules.get_class(name).__init__).parameters.values()
        needed = [p.name for p in sig if p.default is inspect.Parameter.empty and p.name not in ("self", "optimizer")]
        if name != schedules.PLATEAU and all(p in PREVIEW for p in needed):
            offered[name] = [p.name for p in sig if p.name in PREVIEW]
    return offered


def preview_defaults(name: str) -> dict:
    """Every PREVIEW control's value for scheduler ``name``: its own default where the control can show it."""
    sig = inspect.signature(schedules.get_class(name).__init__).parameters
    out = {}
    for key, (spec, fallback) in PREVIEW.items():
        own = sig[key].default if key in sig else None
        try:
            require_control("", key, spec, own)
            out[key] = own
        except ValueError:
            out[key] = fallback
    return out


# --- 2. runs: the real scheduler, by name, through lrlab.fit or lrlab.schedules.preview ----------------------
@contextlib.contextmanager
def one_thread():
    """Run torch on one thread: tiny full-batch models gain nothing from more, and on a busy 2-core machine
    competing threads made a 100-epoch Wine run 40x slower (13 s instead of 0.3 s)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


def train_run(data, name: str, sched_params: dict, *, lr: float, num_epochs: int, optimizer_type: str = "adam",
              seed: int = 0, monitor: str = "val_loss"):
    """Train the course's model for ``data`` (WineMLP for wine, SmallCNN otherwise) on the CPU with the real
    scheduler ``name``; returns the ``History``.

    Args:
        data (lrlab.data.Data): wine trains a WineMLP, digits or mnist a SmallCNN.
        name (str): a scheduler in ``torch.optim.lr_scheduler``.
        sched_params (dict): its arguments (checked by ``schedules.make``).
        lr (float): the initial LR.
        num_epochs (int): epochs to train.
        optimizer_type (str, default "adam"): "adam", or "sgd" (momentum 0.9).
        seed (int, default 0): the model's and ``fit``'s seed.
        monitor (str, default "val_loss"): what a ReduceLROnPlateau is given.
    """
    validation.require_one_of("optimizer_type", optimizer_type, schedules.OPTIMIZER_TYPES)
    # 1. model, optimizer and the real scheduler (its arguments checked by schedules.make)
    model = models.WineMLP(seed=seed) if data.name == "wine" else models.SmallCNN(seed=seed)
    if optimizer_type == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    scheduler = schedules.make(name, opt, **sched_params)
    # 2. lrlab.fit, quietly (a divergence is reported in History.stopped)
    with one_thread():
        return fit(model, opt, scheduler, data, num_epochs=num_epochs, monitor=monitor, seed=seed, verbose=False)


def preview_run(name: str, params: dict, *, lr: float, num_epochs: int, steps_per_epoch: int = 10) -> dict:
    """``schedules.preview`` of ``name``: OneCycleLR and CyclicLR stepped per batch (``steps_per_epoch`` of
    them an epoch, OneCycleLR's total_steps filled in), the others per epoch. milestones may be text."""
    kw = dict(params)
    if isinstance(kw.get("milestones"), str):
        try:
            kw["milestones"] = [int(s) for s in kw["milestones"].replace(",", " ").split()]
        except ValueError:
            raise ValueError(f"milestones={params['milestones']!r} must be whole numbers, e.g. '30, 60, 80'.") from None
    batch = name in schedules.PER_BATCH
    spe = steps_per_epoch if batch else 1
    if name == "OneCycleLR":
        kw["total_steps"] = num_epochs * spe
    return schedules.preview(name, num_epochs, spe, step_on="batch" if batch else "epoch", lr=lr, **kw)

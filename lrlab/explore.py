"""What the explorers of ``lrlab.widgets`` run, with no widget in sight: plain data in, plain data out.

- ``lr_cuts(history)`` (from ``lrlab.train``): the epochs after which the scheduler lowered the LR.
- ``PLATEAU``, ``STEP``, ``PREVIEW``: every explorer parameter's control and range; ``require_control`` raises
  the ValueError for a value outside it.
- ``train_run(...)`` -> ``History`` (the real scheduler through ``lrlab.fit``, from scratch) and
  ``preview_run(...)`` -> dict (``lrlab.schedules.preview``).
- ``Trainer``: the same Histories as ``train_run``, bit for bit, but each run is kept epoch by epoch, so a new
  scheduler setting resumes from the first epoch whose LR it changes (``KEPT``: every Trainer's kept runs,
  within ``STATE_BUDGET`` bytes).

The explorers draw these with ``lrlab.plots.TrainingFigure`` and ``CurveFigure``.

Example::

    >>> h = train_run(lrlab.data.wine(), "StepLR", {"step_size": 2, "gamma": 0.5}, lr=0.1, num_epochs=5)
    >>> h.epoch_lr                 # 0.1, 0.05, 0.05, 0.025, 0.025
    [0.1, 0.05, 0.05, 0.025, 0.025]
    >>> lr_cuts(h)                 # the LR was lowered after epochs 2 and 4
    [2, 4]
"""

from __future__ import annotations

import collections
import contextlib
import copy
import inspect
import itertools
import math
import threading
import weakref

import torch
from torch import nn
from torch.optim import lr_scheduler
from torch.utils.data import DataLoader, RandomSampler

from . import models, schedules, validation
from .train import History, _FitRun, fit, lr_cuts, train_epoch  # noqa: F401 - lr_cuts: the explorers use it

# fit's own default: a resumed run stops on a diverged loss exactly where a run through fit does
DIVERGE_THRESHOLD = inspect.signature(fit).parameters["diverge_threshold"].default

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


def make_model(data, seed: int = 0):
    """The course's model for ``data``: a WineMLP for wine, a SmallCNN for digits and mnist, seeded."""
    return models.WineMLP(seed=seed) if data.name == "wine" else models.SmallCNN(seed=seed)


def make_optimizer(model, optimizer_type: str, lr: float) -> torch.optim.Optimizer:
    """Adam, or SGD with momentum 0.9, on ``model``'s parameters: the explorers' optimizers, built one way for a
    run from scratch and a resumed one. PyTorch's fused implementation where it has one (the same update in one
    call per step instead of a Python loop over the parameters: a third of a Wine epoch's time); the last bits
    of the numbers may differ from the default implementation's, never between two runs here."""
    cls, kw = (torch.optim.Adam, {}) if optimizer_type == "adam" else (torch.optim.SGD, {"momentum": 0.9})
    try:
        return cls(model.parameters(), lr=lr, fused=True, **kw)
    except (RuntimeError, TypeError, ValueError):  # a torch, device or dtype without the fused kernel
        return cls(model.parameters(), lr=lr, **kw)


def train_run(data, name: str, sched_params: dict, *, lr: float, num_epochs: int, optimizer_type: str = "adam",
              seed: int = 0, monitor: str = "val_loss"):
    """Train the course's model for ``data`` (WineMLP for wine, SmallCNN otherwise) on the CPU with the real
    scheduler ``name``, from scratch through ``lrlab.fit``; returns the ``History``. ``Trainer.run`` gives the
    same History, bit for bit, resuming from a kept run where it can.

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
    model = make_model(data, seed)
    opt = make_optimizer(model, optimizer_type, lr)
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


# --- 3. runs kept epoch by epoch: a new setting resumes where its LR first differs from a kept run's ---------
STATE_BUDGET = 12 * 2**20  # bytes of kept runs (epoch states and histories), every Trainer together
CANDIDATES = 8  # kept runs (same initial LR, most recent first) replayed to find the longest shared start


class Cancelled(Exception):
    """A run stopped between two epochs because its ``between_epochs`` callback returned False."""


def history_bytes(h: History) -> int:
    """About what ``h``'s lists take in memory: a float and its list slot (32 bytes), a list of LRs (100)."""
    return 32 * (len(h.lr) + len(h.loss) + len(h.step_epoch) + 5 * len(h.train_loss)) + 100 * (len(h.lrs) + len(
        h.epoch_lrs))


class _Epoch:
    """The state at the start of one epoch: model, optimizer state, the loader's generator, steps taken so far.
    The tensors are copied into one flat tensor per dtype (a few KB for WineMLP with Adam)."""

    __slots__ = ("layout", "flats", "values", "generator", "steps", "nbytes")

    def restore(self, model, optimizer, generator) -> None:
        """Put this state into ``model``, ``optimizer`` (built the same way) and the loader's ``generator``."""
        offsets, views = dict.fromkeys(self.flats, 0), {}
        for where, dtype, shape in self.layout:
            n, start = math.prod(shape), offsets[dtype]
            views[where], offsets[dtype] = self.flats[dtype][start:start + n].view(shape), start + n
        with torch.no_grad():
            for k, t in enumerate(itertools.chain(model.parameters(), model.buffers())):
                t.copy_(views["m", k])
        params = [p for group in optimizer.param_groups for p in group["params"]]
        for k, p in enumerate(params):
            state = {w[2]: v.clone() for w, v in views.items() if w[0] == "o" and w[1] == k}
            state.update({w[2]: copy.deepcopy(v) for w, v in self.values.items() if w[0] == "o" and w[1] == k})
            if state:
                optimizer.state[p] = state
        if generator is not None:
            generator.set_state(self.generator)


class _Snapshots:
    """Takes an ``_Epoch`` of one run's model, optimizer and generator. Which tensors to copy, and their layout,
    is worked out again only when the optimizer's state gains entries (at its first step)."""

    def __init__(self, model, optimizer, generator):
        self.tensors = [*model.parameters(), *model.buffers()]
        self.params = [p for group in optimizer.param_groups for p in group["params"]]
        self.optimizer, self.generator, self.entries = optimizer, generator, -1

    def _relayout(self) -> None:
        state = self.optimizer.state
        found = [(("m", k), t) for k, t in enumerate(self.tensors)]
        found += [(("o", k, key), value) for k, p in enumerate(self.params) for key, value in state.get(p, {}).items()]
        self.slots = [(state[self.params[w[1]]], w[2]) for w, v in found if w[0] == "o" and torch.is_tensor(v)]
        self.others = [w for w, v in found if not torch.is_tensor(v)]
        self.layout = tuple((w, v.dtype, tuple(v.shape)) for w, v in found if torch.is_tensor(v))
        self.dtypes = [dtype for _, dtype, _ in self.layout]
        self.one_dtype = len(set(self.dtypes)) == 1
        self.cached, self.flat_views = [], []

    def take(self, steps: int, previous: _Epoch | None) -> _Epoch:
        state = self.optimizer.state
        entries = sum(len(state[p]) for p in self.params if p in state)
        if entries != self.entries:  # the first steps: a new layout
            self.entries = entries
            self._relayout()
        values = self.tensors + [d[key] for d, key in self.slots]
        if len(values) != len(self.cached) or any(v is not c for v, c in zip(values, self.cached, strict=True)):
            # flat views of the tensors, made once: an optimizer updates its state in place, the same tensors
            self.cached, self.flat_views = values, [v.detach().reshape(-1) for v in values]
        epoch = _Epoch()
        epoch.layout = previous.layout if previous is not None and previous.layout == self.layout else self.layout
        if self.one_dtype:
            epoch.flats = {self.dtypes[0]: torch.cat(self.flat_views)}
        else:
            epoch.flats = {d: torch.cat([v for v, vd in zip(self.flat_views, self.dtypes, strict=True) if vd == d])
                           for d in dict.fromkeys(self.dtypes)}
        epoch.values = {w: copy.deepcopy(state[self.params[w[1]]][w[2]]) for w in self.others}
        gen = None if self.generator is None else self.generator.get_state()
        same = previous is not None and gen is not None and torch.equal(previous.generator, gen)
        epoch.generator = previous.generator if same else gen  # full batch: none; else shared while unmoved
        epoch.steps = steps
        epoch.nbytes = sum(t.nbytes for t in epoch.flats.values()) + (0 if same or gen is None else gen.nbytes) + 400
        return epoch


class _Run:
    """A finished run: its History, the state at the start of each epoch it began (and at the end when it
    completed), and ``used``: the LR its epochs used (epoch 0 ... one after the last scheduler step)."""

    __slots__ = ("history", "epochs", "used", "nbytes")

    def __init__(self, history: History, epochs: list, sched_steps: int, lr: float):
        self.history, self.epochs = history, epochs
        self.used = [lr, *history.epoch_lr[:sched_steps]]
        self.nbytes = history_bytes(history)


class _Kept:
    """Every Trainer's kept runs, least recently used first, within ``STATE_BUDGET`` bytes. Runs share the
    states of the epochs they have in common; a state's bytes count once."""

    def __init__(self):
        self.lock, self.runs, self.refs, self.bytes = threading.Lock(), collections.OrderedDict(), {}, 0

    def get(self, owner: int, key):
        with self.lock:
            run = self.runs.get((owner, key))
            if run is not None:
                self.runs.move_to_end((owner, key))
            return run

    def candidates(self, owner: int, lr: float) -> list:
        with self.lock:
            found = [run for (o, key), run in reversed(self.runs.items()) if o == owner and key[2] == lr]
        return found[:CANDIDATES]

    def add(self, owner: int, key, run: _Run) -> None:
        with self.lock:
            if (owner, key) in self.runs:
                return
            self.runs[owner, key] = run
            self._count(run, +1)
            while self.bytes > STATE_BUDGET and len(self.runs) > 1:
                self._count(self.runs.popitem(last=False)[1], -1)

    def drop(self, owner: int) -> None:
        """Forget every run of ``owner`` (a Trainer that is gone)."""
        with self.lock:
            for k in [k for k in self.runs if k[0] == owner]:
                self._count(self.runs.pop(k), -1)

    def _count(self, run: _Run, sign: int) -> None:
        self.bytes += sign * run.nbytes
        for state in run.epochs:
            entry = self.refs.setdefault(id(state), [state, 0])
            entry[1] += sign
            if entry[1] == (1 if sign > 0 else 0):
                self.bytes += sign * state.nbytes
            if entry[1] == 0:
                del self.refs[id(state)]


KEPT = _Kept()
_owners = itertools.count()


class Trainer:
    """Runs of one model, data, optimizer, seed and length, each kept epoch by epoch, so that a run with another
    scheduler setting starts from the last epoch it shares with a kept run.

    Two settings train identically until the first epoch whose LR differs. For a new setting, its scheduler is
    replayed on a kept run's metrics (on a dummy optimizer, as ``schedules.preview`` does) to find that epoch;
    the model, the optimizer, the loader's generator and the History are put back as they were at its start,
    the new scheduler gets the state the replay reached, and training goes on from there with ``train``'s own
    epoch functions. The History is the one ``train_run`` gives from scratch, bit for bit (tests/test_explore.py
    checks every control of every explorer). A new initial LR trains from scratch.

    Nothing of the learner's is touched: the loader is a copy with its own generator, torch's global generator
    is not used (the course's models draw no random numbers while training), and each Trainer's model is built
    once, here. Runs may be asked for from two threads (an explorer's and its background thread).

    Args:
        data (lrlab.data.Data): wine, digits or mnist.
        num_epochs (int): epochs per run.
        optimizer_type (str, default "adam"): "adam" or "sgd" (momentum 0.9).
        seed (int, default 0): the model's seed, and the loader's shuffling.

    Example::

        >>> t = Trainer(lrlab.data.wine(), num_epochs=30)
        >>> h = t.run("StepLR", {"step_size": 10, "gamma": 0.5}, lr=0.1)
        >>> t.last_start, h.epoch_lr[8:11]        # from scratch; the LR halves after epoch 10
        (0, [0.1, 0.05, 0.05])
        >>> h2 = t.run("StepLR", {"step_size": 10, "gamma": 0.2}, lr=0.1)
        >>> t.last_start                          # the same 10 epochs, then another LR: resumed at epoch 10
        10
        >>> h2 == train_run(lrlab.data.wine(), "StepLR", {"step_size": 10, "gamma": 0.2}, lr=0.1, num_epochs=30)
        True
    """

    def __init__(self, data, num_epochs: int, optimizer_type: str = "adam", seed: int = 0):
        validation.require_int("num_epochs", num_epochs, 1, 1000)
        validation.require_one_of("optimizer_type", optimizer_type, schedules.OPTIMIZER_TYPES)
        validation.require_int("seed", seed)
        self.data, self.num_epochs, self.optimizer_type, self.seed = data, num_epochs, optimizer_type, seed
        self._model = make_model(data, seed)  # built here, once: copies of it train (never torch's generator)
        self._owner, self._local = next(_owners), threading.local()
        weakref.finalize(self, KEPT.drop, self._owner)

    @property
    def last_start(self):
        """The epoch this thread's last ``run`` started training from: 0 from scratch, ``num_epochs`` when it
        trained nothing (a kept run with the same LRs); None before any run."""
        return getattr(self._local, "start", None)

    # 1. the kept run that shares the longest start with a new setting
    def _replay(self, run: _Run, cls: type, params: dict, lr: float, monitor: str):
        """``(epoch, scheduler state, LR)``: the first epoch whose LR differs from ``run``'s, with the new
        scheduler's (``cls(**params)``, checked already) state and LR at its start; None when every epoch ``run``
        trained has the same LR."""
        opt = schedules.dummy_optimizer(lr, self.optimizer_type)
        scheduler = cls(optimizer=opt, **params)
        opt.step()  # a no-op (no gradient), as the first training step is before the first scheduler step
        plateau = isinstance(scheduler, lr_scheduler.ReduceLROnPlateau)
        metrics = getattr(run.history, monitor)
        if opt.param_groups[0]["lr"] != run.used[0]:
            return 0, None, None
        for epoch in range(len(run.used) - 1):
            scheduler.step(metrics[epoch]) if plateau else scheduler.step()
            new = opt.param_groups[0]["lr"]
            if new != run.used[epoch + 1]:
                return epoch + 1, scheduler.state_dict(), new
        return None

    # 2. a run: from a kept state, or from scratch
    def run(self, name: str, params: dict, *, lr: float, monitor: str = "val_loss", between_epochs=None) -> History:
        """The History of a run with scheduler ``name(**params)`` and initial ``lr`` (as ``train_run`` gives).

        Args:
            name (str): a scheduler stepped once an epoch ("StepLR", "ExponentialLR", "ReduceLROnPlateau", ...).
            params (dict): its arguments.
            lr (float): the initial LR.
            monitor (str, default "val_loss"): what a ReduceLROnPlateau is given ("val_acc" with mode="max").
            between_epochs (callable, optional): ``epoch -> bool``, asked before each epoch trained; False
                stops the run with ``Cancelled`` (nothing is kept).
        """
        cls = type(schedules.make(name, schedules.dummy_optimizer(lr, self.optimizer_type), **params))  # checks
        key = (cls.__name__, tuple(sorted(params.items())), lr, monitor)
        found = KEPT.get(self._owner, key)
        if found is not None:
            self._local.start = self.num_epochs
            return found.history
        # 1. the kept run (same initial LR) that shares the most epochs with this setting
        best, seen = None, set()
        for run in KEPT.candidates(self._owner, lr):
            if id(run.epochs[-1]) in seen:  # the same run under another setting (its LRs were the same)
                continue
            seen.add(id(run.epochs[-1]))
            replay = self._replay(run, cls, params, lr, monitor)
            if replay is None:  # the same LR in every epoch: the same run (a History of its own)
                history = History(**{k: list(v) if isinstance(v, list) else v for k, v in vars(run.history).items()})
                KEPT.add(self._owner, key, _Run(history, run.epochs, len(run.used) - 1, lr))
                self._local.start = self.num_epochs
                return history
            if replay[0] > 0 and (best is None or replay[0] > best[1][0]):
                best = run, replay
        # 2. model, optimizer, scheduler, loader and History as they were at the start of that epoch
        model = copy.deepcopy(self._model)
        opt = make_optimizer(model, self.optimizer_type, lr)
        scheduler = cls(optimizer=opt, **params)
        train, val = self._loader(), self.data.val
        generator = getattr(train, "generator", None)
        if best is None:
            start, epochs, history = 0, [], History(device="cpu")
            if generator is not None:
                generator.manual_seed(self.seed)
        else:
            base, (start, sched_state, new_lr) = best
            scheduler.load_state_dict(sched_state)
            for group in opt.param_groups:
                group["lr"] = new_lr
            base.epochs[start].restore(model, opt, generator)
            epochs, history = base.epochs[:start + 1], self._history_until(base.history, base.epochs[start].steps,
                                                                          start, [g["lr"] for g in opt.param_groups])
        self._local.start = start
        # 3. train on, with fit's own epoch functions, keeping the state at the start of each epoch
        run = _FitRun(history, opt, scheduler, val, "epoch", monitor, DIVERGE_THRESHOLD, len(train))
        run.first_loss = history.loss[0] if history.loss else None
        criterion, sched_steps = nn.CrossEntropyLoss(), start
        snapshots = _Snapshots(model, opt, generator)
        model.train()
        with one_thread():
            for epoch in range(start, self.num_epochs):
                if epoch > start or not epochs:
                    epochs.append(snapshots.take(len(history.loss), epochs[-1] if epochs else None))
                if between_epochs is not None and not between_epochs(epoch):
                    raise Cancelled(f"stopped before epoch {epoch + 1}")
                run.epoch = epoch
                result = train_epoch(model, opt, criterion, train, accept=run.accept, on_batch=run.on_batch,
                                     device=run.device)
                if not run.end_epoch(model, criterion, result):
                    break
                sched_steps += 1
            else:
                epochs.append(snapshots.take(len(history.loss), epochs[-1]))
        KEPT.add(self._owner, key, _Run(history, epochs, sched_steps, lr))
        return history

    def _loader(self):
        """The training batches, with a generator of their own: the learner's loader is never moved or reseeded."""
        train = self.data.train
        if not isinstance(train, DataLoader):
            return train
        return DataLoader(train.dataset, batch_size=train.batch_size, shuffle=isinstance(train.sampler, RandomSampler),
                          drop_last=train.drop_last, generator=torch.Generator(), num_workers=0)

    @staticmethod
    def _history_until(h: History, steps: int, epoch: int, lrs: list) -> History:
        """``h`` as it was at the start of ``epoch`` (``steps`` optimizer steps), but with ``lrs`` as the LRs
        after the last scheduler step (the new setting's)."""
        return History(lr=h.lr[:steps], lrs=h.lrs[:steps], loss=h.loss[:steps], step_epoch=h.step_epoch[:steps],
                       epoch_lr=h.epoch_lr[:epoch - 1] + lrs[:1], epoch_lrs=h.epoch_lrs[:epoch - 1] + [lrs],
                       train_loss=h.train_loss[:epoch], train_acc=h.train_acc[:epoch], val_loss=h.val_loss[:epoch],
                       val_acc=h.val_acc[:epoch], device=h.device)

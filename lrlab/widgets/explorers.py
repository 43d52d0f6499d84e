"""Explorers: move a slider, a short real training reruns, and the LR and the loss are redrawn at once.

``plateau_explorer()`` (ReduceLROnPlateau), ``step_explorer()`` (StepLR / ExponentialLR) and
``schedule_explorer()`` (any scheduler's LR curve, no training). An explorer is an object: its controls are
attributes named after the parameters (``ex.factor.value = 0.5``), its last result is ``ex.last`` (a
``History``, or a ``schedules.preview`` dict). The runs live in ``lrlab.explore``, the figures in
``lrlab.plots`` (``TrainingFigure``, ``CurveFigure``): no maths here.

Why a move is quick:
- a training explorer resumes a kept run from the first epoch whose LR the new setting changes
  (``explore.Trainer``), with the same numbers as a run from scratch;
- results and their pictures are kept (``RESULTS``, a few MB for all explorers together), so going back to a
  setting is instant;
- in a notebook, while the learner looks, a background thread computes the settings one notch away on every
  control (``neighbours``): a move to one of them is a cache hit. A move never waits for that thread more than
  one epoch of its work: the thread pauses between epochs while the explorer computes, and while a notebook cell
  runs.

A slider move never raises: a setting the scheduler refuses, or anything that goes wrong, is said in the status
line in red, ``last`` is None, and the picture is replaced by an empty one that says so. A diverged run draws
what it has and says why.

Works with ipywidgets 7.7 (Colab) and 8, inline backend, no ipympl, no pyplot figure to close (the pictures come
from a few reused ``Figure`` objects shared by all explorers). Shown in a notebook, the output carries the live
widget and a PNG of the setting it was shown with: frontends without widgets (GitHub, nbconvert, a notebook
JupyterLab does not trust yet) show that picture instead, so there is always one plot, never two.

Example::

    >>> ex = plateau_explorer(factor=0.5, dpi=30)   # in a notebook, end the cell with `ex` to show it
    >>> ex.last.epoch_lr[:3]                  # 0.1, 0.1, 0.1: no cut in the first epochs
    [0.1, 0.1, 0.1]
    >>> ex.patience.value = 5                 # retrains (or takes the cache) and redraws
    >>> lr_cuts(ex.last)[0] <= 87             # a smaller patience never cuts later
    True
"""

from __future__ import annotations

import atexit
import base64
import collections
import contextlib
import functools
import html
import itertools
import math
import threading
import weakref

import ipywidgets as w
import torch

from .. import data as _data
from .. import explore, plots, schedules
from ..train import History, lr_cuts

__all__ = ["plateau_explorer", "step_explorer", "schedule_explorer", "lr_cuts", "Explorer", "PlateauExplorer",
           "StepExplorer", "ScheduleExplorer", "RESULTS", "BACKGROUND"]
RESULT_BUDGET = 12 * 2**20  # bytes of results and pictures kept, every explorer together; the oldest go first
FIGURES = 6  # reused figures kept (one per size and kind, for the explorer and for its background thread)
_tokens = itertools.count()


def _canonical(value):
    """A control's value with a float's last digits of noise removed (0.30000000000000004 -> 0.3, and
    10 ** -0.9 the same whichever way a browser computed it): the key of the result, and what trains."""
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.12g}")
    return value


def _key(params: dict) -> tuple:
    return tuple(sorted(params.items()))


def _in_kernel() -> bool:
    """True inside a Jupyter kernel, where a learner looks at the explorer (the background thread helps)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _control(name: str, spec: tuple, value):
    """The widget for ``spec`` (see ``lrlab.explore``): sliders update on release, not while dragging."""
    kind = spec[0]
    common = {"description": name, "style": {"description_width": "95px"}, "layout": w.Layout(width="330px")}
    if kind == "choice":
        ctl = w.Dropdown(options=list(spec[1]), value=value, **common)
    elif kind == "text":
        ctl = w.Text(value=value, continuous_update=False, **common)
    elif kind == "int":
        ctl = w.IntSlider(value=value, min=spec[1], max=spec[2], continuous_update=False, **common)
    elif kind == "float":
        ctl = w.FloatSlider(value=value, min=spec[1], max=spec[2], step=spec[3], readout_format=".2f",
                            continuous_update=False, **common)
    else:
        ctl = w.FloatLogSlider(value=value, base=10, min=math.log10(spec[1]), max=math.log10(spec[2]), step=0.1,
                               readout_format=".3g", continuous_update=False, **common)
    ctl.add_class(f"lrlab-{name}")  # a stable handle for the browser test and for styling
    return ctl


def _notches(spec: tuple, value) -> list:
    """The values one notch away from ``value`` on a control of ``spec``, within its range."""
    kind = spec[0]
    if kind == "choice":
        options = [o[1] if isinstance(o, tuple) else o for o in spec[1]]
        i = options.index(value) if value in options else -1
        return [options[j] for j in (i - 1, i + 1) if i >= 0 and 0 <= j < len(options)]
    if kind == "int":
        return [v for v in (value - 1, value + 1) if spec[1] <= v <= spec[2]]
    if kind == "float":
        return [v for v in (_canonical(value - spec[3]), _canonical(value + spec[3]))
                if spec[1] - 1e-9 <= v <= spec[2] + 1e-9]
    if kind == "log":  # a notch is 0.1 in log10: from the value itself, and from the grid when it is off it
        x = math.log10(value)
        exponents = [x - 0.1, x + 0.1]
        if abs(x - round(x * 10) / 10) > 1e-9:
            exponents += [math.floor(x * 10) / 10, math.ceil(x * 10) / 10]
        lo, hi = spec[1] * (1 - 1e-9), spec[2] * (1 + 1e-9)
        return list(dict.fromkeys(v for v in (_canonical(10.0 ** e) for e in exponents) if lo <= v <= hi))
    return []


def _code(name: str, params: dict) -> str:
    args = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in params.items())
    return f"{name}(optimizer, {args})"


def _error_html(message: str) -> str:
    return f"<span style='color:#b00'>{html.escape(message)}</span>"


# --- what every explorer shares: its results, the figures, and the background thread ----------------------------
class _Results:
    """Results and their pictures, ``(explorer, setting) -> (result, png, status)``, least recently used first,
    within ``RESULT_BUDGET`` bytes for every explorer together: rerunning a cell that builds an explorer does not
    grow memory without bound. Safe to use from two threads."""

    def __init__(self, budget: int):
        self.budget, self.bytes, self.lock, self.items = budget, 0, threading.Lock(), collections.OrderedDict()

    @staticmethod
    def _size(entry) -> int:
        result, png, status = entry
        if isinstance(result, History):
            n = explore.history_bytes(result)
        else:
            n = 32 * sum(len(v) for v in result.values())
        return n + len(png) + len(status) + 200

    def get(self, key):
        with self.lock:
            entry = self.items.get(key)
            if entry is not None:
                self.items.move_to_end(key)
            return entry

    def add(self, key, entry):
        with self.lock:
            if key in self.items:
                return self.items[key]
            self.items[key] = entry
            self.bytes += self._size(entry)
            while self.bytes > self.budget and len(self.items) > 1:
                self.bytes -= self._size(self.items.popitem(last=False)[1])
            return entry

    def of(self, token: int) -> dict:
        """One explorer's kept results: setting key -> (result, png, status)."""
        with self.lock:
            return {key: entry for (t, key), entry in self.items.items() if t == token}

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.bytes = 0


RESULTS = _Results(RESULT_BUDGET)
_figures, _figures_lock = collections.OrderedDict(), threading.Lock()


def _lr_color(name: str) -> str | None:
    """The course's colour for scheduler ``name`` (``lrlab.plots.color``), None (black) for one without."""
    try:
        return plots.color(name)
    except ValueError:
        return None


def _figure(spec: tuple, role: str):
    """The reused figure of ``spec`` (class and arguments) for ``role`` ("main": the explorer's own moves,
    "background": the thread's): one per kind, size and role, shared by every explorer, at most ``FIGURES``."""
    key = (*spec, role)
    with _figures_lock:
        figure = _figures.get(key)
        if figure is None:
            figure = _figures[key] = spec[0](*spec[1:])
            while len(_figures) > FIGURES:
                _figures.popitem(last=False)
        _figures.move_to_end(key)
        return figure


class _Background:
    """One daemon thread for every explorer: it computes (and draws) the settings one notch away from the one an
    explorer shows last, so that the learner's next move is a cache hit.

    It pauses between two epochs (and before drawing) while an explorer computes a move (``paused()``) and while
    a notebook cell runs (IPython's pre/post_run_cell events): a move never waits for it more than one epoch of
    its work, and a lesson's cells never share the CPU with it. A new request replaces the queue; the setting being
    computed is dropped at its next epoch when no longer asked for. ``idle`` is set when there is nothing to do.
    """

    def __init__(self):
        self.lock = threading.Condition()
        self.queue, self.wanted, self.holds, self.cell = [], set(), 0, False
        self.go, self.idle, self.resting = threading.Event(), threading.Event(), threading.Event()
        for event in (self.go, self.idle, self.resting):  # resting: not computing (paused, or nothing to do)
            event.set()
        self.thread = None

    # the explorer's side (main thread)
    def submit(self, explorer, settings: list) -> None:
        """Compute ``settings`` (params dicts) of ``explorer`` in this order, instead of whatever was queued."""
        with self.lock:
            self.queue = [(weakref.ref(explorer), explorer.token, s) for s in settings]
            self.wanted = {(explorer.token, _key(s)) for s in settings}
            if self.queue:
                self.idle.clear()
                self._start()
            self.lock.notify_all()

    @contextlib.contextmanager
    def paused(self):
        """While the block runs the thread does not train or draw (it stops at its next epoch)."""
        self._hold(+1)
        try:
            yield
        finally:
            self._hold(-1)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until nothing is left to compute; True if so within ``timeout`` seconds. Inside a notebook cell
        the thread is let run meanwhile."""
        with self.lock:
            cell, self.cell = self.cell, False
            self.holds -= cell
            self._set_go()
        try:
            return self.idle.wait(timeout)
        finally:
            with self.lock:
                self.cell, self.holds = cell, self.holds + cell
                self._set_go()

    # IPython's cell events
    def _cell_starts(self, *args) -> None:
        with self.lock:
            if not self.cell:
                self.cell, self.holds = True, self.holds + 1
                self._set_go()

    def _cell_ends(self, *args) -> None:
        with self.lock:
            if self.cell:
                self.cell, self.holds = False, self.holds - 1
                self._set_go()

    def _hold(self, sign: int) -> None:
        with self.lock:
            self.holds += sign
            self._set_go()

    def _set_go(self) -> None:
        if self.holds > 0:
            self.go.clear()
        else:
            self.go.set()

    def _start(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            return
        try:
            from IPython import get_ipython

            shell = get_ipython()
        except ImportError:
            shell = None
        if shell is not None and not getattr(self, "_events", False):
            shell.events.register("pre_run_cell", self._cell_starts)
            shell.events.register("post_run_cell", self._cell_ends)
            self._events = True
            if hasattr(shell, "kernel"):  # a kernel builds explorers in a cell: this one is running now
                self._cell_starts()
        self.thread, self.stopping = threading.Thread(target=self._loop, name="lrlab-explorer-background",
                                                      daemon=True), False
        self.thread.start()
        if not getattr(self, "_atexit", False):
            atexit.register(self.stop)
            self._atexit = True

    def stop(self, timeout: float = 10.0) -> None:
        """Drop the queue and end the thread (at its next epoch): at exit, torch must not be torn down under it."""
        with self.lock:
            self.queue, self.wanted, self.stopping, self.holds, self.cell = [], set(), True, 0, False
            self._set_go()
            self.lock.notify_all()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    # the thread's side
    def between(self, token: int, key, epoch=None) -> bool:
        """Asked between two epochs (and before drawing): wait while paused; False when the setting is no longer
        wanted."""
        self._rest()
        with self.lock:
            return (token, key) in self.wanted

    def _rest(self) -> None:
        if not self.go.is_set():
            self.resting.set()
            self.go.wait()
            self.resting.clear()

    def _loop(self) -> None:
        torch.set_num_threads(1)  # this thread's own setting (the learner's thread keeps its own)
        while True:
            with self.lock:
                while not self.queue:
                    self.idle.set()
                    self.resting.set()
                    if self.stopping:
                        return
                    self.lock.wait()
                ref, token, params = self.queue.pop(0)
                self.resting.clear()
            self._rest()
            explorer = ref()
            if explorer is None:
                continue
            try:
                explorer._precompute(params, functools.partial(self.between, token, _key(params)))
            except BaseException:  # noqa: BLE001 - a setting that fails says so when the learner moves to it
                pass
            del explorer


BACKGROUND = _Background()


class Explorer:
    """Controls (attributes), results kept by setting, and a picture from a reused figure in a ``widgets.Image``.

    Subclasses set ``specs`` (parameter -> range, ``lrlab.explore``) and ``figure_spec`` (a ``plots`` figure
    class and its arguments) before calling ``__init__``, and define ``_compute(params, between_epochs)``,
    ``_headline(result, params)``, ``_paint(result, params, figure, title="") -> png``, ``_draw(result, params,
    figure) -> (png, status)`` (the headline in the status line, not drawn) and ``_blank(figure, message) -> png``.

    Args:
        values (dict): the controls' starting values.
        background (bool or None): compute the settings one notch away in a background thread while the
            learner looks; None: inside a Jupyter kernel only.
    """

    def __init__(self, values: dict, background: bool | None = None):
        # 1. check every value first: a bad one raises before any training
        self._validate(values)
        if background is not None and not isinstance(background, bool):
            raise ValueError(f"background={background!r} must be True, False or None (None: in a notebook).")
        # 2. one control per parameter, as an attribute; a status line; the picture
        self.controls = {name: _control(name, spec, values[name]) for name, spec in self.specs.items()}
        for name, ctl in self.controls.items():
            setattr(self, name, ctl)
        self.token, self.last, self.error, self._hold, self._moved = next(_tokens), None, None, False, None
        self.background = _in_kernel() if background is None else background
        px = f"{round(self.figure_spec[-2][0] * self.figure_spec[-1])}px"  # natural size: never blurred
        self.image, self.status = w.Image(format="png", layout=w.Layout(width=px, max_width="100%")), w.HTML()
        self.image.add_class("lrlab-plot")
        self.grid = w.HBox([w.VBox([]), w.VBox([])])
        self.box = w.VBox([self.grid, self.status, self.image])
        self.box.add_class("lrlab-explorer")
        self._layout(list(self.controls))
        self.update()
        # 3. from now on every change reruns (or takes a kept result) and redraws
        for ctl in self.controls.values():
            ctl.observe(self._on_change, names="value")

    @property
    def figure(self):
        """The reused figure this explorer's moves are drawn on."""
        return _figure(self.figure_spec, "main")

    @property
    def cache(self) -> dict:
        """This explorer's kept results: setting -> (result, PNG, status)."""
        return RESULTS.of(self.token)

    def _validate(self, values: dict) -> None:
        for name, spec in self.specs.items():
            explore.require_control(type(self).__name__, name, spec, values[name])

    def params(self) -> dict:
        """The parameters the controls stand for now."""
        return {name: _canonical(ctl.value) for name, ctl in self.controls.items()}

    def _layout(self, names: list):
        shown = [self.controls[n] for n in names]
        half = (len(shown) + 1) // 2
        self.grid.children[0].children, self.grid.children[1].children = shown[:half], shown[half:]

    def _on_change(self, change):
        if not self._hold:
            self._moved = next((n for n, c in self.controls.items() if c is change["owner"]), None)
            self.update()

    def _with(self, params: dict, name: str, value) -> dict:
        """``params`` after the control ``name`` moves to ``value`` (and whatever follows from that move)."""
        return {**params, name: value}

    def neighbours(self, params: dict | None = None) -> list:
        """The settings one notch away from ``params`` (default: the current one) on each control shown: the
        last moved control's first, the initial LR's last (a new LR trains from scratch)."""
        params = self.params() if params is None else params
        names = sorted(params, key=lambda n: (n == "lr", n != self._moved))
        return [self._with(params, name, value) for name in names if name in self.specs
                for value in _notches(self.specs[name], params[name])]

    def update(self) -> None:
        """Show the current setting: computed and drawn once, then taken from the kept results. Never raises."""
        params = self.params()
        entry = RESULTS.get((self.token, _key(params)))
        if entry is None:
            with BACKGROUND.paused():
                try:
                    result = self._compute(params, None)
                    entry = RESULTS.add((self.token, _key(params)), (result, *self._draw(result, params,
                                                                                          self.figure)))
                except Exception as err:  # noqa: BLE001 - a slider move must never end in an exception
                    self._show_error(err)
                    return
        self.last, png, status = entry
        self.error, self.image.value, self.status.value = None, png, status
        if self.background:
            BACKGROUND.submit(self, self.neighbours(params))

    def _show_error(self, err: Exception) -> None:
        """No result: say why in red, and put an empty picture in place of the last one (it showed another
        setting)."""
        refused = isinstance(err, ValueError)
        self.last = None
        self.error = str(err) if refused else f"lrlab could not run this setting: {type(err).__name__}: {err}"
        self.status.value = _error_html(self.error)
        try:
            self.image.value = self._blank(self.figure, "No picture: this setting was refused (see above)" if refused
                                           else "No picture: something went wrong (see above)")
        except Exception:  # noqa: BLE001 - the message above is what counts
            self.image.value = b""

    def _precompute(self, params: dict, between) -> None:
        """The background thread's work: compute and draw ``params`` unless kept already."""
        if RESULTS.get((self.token, _key(params))) is not None:
            return
        result = self._compute(params, between)
        if between():
            RESULTS.add((self.token, _key(params)), (result, *self._draw(result, params,
                                                                         _figure(self.figure_spec, "background"))))

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the background thread has computed the settings one notch away (True), or ``timeout``
        seconds have passed (False)."""
        return BACKGROUND.wait(timeout)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.params().items())})"

    def picture(self) -> bytes:
        """The PNG of the setting shown, with its headline drawn above it (the live picture leaves the headline to
        the status line: text is the dearest thing to draw). What a notebook without widgets shows."""
        if self.last is None:
            return bytes(self.image.value)
        params = self.params()
        return self._paint(self.last, params, self.figure, self._headline(self.last, params))

    def _repr_mimebundle_(self, include=None, exclude=None):
        # A widget frontend renders the live view; any other shows the PNG of this setting (or the text).
        view = {"version_major": 2, "version_minor": 0, "model_id": self.box.model_id}
        return {"application/vnd.jupyter.widget-view+json": view, "text/plain": repr(self),
                "image/png": base64.b64encode(self.picture()).decode("ascii")}


class _TrainingExplorer(Explorer):
    def __init__(self, values, data, num_epochs, optimizer_type, seed, figsize, dpi, background):
        self._validate(values)  # before loading any data
        explore.require_run_settings(type(self).__name__, data, num_epochs, optimizer_type, seed)
        data = _data.wine() if data is None else data
        self.run = {"num_epochs": num_epochs, "optimizer_type": optimizer_type, "seed": seed}
        self.data, self.trainer = data, explore.Trainer(data, num_epochs, optimizer_type, seed)
        self.figure_spec = (plots.TrainingFigure, num_epochs, self.mark_cuts, tuple(figsize), dpi)
        super().__init__(values, background)

    def _train(self, name, sched, p, between, monitor="val_loss"):
        return self.trainer.run(name, sched, lr=p["lr"], monitor=monitor, between_epochs=between)

    def _blank(self, figure, message):
        return figure.draw(History(), message)

    def _headline(self, h, p):
        if h.stopped:  # "ReduceLROnPlateau: training diverged at epoch 2 (step 1) with lr=1"
            return f"{self._code(p).split('(')[0]}: {h.stopped.split(':')[0].lower()}"
        return self._title(h, p)

    def _paint(self, h, p, figure, title=""):
        return figure.draw(h, title, lr_cuts(h) if self.mark_cuts else (), _lr_color(self._code(p).split("(")[0]))

    def _draw(self, h, p, figure):
        code = self._code(p)
        result = (f"final train loss {h.train_loss[-1]:.3g}, validation loss {h.val_loss[-1]:.3g}, "
                  f"validation accuracy {h.val_acc[-1]:.2f}" if h.val_acc else "no epoch finished")
        stop = f"<br><b>{html.escape(h.stopped)}</b>" if h.stopped else ""
        opt = "Adam" if self.run["optimizer_type"] == "adam" else "SGD(momentum=0.9)"
        status = (f"<b>{html.escape(self._headline(h, p))}</b><br><code>{html.escape(code)}</code><br>{opt}, initial "
                  f"lr={p['lr']:.3g}, {self.data.name}, {h.num_epochs} of {self.run['num_epochs']} epochs: "
                  f"{result}{stop}")
        return self._paint(h, p, figure), status


class PlateauExplorer(_TrainingExplorer):
    """ReduceLROnPlateau on a real run; dotted lines mark the epochs where patience ran out."""

    specs, mark_cuts = explore.PLATEAU, True
    _KEYS = ("mode", "factor", "patience", "threshold", "cooldown", "min_lr")

    def _compute(self, p, between):
        monitor = "val_loss" if p["mode"] == "min" else "val_acc"
        return self._train(schedules.PLATEAU, {k: p[k] for k in self._KEYS}, p, between, monitor)

    def _code(self, p):
        return _code(schedules.PLATEAU, {k: p[k] for k in self._KEYS})

    def _title(self, h, p):
        cuts = lr_cuts(h)  # the title must fit the figure: list a few cuts, count the rest
        if not cuts:
            what = "no LR cut"
        elif len(cuts) <= 4:
            what = f"LR cut after epoch{'s' * (len(cuts) > 1)} {', '.join(map(str, cuts))}"
        else:
            what = f"{len(cuts)} LR cuts, the first after epoch {cuts[0]}"
        return f"factor {p['factor']:.2g}, patience {p['patience']}: {what}"


class StepExplorer(_TrainingExplorer):
    """StepLR (times gamma every step_size epochs) or ExponentialLR (every epoch) on a real run."""

    specs, mark_cuts = explore.STEP, False
    GAMMA = {"StepLR": 0.5, "ExponentialLR": 0.95}  # a telling gamma for each, set when switching

    def _on_change(self, change):
        if change["owner"] is self.scheduler and not self._hold:
            self._hold = True
            self.gamma.value, self._hold = self.GAMMA[change["new"]], False
            self._layout(None)
        super()._on_change(change)

    def _with(self, params, name, value):
        if name != "scheduler":
            return super()._with(params, name, value)
        out = {**params, "scheduler": value, "gamma": self.GAMMA[value]}  # as _on_change does
        if value == "StepLR":
            out["step_size"] = self.step_size.value
        else:
            out.pop("step_size", None)
        return out

    def _layout(self, names):
        super()._layout(list(self.specs))
        self.step_size.disabled = self.scheduler.value == "ExponentialLR"

    def params(self):
        p = super().params()  # ExponentialLR has no step_size: leave it out (and out of the cache key)
        return p if p["scheduler"] == "StepLR" else {k: v for k, v in p.items() if k != "step_size"}

    def _sched(self, p):
        return {k: p[k] for k in ("step_size", "gamma") if k in p}

    def _compute(self, p, between):
        return self._train(p["scheduler"], self._sched(p), p, between)

    def _code(self, p):
        return _code(p["scheduler"], self._sched(p))

    def _title(self, h, p):
        args = ", ".join(f"{k}={v:g}" for k, v in self._sched(p).items())
        final = f"final LR {h.epoch_lr[-1]:.3g}" if h.epoch_lr else "no epoch finished"
        return f"{p['scheduler']}({args}): {final}"


class ScheduleExplorer(Explorer):
    """Any scheduler's LR curve from ``schedules.preview``: the real scheduler stepped without training."""

    def __init__(self, name, values, num_epochs, steps_per_epoch, figsize, dpi, background=None):
        name = explore.require_previewable(name, values, num_epochs, steps_per_epoch)
        self.offered, self.num_epochs, self.steps_per_epoch = explore.previewable(), num_epochs, steps_per_epoch
        self.specs = {"scheduler": ("choice", tuple(self.offered)), "lr": ("log", 1e-4, 1.0)}
        self.specs.update({k: spec for k, (spec, _) in explore.PREVIEW.items()})
        self.figure_spec = (plots.CurveFigure, num_epochs, tuple(figsize), dpi)
        super().__init__({"scheduler": name, "lr": 0.1, **explore.preview_defaults(name), **values}, background)

    def _on_change(self, change):
        if change["owner"] is self.scheduler and not self._hold:  # switching: that scheduler's own defaults
            self._hold = True
            for key, value in explore.preview_defaults(change["new"]).items():
                self.controls[key].value = value
            self._hold = False
            self._layout(None)
        super()._on_change(change)

    def _with(self, params, name, value):
        if name != "scheduler":
            return super()._with(params, name, value)
        own = explore.preview_defaults(value)  # as _on_change does
        return {"scheduler": value, "lr": params["lr"], **{k: _canonical(own[k]) for k in self.offered[value]}}

    def _layout(self, names):
        super()._layout(["scheduler", "lr"] + self.offered[self.scheduler.value])

    def params(self):
        name = self.scheduler.value
        return {"scheduler": name, "lr": _canonical(self.lr.value),
                **{k: _canonical(self.controls[k].value) for k in self.offered[name]}}

    def _compute(self, p, between):
        own = {k: v for k, v in p.items() if k not in ("scheduler", "lr")}
        return explore.preview_run(p["scheduler"], own, lr=p["lr"], num_epochs=self.num_epochs,
                                   steps_per_epoch=self.steps_per_epoch)

    def _blank(self, figure, message):
        return figure.draw({"step_epoch": [], "lr": []}, message)

    def _headline(self, curve, p):
        batch = p["scheduler"] in schedules.PER_BATCH
        return f"{p['scheduler']}, stepped " + (f"per batch, {self.steps_per_epoch} batches an epoch" if batch
                                                 else "per epoch")

    def _paint(self, curve, p, figure, title=""):
        return figure.draw(curve, title, _lr_color(p["scheduler"]))

    def _draw(self, curve, p, figure):
        first = ", ".join(f"{v:.3g}" for v in curve["lr"][:4])
        code = _code(p["scheduler"], {k: v for k, v in p.items() if k not in ("scheduler", "lr")})
        return self._paint(curve, p, figure), (f"<b>{html.escape(self._headline(curve, p))}</b><br><code>"
                                               f"{html.escape(code)}</code><br>initial lr={p['lr']:.3g}; first "
                                               f"LRs: {first}, ...")


# --- what lessons call -------------------------------------------------------------------------------
def plateau_explorer(data=None, num_epochs: int = 100, *, lr: float = 0.1, factor: float = 0.1, patience: int = 10,
                     threshold: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0, mode: str = "min",
                     optimizer_type: str = "adam", seed: int = 0, figsize=(7.5, 5.2), dpi: int = 90,
                     background: bool | None = None) -> PlateauExplorer:
    """Controls for ReduceLROnPlateau; each move retrains and redraws the LR above the losses.

    Args:
        data (lrlab.data.Data, default ``data.wine()``): wine trains a WineMLP, digits or mnist a SmallCNN.
        num_epochs (int, default 100): epochs per run, 1 to 1000.
        lr (float, default 0.1): initial LR, 1e-3 to 1.
        factor (float, default 0.1): ReduceLROnPlateau's, 0.05 to 0.95 (``lrlab.explore.PLATEAU`` has every
            range; a value outside it is a ValueError).
        patience (int, default 10): ReduceLROnPlateau's, 0 to 30.
        threshold (float, default 1e-4): ReduceLROnPlateau's, 1e-5 to 0.1.
        cooldown (int, default 0): ReduceLROnPlateau's, 0 to 20.
        min_lr (float, default 0.0): ReduceLROnPlateau's, one of 0, 1e-5, 1e-4, 1e-3.
        mode (str, default "min"): "min" monitors the validation loss, "max" the validation accuracy.
        optimizer_type (str, default "adam"): "adam" or "sgd" (momentum 0.9).
        seed (int, default 0): same seed, same runs.
        figsize (tuple, default (7.5, 5.2)): size of the picture in inches.
        dpi (int, default 90): pixels per inch of the picture.
        background (bool or None, default None): while you look, compute the settings one notch away in a
            background thread, so that moving a slider one notch shows its result at once. None: in a
            notebook only.

    Example::

        >>> ex = plateau_explorer(factor=0.5, dpi=30)
        >>> ex.last.epoch_lr[:3]     # 0.1, 0.1, 0.1: no cut in the first epochs
        [0.1, 0.1, 0.1]
    """
    values = {"lr": lr, "factor": factor, "patience": patience, "threshold": threshold, "cooldown": cooldown,
              "min_lr": min_lr, "mode": mode}
    return PlateauExplorer(values, data, num_epochs, optimizer_type, seed, figsize, dpi, background)


def step_explorer(data=None, num_epochs: int = 100, *, scheduler: str = "StepLR", lr: float = 0.1,
                  gamma: float | None = None, step_size: int = 20, optimizer_type: str = "adam", seed: int = 0,
                  figsize=(7.5, 5.2), dpi: int = 90, background: bool | None = None) -> StepExplorer:
    """Controls for StepLR / ExponentialLR; each move retrains and redraws the LR above the losses.

    Args:
        data (lrlab.data.Data, default ``data.wine()``): as for ``plateau_explorer``.
        num_epochs (int, default 100): epochs per run, 1 to 1000.
        scheduler (str, default "StepLR"): "StepLR" or "ExponentialLR" (a dropdown).
        lr (float, default 0.1): initial LR, 1e-3 to 1.
        gamma (float, default 0.5 for StepLR, 0.95 for ExponentialLR): the LR multiplier, 0.05 to 1.
        step_size (int, default 20): epochs between StepLR's cuts, 1 to 50.
        optimizer_type (str, default "adam"): "adam" or "sgd" (momentum 0.9).
        seed (int, default 0): same seed, same runs.
        figsize (tuple, default (7.5, 5.2)): size of the picture in inches.
        dpi (int, default 90): pixels per inch of the picture.
        background (bool or None, default None): as for ``plateau_explorer``.

    Example::

        >>> ex = step_explorer(gamma=0.5, step_size=2, num_epochs=5, dpi=30)
        >>> ex.last.epoch_lr         # 0.1, 0.05, 0.05, 0.025, 0.025
        [0.1, 0.05, 0.05, 0.025, 0.025]
    """
    gamma = StepExplorer.GAMMA.get(scheduler, 0.5) if gamma is None else gamma
    values = {"scheduler": scheduler, "lr": lr, "gamma": gamma, "step_size": step_size}
    return StepExplorer(values, data, num_epochs, optimizer_type, seed, figsize, dpi, background)


def schedule_explorer(name: str = "StepLR", num_epochs: int = 100, steps_per_epoch: int = 10, *, lr: float = 0.1,
                      figsize=(7.5, 4.2), dpi: int = 90, background: bool | None = None,
                      **params) -> ScheduleExplorer:
    """A dropdown of schedulers and controls for their parameters: the LR curve, without training.

    Args:
        name (str, default "StepLR"): a scheduler in ``lrlab.explore.previewable()`` (all but LambdaLR,
            MultiplicativeLR, SequentialLR, ChainedScheduler and ReduceLROnPlateau).
        num_epochs (int, default 100): epochs to preview, 1 to 1000.
        steps_per_epoch (int, default 10): batches an epoch, for OneCycleLR and CyclicLR (stepped per batch).
        lr (float, default 0.1): the optimizer's initial LR, 1e-4 to 1.
        figsize (tuple, default (7.5, 4.2)): size of the picture in inches.
        dpi (int, default 90): pixels per inch of the picture.
        background (bool or None, default None): as for ``plateau_explorer``.
        **params: starting values of the scheduler's controls (ranges in ``lrlab.explore.PREVIEW``;
            outside them, ValueError). Unset ones take the scheduler's own default.

    Example::

        >>> ex = schedule_explorer("StepLR", step_size=2, gamma=0.5, num_epochs=5, dpi=30)
        >>> ex.last["lr"]            # 0.1, 0.1, 0.05, 0.05, 0.025
        [0.1, 0.1, 0.05, 0.05, 0.025]
    """
    return ScheduleExplorer(name, {"lr": lr, **params}, num_epochs, steps_per_epoch, figsize, dpi, background)

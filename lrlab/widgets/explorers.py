"""Explorers: move a slider, a short real training reruns, and the LR and the loss are redrawn at once.

``plateau_explorer()`` (ReduceLROnPlateau), ``step_explorer()`` (StepLR / ExponentialLR) and
``schedule_explorer()`` (any scheduler's LR curve, no training). An explorer is an object: its controls are
attributes named after the parameters (``ex.factor.value = 0.5``), its last result is ``ex.last`` (a
``History``, or a ``schedules.preview`` dict). Results, and their pictures, are cached by their parameters, so
going back to a setting is instant. The runs live in ``lrlab.explore``, the figures in ``lrlab.plots``
(``TrainingFigure``, ``CurveFigure``): no maths here.

Works with ipywidgets 7.7 (Colab) and 8, inline backend, no ipympl. Shown in a notebook, the output carries the
live widget and a PNG of the setting it was shown with: frontends without widgets (GitHub, nbconvert, a
notebook JupyterLab does not trust yet) show that picture instead, so there is always one plot, never two.

Example::

    >>> ex = plateau_explorer(factor=0.5, dpi=30)   # in a notebook, end the cell with `ex` to show it
    >>> ex.last.epoch_lr[:3]                  # 0.1, 0.1, 0.1: no cut in the first epochs
    [0.1, 0.1, 0.1]
    >>> ex.patience.value = 5                 # retrains (or takes the cache) and redraws
    >>> lr_cuts(ex.last)[0] <= 87             # a smaller patience never cuts later
    True
"""

from __future__ import annotations

import base64
import html
import math

import ipywidgets as w

from .. import data as _data
from .. import explore, plots, schedules
from ..train import lr_cuts

__all__ = ["plateau_explorer", "step_explorer", "schedule_explorer", "lr_cuts", "Explorer", "PlateauExplorer",
           "StepExplorer", "ScheduleExplorer"]
CACHE_SIZE = 128  # settings (result and PNG) kept per explorer; the oldest goes first


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


def _code(name: str, params: dict) -> str:
    args = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in params.items())
    return f"{name}(optimizer, {args})"


class Explorer:
    """Controls (attributes), a cache of results, and one reused figure shown in a ``widgets.Image``.

    Subclasses set ``specs`` (parameter -> range, ``lrlab.explore``) and ``figure`` before calling
    ``__init__``, and define ``_compute(params) -> result`` and ``_draw(result, params) -> (png, status)``.
    """

    def __init__(self, values: dict):
        # 1. check every value first: a bad one raises before any training
        self._validate(values)
        # 2. one control per parameter, as an attribute; a status line; the picture
        self.controls = {name: _control(name, spec, values[name]) for name, spec in self.specs.items()}
        for name, ctl in self.controls.items():
            setattr(self, name, ctl)
        self.cache, self.last, self.error, self._hold = {}, None, None, False
        px = f"{round(self.figure.fig.get_figwidth() * self.figure.dpi)}px"  # natural size: never blurred
        self.image, self.status = w.Image(format="png", layout=w.Layout(width=px, max_width="100%")), w.HTML()
        self.image.add_class("lrlab-plot")
        self.grid = w.HBox([w.VBox([]), w.VBox([])])
        self.box = w.VBox([self.grid, self.status, self.image])
        self.box.add_class("lrlab-explorer")
        self._layout(list(self.controls))
        self.update()
        # 3. from now on every change reruns (or takes the cache) and redraws
        for ctl in self.controls.values():
            ctl.observe(self._on_change, names="value")

    def _validate(self, values: dict) -> None:
        for name, spec in self.specs.items():
            explore.require_control(type(self).__name__, name, spec, values[name])

    def params(self) -> dict:
        """The parameters the controls stand for now."""
        return {name: ctl.value for name, ctl in self.controls.items()}

    def _layout(self, names: list):
        shown = [self.controls[n] for n in names]
        half = (len(shown) + 1) // 2
        self.grid.children[0].children, self.grid.children[1].children = shown[:half], shown[half:]

    def _on_change(self, change):
        if not self._hold:
            self.update()

    def update(self) -> None:
        """Show the current setting: computed and drawn once, then taken from the cache."""
        params = self.params()
        key = tuple(sorted(params.items()))
        if key not in self.cache:
            try:
                result = self._compute(params)
            except ValueError as err:  # a combination the scheduler refuses: say so, keep the last picture
                self.last, self.error = None, str(err)
                self.status.value = f"<span style='color:#b00'>{html.escape(self.error)}</span>"
                return
            if len(self.cache) >= CACHE_SIZE:
                self.cache.pop(next(iter(self.cache)))
            self.cache[key] = (result, *self._draw(result, params))
        self.last, png, status = self.cache[key]
        self.error, self.image.value, self.status.value = None, png, status

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.params().items())})"

    def _repr_mimebundle_(self, include=None, exclude=None):
        # A widget frontend renders the live view; any other shows the PNG of this setting (or the text).
        view = {"version_major": 2, "version_minor": 0, "model_id": self.box.model_id}
        return {"application/vnd.jupyter.widget-view+json": view, "text/plain": repr(self),
                "image/png": base64.b64encode(self.image.value).decode("ascii")}


class _TrainingExplorer(Explorer):
    def __init__(self, values, data, num_epochs, optimizer_type, seed, figsize, dpi):
        self._validate(values)  # before loading any data
        explore.require_run_settings(type(self).__name__, data, num_epochs, optimizer_type, seed)
        data = _data.wine() if data is None else data
        self.run = {"num_epochs": num_epochs, "optimizer_type": optimizer_type, "seed": seed}
        self.data, self.figure = data, plots.TrainingFigure(num_epochs, self.mark_cuts, figsize, dpi)
        super().__init__(values)

    def _draw(self, h, p):
        title, code = self._title(h, p), self._code(p)
        if h.stopped:
            title = f"{code.split('(')[0]}: {h.stopped.split(':')[0].lower()}"  # "training diverged at epoch 2 ..."
        png = self.figure.draw(h, title, lr_cuts(h) if self.mark_cuts else ())
        result = (f"final train loss {h.train_loss[-1]:.3g}, validation loss {h.val_loss[-1]:.3g}, "
                  f"validation accuracy {h.val_acc[-1]:.2f}" if h.val_acc else "no epoch finished")
        stop = f"<br><b>{html.escape(h.stopped)}</b>" if h.stopped else ""
        opt = "Adam" if self.run["optimizer_type"] == "adam" else "SGD(momentum=0.9)"
        status = (f"<code>{html.escape(code)}</code><br>{opt}, initial lr={p['lr']:.3g}, {self.data.name}, "
                  f"{h.num_epochs} epochs: {result}{stop}")
        return png, status


class PlateauExplorer(_TrainingExplorer):
    """ReduceLROnPlateau on a real run; dotted lines mark the epochs where patience ran out."""

    specs, mark_cuts = explore.PLATEAU, True
    _KEYS = ("mode", "factor", "patience", "threshold", "cooldown", "min_lr")

    def _compute(self, p):
        monitor = "val_loss" if p["mode"] == "min" else "val_acc"
        return explore.train_run(self.data, schedules.PLATEAU, {k: p[k] for k in self._KEYS}, lr=p["lr"],
                                 monitor=monitor, **self.run)

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

    def _layout(self, names):
        super()._layout(list(self.specs))
        self.step_size.disabled = self.scheduler.value == "ExponentialLR"

    def params(self):
        p = super().params()  # ExponentialLR has no step_size: leave it out (and out of the cache key)
        return p if p["scheduler"] == "StepLR" else {k: v for k, v in p.items() if k != "step_size"}

    def _sched(self, p):
        return {k: p[k] for k in ("step_size", "gamma") if k in p}

    def _compute(self, p):
        return explore.train_run(self.data, p["scheduler"], self._sched(p), lr=p["lr"], **self.run)

    def _code(self, p):
        return _code(p["scheduler"], self._sched(p))

    def _title(self, h, p):
        args = ", ".join(f"{k}={v:g}" for k, v in self._sched(p).items())
        return f"{p['scheduler']}({args}): final LR {h.epoch_lr[-1]:.3g}"


class ScheduleExplorer(Explorer):
    """Any scheduler's LR curve from ``schedules.preview``: the real scheduler stepped without training."""

    def __init__(self, name, values, num_epochs, steps_per_epoch, figsize, dpi):
        name = explore.require_previewable(name, values, num_epochs, steps_per_epoch)
        self.offered, self.num_epochs, self.steps_per_epoch = explore.previewable(), num_epochs, steps_per_epoch
        self.specs = {"scheduler": ("choice", tuple(self.offered)), "lr": ("log", 1e-4, 1.0)}
        self.specs.update({k: spec for k, (spec, _) in explore.PREVIEW.items()})
        self.figure = plots.CurveFigure(num_epochs, figsize, dpi)
        super().__init__({"scheduler": name, "lr": 0.1, **explore.preview_defaults(name), **values})

    def _on_change(self, change):
        if change["owner"] is self.scheduler and not self._hold:  # switching: that scheduler's own defaults
            self._hold = True
            for key, value in explore.preview_defaults(change["new"]).items():
                self.controls[key].value = value
            self._hold = False
            self._layout(None)
        super()._on_change(change)

    def _layout(self, names):
        super()._layout(["scheduler", "lr"] + self.offered[self.scheduler.value])

    def params(self):
        name = self.scheduler.value
        return {"scheduler": name, "lr": self.lr.value, **{k: self.controls[k].value for k in self.offered[name]}}

    def _compute(self, p):
        own = {k: v for k, v in p.items() if k not in ("scheduler", "lr")}
        return explore.preview_run(p["scheduler"], own, lr=p["lr"], num_epochs=self.num_epochs,
                                   steps_per_epoch=self.steps_per_epoch)

    def _draw(self, curve, p):
        batch = p["scheduler"] in schedules.PER_BATCH
        per = f"per batch, {self.steps_per_epoch} batches an epoch" if batch else "per epoch"
        png = self.figure.draw(curve, f"{p['scheduler']}, stepped {per}")
        first = ", ".join(f"{v:.3g}" for v in curve["lr"][:4])
        code = _code(p["scheduler"], {k: v for k, v in p.items() if k not in ("scheduler", "lr")})
        return png, f"<code>{html.escape(code)}</code><br>initial lr={p['lr']:.3g}; first LRs: {first}, ..."


# --- what lessons call -------------------------------------------------------------------------------
def plateau_explorer(data=None, num_epochs: int = 100, *, lr: float = 0.1, factor: float = 0.1, patience: int = 10,
                     threshold: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0, mode: str = "min",
                     optimizer_type: str = "adam", seed: int = 0, figsize=(7.5, 5.2), dpi: int = 90) -> PlateauExplorer:
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

    Example::

        >>> ex = plateau_explorer(factor=0.5, dpi=30)
        >>> ex.last.epoch_lr[:3]     # 0.1, 0.1, 0.1: no cut in the first epochs
        [0.1, 0.1, 0.1]
    """
    values = {"lr": lr, "factor": factor, "patience": patience, "threshold": threshold, "cooldown": cooldown,
              "min_lr": min_lr, "mode": mode}
    return PlateauExplorer(values, data, num_epochs, optimizer_type, seed, figsize, dpi)


def step_explorer(data=None, num_epochs: int = 100, *, scheduler: str = "StepLR", lr: float = 0.1,
                  gamma: float | None = None, step_size: int = 20, optimizer_type: str = "adam", seed: int = 0,
                  figsize=(7.5, 5.2), dpi: int = 90) -> StepExplorer:
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

    Example::

        >>> ex = step_explorer(gamma=0.5, step_size=2, num_epochs=5, dpi=30)
        >>> ex.last.epoch_lr         # 0.1, 0.05, 0.05, 0.025, 0.025
        [0.1, 0.05, 0.05, 0.025, 0.025]
    """
    gamma = StepExplorer.GAMMA.get(scheduler, 0.5) if gamma is None else gamma
    values = {"scheduler": scheduler, "lr": lr, "gamma": gamma, "step_size": step_size}
    return StepExplorer(values, data, num_epochs, optimizer_type, seed, figsize, dpi)


def schedule_explorer(name: str = "StepLR", num_epochs: int = 100, steps_per_epoch: int = 10, *, lr: float = 0.1,
                      figsize=(7.5, 4.2), dpi: int = 90, **params) -> ScheduleExplorer:
    """A dropdown of schedulers and controls for their parameters: the LR curve, without training.

    Args:
        name (str, default "StepLR"): a scheduler in ``lrlab.explore.previewable()`` (all but LambdaLR,
            MultiplicativeLR, SequentialLR, ChainedScheduler and ReduceLROnPlateau).
        num_epochs (int, default 100): epochs to preview, 1 to 1000.
        steps_per_epoch (int, default 10): batches an epoch, for OneCycleLR and CyclicLR (stepped per batch).
        lr (float, default 0.1): the optimizer's initial LR, 1e-4 to 1.
        figsize (tuple, default (7.5, 4.2)): size of the picture in inches.
        dpi (int, default 90): pixels per inch of the picture.
        **params: starting values of the scheduler's controls (ranges in ``lrlab.explore.PREVIEW``;
            outside them, ValueError). Unset ones take the scheduler's own default.

    Example::

        >>> ex = schedule_explorer("StepLR", step_size=2, gamma=0.5, num_epochs=5, dpi=30)
        >>> ex.last["lr"]            # 0.1, 0.1, 0.05, 0.05, 0.025
        [0.1, 0.1, 0.05, 0.05, 0.025]
    """
    return ScheduleExplorer(name, {"lr": lr, **params}, num_epochs, steps_per_epoch, figsize, dpi)

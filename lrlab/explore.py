"""What the explorers of ``lrlab.widgets`` run and draw, with no widget in sight: plain data and reused figures.

- ``lr_cuts(history)`` (from ``lrlab.train``): the epochs after which the scheduler lowered the LR.
- ``PLATEAU``, ``STEP``, ``PREVIEW``: every explorer parameter's control and range; ``check`` raises the
  ValueError for a value outside it.
- ``train_run(...)`` -> ``History`` (the real scheduler through ``lrlab.fit``) and ``preview_run(...)`` -> dict
  (``lrlab.schedules.preview``).
- ``TrainingFigure`` (LR above the losses) and ``CurveFigure`` (LR only): one matplotlib ``Figure`` each,
  never pyplot (nothing to close). Its lines are updated in place, and only what changes (lines, y axes,
  title) is drawn over a saved picture of the rest, then encoded to PNG bytes: about 5x faster than a new
  pyplot figure shown by the inline backend (benchmarks/bench_explorer.py measures it).

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
import io
import math
import numbers

import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator
from PIL import Image

from . import models, schedules
from .train import fit, lr_cuts

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
    "gamma": (("float", 0.05, 1.0, 0.01), 0.5), "factor": (("float", 0.0, 1.0, 0.05), 0.5),
    "start_factor": (("float", 0.05, 1.0, 0.05), 0.25), "end_factor": (("float", 0.0, 1.0, 0.05), 1.0),
    "total_iters": (("int", 1, 100), 5), "power": (("float", 0.0, 5.0, 0.1), 1.0), "T_max": (("int", 1, 100), 50),
    "T_0": (("int", 1, 50), 10), "T_mult": (("int", 1, 4), 1),
    "eta_min": (("choice", (0.0, 1e-5, 1e-4, 1e-3, 1e-2)), 0.0), "base_lr": (("log", 1e-5, 1.0), 1e-3),
    "max_lr": (("log", 1e-4, 1.0), 0.1), "step_size_up": (("int", 1, 500), 100),
    "mode": (("choice", ("triangular", "triangular2", "exp_range")), "triangular"),
    "pct_start": (("float", 0.05, 0.95, 0.05), 0.3), "anneal_strategy": (("choice", ("cos", "linear")), "cos"),
    "div_factor": (("log", 1.0, 1e4), 25.0), "final_div_factor": (("log", 1.0, 1e6), 1e4),
}


def check(where: str, name: str, spec: tuple, value) -> None:
    """ValueError naming ``name``, ``value`` and the range of ``spec`` when ``value`` is outside it."""
    kind = spec[0]
    if kind == "choice":
        values = [o[1] if isinstance(o, tuple) else o for o in spec[1]]
        if isinstance(value, bool) or value not in values:
            raise ValueError(f"{where}: {name}={value!r} is not offered; {name} must be one of {values}.")
    elif kind == "text":
        if not isinstance(value, str):
            raise ValueError(f"{where}: {name}={value!r} must be text such as '30, 60, 80'.")
    else:
        lo, hi = spec[1], spec[2]
        ok = isinstance(value, numbers.Integral if kind == "int" else numbers.Real) and not isinstance(value, bool)
        if not ok or not (lo * (1 - 1e-9) <= value <= hi * (1 + 1e-9)):  # NaN fails the comparison
            what = "an integer" if kind == "int" else "a number"
            raise ValueError(f"{where}: {name}={value!r} is out of range; {name} must be {what} with "
                             f"{lo:g} <= {name} <= {hi:g}.")


def check_run(where: str, data, num_epochs, optimizer, seed) -> None:
    """ValueError for a training explorer's fixed arguments (the controls are checked by ``check``)."""
    if data is not None and getattr(data, "name", None) not in ("wine", "digits", "mnist"):
        raise ValueError(f"{where}: data={data!r} must be lrlab.data.wine(), digits() or mnist() (None: wine).")
    check(where, "num_epochs", ("int", 1, 1000), num_epochs)
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"{where}: optimizer={optimizer!r} must be 'adam' (Adam) or 'sgd' (SGD, momentum 0.9).")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"{where}: seed={seed!r} must be an integer.")


def check_preview(name, values: dict, num_epochs, steps_per_epoch) -> str:
    """ValueError unless ``name`` is previewable and ``values`` are among its controls; returns its class name."""
    for key, value in (("num_epochs", num_epochs), ("steps_per_epoch", steps_per_epoch)):
        check("ScheduleExplorer", key, ("int", 1, 1000), value)
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
            check("", key, spec, own)
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


def train_run(data, name: str, sched_params: dict, *, lr: float, num_epochs: int, optimizer: str = "adam",
              seed: int = 0, monitor: str = "val_loss"):
    """Train the course's model for ``data`` (WineMLP for wine, SmallCNN otherwise) on the CPU with the real
    scheduler ``name``; returns the ``History``. optimizer: "adam" or "sgd" (momentum 0.9)."""
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer={optimizer!r} must be 'adam' (Adam) or 'sgd' (SGD, momentum 0.9).")
    # 1. model, optimizer and the real scheduler (its arguments checked by schedules.make)
    model = models.WineMLP(seed=seed) if data.name == "wine" else models.SmallCNN(seed=seed)
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    scheduler = schedules.make(name, opt, **sched_params)
    # 2. lrlab.fit, quietly (a divergence is reported in History.stopped)
    with one_thread():
        return fit(model, opt, scheduler, data, num_epochs, monitor=monitor, seed=seed, device="cpu", verbose=False)


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


# --- 3. figures: built once, lines updated with set_data, rendered to PNG bytes --------------------------------
class _Reused:
    def __init__(self, num_epochs: int, figsize, dpi, n_axes: int):
        if not (isinstance(dpi, numbers.Real) and 20 <= dpi <= 300):
            raise ValueError(f"dpi={dpi!r} is out of range; it must be a number with 20 <= dpi <= 300.")
        self.fig, self.dpi, self.lines, self._background = Figure(figsize=figsize, dpi=dpi), dpi, [], None
        FigureCanvasAgg(self.fig)
        kw = {"gridspec_kw": {"height_ratios": [1, 1.3]}} if n_axes == 2 else {}
        self.axes = list(self.fig.subplots(n_axes, 1, sharex=True, squeeze=False, **kw)[:, 0])
        self.fig.subplots_adjust(left=0.15, right=0.97, top=0.93, bottom=0.1 if n_axes == 2 else 0.13, hspace=0.12)
        for ax in self.axes:  # plain tick labels (0.01, 1e-05) and no minor ticks: 40% faster to draw
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.yaxis.set_minor_locator(NullLocator())
            ax.grid(True, axis="y", alpha=0.3)  # (vertical grid lines cost 5% of the drawing)
        self.axes[-1].set_xlim(0, num_epochs)
        self.axes[-1].set_xlabel("epoch")

    def render(self, title: str) -> bytes:
        """Rescale the y axes to the new data, set the title, and return the PNG."""
        for ax in self.axes:
            ax.relim()
            ax.autoscale_view(scalex=False)
            lo, hi = ax.get_ylim()
            # ticks at powers of ten over wide ranges, at 1-2-5 or every digit over narrow ones
            decades = math.log10(hi / lo) if lo > 0 else 9
            subs = (1.0,) if decades >= 2 else (1.0, 2.0, 5.0) if decades >= 0.6 else tuple(range(1, 10))
            ax.yaxis.set_major_locator(LogLocator(subs=subs, numticks=8))
        self.axes[0].set_title(title, fontsize="medium", y=1.0)  # a fixed place: the title is drawn on its own
        canvas = self.fig.canvas
        if self._background is None:  # once: everything that never changes (frames, x axis, legend) as pixels
            legends = [ax.get_legend() for ax in self.axes if ax.get_legend() is not None]
            changing = self.lines + legends + [ax.yaxis for ax in self.axes] + [self.axes[0].title]
            for artist in changing:
                artist.set_visible(False)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            for artist in changing:
                artist.set_visible(True)
        # then, for each picture, only what changes is drawn over a copy of it (a third faster than a full draw)
        canvas.restore_region(self._background)
        for ax in self.axes:
            ax.draw_artist(ax.yaxis)  # tick labels, grid lines and label of the rescaled y axis
        for line in self.lines:
            line.axes.draw_artist(line)
        for ax in self.axes:
            if ax.get_legend() is not None:
                ax.draw_artist(ax.get_legend())  # over the lines, as in a full draw
        self.axes[0].draw_artist(self.axes[0].title)
        buf = io.BytesIO()
        size = canvas.get_width_height(physical=True)
        Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(buf, "png", compress_level=1)
        return buf.getvalue()


class TrainingFigure(_Reused):
    """The LR (log scale) above the train and validation losses (log scale), sharing the epoch axis;
    with ``mark_cuts``, dotted lines where the LR was cut (``lr_cuts``)."""

    def __init__(self, num_epochs: int, mark_cuts: bool = False, figsize=(7.5, 5.2), dpi=90):
        super().__init__(num_epochs, figsize, dpi, 2)
        ax_lr, ax_loss = self.axes
        self.mark_cuts = mark_cuts
        (self.lr_line,) = ax_lr.plot([], [], drawstyle="steps-post", color="C0")
        (self.train_line,) = ax_loss.plot([], [], color="C1", label="train")
        (self.val_line,) = ax_loss.plot([], [], "--", color="C2", label="validation")
        # vertical lines from the bottom (0) to the top (1) of each axes, NaN-separated, in one Line2D each
        self.cut_lines = [ax.plot([], [], ":", color="C3", lw=1.6, transform=ax.get_xaxis_transform(),
                                  label="patience ran out")[0] for ax in self.axes]
        self.lines = [self.lr_line, self.train_line, self.val_line, *self.cut_lines]
        ax_lr.set_ylabel("LR (log scale)")
        ax_loss.set_ylabel("loss (log scale)")
        handles = [self.train_line, self.val_line] + self.cut_lines[1:] * mark_cuts
        ax_loss.legend(handles=handles, loc="upper center", ncol=3, framealpha=0.9)  # falling curves leave it free

    def draw(self, h, title: str) -> bytes:
        n = h.num_epochs
        self.lr_line.set_data(h.step_epoch + [n], h.lr + h.epoch_lr[-1:])  # the last LR holds to the end
        self.train_line.set_data(range(1, n + 1), h.train_loss)
        self.val_line.set_data(range(1, len(h.val_loss) + 1), h.val_loss)
        cuts = lr_cuts(h) if self.mark_cuts else []
        for line in self.cut_lines:
            line.set_data([x for c in cuts for x in (c, c, math.nan)], [y for _ in cuts for y in (0, 1, math.nan)])
        return self.render(title)


class CurveFigure(_Reused):
    """One LR curve (log scale) against the epoch, from a ``schedules.preview`` dict."""

    def __init__(self, num_epochs: int, figsize=(7.5, 4.2), dpi=90):
        super().__init__(num_epochs, figsize, dpi, 1)
        (self.lr_line,) = self.axes[0].plot([], [], drawstyle="steps-post")
        self.lines = [self.lr_line]
        self.axes[0].set_ylabel("learning rate (log scale)")

    def draw(self, curve: dict, title: str) -> bytes:
        self.lr_line.set_data(curve["epoch"], curve["lr"])
        return self.render(title)

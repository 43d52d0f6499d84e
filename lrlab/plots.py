"""Plots of lrlab's results. Each takes plain results (a History or a preview dict) and ``ax=None``,
draws, and returns the axes. Plots never train. A figure made here is the caller's to show and close.

``ReusedFigure`` and its two kinds (``TrainingFigure``, ``CurveFigure``) are the other way to draw: one figure
kept and redrawn to PNG bytes, for the explorers of ``lrlab.widgets`` and the README's picture.
"""

from __future__ import annotations

import io
import math
import numbers

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator
from PIL import Image


def use_style(scale: float = 1.0) -> None:
    """Larger fonts and thicker lines, readable on a projector. Lessons call it once at the top.

    Args:
        scale (float, default 1.0): multiply every font size by this (try 1.4 for a big room).
    """
    plt.rcParams.update({
        "figure.figsize": (7, 4), "figure.dpi": 90, "font.size": 12 * scale, "axes.titlesize": 13 * scale,
        "axes.labelsize": 12 * scale, "legend.fontsize": 10.5 * scale, "xtick.labelsize": 10.5 * scale,
        "ytick.labelsize": 10.5 * scale, "lines.linewidth": 2.0, "axes.spines.top": False,
        "axes.spines.right": False, "figure.max_open_warning": 0,
    })


def _get(result, key):
    return result[key] if isinstance(result, dict) else getattr(result, key)


def _ax(ax, figsize=(6, 3.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_lr(result, ax=None, label=None, log=True, **style):
    """The LR at every optimizer step against the epoch, on a log axis by default.

    Args:
        result: a ``History`` from ``fit`` or a dict from ``schedules.preview``.
        ax (matplotlib Axes, optional): where to draw; a new figure when None.
        label (str, optional): legend label.
        log (bool, default True): log-scale the LR axis (LRs often span decades).
    """
    ax = _ax(ax)
    ax.step(_get(result, "step_epoch"), _get(result, "lr"), where="post", label=label, **style)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("learning rate")
    if label:
        ax.legend()
    ax.grid(True, which="major", alpha=0.3)
    return ax


def plot_loss(history, ax=None, label=None, val=True, per_step=False, log=False):
    """Training loss (per epoch, or per step with ``per_step=True``) and validation loss against the epoch."""
    ax = _ax(ax)
    prefix = f"{label} " if label else ""
    if per_step:
        ax.plot(history.step_epoch, history.loss, alpha=0.6, label=f"{prefix}train (per step)")
    else:
        epochs = range(1, len(history.train_loss) + 1)
        ax.plot(epochs, history.train_loss, label=f"{prefix}train")
    if val and history.val_loss:
        ax.plot(range(1, len(history.val_loss) + 1), history.val_loss, "--", label=f"{prefix}validation")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    ax.grid(True, alpha=0.3)
    return ax


def plot_accuracy(history, ax=None, label=None):
    """Training and validation accuracy per epoch."""
    ax = _ax(ax)
    prefix = f"{label} " if label else ""
    epochs = range(1, len(history.train_acc) + 1)
    ax.plot(epochs, history.train_acc, label=f"{prefix}train")
    if history.val_acc:
        ax.plot(range(1, len(history.val_acc) + 1), history.val_acc, "--", label=f"{prefix}validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.02)
    ax.legend()
    ax.grid(True, alpha=0.3)
    return ax


def plot_history(history, axes=None, title=None):
    """Two panels sharing the epoch axis: the LR (log scale) above the training/validation loss.

    Returns the pair of axes.
    """
    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(7, 5), sharex=True, gridspec_kw={"height_ratios": [1, 1.4]})
    plot_lr(history, ax=axes[0])
    axes[0].set_xlabel("")
    plot_loss(history, ax=axes[1])
    if title:
        axes[0].set_title(title)
    return axes


def plot_lr_beside_loss(history, axes=None, title="PyTorch Learning Rate", log=True):
    """Two panels side by side: the LR of every mini-batch (left) and the loss (right), against the epoch.

    The figure of lesson 03's experiment: the LR ``fit`` logged at every optimizer step (what
    ``optimizer.param_groups[0]["lr"]`` held), beside the training loss of every step and the
    validation loss at the end of each epoch.

    Args:
        history (History): from ``fit``.
        axes (pair of matplotlib Axes, optional): where to draw; a new 12x4 in figure when None.
        title (str, default "PyTorch Learning Rate"): title of the LR panel.
        log (bool, default True): log-scale the LR axis (an exponential decay spans decades).

    Returns:
        The pair of axes ``(lr_ax, loss_ax)``.

    Example::

        >>> model = lrlab.models.WineMLP()
        >>> opt = torch.optim.Adam(model.parameters(), lr=0.01)
        >>> sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.1)
        >>> h = lrlab.fit(model, opt, sched, lrlab.data.wine(batch_size=32), num_epochs=3)
        >>> lr_ax, loss_ax = plot_lr_beside_loss(h)
        >>> sorted({round(float(lr), 6) for lr in lr_ax.lines[0].get_ydata()})   # one LR per epoch, 5 batches each
        [0.0001, 0.001, 0.01]
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 4))
    lr_ax, loss_ax = axes
    plot_lr(history, ax=lr_ax, log=log)
    lr_ax.set_title(title)
    plot_loss(history, ax=loss_ax, per_step=True)
    loss_ax.set_title("Loss")
    return lr_ax, loss_ax


_METRICS = {"val_loss": "validation loss", "train_loss": "training loss",
            "val_acc": "validation accuracy", "train_acc": "training accuracy"}


def plot_runs(runs, axes=None, metric="val_loss", log=True):
    """Compare runs side by side: each run's LR per step (left) and one metric per epoch (right).

    Each run keeps its colour in both panels, so a curve on the right can be traced to its schedule.

    Args:
        runs (dict of str -> History): legend label -> history from ``fit``; at least one.
        axes (pair of matplotlib Axes, optional): where to draw; a new 12x4 in figure when None.
        metric (str, default "val_loss"): "val_loss", "train_loss", "val_acc" or "train_acc".
        log (bool, default True): log-scale the LR axis.

    Returns:
        The pair of axes ``(lr_ax, metric_ax)``.

    Example::

        >>> def run(gamma):                  # Adam(lr=0.01) and ExponentialLR(gamma) on Wine, 4 epochs
        ...     model = lrlab.models.WineMLP()
        ...     opt = torch.optim.Adam(model.parameters(), lr=0.01)
        ...     sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=gamma)
        ...     return lrlab.fit(model, opt, sched, lrlab.data.wine(), num_epochs=4)
        >>> lr_ax, loss_ax = plot_runs({"gamma=0.1": run(0.1), "gamma=0.6": run(0.6)})
        >>> [line.get_label() for line in loss_ax.lines]   # left: 0.01, 0.001, ... right: 0.01, 0.006, ...
        ['gamma=0.1', 'gamma=0.6']
    """
    if metric not in _METRICS:
        raise ValueError(f"metric={metric!r} is not recorded per epoch; metric must be one of "
                         f"{', '.join(_METRICS)}.")
    if not isinstance(runs, dict) or not runs:
        raise ValueError(f"runs={runs!r} must be a non-empty dict of label -> History.")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 4))
    lr_ax, metric_ax = axes
    # 1. the LR of every step, one colour per run; 2. the metric at the end of each epoch, same colour
    for i, (label, history) in enumerate(runs.items()):
        plot_lr(history, ax=lr_ax, label=label, log=log, color=f"C{i}")
        values = getattr(history, metric)
        metric_ax.plot(range(1, len(values) + 1), values, "o-", color=f"C{i}", label=label)
    lr_ax.set_title("Learning rate")
    metric_ax.set_title(_METRICS[metric].capitalize())
    metric_ax.set_xlabel("epoch")
    metric_ax.set_ylabel(_METRICS[metric])
    metric_ax.legend()
    metric_ax.grid(True, alpha=0.3)
    return lr_ax, metric_ax


def plot_plateau(trace, axes=None, metric_label="validation loss", log_metric=False):
    """What ReduceLROnPlateau saw and did, on three panels sharing the epoch axis.

    Top: the metric, the best so far, and a triangle where patience ran out (filled: the LR was cut,
    hollow: the cut was skipped, by ``min_lr`` or ``eps``). Middle: ``num_bad_epochs`` against the
    patience, and the cooldown counter. Bottom: the LR after each epoch's step (log scale).

    Args:
        trace (dict): from ``lrlab.plateau.trace``.
        axes (three matplotlib Axes, optional): where to draw; a new 8x7 in figure when None.
        metric_label (str, default "validation loss"): y label of the top panel.
        log_metric (bool, default False): log-scale the metric (a loss heading for 0).

    Returns:
        The three axes ``(metric_ax, count_ax, lr_ax)``.

    Example::

        >>> t = lrlab.plateau.trace([1.0, 0.5, 0.6, 0.7, 0.8], factor=0.5, patience=1)
        >>> metric_ax, count_ax, lr_ax = plot_plateau(t)
        >>> [float(lr) for lr in lr_ax.lines[0].get_ydata()]   # cut on the second bad epoch in a row
        [0.1, 0.1, 0.1, 0.05, 0.05]
    """
    if axes is None:
        _, axes = plt.subplots(3, 1, figsize=(8, 7), sharex=True, gridspec_kw={"height_ratios": [1.4, 0.8, 1]})
    metric_ax, count_ax, lr_ax = axes
    x, p = trace["epoch"], trace["params"]
    # 1. the metric, the best so far, and where patience ran out
    metric_ax.plot(x, trace["metric"], ".-", lw=1.5, label=metric_label)
    metric_ax.step(x, trace["best"], "--", where="post", color="C2", label="best so far")
    at = dict(zip(x, trace["metric"], strict=True))
    metric_ax.plot(trace["cuts"], [at[e] for e in trace["cuts"]], "v", ms=11, color="C3",
                   label="patience ran out: LR cut")
    if trace["skipped"]:
        metric_ax.plot(trace["skipped"], [at[e] for e in trace["skipped"]], "v", ms=11, mfc="none",
                       color="C7", mew=2, label="patience ran out: cut skipped")
    metric_ax.set_ylabel(metric_label)
    if log_metric:
        metric_ax.set_yscale("log")
    metric_ax.legend(loc="best")
    # 2. the counters the scheduler keeps
    count_ax.bar(x, trace["num_bad_epochs"], width=1.0, color="C1", alpha=0.6, label="num_bad_epochs")
    count_ax.axhline(p["patience"], color="C3", ls=":", label=f"patience = {p['patience']}")
    if p["cooldown"]:
        count_ax.step(x, trace["cooldown_counter"], where="mid", color="C4", label="cooldown_counter")
    count_ax.set_ylabel("epochs")
    count_ax.legend(loc="upper left", fontsize="small")
    # 3. the LR after each epoch's scheduler step
    lr_ax.step(x, trace["lr"], where="post", color="C0", label="LR after the step")
    if p["min_lr"]:
        lr_ax.axhline(p["min_lr"], color="C7", ls=":", label=f"min_lr = {p['min_lr']:g}")
    lr_ax.set_yscale("log")
    lr_ax.set_ylabel("learning rate")
    lr_ax.set_xlabel("epoch")
    lr_ax.legend(loc="best")
    for ax in axes:
        for e in trace["patience_out"]:
            ax.axvline(e, color="C3" if e in trace["cuts"] else "C7", lw=0.8, alpha=0.5)
        ax.grid(True, alpha=0.3)
    return metric_ax, count_ax, lr_ax


# --- figures drawn again and again (the explorers, the README picture) -----------------------------------------
class ReusedFigure:
    """One matplotlib ``Figure`` (never pyplot: nothing to close), its lines updated in place and rendered to PNG.

    Only what changes (the lines, the y axes, the title) is drawn over a saved picture of the rest, then encoded
    to PNG bytes: about 5x faster than a new pyplot figure shown by the inline backend (benchmarks/
    bench_explorer.py measures it). Subclasses make their lines (``self.lines``) and a ``draw(...) -> bytes``.
    """

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


class TrainingFigure(ReusedFigure):
    """The LR (log scale) above the train and validation losses (log scale), sharing the epoch axis; with
    ``mark_cuts``, a legend entry for the dotted lines ``draw`` puts where the LR was cut.

    Args:
        num_epochs (int): the epoch axis runs from 0 to this.
        mark_cuts (bool, default False): show the "patience ran out" legend entry.
        figsize (tuple, default (7.5, 5.2)): inches.
        dpi (int, default 90): pixels per inch, 20 to 300.

    Example::

        >>> h = lrlab.train.History(lr=[0.1, 0.1, 0.05], step_epoch=[0.0, 1.0, 2.0], epoch_lr=[0.1, 0.05, 0.05],
        ...                         train_loss=[1.0, 0.6, 0.5], val_loss=[1.1, 0.7, 0.6])
        >>> TrainingFigure(3, mark_cuts=True, dpi=30).draw(h, "StepLR", cuts=[2])[:4]
        b'\\x89PNG'
    """

    def __init__(self, num_epochs: int, mark_cuts: bool = False, figsize=(7.5, 5.2), dpi=90):
        super().__init__(num_epochs, figsize, dpi, 2)
        ax_lr, ax_loss = self.axes
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

    def draw(self, history, title: str, cuts=()) -> bytes:
        """The PNG of ``history`` (a ``History``) under ``title``, dotted lines after the epochs in ``cuts``."""
        n = history.num_epochs
        self.lr_line.set_data(history.step_epoch + [n], history.lr + history.epoch_lr[-1:])  # the last LR holds
        self.train_line.set_data(range(1, n + 1), history.train_loss)
        self.val_line.set_data(range(1, len(history.val_loss) + 1), history.val_loss)
        for line in self.cut_lines:
            line.set_data([x for c in cuts for x in (c, c, math.nan)], [y for _ in cuts for y in (0, 1, math.nan)])
        return self.render(title)


class CurveFigure(ReusedFigure):
    """One LR curve (log scale) against the epoch, from a ``schedules.preview`` dict.

    Args:
        num_epochs (int): the epoch axis runs from 0 to this.
        figsize (tuple, default (7.5, 4.2)): inches.
        dpi (int, default 90): pixels per inch, 20 to 300.

    Example::

        >>> curve = lrlab.schedules.preview("StepLR", 6, step_size=2, gamma=0.5)
        >>> CurveFigure(6, dpi=30).draw(curve, "StepLR")[:4]
        b'\\x89PNG'
    """

    def __init__(self, num_epochs: int, figsize=(7.5, 4.2), dpi=90):
        super().__init__(num_epochs, figsize, dpi, 1)
        (self.lr_line,) = self.axes[0].plot([], [], drawstyle="steps-post")
        self.lines = [self.lr_line]
        self.axes[0].set_ylabel("learning rate (log scale)")

    def draw(self, curve: dict, title: str) -> bytes:
        """The PNG of ``curve`` (``step_epoch`` and ``lr`` lists) under ``title``."""
        self.lr_line.set_data(curve["step_epoch"], curve["lr"])
        return self.render(title)


# One colour per schedule across the course (Okabe-Ito, plus Paul Tol's muted colours where 8 run out):
# all are told apart with the common colour-vision deficiencies. "warmup+cosine" and CosineAnnealingLR
# share a colour on purpose: the course's warmup+cosine is a CosineAnnealingLR after a short warmup.
COLORS = {
    "constant": "#000000",
    "StepLR": "#0072B2",
    "MultiStepLR": "#56B4E9",
    "ExponentialLR": "#009E73",
    "ReduceLROnPlateau": "#D55E00",
    "warmup+cosine": "#CC79A7",
    "CosineAnnealingLR": "#CC79A7",
    "OneCycleLR": "#E69F00",
    "CyclicLR": "#999933",
    "LinearLR": "#332288",
    "LambdaLR": "#44AA99",
    "CosineAnnealingWarmRestarts": "#882255",
    "PolynomialLR": "#AA4499",
    "ConstantLR": "#888888",
    # one run's own curves (a plot with one run and no schedule colours: the most distinct pair)
    "train": "#0072B2",
    "validation": "#D55E00",
}


def color(name: str) -> str:
    """The course's fixed colour for a schedule (or "train" / "validation"), as a hex string.

    Args:
        name (str): a key of ``COLORS``, e.g. "StepLR", "OneCycleLR", "constant"; case is ignored.

    Example:
        >>> color("OneCycleLR"), color("onecyclelr")
        ('#E69F00', '#E69F00')
    """
    if isinstance(name, str):
        if name in COLORS:
            return COLORS[name]
        lower = {key.lower(): value for key, value in COLORS.items()}
        if name.lower() in lower:
            return lower[name.lower()]
    raise ValueError(f"name={name!r} has no course colour; name must be one of {', '.join(COLORS)}.")


def plot_band(x, runs, ax=None, label=None, color=None, xlabel="epoch", ylabel="loss", alpha=0.25):
    """The mean of several runs' curves as a line, their min-max range as a shaded band.

    One band per schedule shows what a single seed hides: how far runs that differ only in their seed
    spread around the mean.

    Args:
        x (sequence of float): the shared x values (e.g. epochs 1..N).
        runs (list of sequences of float): one curve per seed, each as long as ``x``; at least one.
        ax (matplotlib Axes, optional): where to draw; a new figure when None.
        label (str, optional): legend label; a schedule name in ``COLORS`` also picks its colour.
        color (str, optional): any matplotlib colour, or a name in ``COLORS``.
        xlabel (str, default "epoch"), ylabel (str, default "loss"): axis labels.
        alpha (float, default 0.25): opacity of the band.

    Returns:
        The axes.

    Example:
        >>> ax = plot_band([1, 2, 3], [[1.0, 0.5, 0.4], [1.2, 0.6, 0.3]], label="StepLR")
        >>> [round(float(v), 2) for v in ax.lines[0].get_ydata()]     # the mean of the two seeds
        [1.1, 0.55, 0.35]
    """
    import numpy as np

    xs = np.asarray(list(x), dtype=float)
    try:
        curves = np.asarray([list(r) for r in runs], dtype=float)
    except (TypeError, ValueError):
        curves = None
    if curves is None or curves.ndim != 2 or curves.shape[0] == 0 or curves.shape[1] != len(xs):
        raise ValueError(f"runs must be a non-empty list of curves, each of len(x)={len(xs)} numbers; "
                         f"got {runs!r:.200}")
    if color is None:
        color = COLORS.get(label) if isinstance(label, str) else None
    elif isinstance(color, str) and color in COLORS:
        color = COLORS[color]
    ax = _ax(ax)
    n = curves.shape[0]
    line, = ax.plot(xs, curves.mean(axis=0), color=color,
                    label=None if label is None else f"{label} (mean of {n})")
    ax.fill_between(xs, curves.min(axis=0), curves.max(axis=0), color=line.get_color(), alpha=alpha, lw=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if label is not None:
        ax.legend()
    ax.grid(True, alpha=0.3)
    return ax


def plot_landscape(paths, ax=None, lambdas=(1.0, 10.0), colors=None, extent=None, levels=12, markersize=3):
    """Contours of the quadratic ``0.5 * (l1 * x**2 + l2 * y**2)`` with SGD paths drawn on them.

    Args:
        paths (dict of str -> dict, or list of dicts): label -> a path from ``lrlab.landscape.sgd_path``
            (at least its ``points``, a list of ``(x, y)``); a list gets no legend labels.
        ax (matplotlib Axes, optional): where to draw; a new figure when None.
        lambdas (pair of float, default (1.0, 10.0)): the curvatures the paths were run with.
        colors (list of str, optional): one colour per path (default: C0, C1, ...).
        extent (pair of float, optional): draw ``-X..X`` by ``-Y..Y``; default 1.25 times the farthest start.
            Points of a diverging path outside it are clipped.
        levels (int, default 12): contour lines, spaced evenly in log(loss).
        markersize (float, default 3): dot size of the points (0: lines only).

    Returns:
        The axes.

    Example:
        >>> from lrlab import landscape
        >>> ax = plot_landscape({"lr=0.15": landscape.sgd_path(0.15, 30)})
        >>> ax.get_xlabel()
        'x (curvature 1)'
    """
    import numpy as np

    if isinstance(paths, dict) and "points" in paths:
        paths = [paths]
    items = list(paths.items()) if isinstance(paths, dict) else [(None, p) for p in paths]
    if not items or not all(isinstance(p, dict) and p.get("points") for _, p in items):
        raise ValueError("paths must be a non-empty dict (label -> path) or list of paths from "
                         "landscape.sgd_path, each with a non-empty 'points' list.")
    l1, l2 = (float(v) for v in lambdas)
    if extent is None:
        starts = np.abs(np.array([p["points"][0] for _, p in items], dtype=float))
        half_x, half_y = 1.25 * starts.max(axis=0)
        if half_x == 0 or half_y == 0:  # a start on an axis: size the view by the points themselves
            pts = np.abs(np.array([pt for _, p in items for pt in p["points"]], dtype=float))
            pts = pts[np.isfinite(pts).all(axis=1)]
            half_x, half_y = (max(h, 1.25 * np.percentile(pts[:, i], 99), 1e-3) for i, h in enumerate((half_x, half_y)))
    else:
        half_x, half_y = (float(v) for v in extent)
    ax = _ax(ax, figsize=(7, 4.5))
    # 1. the bowl: contour lines evenly spaced in log(loss), the minimum as a star
    gx, gy = np.meshgrid(np.linspace(-half_x, half_x, 201), np.linspace(-half_y, half_y, 201))
    z = 0.5 * (l1 * gx**2 + l2 * gy**2)
    top = z.max()
    ax.contour(gx, gy, z, levels=np.geomspace(top * 1e-4, top, levels), colors="0.75", linewidths=0.8)
    ax.plot([0], [0], "*", color="k", ms=12, zorder=3)
    # 2. each path: a line through its points, its start marked with an open circle
    for i, (label, path) in enumerate(items):
        c = colors[i] if colors else f"C{i}"
        pts = np.array(path["points"], dtype=float)
        ax.plot(pts[:, 0], pts[:, 1], "-o", color=c, lw=1, ms=markersize, label=label, alpha=0.85)
        ax.plot(pts[0, 0], pts[0, 1], "o", mfc="white", mec=c, mew=2, ms=8, zorder=3)
    ax.set_xlim(-half_x, half_x)
    ax.set_ylim(-half_y, half_y)
    ax.set_xlabel(f"x (curvature {l1:g})")
    ax.set_ylabel(f"y (curvature {l2:g})")
    if any(label is not None for label, _ in items):
        ax.legend(loc="upper right", fontsize="small")
    return ax

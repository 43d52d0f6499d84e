"""Plots of lrlab's results. Each takes plain results (a History or a preview dict) and ``ax=None``,
draws, and returns the axes. Plots never train. A figure made here is the caller's to show and close.

``ReusedFigure`` and its two kinds (``TrainingFigure``, ``CurveFigure``) are the other way to draw: one figure
kept and redrawn to PNG bytes, for the explorers of ``lrlab.widgets`` and the README's picture.
"""

from __future__ import annotations

import math
import numbers
import struct
import threading
import zlib

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator
from matplotlib.transforms import Bbox


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
    patience, a triangle at ``patience + 1`` on each epoch that exceeded it (the scheduler's count, which
    reads 0 after that step), and the cooldown counter. Bottom: the LR after each epoch's step (log scale).

    Args:
        trace (dict): from ``lrlab.plateau.trace``.
        axes (three matplotlib Axes, optional): where to draw; a new 8x7.5 in figure when None.
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
        _, axes = plt.subplots(3, 1, figsize=(8, 7.5), sharex=True, gridspec_kw={"height_ratios": [1.4, 1.1, 1]})
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
    if trace["patience_out"]:  # the bad epoch that exceeded patience: the count reached patience + 1, then reset to 0
        count_ax.plot(trace["patience_out"], [p["patience"] + 1] * len(trace["patience_out"]), "v", color="C3", ms=8,
                      ls="none", label=f"bad epoch {p['patience'] + 1}: patience exceeded")
    if p["cooldown"]:
        count_ax.step(x, trace["cooldown_counter"], where="mid", color="C4", label="cooldown_counter")
    count_ax.set_ylabel("epochs")
    top = max([p["patience"] + 1, p["cooldown"], *trace["num_bad_epochs"]])
    count_ax.set_ylim(0, top * 1.9 + 1)  # room above the bars and triangles for the legend
    count_ax.legend(loc="upper left", fontsize="small", ncol=2)
    # 3. the LR after each epoch's scheduler step
    lr_ax.step(x, trace["lr"], where="post", color=COLORS["ReduceLROnPlateau"], label="LR after the step")
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
_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def tick_label(value: float, _position=None) -> str:
    """One style for every tick of a log axis that spans decades: 1, 10, 100 plainly, powers of ten below 1 as
    10⁻¹, 10⁻² (never a mix of "0.0001" and "1e-06" on one axis), other values as 5×10⁻⁵.

    Example::

        >>> [tick_label(v) for v in (100, 1, 0.1, 0.01, 1e-6, 5e-5)]
        ['100', '1', '10⁻¹', '10⁻²', '10⁻⁶', '5×10⁻⁵']
    """
    if value <= 0 or not math.isfinite(value):
        return f"{value:g}"
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = round(value / 10.0 ** exponent, 1)
    if 0 <= exponent <= 2:
        return f"{value:g}"
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    return power if mantissa == 1 else f"{mantissa:g}\u00d7{power}"


def _plain_label(value: float, _position=None) -> str:
    return f"{value:g}"


def png_bytes(rgba, width: int, height: int) -> bytes:
    """RGBA pixels (``height`` rows of ``width * 4`` bytes, e.g. an Agg canvas's ``buffer_rgba()``) as the bytes
    of a PNG: the rows unfiltered, deflated once at level 1 (zlib releases the GIL meanwhile). For a plot about
    4x faster than Pillow's encoder, and no bigger: its rows are mostly runs of one colour.

    Example::

        >>> import io, PIL.Image
        >>> png = png_bytes(bytes([255, 0, 0, 255]) * 6, 3, 2)     # 3 x 2 red pixels
        >>> png[:8], PIL.Image.open(io.BytesIO(png)).getpixel((2, 1))
        (b'\\x89PNG\\r\\n\\x1a\\n', (255, 0, 0, 255))
    """
    import numpy as np

    raw = np.empty((height, 1 + 4 * width), np.uint8)
    raw[:, 0] = 0  # filter type "none", every row
    raw[:, 1:] = np.frombuffer(rgba, np.uint8).reshape(height, 4 * width)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, deflate, filtered, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1))
            + chunk(b"IEND", b""))


def log_limits(values, default=(0.1, 1.0), decades: int = 0) -> tuple[float, float]:
    """Limits of a log axis showing ``values`` (non-finite and values <= 0 left out): a margin, then snapped
    outwards to powers of ten over two decades or more (the bottom to an even power over four or more), to 1-2-5
    steps over less; with ``decades``, at least that many decades below the top. Snapped limits repeat from one
    picture to the next, so a ``ReusedFigure`` draws each y axis once and then takes it from its cache.

    Example::

        >>> log_limits([0.1, 0.001]), log_limits([0.1]), log_limits([float("nan"), 0.0])
        ((0.0001, 1.0), (0.05, 0.2), (0.1, 1.0))
        >>> log_limits([0.03, 0.003], decades=5)       # an LR axis: the same for every run that starts at 0.03
        (1e-06, 0.1)
        >>> log_limits([1.1, 3e-7]), log_limits([1.1, 3e-8])    # losses: the bottom moves two decades at a time
        ((1e-08, 10.0), (1e-08, 10.0))
    """
    finite = [v for v in values if 0 < v < math.inf]
    if not finite:
        return default
    lo, hi = max(min(finite) / 1.15, 1e-300), min(max(finite) * 1.15, 1e300)
    if decades:
        lo = min(lo, 10.0 ** (math.ceil(math.log10(hi)) - decades))
    if math.log10(hi / lo) >= 2:  # powers of ten; over four decades or more the bottom at an even one
        bottom = math.floor(math.log10(lo))
        bottom -= bottom % 2 if math.log10(hi / lo) >= 4 else 0
        return 10.0 ** bottom, 10.0 ** math.ceil(math.log10(hi))
    steps = [m * 10.0 ** e for e in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 2)
             for m in (1, 2, 5)]
    return max(s for s in steps if s <= lo * (1 + 1e-12)), min(s for s in steps if s >= hi * (1 - 1e-12))


class ReusedFigure:
    """One matplotlib ``Figure`` (never pyplot: nothing to close), its lines updated in place and rendered to PNG.

    What never changes (frames, x axis, axis labels, the legend) is drawn once and kept as pixels; each y axis is
    drawn once per pair of (snapped) limits and kept too, shared by the figures drawn alike. A picture is then:
    those pixels put back, the grid and the data lines drawn, the legend put back over them, the title drawn (if
    any), one PNG encoded (``png_bytes``): a few ms, where a new pyplot figure shown by the inline backend takes
    100 to 300 (benchmarks/bench_explorer.py measures the explorers). Subclasses pass their y axes' labels, make
    their lines (``self.lines``; those in ``self.data_lines`` set the y limits) and a ``draw(...) -> bytes``.
    ``lock`` is held while drawing: one picture at a time.
    """

    AXIS_CACHE = 16  # y axes kept as pixels, per axes
    _shared, _shared_lock = {}, threading.Lock()  # y axes as pixels, shared by figures alike (size, labels, fonts)

    def __init__(self, num_epochs: int, figsize, dpi, n_axes: int, ylabels=()):
        if not (isinstance(dpi, numbers.Real) and 20 <= dpi <= 300):
            raise ValueError(f"dpi={dpi!r} is out of range; it must be a number with 20 <= dpi <= 300.")
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.dpi, self.lines, self.data_lines, self.decades = dpi, [], [], [0] * n_axes
        self.lock, self._background, self._legends = threading.Lock(), None, []
        FigureCanvasAgg(self.fig)
        kw = {"gridspec_kw": {"height_ratios": [1, 1.3]}} if n_axes == 2 else {}
        self.axes = list(self.fig.subplots(n_axes, 1, sharex=True, squeeze=False, **kw)[:, 0])
        self.fig.subplots_adjust(left=0.15, right=0.97, top=0.93, bottom=0.1 if n_axes == 2 else 0.13, hspace=0.12)
        self.grids = []
        for ax, label in zip(self.axes, ylabels, strict=True):  # plain tick labels (0.01, 1e-05), no minor ticks
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(_plain_label))
            ax.yaxis.set_minor_locator(NullLocator())
            # horizontal grid lines as one line of their own: drawn with the data, not with the cached y axis
            self.grids.append(ax.plot([], [], color=plt.rcParams["grid.color"], lw=0.8, alpha=0.3, zorder=0.5,
                                      transform=ax.get_yaxis_transform())[0])
            # the axis label at a fixed place by the figure's edge: part of what never changes, drawn once
            box = ax.get_position()
            self.fig.text(0.01, (box.y0 + box.y1) / 2, label, rotation=90, ha="left", va="center",
                          fontsize=plt.rcParams["axes.labelsize"])
        self.axes[-1].set_xlim(0, num_epochs)
        self.axes[-1].set_xlabel("epoch")
        fonts = tuple(plt.rcParams[k] for k in ("font.size", "ytick.labelsize", "axes.labelsize", "font.family"))
        key = (type(self).__name__, num_epochs, tuple(figsize), dpi, tuple(ylabels), str(fonts))
        with self._shared_lock:
            self._axis_pixels = self._shared.setdefault(key, [{} for _ in self.axes])

    def _capture_background(self) -> None:
        """Once: everything that never changes, as pixels; the legends (opaque) also apart, to go over the lines."""
        canvas = self.fig.canvas
        changing = self.lines + self.grids + [ax.yaxis for ax in self.axes] + [self.axes[0].title]
        for artist in changing:
            artist.set_visible(False)
        canvas.draw()
        self._background = canvas.copy_from_bbox(self.fig.bbox)
        self._legends = [canvas.copy_from_bbox(ax.get_legend().get_window_extent())
                         for ax in self.axes if ax.get_legend() is not None]
        for artist in changing:
            artist.set_visible(True)

    def _axis_box(self, i: int, drawn):
        """The pixels of axes ``i``'s y axis: left of the frame, between the middles of the gaps to its neighbours."""
        ax, fig_box = self.axes[i], self.fig.bbox
        lo = (self.axes[i + 1].bbox.y1 + ax.bbox.y0) / 2 if i + 1 < len(self.axes) else fig_box.y0
        hi = (self.axes[i - 1].bbox.y0 + ax.bbox.y1) / 2 if i > 0 else fig_box.y1
        y0, y1 = max(lo, min(drawn.y0, ax.bbox.y0) - 2), min(hi, max(drawn.y1, ax.bbox.y1) + 2)
        return Bbox([[fig_box.x0, y0], [ax.bbox.x0 + 1, y1]])

    def render(self, title: str = "") -> bytes:
        """Set each y axis's limits from the data lines, draw ``title`` ("": none), and return the PNG."""
        with self.lock:
            canvas = self.fig.canvas
            if self._background is None:
                self._capture_background()
            canvas.restore_region(self._background)
            renderer = canvas.get_renderer()
            for i, ax in enumerate(self.axes):
                lo, hi = log_limits([v for line in self.data_lines if line.axes is ax for v in line.get_ydata()],
                                    decades=self.decades[i])
                wide = math.log10(hi / lo) >= 2  # ticks at powers of ten (labelled 10⁻²), else at 1-2-5 (0.2)
                subs = (1.0,) if wide else (1.0, 2.0, 5.0)
                ax.yaxis.set_major_formatter(FuncFormatter(tick_label if wide else _plain_label))
                ax.set_ylim(lo, hi)
                ax.yaxis.set_major_locator(LogLocator(subs=subs, numticks=6))  # fewer labels: text is dear
                ticks = [t for t in ax.yaxis.get_major_locator().tick_values(lo, hi) if lo <= t <= hi * (1 + 1e-9)]
                self.grids[i].set_data([x for _ in ticks for x in (0, 1, math.nan)],
                                       [y for t in ticks for y in (t, t, math.nan)])
                pixels = self._axis_pixels[i]
                with self._shared_lock:
                    region = pixels.get((lo, hi))
                if region is not None:
                    canvas.restore_region(region)
                else:  # drawn once for these limits: tick marks and tick labels
                    ax.draw_artist(ax.yaxis)
                    region = canvas.copy_from_bbox(self._axis_box(i, ax.yaxis.get_tightbbox(renderer)))
                    with self._shared_lock:
                        if len(pixels) >= self.AXIS_CACHE:
                            pixels.pop(next(iter(pixels)))
                        pixels[lo, hi] = region
            for line in self.grids + self.lines:
                line.axes.draw_artist(line)
            for legend in self._legends:  # over the lines, as in a full draw
                canvas.restore_region(legend)
            if title:  # text is the dearest thing to draw (a third of a picture): callers may show it elsewhere
                self.axes[0].set_title(title, fontsize="medium", y=1.0)  # a fixed place: drawn on its own
                self.axes[0].draw_artist(self.axes[0].title)
            width, height = canvas.get_width_height(physical=True)
            return png_bytes(canvas.buffer_rgba(), width, height)


def _finite(values) -> list:
    """``values`` with NaN where a log axis cannot show them (non-finite, <= 0): a gap in the line, no error."""
    return [v if 0 < v < math.inf else math.nan for v in values]


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
        super().__init__(num_epochs, figsize, dpi, 2, ("LR (log scale)", "loss (log scale)"))
        ax_lr, ax_loss = self.axes
        (self.lr_line,) = ax_lr.plot([], [], drawstyle="steps-post", color=COLORS["constant"])
        (self.train_line,) = ax_loss.plot([], [], color=COLORS["train"], label="train")
        (self.val_line,) = ax_loss.plot([], [], "--", color=COLORS["validation"], label="validation")
        # vertical lines from the bottom (0) to the top (1) of each axes, NaN-separated, in one Line2D each
        self.cut_lines = [ax.plot([], [], ":", color=COLORS["ReduceLROnPlateau"], lw=1.6,
                                  transform=ax.get_xaxis_transform(), label="patience ran out")[0] for ax in self.axes]
        self.lines = [self.lr_line, self.train_line, self.val_line, *self.cut_lines]
        self.data_lines = [self.lr_line, self.train_line, self.val_line]
        self.decades[0] = 5  # the LR axis spans 5 decades or more: the same frame for every run from one LR
        handles = [self.train_line, self.val_line] + self.cut_lines[1:] * mark_cuts
        # opaque, so that it can be put back over the lines as pixels; falling curves leave the top free
        ax_loss.legend(handles=handles, loc="upper center", ncol=3, framealpha=1.0)

    def draw(self, history, title: str = "", cuts=(), lr_color: str | None = None) -> bytes:
        """The PNG of ``history`` (a ``History``, complete or stopped early: what it holds is drawn) under
        ``title``, dotted lines after the epochs in ``cuts``; the LR in ``lr_color`` (the schedule's course
        colour, ``color(name)``; black when None), the losses in the course's neutral train/validation greys."""
        self.lr_line.set_color(lr_color or COLORS["constant"])
        n, xs, ys = history.num_epochs, [], []
        for x, lr in zip(history.step_epoch, history.lr, strict=True):  # where the LR changes: same line, fewer points
            if not ys or lr != ys[-1]:
                xs.append(x)
                ys.append(lr)
        if ys:  # the last LR holds to the end of the last step's epoch; after a whole epoch, its scheduler step shows
            steps = history.step_epoch
            xs.append(steps[-1] + (steps[1] - steps[0] if len(steps) > 1 else 1.0))  # one step's width further
            whole = len(history.epoch_lr) == n and abs(xs[-1] - n) < 1e-9
            ys.append(history.epoch_lr[-1] if whole else ys[-1])
        self.lr_line.set_data(xs, _finite(ys))
        self.train_line.set_data(range(1, n + 1), _finite(history.train_loss))
        self.val_line.set_data(range(1, len(history.val_loss) + 1), _finite(history.val_loss))
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
        super().__init__(num_epochs, figsize, dpi, 1, ("learning rate (log scale)",))
        (self.lr_line,) = self.axes[0].plot([], [], drawstyle="steps-post", color=COLORS["constant"])
        self.lines = self.data_lines = [self.lr_line]

    def draw(self, curve: dict, title: str = "", lr_color: str | None = None) -> bytes:
        """The PNG of ``curve`` (``step_epoch`` and ``lr`` lists) under ``title``, in ``lr_color`` (the
        schedule's course colour; black when None)."""
        self.lr_line.set_color(lr_color or COLORS["constant"])
        self.lr_line.set_data(curve["step_epoch"], _finite(curve["lr"]))
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
    # one run's own curves, beside an LR drawn in its schedule's colour: neutral greys (solid / dashed)
    "train": "#666666",
    "validation": "#222222",
}
# Colours for what is not a schedule: the three verdicts on an LR (lessons 01 and 03) and the two optimizers that
# lesson 02 compares. They reuse Okabe-Ito colours that schedules have too: no lesson draws them beside schedules.
OTHER_COLORS = {
    "too small": "#56B4E9",
    "about right": "#009E73",
    "too large": "#D55E00",
    "SGD": "#0072B2",
    "Adam": "#E69F00",
    # a range test's curves (lesson 03, finder.plot_finder): no schedule is drawn beside them
    "raw loss": "#A6A6A6",
    "smoothed loss": "#0072B2",
}


def color(name: str) -> str:
    """The course's fixed colour for a schedule (or "train" / "validation"), as a hex string.

    Also an LR verdict ("too small", "about right", "too large") or an optimizer ("SGD", "Adam"):
    ``OTHER_COLORS``.

    Args:
        name (str): a key of ``COLORS`` or ``OTHER_COLORS``, e.g. "StepLR", "OneCycleLR", "constant",
            "too large"; case is ignored.

    Example:
        >>> color("OneCycleLR"), color("onecyclelr")
        ('#E69F00', '#E69F00')
    """
    if isinstance(name, str):
        known = {**COLORS, **OTHER_COLORS}
        if name in known:
            return known[name]
        lower = {key.lower(): value for key, value in known.items()}
        if name.lower() in lower:
            return lower[name.lower()]
    raise ValueError(f"name={name!r} has no course colour; name must be one of "
                     f"{', '.join([*COLORS, *OTHER_COLORS])}.")


def plot_band(x, runs, ax=None, label=None, color=None, xlabel="epoch", ylabel="loss", alpha=0.25, **style):
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
        **style: passed on to the mean's line (``ls="--"``, ``lw=3``, ``zorder=...``): two schedules that share
            a colour, or whose bands coincide, stay told apart.

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
                    label=None if label is None else f"{label} (mean of {n})", **style)
    ax.fill_between(xs, curves.min(axis=0), curves.max(axis=0), color=line.get_color(), alpha=alpha, lw=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if label is not None:
        ax.legend()
    ax.grid(True, alpha=0.3)
    return ax


def plot_landscape(paths, ax=None, lambdas=(1.0, 10.0), colors=None, extent=None, levels=12, markersize=3,
                   until_outside=False):
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
        until_outside (bool, default False): draw each path only up to its first point outside the view, so a
            diverging path ends where it leaves the picture instead of crossing it again and again.

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
        if until_outside:  # keep the first point outside the view: the line shows where the path leaves it
            outside = np.flatnonzero(~(np.isfinite(pts).all(axis=1) & (np.abs(pts[:, 0]) <= half_x)
                                       & (np.abs(pts[:, 1]) <= half_y)))
            pts = pts[:outside[0] + 1] if len(outside) else pts
        ax.plot(pts[:, 0], pts[:, 1], "-o", color=c, lw=1, ms=markersize, label=label, alpha=0.85)
        ax.plot(pts[0, 0], pts[0, 1], "o", mfc="white", mec=c, mew=2, ms=8, zorder=3)
    ax.set_xlim(-half_x, half_x)
    ax.set_ylim(-half_y, half_y)
    ax.set_xlabel(f"x (curvature {l1:g})")
    ax.set_ylabel(f"y (curvature {l2:g})")
    if any(label is not None for label, _ in items):
        ax.legend(loc="upper right", fontsize="small")
    return ax

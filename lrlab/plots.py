"""Plots of lrlab's results. Each takes plain results (a History or a preview dict) and ``ax=None``,
draws, and returns the axes. Plots never train. A figure made here is the caller's to show and close.
"""

from __future__ import annotations

import matplotlib

if matplotlib.get_backend().lower() == "macosx":  # pragma: no cover - keep lessons headless-safe
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


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
    x = _get(result, "step_epoch") if not isinstance(result, dict) else result["epoch"]
    ax.step(x, _get(result, "lr"), where="post", label=label, **style)
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

        >>> sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.1)   # opt: Adam(lr=0.01)
        >>> h = lrlab.fit(model, opt, sched, data.digits(), num_epochs=3)
        >>> lr_ax, loss_ax = plot_lr_beside_loss(h)   # LR steps 0.01, 0.001, 0.0001, one per epoch
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

        >>> runs = {"gamma=0.1": h_fast, "gamma=0.6": h_slow}   # two ExponentialLR runs from fit
        >>> lr_ax, loss_ax = plot_runs(runs)   # left: 0.01, 0.001, ... vs 0.01, 0.006, ...
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

        >>> t = lrlab.plateau.trace(history.val_loss, patience=10)   # LR 0.1, ..., 0.01 after a cut
        >>> metric_ax, count_ax, lr_ax = plot_plateau(t)
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

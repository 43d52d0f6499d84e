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

"""The LR range test: raise the LR after every mini-batch, record the loss, read off a good LR.

``lr_range_test`` ramps the LR from ``start_lr`` to ``end_lr`` with a real PyTorch scheduler (``LambdaLR``,
stepped once per batch), records the raw and the smoothed loss, stops when the loss diverges, and then
puts everything back exactly as it was: weights, buffers, gradients, train/eval flags, optimizer state,
param-group LRs, the global RNG and the loader's shuffling. Three named rules suggest an LR;
``verify`` trains briefly around a suggestion so you can see whether it holds.
matplotlib is imported only inside the plot functions.

Example::

    >>> d = lrlab.data.wine(batch_size=16)
    >>> model = lrlab.models.WineMLP()
    >>> opt = torch.optim.Adam(model.parameters())
    >>> r = lr_range_test(model, opt, None, d, start_lr=1e-4, end_lr=10, num_iter=100)
    >>> [round(lr, 7) for lr in r.lr[:3]]    # 1e-4 * 10**(5 * i / 99): five decades in 100 steps
    [0.0001, 0.0001123, 0.0001262]
    >>> r.stopped, sorted(r.suggestions)    # Adam on Wine diverges before lr=10
    ('diverged', ['minimum/10', 'steepest', 'valley'])
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field

import torch
from torch import nn
from torch.optim import lr_scheduler

from . import schedules, state
from . import train as _train
from .suggestions import RULES, Suggestion, steepest, suggest, valley  # noqa: F401 - the finder's API
from .verify import Verification, plot_verify, verify  # noqa: F401 - the finder's API

MODES = ("exp", "linear")


@dataclass
class FinderResult:
    """What ``lr_range_test`` measured, as plain lists, one entry per optimizer step.

    ``lr`` (the LR that step used), ``loss`` (raw), ``smooth_loss``; ``stopped`` is "end_lr", "diverged"
    or "data_exhausted" and ``message`` says why in words; ``suggestions`` maps rule name -> Suggestion.
    """

    lr: list
    loss: list
    smooth_loss: list
    stopped: str
    message: str
    mode: str
    start_lr: float
    end_lr: float
    num_iter: int
    smooth: float
    loss_kind: str = "training"
    suggestions: dict = field(default_factory=dict)

    @property
    def steps(self) -> int:
        return len(self.lr)

    @property
    def spread(self) -> float:
        """Largest suggested LR over the smallest: how much the rules disagree (nan without suggestions)."""
        lrs = [s.lr for s in self.suggestions.values()]
        return max(lrs) / min(lrs) if lrs else math.nan

    def asdict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        lines = [f"{self.steps} steps, stopped: {self.message}"]
        lines += [f"  {s.name:<11}{s.lr:>9.2g}   {s.rule}" for s in self.suggestions.values()]
        if self.suggestions:
            lines.append(f"  the suggestions span a factor of {self.spread:.1f}")
        return "\n".join(lines)

    def __repr__(self):
        picks = ", ".join(f"{k}={s.lr:.3g}" for k, s in self.suggestions.items())
        return f"FinderResult(steps={self.steps}, stopped={self.stopped!r}, {picks})"


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _batches(data, name):
    if data is None or not hasattr(data, "__iter__") and not hasattr(data, "train"):
        raise ValueError(f"{name}={data!r} must be lrlab.data.Data, a (train, val) pair or a loader of "
                         "(inputs, targets) batches.")
    batches = data.val if name == "val_data" and hasattr(data, "val") else _train._split_data(data)[0]
    if batches is None or (hasattr(batches, "__len__") and len(batches) == 0):
        raise ValueError(f"{name} has no batches; it must yield (inputs, targets) pairs.")
    return batches


def _check_range(start_lr, end_lr, num_iter, mode):
    if not (_number(start_lr) and start_lr > 0):
        raise ValueError(f"start_lr={start_lr!r} is out of range; it must be a finite number > 0.")
    if not (_number(end_lr) and end_lr > start_lr):
        raise ValueError(f"end_lr={end_lr!r} is out of range; it must be a finite number > start_lr ({start_lr:g}).")
    if isinstance(num_iter, bool) or not isinstance(num_iter, int) or num_iter < 2:
        raise ValueError(f"num_iter={num_iter!r} is out of range; it must be an integer >= 2.")
    if mode not in MODES:
        raise ValueError(f"mode={mode!r} must be 'exp' (equal steps per decade) or 'linear'.")


def _check(model, optimizer, criterion, start_lr, end_lr, num_iter, mode, smooth, diverge_th, cycle, seed):
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    mine = {id(p) for p in model.parameters()}
    if not any(id(p) in mine for g in optimizer.param_groups for p in g["params"]):
        raise ValueError("optimizer must be built on model.parameters(); it holds none of the model's parameters.")
    if criterion is not None and not callable(criterion):
        raise ValueError(f"criterion={criterion!r} must be None (CrossEntropyLoss) or a loss function.")
    _check_range(start_lr, end_lr, num_iter, mode)
    if not (_number(smooth) and 0 <= smooth < 1):
        raise ValueError(f"smooth={smooth!r} is out of range; it must be a number with 0 <= smooth < 1 "
                         "(0: no smoothing).")
    if diverge_th is not None and not (_number(diverge_th) and diverge_th > 1):
        raise ValueError(f"diverge_th={diverge_th!r} must be None (stop on NaN/inf only) or a number > 1.")
    if not isinstance(cycle, bool):
        raise ValueError(f"cycle={cycle!r} must be True or False.")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed={seed!r} must be an integer.")


def _factor(mode, start_lr, end_lr, num_iter):
    """LambdaLR's multiplier of start_lr at step i: equal ratios ("exp") or equal differences ("linear")."""
    ratio = end_lr / start_lr
    if mode == "exp":
        return lambda i: ratio ** (i / (num_iter - 1))
    return lambda i: 1 + (ratio - 1) * i / (num_iter - 1)


def ramp(start_lr: float, end_lr: float, num_iter: int, mode: str = "exp") -> list:
    """The LRs a range test uses, step by step, from the same real ``LambdaLR`` (no training).

    Example::

        >>> [round(lr, 6) for lr in ramp(1e-3, 1.0, 4)]   # exp: x10 per step
        [0.001, 0.01, 0.1, 1.0]
        >>> ramp(1e-3, 1.0, 4, mode="linear")    # +0.333 per step: 0.001 is the only LR below 0.3
        [0.001, 0.334, 0.667, 1.0]
    """
    _check_range(start_lr, end_lr, num_iter, mode)
    factor = _factor(mode, start_lr, end_lr, num_iter)
    return schedules.preview("LambdaLR", num_iter, lr=start_lr, lr_lambda=factor)["lr"]


def _mean_loss(model, batches, criterion, device) -> float:
    model.eval()
    total, count = 0.0, 0
    with torch.inference_mode():
        for x, y in batches:
            total += criterion(model(x.to(device)), y.to(device)).item() * len(y)
            count += len(y)
    model.train()
    return total / count


def _run(model, optimizer, criterion, batches, val, start_lr, end_lr, num_iter, mode, smooth, diverge_th, cycle):
    # 1. every param group starts at start_lr; LambdaLR multiplies it by the ramp's factor at each step
    for group in optimizer.param_groups:
        group["lr"] = group["initial_lr"] = start_lr
    scheduler = lr_scheduler.LambdaLR(optimizer, _factor(mode, start_lr, end_lr, num_iter))
    device = next(model.parameters()).device
    lrs, raw, smoothed = [], [], []
    average, best, it = 0.0, math.inf, iter(batches)
    stopped, message = "end_lr", f"reached end_lr={end_lr:g} after {num_iter} steps"
    model.train()
    for i in range(num_iter):
        # 2. next batch; start the loader again when it runs out (unless cycle=False)
        try:
            x, y = next(it)
        except StopIteration:
            if not cycle:
                stopped, message = "data_exhausted", f"data exhausted after {i} steps (one pass; cycle=False)"
                break
            it = iter(batches)
            x, y = next(it, (None, None))
            if x is None:  # a one-shot iterator: nothing more to read
                stopped, message = "data_exhausted", f"data exhausted after {i} steps (it cannot restart)"
                break
        x, y = x.to(device), y.to(device)
        lr = optimizer.param_groups[0]["lr"]
        # 3. one ordinary training step at this LR, then the scheduler's step raises the LR
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        value = loss.item()
        if math.isfinite(value):
            loss.backward()
            optimizer.step()
            scheduler.step()
            if val is not None:
                value = _mean_loss(model, val, criterion, device)
        if not math.isfinite(value):
            stopped, message = "diverged", f"diverged at step {i + 1} (lr={lr:.3g}): the loss is {value}"
            break
        # 4. bias-corrected exponential moving average, as fastai and Lightning smooth it
        average = smooth * average + (1 - smooth) * value
        lrs.append(float(lr))
        raw.append(value)
        smoothed.append(average / (1 - smooth ** (i + 1)))
        best = min(best, smoothed[-1])
        if diverge_th is not None and smoothed[-1] > diverge_th * best:
            stopped, message = "diverged", (f"diverged at step {i + 1} (lr={lr:.3g}): smoothed loss "
                                            f"{smoothed[-1]:.3g} > {diverge_th:g} x its minimum {best:.3g}")
            break
    return lrs, raw, smoothed, stopped, message


def lr_range_test(model: nn.Module, optimizer: torch.optim.Optimizer, criterion=None, data=None,
                  start_lr: float = 1e-7, end_lr: float = 10.0, num_iter: int = 100, mode: str = "exp",
                  smooth: float = 0.95, diverge_th: float | None = 4.0, val_data=None, *, cycle: bool = True,
                  seed: int = 0) -> FinderResult:
    """Raise the LR after every mini-batch from ``start_lr`` to ``end_lr`` and record the loss.

    Afterwards the model, the optimizer (state, param-group LRs, an attached scheduler's view of them),
    the global torch RNG and the loader's shuffling generator are exactly as before, even on an error.

    Args:
        model (nn.Module), optimizer (torch.optim.Optimizer): as you will train them; an optimizer with a
            scheduler already attached is fine.
        criterion (default ``nn.CrossEntropyLoss()``): the loss.
        data: ``lrlab.data.Data``, a ``(train, val)`` pair or a loader; its training batches are used.
        start_lr (float, default 1e-7), end_lr (float, default 10.0): the range, 0 < start_lr < end_lr.
        num_iter (int, default 100): optimizer steps (one per batch), >= 2; the loader is cycled if shorter.
        mode (str, default "exp"): "exp" (the same factor every step, equal time per decade) or "linear".
        smooth (float, default 0.95): weight of the past in the moving average, 0 <= smooth < 1.
        diverge_th (float or None, default 4.0): stop when the smoothed loss exceeds this many times its
            minimum so far; a NaN/inf loss always stops the test.
        val_data (optional): record the mean loss over these batches after every step instead
            (slower, less noisy); a ``Data`` gives its ``.val``.
        cycle (bool, default True): start the loader again when it runs out; False stops the test there.
        seed (int, default 0): seeds torch and the loader's generator for the test only.

    Returns:
        FinderResult: per step ``lr``, ``loss``, ``smooth_loss``; ``stopped``/``message``; ``suggestions``.

    Example::

        >>> r = lr_range_test(model, opt, None, lrlab.data.digits(), start_lr=1e-5, end_lr=10, num_iter=60)
        >>> [round(lr, 8) for lr in r.lr[:3]]     # 1e-5 * 10**(6 * i / 59): x1.26 a step
        [1e-05, 1.264e-05, 1.597e-05]
    """
    # 1. check every argument before anything is touched
    _check(model, optimizer, criterion, start_lr, end_lr, num_iter, mode, smooth, diverge_th, cycle, seed)
    batches = _batches(data, "data")
    val = None if val_data is None else _batches(val_data, "val_data")
    criterion = criterion or nn.CrossEntropyLoss()
    device = next(model.parameters()).device
    saved = state.snapshot(model, optimizer, batches)
    # 2. run the test on forked RNGs; 3. put everything back, whatever happened
    try:
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(seed)
            if saved["generator"] is not None:
                batches.generator.manual_seed(seed)
            out = _run(model, optimizer, criterion, batches, val, start_lr, end_lr, num_iter, mode, smooth,
                       diverge_th, cycle)
    finally:
        state.restore(saved, model, optimizer, batches)
    result = FinderResult(*out, mode=mode, start_lr=start_lr, end_lr=end_lr, num_iter=num_iter, smooth=smooth,
                          loss_kind="training" if val is None else "validation")
    result.suggestions = suggest(result)
    return result


def plot_finder(result: FinderResult, ax=None, raw: bool = True, title: str | None = None):
    """Loss against the LR on a log axis, every suggestion marked, their disagreement shaded.

    Args:
        result (FinderResult): from ``lr_range_test``.
        ax (matplotlib Axes, optional): where to draw; a new figure when None.
        raw (bool, default True): draw the raw loss too, thin and grey, behind the smoothed one.
        title (str, optional): default says how far apart the suggestions are.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.2))
    if raw:
        ax.plot(result.lr, result.loss, color="0.65", lw=1, label="raw loss")
    ax.plot(result.lr, result.smooth_loss, color="C0", lw=2.2, label=f"smoothed (smooth={result.smooth:g})")
    picks = list(result.suggestions.values())
    for s, color, marker in zip(picks, ("C3", "C2", "C1"), ("o", "s", "D"), strict=False):
        ax.axvline(s.lr, color=color, ls="--", lw=1.2)
        ax.plot([s.lr], [s.loss], marker, color=color, ms=9, mec="k", label=f"{s.name}: {s.lr:.2g}")
    if len(picks) > 1:
        ax.axvspan(min(s.lr for s in picks), max(s.lr for s in picks), color="C1", alpha=0.08)
    if result.stopped == "diverged" and result.lr:
        ax.axvline(result.lr[-1], color="k", ls=":", lw=1.5, label=f"stopped: diverged (step {result.steps})")
    # the blow-up would squash the interesting part: cap the y axis a little above the starting loss
    if result.smooth_loss:
        low = min(result.smooth_loss + (result.loss if raw else []))
        high = 1.3 * max(result.smooth_loss[: result.smooth_loss.index(min(result.smooth_loss)) + 1])
        if high > low:
            ax.set_ylim(low - 0.05 * (high - low), high)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel(f"{result.loss_kind} loss")
    if title is None:
        title = (f"LR range test: suggestions span {result.spread:.1f}x" if len(picks) > 1
                 else f"LR range test ({result.steps} steps)")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    ax.grid(True, which="major", alpha=0.3)
    return ax

"""The LR range test: raise the LR after every mini-batch, record the loss, read off a good LR.

``lr_range_test`` ramps the LR from ``start_lr`` to ``end_lr`` with a real PyTorch scheduler (``LambdaLR``,
stepped once per batch) through ``lrlab.train``'s own training loop (``train_epoch``, with callbacks that raise
the LR and record the raw and the smoothed loss), stops when the loss diverges, and then puts everything back
exactly as it was: weights, buffers, gradients, train/eval flags, optimizer state, param-group LRs, the global
RNG and the loader's shuffling. Rules (``suggestions``; yours too) suggest an LR; ``verify`` trains briefly
around a suggestion so you can see whether it holds. matplotlib is imported only inside the plot functions.

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

import itertools
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

import torch
from torch import nn
from torch.optim import lr_scheduler

from .. import schedules, train, validation
from . import _state
from ._state import snapshot, snapshots_equal
from .suggestions import SUGGESTION_RULES, Suggestion, minimum_tenth, named_rules, steepest, suggest, valley
from .verify import Verification, plot_verify, verify

__all__ = ["lr_range_test", "ramp", "FinderResult", "plot_finder", "suggest", "Suggestion", "SUGGESTION_RULES",
           "steepest", "minimum_tenth", "valley", "verify", "Verification", "plot_verify", "snapshot",
           "snapshots_equal", "MODES"]
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


def _batches(model, data, criterion, name):
    """The training batches of ``data`` (for ``val_data``: a Data's ``.val``), after ``train.check_data``'s look at
    their first batch: a ValueError naming ``name`` (or ``model``) for a batch that does not fit."""
    if name == "val_data" and hasattr(data, "train") and hasattr(data, "val"):
        data = data.val
    if name == "data" and isinstance(data, Iterator):  # a stream, read once: its first batch looked at, then put back
        first = next(data, None)
        if first is None:
            raise ValueError("data yields no batches (the iterator is empty).")
        train.check_batch(model, first, criterion)
        return itertools.chain([first], data)
    if hasattr(data, "train") and hasattr(data, "val"):  # a Data: the test reads its training batches only
        data = (data.train, None)
    return train.check_data(model, data, criterion, name=name)[0]


def _validate_ramp(start_lr, end_lr, num_iter, mode):
    validation.require_lr("start_lr", start_lr)
    if not (validation.is_real(end_lr) and start_lr < end_lr <= validation.MAX_LR):
        raise ValueError(f"end_lr={end_lr!r} is out of range; end_lr must be a number with start_lr ({start_lr:g}) "
                         f"< end_lr <= {validation.MAX_LR:g}.")
    validation.require_int("num_iter", num_iter, 2, validation.MAX_STEPS)
    validation.require_one_of("mode", mode, MODES, note=" ('exp': equal steps per decade)")


def _validate_range_test(model, optimizer, criterion, start_lr, end_lr, num_iter, mode, smooth, diverge_th, cycle,
                         seed):
    validation.require_module("model", model)
    validation.require_optimizer("optimizer", optimizer)
    validation.require_optimizer_of(model, optimizer)
    validation.require_criterion("criterion", criterion)
    _validate_ramp(start_lr, end_lr, num_iter, mode)
    validation.require_real("smooth", smooth, 0, 1, high_open=True)
    validation.require_real("diverge_th", diverge_th, 1, low_open=True, none_ok=True)
    validation.require_bool("cycle", cycle)
    validation.require_seed("seed", seed)


def _factor(mode, start_lr, end_lr, num_iter):
    """LambdaLR's multiplier of start_lr at step i: equal ratios ("exp") or equal differences ("linear")."""
    ratio = end_lr / start_lr
    if mode == "exp":
        return lambda i: ratio ** (i / (num_iter - 1))
    return lambda i: 1 + (ratio - 1) * i / (num_iter - 1)


def ramp(start_lr: float, end_lr: float, num_iter: int, mode: str = "exp") -> list:
    """The LRs a range test uses, step by step, from the same real ``LambdaLR`` (no training).

    Args:
        start_lr (float): the first LR, > 0.
        end_lr (float): the last LR, start_lr < end_lr <= 10,000 (``validation.MAX_LR``).
        num_iter (int): steps, 2 to 100,000 (``validation.MAX_STEPS``).
        mode (str, default "exp"): "exp" (the same factor every step) or "linear" (the same difference).

    Example::

        >>> [round(lr, 6) for lr in ramp(1e-3, 1.0, 4)]   # exp: x10 per step
        [0.001, 0.01, 0.1, 1.0]
        >>> ramp(1e-3, 1.0, 4, mode="linear")    # +0.333 per step: 0.001 is the only LR below 0.3
        [0.001, 0.334, 0.667, 1.0]
    """
    _validate_ramp(start_lr, end_lr, num_iter, mode)
    factor = _factor(mode, start_lr, end_lr, num_iter)
    return schedules.preview("LambdaLR", num_iter, lr=start_lr, lr_lambda=factor)["lr"]


class _RangeRun:
    """One range test: ``train_epoch``'s callbacks (raise the LR, smooth the loss, stop on divergence or after
    ``num_iter`` steps) and the end of each pass over the data."""

    def __init__(self, model, optimizer, criterion, scheduler, val, num_iter, end_lr, smooth, diverge_th):
        self.model, self.optimizer, self.criterion, self.scheduler = model, optimizer, criterion, scheduler
        self.val = val
        self.num_iter, self.end_lr, self.smooth, self.diverge_th = num_iter, end_lr, smooth, diverge_th
        self.lr, self.loss, self.smooth_loss, self.average, self.best = [], [], [], 0.0, math.inf
        self.stopped = self.message = None

    def _stop(self, stopped: str, message: str) -> bool:
        self.stopped, self.message = stopped, message
        return True

    def _diverged(self, step: int, lr: float, why: str) -> bool:
        return self._stop("diverged", f"diverged at step {step} (lr={lr:.3g}): {why}")

    def accept(self, i: int, value: float) -> bool:
        """Before the backward pass: a NaN/inf loss stops the test and moves no weight. At the very first step,
        before any update, it is not the LR's doing: a ValueError naming the model."""
        if not self.lr and not math.isfinite(value):
            raise ValueError(f"model: the loss is {value} at the first step of the range test, before any update, "
                             "so not because of the learning rate: the model's outputs in train mode (or the "
                             "criterion) are not finite on the first batch.")
        lr = self.optimizer.param_groups[0]["lr"]
        return math.isfinite(value) or not self._diverged(len(self.lr) + 1, lr, f"the loss is {value}")

    def on_batch(self, i: int, value: float) -> bool:
        """After the step: raise the LR, record the loss (or the validation loss) and its moving average; True
        ends the test."""
        lr = self.optimizer.param_groups[0]["lr"]  # the LR this step used: the scheduler has not stepped yet
        self.scheduler.step()
        if self.val is not None:
            value = train.evaluate(self.model, self.val, self.criterion, check=False, name="val_data")[0]
        if not math.isfinite(value):
            return self._diverged(len(self.lr) + 1, lr, f"the loss is {value}")
        # bias-corrected exponential moving average, as fastai and Lightning smooth it
        self.average = self.smooth * self.average + (1 - self.smooth) * value
        self.lr.append(float(lr))
        self.loss.append(value)
        self.smooth_loss.append(self.average / (1 - self.smooth ** len(self.lr)))
        self.best = min(self.best, self.smooth_loss[-1])
        if self.diverge_th is not None and self.smooth_loss[-1] > self.diverge_th * self.best:
            return self._diverged(len(self.lr), lr, f"smoothed loss {self.smooth_loss[-1]:.3g} > {self.diverge_th:g} "
                                  f"x its minimum {self.best:.3g}")
        if len(self.lr) == self.num_iter:
            return self._stop("end_lr", f"reached end_lr={self.end_lr:g} after {self.num_iter} steps")
        return False

    def end_pass(self, result: train.EpochResult, cycle: bool) -> None:
        """The end of a pass over the data: go round again (cycle=True), or stop because the data ran out."""
        if self.stopped is None and result.steps == 0:
            self._stop("data_exhausted", f"data exhausted after {len(self.lr)} steps (it cannot restart)")
        elif self.stopped is None and not cycle:
            self._stop("data_exhausted", f"data exhausted after {len(self.lr)} steps (one pass; cycle=False)")


def _run(model, optimizer, criterion, batches, val, start_lr, end_lr, num_iter, mode, smooth, diverge_th,
         cycle) -> _RangeRun:
    # 1. every param group starts at start_lr; LambdaLR multiplies it by the ramp's factor at each step
    for group in optimizer.param_groups:
        group["lr"] = group["initial_lr"] = start_lr
    scheduler = lr_scheduler.LambdaLR(optimizer, _factor(mode, start_lr, end_lr, num_iter))
    run = _RangeRun(model, optimizer, criterion, scheduler, val, num_iter, end_lr, smooth, diverge_th)
    model.train()
    # 2. passes over the data, fit's epoch loop, until the ramp ends, the loss diverges or the data runs out
    while run.stopped is None:
        result = train.train_epoch(model, optimizer, criterion, batches, accept=run.accept, on_batch=run.on_batch,
                                   count_correct=False)
        run.end_pass(result, cycle)
    return run


def lr_range_test(model: nn.Module, optimizer: torch.optim.Optimizer, criterion=None, data=None,
                  start_lr: float = 1e-7, end_lr: float = 10.0, num_iter: int = 100, mode: str = "exp",
                  smooth: float = 0.95, diverge_th: float | None = 4.0, val_data=None, *, cycle: bool = True,
                  seed: int = 0, rules=None) -> FinderResult:
    """Raise the LR after every mini-batch from ``start_lr`` to ``end_lr`` and record the loss.

    Afterwards the model, the optimizer (state, param-group LRs, an attached scheduler's view of them),
    the global torch RNG and the loader's shuffling generator are exactly as before, even on an error.

    Args:
        model (nn.Module): as you will train it, on its device.
        optimizer (torch.optim.Optimizer): as you will train with it; a scheduler already attached is fine.
        criterion (callable, default ``nn.CrossEntropyLoss()``): the loss.
        data: ``lrlab.data.Data``, a ``(train, val)`` pair or a loader; its training batches are used.
        start_lr (float, default 1e-7): the first LR, > 0.
        end_lr (float, default 10.0): the last LR, start_lr < end_lr <= 10,000.
        num_iter (int, default 100): optimizer steps (one per batch), 2 to 100,000; the loader is cycled if
            shorter.
        mode (str, default "exp"): "exp" (the same factor every step, equal time per decade) or "linear".
        smooth (float, default 0.95): weight of the past in the moving average, 0 <= smooth < 1.
        diverge_th (float or None, default 4.0): stop when the smoothed loss exceeds this many times its
            minimum so far; a NaN/inf loss always stops the test.
        val_data (optional): record the mean loss over these batches after every step instead
            (slower, less noisy); a ``Data`` gives its ``.val``.
        cycle (bool, default True): start the loader again when it runs out; False stops the test there.
        seed (int, default 0): 0 <= seed < 2**32; seeds torch (forked: yours is left alone) and the loader's
            generator.
        rules (dict or list, optional): the suggestion rules, as for ``suggest`` (default: the three of
            ``SUGGESTION_RULES``); a rule is a function ``(lrs, losses) -> lr``.

    Returns:
        FinderResult: per step ``lr``, ``loss``, ``smooth_loss``; ``stopped``/``message``; ``suggestions``.

    Raises:
        ValueError: for an argument out of range, an optimizer built on another model, or a first batch that does
            not fit the model (as ``lrlab.train.check_data``), before anything is touched; for a batch holding
            NaN/inf met during the test (a data problem, not divergence), after everything is put back.

    Example::

        >>> model = lrlab.models.WineMLP()
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> r = lr_range_test(model, opt, None, lrlab.data.wine(batch_size=32), start_lr=1e-5, end_lr=10, num_iter=60)
        >>> [round(lr, 8) for lr in r.lr[:3]]     # 1e-5 * 10**(6 * i / 59): x1.26 a step
        [1e-05, 1.264e-05, 1.597e-05]
        >>> opt.param_groups[0]["lr"]             # and the optimizer as it was
        0.1
    """
    # 1. check every argument before anything is touched
    _validate_range_test(model, optimizer, criterion, start_lr, end_lr, num_iter, mode, smooth, diverge_th, cycle, seed)
    batches = _batches(model, data, criterion, "data")
    val = None if val_data is None else _batches(model, val_data, criterion, "val_data")
    named_rules(rules)
    criterion = criterion or nn.CrossEntropyLoss()
    saved = _state.snapshot(model, optimizer, batches)
    # 2. run the test on forked RNGs; 3. put everything back, whatever happened
    try:
        with train.forked_rng(seed, model, batches):
            run = _run(model, optimizer, criterion, batches, val, start_lr, end_lr, num_iter, mode, smooth,
                       diverge_th, cycle)
    finally:
        _state.restore(saved, model, optimizer, batches)
    result = FinderResult(run.lr, run.loss, run.smooth_loss, run.stopped, run.message, mode=mode, start_lr=start_lr,
                          end_lr=end_lr, num_iter=num_iter, smooth=smooth,
                          loss_kind="training" if val is None else "validation")
    result.suggestions = suggest(result, rules)
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

    from .. import plots

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.2))
    if raw:
        ax.plot(result.lr, result.loss, color=plots.color("raw loss"), lw=1, label="raw loss")
    ax.plot(result.lr, result.smooth_loss, color=plots.color("smoothed loss"), lw=2.2,
            label=f"smoothed (smooth={result.smooth:g})")
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

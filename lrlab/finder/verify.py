"""``verify``: does a suggested LR hold? Short trainings at 0.1x, 0.3x, 1x and 3x the suggestion.

A range test only suggests; this closes the loop. Each run starts from a copy of the model as it is now,
with a fresh optimizer of the same kind and settings, and the same seed; the user's model and optimizer
are never touched. The final losses are compared: the suggestion holds when 1x gets at least
(1 - ``tolerance``) of the best run's loss drop (start loss - final loss).
matplotlib is imported only inside ``plot_verify``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from .. import train as _train
from .. import validation

FACTORS = (0.1, 0.3, 1.0, 3.0)


@dataclass
class Verification:
    """One short training per factor, as plain lists in the order of ``factors``.

    ``lrs`` (factor x suggestion), ``start_loss`` (before training), ``final_loss`` (last epoch's
    validation loss, or training loss without validation data; inf when the run diverged), ``curves``
    (that loss per epoch), ``diverged``;
    ``best_factor``, ``holds`` and ``verdict`` (one sentence) compare them.
    """

    suggested_lr: float
    factors: list
    lrs: list
    start_loss: float
    final_loss: list
    curves: list
    diverged: list
    loss_kind: str
    num_epochs: int
    best_factor: float
    holds: bool
    verdict: str

    def asdict(self) -> dict:
        return asdict(self)

    def table(self) -> str:
        rows = [f"{'factor':>7} {'lr':>9} {'final ' + self.loss_kind + ' loss':>22}   (start: {self.start_loss:.4f})"]
        for f, lr, loss in zip(self.factors, self.lrs, self.final_loss, strict=True):
            mark = "  <- suggestion" if f == 1 else ""
            rows.append(f"{f:>6g}x {lr:>9.2g} {loss:>22.4f}{mark}")
        return "\n".join(rows + [self.verdict])


def _validate_verify(suggested_lr, model, optimizer, num_epochs, factors, tolerance, criterion, seed):
    validation.require_lr("suggested_lr", suggested_lr)
    validation.require_module("model", model)
    validation.require_optimizer("optimizer", optimizer, note=" (its kind and settings are reused)")
    validation.require_optimizer_of(model, optimizer)
    validation.require_int("num_epochs", num_epochs, 1, validation.MAX_EPOCHS)
    ok = isinstance(factors, (list, tuple)) and 2 <= len(factors) <= validation.MAX_RUNS and all(
        validation.is_real(f) and f > 0 for f in factors)
    if not ok or 1 not in factors or len(set(factors)) != len(factors):
        raise ValueError(f"factors={factors!r} must be a list of 2 to {validation.MAX_RUNS} different numbers > 0, "
                         "including 1 (the suggestion itself).")
    if suggested_lr * max(factors) > validation.MAX_LR:
        top = suggested_lr * max(factors)
        raise ValueError(f"factors={factors!r} x suggested_lr={suggested_lr:g} reaches lr={top:g}; factors x "
                         f"suggested_lr must stay <= {validation.MAX_LR:g}.")
    validation.require_real("tolerance", tolerance, 0, 1, high_open=True)
    validation.require_criterion("criterion", criterion)
    validation.require_seed("seed", seed)


def _verdict(factors, final, start, tolerance, kind):
    """Best factor, whether 1x holds, and why: 1x must get (1 - tolerance) of the best run's loss drop."""
    best = min(range(len(final)), key=lambda i: final[i])
    one, fb, f1 = factors.index(1), final[best], final[factors.index(1)]
    if not math.isfinite(fb):
        return factors[best], False, "Every run diverged: the suggestion and its neighbours are all too large."
    if fb >= start:
        return factors[best], False, f"No run lowered the {kind} loss below its start ({start:.3g}): train longer."
    share = (start - f1) / (start - fb) if math.isfinite(f1) else -math.inf
    if best == one:
        return 1, True, f"The suggestion holds: 1x ends with the lowest {kind} loss ({start:.3g} -> {f1:.3g})."
    side = "too cautious" if factors[best] > 1 else "too bold"
    if share >= 1 - tolerance:
        return factors[best], True, (f"The suggestion holds: 1x gets {share:.0%} of the best run's loss drop "
                                     f"({factors[best]:g}x: {start:.3g} -> {fb:.3g}; 1x: -> {f1:.3g}).")
    got = ("diverges" if not math.isfinite(f1) else "does not lower the loss" if share <= 0
           else f"gets only {share:.0%} of the best run's loss drop")
    return factors[best], False, (f"The suggestion does not hold, it is {side}: 1x {got} "
                                  f"({factors[best]:g}x: {start:.3g} -> {fb:.3g}; 1x: -> {f1:.3g}).")


def verify(suggested_lr: float, model: nn.Module, optimizer: torch.optim.Optimizer, data, num_epochs: int = 5,
           factors=FACTORS, *, criterion=None, seed: int = 0, tolerance: float = 0.1) -> Verification:
    """Train briefly at several multiples of ``suggested_lr`` and compare the final losses.

    Args:
        suggested_lr (float): the LR to check, > 0 (e.g. ``result.suggestions["steepest"].lr``).
        model (nn.Module): copied for every run; the model itself is not changed.
        optimizer (torch.optim.Optimizer): its class and settings (``optimizer.defaults``: momentum, betas,
            weight decay, ...) are reused with the new LR; it is not changed. Per-group settings are not.
        data: ``lrlab.data.Data``, a ``(train, val)`` pair or a training loader, as for ``fit``.
        num_epochs (int, default 5): epochs per run, 1 to 10,000.
        factors (list of float, default (0.1, 0.3, 1, 3)): 2 to 100 multiples of the suggestion; must include 1.
        criterion (callable, default ``nn.CrossEntropyLoss()``): the loss.
        seed (int, default 0): 0 <= seed < 2**32, as for ``fit``: every run starts from the same seed and the
            same batches.
        tolerance (float, default 0.1): 1x "holds" when its loss drop (start - final) is at least
            (1 - tolerance) x the best run's: relative to the start, so tiny final losses compare fairly.

    Example::

        >>> model = lrlab.models.WineMLP()
        >>> opt = torch.optim.Adam(model.parameters())
        >>> v = verify(3e-3, model, opt, lrlab.data.wine(), num_epochs=5)
        >>> [round(lr, 6) for lr in v.lrs]              # 0.1x, 0.3x, 1x, 3x the suggestion
        [0.0003, 0.0009, 0.003, 0.009]
    """
    # 1. check everything before any training: the arguments, then the first batches, tried on the model
    _validate_verify(suggested_lr, model, optimizer, num_epochs, factors, tolerance, criterion, seed)
    factors = sorted(factors)
    train, val = _train.check_data(model, data, criterion)
    kind = "training" if val is None else "validation"
    start = _train.evaluate(copy.deepcopy(model), train if val is None else val, criterion, check=False,
                            name="data")[0]
    # 2. one short training per factor, each from the same copy of the model and the same seed; the stop button
    #    (an interrupted run) stops them all
    runs = []
    for f in factors:
        runs.append(_short_run(suggested_lr * f, model, optimizer, data, num_epochs, criterion, seed))
        if runs[-1].interrupted:
            raise KeyboardInterrupt(f"verify: interrupted in the run at {f:g}x")
    curves = [h.train_loss if val is None else h.val_loss for h in runs]
    final = [math.inf if h.diverged or not curve else curve[-1] for h, curve in zip(runs, curves, strict=True)]
    # 3. compare the final losses
    best, holds, verdict = _verdict(factors, final, start, tolerance, kind)
    return Verification(suggested_lr, factors, [suggested_lr * f for f in factors], start, final,
                        [list(c) for c in curves], [h.diverged for h in runs], kind, num_epochs, best, holds, verdict)


def _short_run(lr, model, optimizer, data, num_epochs, criterion, seed):
    """One run of ``verify``: a copy of ``model``, a new optimizer of the same kind and settings at ``lr``,
    ``fit`` for ``num_epochs``; returns its ``History``."""
    net = copy.deepcopy(model)
    opt = type(optimizer)(net.parameters(), **{**optimizer.defaults, "lr": lr})
    return _train.fit(net, opt, None, data, num_epochs=num_epochs, criterion=criterion, monitor="train_loss",
                      seed=seed, verbose=False)


def plot_verify(v: Verification, ax=None, log: bool = False):
    """The loss per epoch of every run, from the start loss at epoch 0, the suggestion (1x) drawn thickest.

    Args:
        v (Verification): from ``verify``.
        ax (matplotlib Axes, optional): where to draw; a new figure when None.
        log (bool, default False): log-scale the loss axis (for final losses close to 0).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.2))
    for i, (f, lr, curve) in enumerate(zip(v.factors, v.lrs, v.curves, strict=True)):
        label = f"{f:g}x (lr={lr:.2g})" + (" diverged" if v.diverged[i] else "")
        ax.plot(range(len(curve) + 1), [v.start_loss, *curve], marker="o", ms=4, lw=3.2 if f == 1 else 1.6,
                color="k" if f == 1 else f"C{i}", label=label)
    if log:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch (0: before training)")
    ax.set_ylabel(f"{v.loss_kind} loss")
    ax.set_title(f"verify: {v.suggested_lr:.2g} {'holds' if v.holds else 'does not hold'}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    ax.grid(True, alpha=0.3)
    return ax

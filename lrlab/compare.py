"""Compare finished runs: one row of plain numbers per schedule, and the same rows as a text table.

- ``epochs_to(history, target)``: the first epoch whose validation loss is at or below ``target``.
- ``summarize(runs, target_loss)``: a list of dicts, one per schedule (final and best validation accuracy, final
  validation loss, epochs to the target loss, the LR the last optimizer step used). Give a schedule a list of runs
  (one per seed) and its row holds their means, and the range of their final validation losses.
- ``format_table(rows)``: those rows as aligned text, for a notebook's printed output.

Every number is read from the ``History`` objects ``lrlab.fit`` returned; nothing is trained here.

Example::

    >>> h_const = History(lr=[0.05] * 4, val_loss=[0.6, 0.25, 0.12, 0.09], val_acc=[0.81, 0.94, 0.97, 0.97])
    >>> h_one = History(lr=[0.004, 0.1, 0.02, 4e-07], val_loss=[0.7, 0.18, 0.07, 0.05], val_acc=[0.78, 0.94, 0.97, 1.0])
    >>> rows = summarize({"constant": h_const, "one-cycle": h_one}, target_loss=0.1)   # two runs of lrlab.fit
    >>> print(format_table(rows))
    schedule   final val acc  best val acc  final val loss  epochs to val loss <= 0.1  last LR used
    constant           0.970         0.970           0.090                          4          0.05
    one-cycle          1.000         1.000           0.050                          3         4e-07
"""

from __future__ import annotations

from statistics import fmean

from . import validation
from .train import History

METRICS = ("val_loss", "train_loss", "val_acc", "train_acc")


def _steps(row):
    if row["epochs_to_target"] is None:
        return "never" if row["reached"] == 0 else f"{row['reached']} of {row['runs']} runs"
    return f"{row['epochs_to_target']:.{0 if row['runs'] == 1 else 1}f}"


# column key -> (header, cell); "{target}" in a header is the target loss, "{mean}" is "mean " for several runs
COLUMNS = {
    "schedule": ("schedule", lambda r: r["schedule"]),
    "runs": ("runs", lambda r: str(r["runs"])),
    "final_val_acc": ("{mean}final val acc", lambda r: f"{r['final_val_acc']:.3f}"),
    "best_val_acc": ("{mean}best val acc", lambda r: f"{r['best_val_acc']:.3f}"),
    "final_val_loss": ("{mean}final val loss", lambda r: f"{r['final_val_loss']:.3f}"),
    "val_loss_range": ("final val loss range", lambda r: "{:.3f} to {:.3f}".format(*r["val_loss_range"])),
    "epochs_to_target": ("{mean}epochs to val loss <= {target:g}", _steps),
    "last_lr": ("{mean}last LR used", lambda r: f"{r['last_lr']:.2g}"),
}
ROW_KEYS = {"schedule", "runs", "final_val_acc", "best_val_acc", "final_val_loss", "val_loss_range",
            "epochs_to_target", "reached", "last_lr", "epochs", "target_loss"}  # what summarize puts in a row
SINGLE = ("schedule", "final_val_acc", "best_val_acc", "final_val_loss", "epochs_to_target", "last_lr")
SEVERAL = ("schedule", "runs", "final_val_acc", "final_val_loss", "val_loss_range", "epochs_to_target", "last_lr")


def _validate_target(name: str, target) -> None:
    validation.require_real(name, target, must="a finite number (a loss, or an accuracy from 0 to 1)")


def epochs_to(history: History, target: float, metric: str = "val_loss") -> int | None:
    """The first epoch (from 1) at whose end ``metric`` reached ``target``; None if it never did.

    Losses reach a target from above (``<= target``), accuracies from below (``>= target``).

    Args:
        history (History): from ``lrlab.fit``.
        target (float): the value to reach.
        metric (str, default "val_loss"): "val_loss", "train_loss", "val_acc" or "train_acc".

    Example::

        >>> h = History(val_loss=[1.1, 0.7, 0.45, 0.3])
        >>> epochs_to(h, 0.5)       # 1.1, 0.7, 0.45: epoch 3
        3
    """
    if not isinstance(history, History):
        raise ValueError(f"history must be an lrlab History (from lrlab.fit), got {type(history).__name__}.")
    validation.require_one_of("metric", metric, METRICS)
    _validate_target("target", target)
    values = getattr(history, metric)
    reached = (lambda v: v >= target) if metric.endswith("acc") else (lambda v: v <= target)
    return next((e for e, v in enumerate(values, start=1) if reached(v)), None)


def summarize(runs: dict, target_loss: float) -> list[dict]:
    """One row of plain numbers per schedule, in the order of ``runs``.

    Args:
        runs (dict of str -> History or list of History): label -> a finished run with validation data, or
            several runs of the same schedule (e.g. one per seed); at least one.
        target_loss (float): the validation loss whose first crossing ``epochs_to_target`` reports.

    Returns:
        list of dict with keys ``schedule`` (the label), ``runs`` (how many), ``final_val_acc``, ``best_val_acc``,
        ``final_val_loss`` (means over the runs), ``val_loss_range`` (lowest and highest final validation loss),
        ``epochs_to_target`` (mean first epoch with a validation loss <= target_loss; None unless every run got
        there), ``reached`` (how many runs got there), ``last_lr`` (mean LR of the last optimizer step,
        ``history.lr[-1]``; not the LR after the final ``scheduler.step()``, which no step uses), ``epochs``,
        ``target_loss``.

    Example::

        >>> seeds = [History(lr=[0.1] * 3, val_loss=[0.5, 0.09, v], val_acc=[0.8, 0.9, 0.95])   # three seeds
        ...          for v in (0.06, 0.07, 0.08)]
        >>> row = summarize({"constant": seeds}, target_loss=0.1)[0]
        >>> row["epochs_to_target"], round(row["final_val_loss"], 3), row["val_loss_range"]   # means, and the range
        (2.0, 0.07, (0.06, 0.08))
    """
    if not isinstance(runs, dict) or not runs:
        raise ValueError(f"runs={runs!r} must be a non-empty dict of label -> History (or list of History).")
    _validate_target("target_loss", target_loss)
    rows = []
    for label, value in runs.items():
        hs = list(value) if isinstance(value, (list, tuple)) else [value]
        if not hs or not all(isinstance(h, History) and h.val_loss and h.val_acc and h.lr for h in hs):
            raise ValueError(f"runs[{label!r}] must be a History with validation results (fit with a .val loader), "
                             "or a non-empty list of them.")
        final = [h.val_loss[-1] for h in hs]
        steps = [epochs_to(h, target_loss) for h in hs]
        reached = [s for s in steps if s is not None]
        rows.append({"schedule": str(label), "runs": len(hs), "final_val_acc": fmean(h.val_acc[-1] for h in hs),
                     "best_val_acc": fmean(max(h.val_acc) for h in hs), "final_val_loss": fmean(final),
                     "val_loss_range": (min(final), max(final)),
                     "epochs_to_target": fmean(reached) if len(reached) == len(hs) else None,
                     "reached": len(reached), "last_lr": fmean(h.lr[-1] for h in hs),
                     "epochs": max(h.num_epochs for h in hs), "target_loss": target_loss})
    return rows


def format_table(rows: list[dict], columns=None) -> str:
    """``summarize``'s rows as an aligned text table (labels left, numbers right; "never" for a missed target).

    Args:
        rows (list of dict): from ``summarize``.
        columns (sequence of str, optional): keys of ``COLUMNS``, in order. Default: ``SINGLE`` when every
            schedule has one run, ``SEVERAL`` (with the number of runs and the range of losses) otherwise.
    """
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) and ROW_KEYS <= set(r) for r in rows):
        raise ValueError(f"rows={rows!r} must be the list summarize() returns (at least one row).")
    several = any(r["runs"] > 1 for r in rows)
    if isinstance(columns, str):
        raise ValueError(f"columns={columns!r} must be a list of keys of COLUMNS, e.g. [{columns!r}].")
    columns = (SEVERAL if several else SINGLE) if columns is None else tuple(columns)
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown or not columns:
        raise ValueError(f"columns={list(columns)!r} must be keys of COLUMNS: {', '.join(COLUMNS)}.")
    # 1. headers and cells as text; 2. each column as wide as its widest entry
    target, mean = rows[0]["target_loss"], "mean " if several else ""
    headers = [COLUMNS[c][0].format(target=target, mean=mean) for c in columns]
    cells = [[COLUMNS[c][1](r) for c in columns] for r in rows]
    widths = [max(len(x) for x in col) for col in zip(headers, *cells, strict=True)]
    lines = []
    for line in [headers, *cells]:
        parts = [x.ljust(w) if c == "schedule" else x.rjust(w)
                 for x, w, c in zip(line, widths, columns, strict=True)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)

"""Write lessons/cheatsheet.md and its pictures (lessons/cheatsheet/NAME.png): every PyTorch LR scheduler on one
page. Run by `make notebooks`; `python -m tools.cheatsheet --check` changes nothing and exits 1 when out of date.

Each picture is the real scheduler's LR from ``lrlab.schedules.preview``: the example call shown under it is
the very code that built the scheduler (evaluated with ``opt`` the optimizer), so picture and text cannot
disagree. tests/test_cheatsheet.py checks every scheduler in ``lrlab.schedules.available()`` has its line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from torch.optim import lr_scheduler

from lrlab import schedules
from tools import pictures

ROOT = Path(__file__).resolve().parents[1]
SHEET, FOLDER = ROOT / "lessons" / "cheatsheet.md", ROOT / "lessons" / "cheatsheet"
EPOCHS, BATCHES, LR = 30, 10, 0.1
DPI = 100  # pictures are 2.6 x 1.05 inches, shown at 100 dots an inch
PLATEAU_LOSS = [max(0.3, 1.0 - 0.1 * e) for e in range(EPOCHS)]  # a validation loss that stops falling at epoch 7
EPOCH, BATCH = "epoch", "**batch**"

# name: (what the LR does, key parameters, when to call step(), example call (run as shown, `opt` the optimizer))
ROWS = {
    "ConstantLR": ("initial LR x `factor` for the first `total_iters` epochs, then the initial LR",
                   "`factor` (1/3), `total_iters` (5)", EPOCH, "ConstantLR(opt, factor=0.5, total_iters=10)"),
    "LinearLR": ("a straight line from initial x `start_factor` to initial x `end_factor` over `total_iters` "
                 "epochs: a warmup", "`start_factor` (1/3), `end_factor` (1), `total_iters` (5)", EPOCH,
                 "LinearLR(opt, start_factor=0.1, total_iters=10)"),
    "StepLR": ("times `gamma` every `step_size` epochs", "`step_size`, `gamma` (0.1)", EPOCH,
               "StepLR(opt, step_size=10, gamma=0.5)"),
    "MultiStepLR": ("times `gamma` at each epoch in `milestones`", "`milestones`, `gamma` (0.1)", EPOCH,
                    "MultiStepLR(opt, milestones=[10, 20], gamma=0.3)"),
    "ExponentialLR": ("times `gamma` every epoch", "`gamma`", EPOCH, "ExponentialLR(opt, gamma=0.9)"),
    "PolynomialLR": ("initial x (1 - t / `total_iters`) ** `power`, then 0", "`total_iters` (5), `power` (1)",
                     EPOCH, "PolynomialLR(opt, total_iters=30, power=2)"),
    "CosineAnnealingLR": ("half a cosine from the initial LR down to `eta_min` over `T_max` epochs (then back up: "
                          "set `T_max` to the run's length)", "`T_max`, `eta_min` (0)", EPOCH,
                          "CosineAnnealingLR(opt, T_max=30)"),
    "CosineAnnealingWarmRestarts": ("cosine down to `eta_min`, then restart at the initial LR; each period `T_mult` "
                                    "times longer", "`T_0`, `T_mult` (1), `eta_min` (0)",
                                    "epoch (or batch: `step(epoch + i / n)`)",
                                    "CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=2)"),
    "CyclicLR": ("triangles between `base_lr` and `max_lr` (`mode`: triangular, triangular2 halves them, "
                 "exp_range); cycles momentum the other way", "`base_lr`, `max_lr`, `step_size_up` (2000 batches), "
                 "`mode`", BATCH, "CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=50)"),
    "OneCycleLR": ("one warmup to `max_lr`, then a long anneal far below the start; momentum moves the other way",
                   "`max_lr`, `total_steps` (or `epochs` and `steps_per_epoch`), `pct_start` (0.3), "
                   "`div_factor` (25), `final_div_factor` (1e4)", BATCH,
                   f"OneCycleLR(opt, max_lr=0.1, total_steps={EPOCHS * BATCHES})"),
    "ReduceLROnPlateau": ("times `factor` when the metric you pass has not improved for more than `patience` "
                          "epochs", "`factor` (0.1), `patience` (10), `mode` ('min'), `threshold` (1e-4), "
                          "`cooldown` (0), `min_lr` (0)", "epoch: `step(val_loss)`",
                          "ReduceLROnPlateau(opt, factor=0.5, patience=3)"),
    "LambdaLR": ("initial LR x `lr_lambda(epoch)`: any formula", "`lr_lambda`", EPOCH,
                 "LambdaLR(opt, lr_lambda=lambda epoch: 1 / (1 + 0.2 * epoch))"),
    "MultiplicativeLR": ("times `lr_lambda(epoch)` every epoch", "`lr_lambda`", EPOCH,
                         "MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.9 if epoch < 15 else 1.0)"),
    "SequentialLR": ("runs `schedulers` one after another, switching at `milestones`: warmup then decay",
                     "`schedulers`, `milestones`", "as its parts",
                     "SequentialLR(opt, schedulers=[LinearLR(opt, start_factor=0.1, total_iters=5), "
                     "CosineAnnealingLR(opt, T_max=25)], milestones=[5])"),
    "ChainedScheduler": ("steps all its `schedulers` at once: their factors multiply", "`schedulers`",
                         "as its parts", "ChainedScheduler([ConstantLR(opt, factor=0.5, total_iters=10), "
                                         "ExponentialLR(opt, gamma=0.95)])"),
}

HEADER = f"""# Cheat sheet: PyTorch's learning-rate schedulers

Every scheduler in `torch.optim.lr_scheduler`, one line each: what it does to the learning rate (LR), its key
parameters (defaults in brackets), and when to call `scheduler.step()`. Each picture is the real scheduler,
built with the code under it and stepped by `lrlab.schedules.preview`: initial LR {LR}, {EPOCHS} epochs of {BATCHES}
batches, the LR on a linear axis from 0 to {LR} (x: epoch 0 to {EPOCHS}). ReduceLROnPlateau is fed a validation loss
that stops improving after epoch 7.

```python
for epoch in range(num_epochs):
    for x, y in train_loader:
        optimizer.zero_grad(); loss_fn(model(x), y).backward(); optimizer.step()
        scheduler.step()          # per batch: OneCycleLR, CyclicLR
    scheduler.step()              # per epoch: all the others (ReduceLROnPlateau: scheduler.step(val_loss))
```

Generated by `tools/cheatsheet.py` (`make notebooks`) from PyTorch itself; do not edit by hand.

| scheduler | what the LR does | key parameters | `step()` per | LR over {EPOCHS} epochs |
|---|---|---|---|---|
"""


def curve(name: str) -> list[float]:
    """The LR at every batch of the example run of scheduler ``name`` (a real torch scheduler)."""
    code = ROWS[name][3]
    batch = ROWS[name][2] == BATCH
    return schedules.preview(lambda opt: eval(code, {**vars(lr_scheduler), "opt": opt}), EPOCHS,
                             BATCHES, step_on="batch" if batch else "epoch", lr=LR,
                             metrics=PLATEAU_LOSS if name == schedules.PLATEAU else None)["lr"]


def markdown() -> str:
    lines = []
    for name, (what, params, step, code) in ROWS.items():
        width = round(2.6 * DPI)
        picture = f'<img src="cheatsheet/{name}.png" width="{width}" alt="{name}: LR against epoch"><br>`{code}`'
        lines.append(f"| **{name}** | {what} | {params} | {step} | {picture} |")
    return HEADER + "\n".join(lines) + "\n"


def draw(name: str, lrs: list[float], path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2.6, 1.05), dpi=2 * DPI)  # shown at half its size: sharp on any screen and on paper
    ax = fig.add_axes((0.22, 0.34, 0.74, 0.6))
    ax.plot([i / BATCHES for i in range(len(lrs))], lrs, drawstyle="steps-post", lw=1.6, color="C0")
    ax.set_xlim(0, EPOCHS)
    ax.set_ylim(0, LR * 1.08)
    ax.set_xticks([0, 10, 20, 30])
    ax.set_yticks([0, LR / 2, LR], ["0", f"{LR / 2:g}", f"{LR:g}"])
    ax.tick_params(labelsize=7, length=2, pad=1)
    ax.set_xlabel("epoch", fontsize=7, labelpad=1)
    ax.set_ylabel("LR", fontsize=7, labelpad=2)
    ax.grid(True, alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    pictures.save(fig, path, {"name": name, "lr": lrs})


def main(argv: list[str]) -> int:
    check = "--check" in argv
    missing = sorted(set(schedules.available()) - set(ROWS))
    if missing:
        raise SystemExit(f"tools/cheatsheet.py has no line for {', '.join(missing)} (torch {torch.__version__})")
    stale = [] if SHEET.exists() and SHEET.read_text() == markdown() else [SHEET]
    for name in ROWS:
        path, lrs = FOLDER / f"{name}.png", curve(name)
        if not pictures.current(path, {"name": name, "lr": lrs}):
            stale.append(path)
            if not check:
                draw(name, lrs, path)
    if stale and not check:
        SHEET.write_text(markdown())
    for path in stale:
        print(f"{'out of date' if check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Write lessons/cheatsheet.md and its pictures (lessons/cheatsheet/NAME.png): every PyTorch LR scheduler on one
page. Run by `make notebooks`; `python -m tools.cheatsheet --check` changes nothing and exits 1 when out of date.

Each picture is the real scheduler's LR from ``lrlab.schedules.preview``: the example call shown under it is
the very code that built the scheduler (evaluated with ``opt`` the optimizer), so picture and text cannot
disagree. ReduceLROnPlateau's picture shows the metric it was fed beside its LR, and the pictures of the
schedulers that cycle momentum (OneCycleLR, CyclicLR) show SGD's momentum beside the LR. Each picture is drawn
at the size the page shows it (``WIDTH`` pixels, fonts ``FONT_PT`` points at ``DPI``) in the course's colour for
its scheduler (``lrlab.plots.color``). tests/test_cheatsheet.py checks every scheduler in
``lrlab.schedules.available()`` has its line, that each picture's numbers are PyTorch's, that the defaults named
are torch's, and that every lesson link leads to a lesson.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from torch.optim import lr_scheduler

from lrlab import plots, schedules
from tools import pictures

ROOT = Path(__file__).resolve().parents[1]
SHEET, FOLDER = ROOT / "lessons" / "cheatsheet.md", ROOT / "lessons" / "cheatsheet"
EPOCHS, BATCHES, LR = 30, 10, 0.1
WIDTH, HEIGHT, DPI = 320, 150, 100  # pixels: each picture is shown exactly this big (img width = WIDTH)
FONT_PT = 9.5  # tick and axis labels: 9.5 pt at 100 dots an inch = 13 px on the page
PLATEAU_LOSS = [max(0.3, 1.0 - 0.1 * e) for e in range(EPOCHS)]  # a validation loss flat after epoch 8 (1-based)
MOMENTUM = ("OneCycleLR", "CyclicLR")  # the schedulers whose picture shows the momentum they cycle
EPOCH, BATCH = "epoch", "**batch**"
SIDE_COLOR = "0.45"  # the metric or the momentum, drawn beside the LR on the right-hand axis
# A scheduler without a colour of its own in lrlab.plots.COLORS: SequentialLR's example is the course's
# warmup+cosine; the two the course never uses are drawn in a neutral grey.
COLOR_NAME = {"SequentialLR": "warmup+cosine"}
UNUSED_COLOR = "#555555"

# The lessons that teach each scheduler (file stems in lessons/); a scheduler no lesson uses has none.
LESSONS = {
    "StepLR": ("05_step_and_exponential_decay",),
    "MultiStepLR": ("05_step_and_exponential_decay",),
    "ExponentialLR": ("05_step_and_exponential_decay",),
    "ReduceLROnPlateau": ("06_reduce_lr_on_plateau",),
    "LinearLR": ("07_warmup_and_cosine",),
    "CosineAnnealingLR": ("07_warmup_and_cosine",),
    "CosineAnnealingWarmRestarts": ("07_warmup_and_cosine",),
    "SequentialLR": ("07_warmup_and_cosine",),
    "LambdaLR": ("07_warmup_and_cosine",),
    "OneCycleLR": ("08_one_cycle",),
    "CyclicLR": ("08_one_cycle",),
}

# name: (what the LR does, key parameters (torch's defaults in brackets, checked by the tests), when to call
# step(), example call (run as shown, `opt` the optimizer))
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
                 "exp_range); momentum (grey) cycles the other way", "`base_lr`, `max_lr`, `step_size_up` (2000 "
                 "batches), `mode` ('triangular'), `base_momentum` (0.8), `max_momentum` (0.9)", BATCH,
                 "CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=50)"),
    "OneCycleLR": ("one warmup to `max_lr`, then a long anneal far below the start; momentum (grey) mirrors it: "
                   "lowest where the LR peaks", "`max_lr`, `total_steps` (or `epochs` and `steps_per_epoch`), "
                   "`pct_start` (0.3), `div_factor` (25), `final_div_factor` (1e4), `base_momentum` (0.85), "
                   "`max_momentum` (0.95), `three_phase` (False)", BATCH,
                   f"OneCycleLR(opt, max_lr=0.1, total_steps={EPOCHS * BATCHES})"),
    "ReduceLROnPlateau": ("times `factor` when the metric you pass (grey) has not improved for more than `patience` "
                          "epochs; improved means better than the best so far by more than `threshold` (a fraction "
                          "of the best with `threshold_mode` 'rel', an amount with 'abs'); a cut is made only if it "
                          "lowers the LR by more than `eps`", "`factor` (0.1), `patience` (10), `mode` ('min'), "
                          "`threshold` (1e-4), `threshold_mode` ('rel'), `cooldown` (0), `min_lr` (0), `eps` (1e-8)",
                          "epoch: `step(val_loss)`", "ReduceLROnPlateau(opt, factor=0.5, patience=3)"),
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

_PER_BATCH = " and ".join(schedules.PER_BATCH)
HEADER = f"""# Cheat sheet: PyTorch's learning-rate schedulers

Every scheduler in `torch.optim.lr_scheduler`, one line each: what it does to the learning rate (LR), its key
parameters (defaults in brackets), when to call `scheduler.step()`, and the lesson that teaches it. Each picture
is the real scheduler, built with the code under it and stepped by `lrlab.schedules.preview`: initial LR {LR},
{EPOCHS} epochs of {BATCHES} batches, the LR on a linear axis from 0 to {LR} (x: epoch 0 to {EPOCHS}), in the colour
the lessons give that scheduler (dark grey where they give none). In grey, on the right-hand axis: the validation
loss ReduceLROnPlateau is fed (it stops improving after epoch 8), and the momentum of SGD, which {_PER_BATCH}
move opposite to the LR.

Step a scheduler at one of two rates, never both. **Once per epoch** (every scheduler except {_PER_BATCH}):

```python
for epoch in range(num_epochs):
    for x, y in train_loader:
        optimizer.zero_grad(); loss_fn(model(x), y).backward(); optimizer.step()
    scheduler.step()          # after each epoch (ReduceLROnPlateau: scheduler.step(val_loss))
```

**Or once per batch** ({_PER_BATCH}):

```python
for epoch in range(num_epochs):
    for x, y in train_loader:
        optimizer.zero_grad(); loss_fn(model(x), y).backward(); optimizer.step()
        scheduler.step()      # after each batch, and not after the epoch
```

Generated by `tools/cheatsheet.py` (`make notebooks`) from PyTorch itself; do not edit by hand.

| scheduler | what the LR does | key parameters | `step()` per | lesson | LR over {EPOCHS} epochs |
|---|---|---|---|---|---|
"""


def color(name: str) -> str:
    """The colour of scheduler ``name``'s picture: the course's (``lrlab.plots.color``) where it has one."""
    key = COLOR_NAME.get(name, name)
    return plots.color(key) if key in plots.COLORS else UNUSED_COLOR


def lesson_links(name: str) -> str:
    """Markdown links (relative to lessons/) to the lessons that teach ``name``; a dash when none does."""
    return ", ".join(f"[{stem[:2]}]({stem}.ipynb)" for stem in LESSONS.get(name, ())) or "-"


def data(name: str) -> dict:
    """What the picture of scheduler ``name`` plots (and records): the LR at every batch of the example run
    (a real torch scheduler), its colour, and the metric fed to it or the momentum it cycles."""
    code, step = ROWS[name][3], ROWS[name][2]
    plateau = name == schedules.PLATEAU
    run = schedules.preview(lambda opt: eval(code, {**vars(lr_scheduler), "opt": opt}), EPOCHS, BATCHES,
                            step_on="batch" if step == BATCH else "epoch", lr=LR,
                            metrics=PLATEAU_LOSS if plateau else None)
    out = {"name": name, "color": color(name), "lr": run["lr"]}
    if plateau:
        out["metric"] = PLATEAU_LOSS
    if name in MOMENTUM:
        out["momentum"] = run["momentum"]
    return out


def curve(name: str) -> list[float]:
    """The LR at every batch of the example run of scheduler ``name`` (a real torch scheduler)."""
    return data(name)["lr"]


def markdown() -> str:
    lines = []
    for name, (what, params, step, code) in ROWS.items():
        beside = (" and the metric it is fed" if name == schedules.PLATEAU else
                  " and the momentum" if name in MOMENTUM else "")
        picture = (f'<img src="cheatsheet/{name}.png" width="{WIDTH}" alt="{name}: LR{beside} against epoch">'
                   f"<br>`{code}`")
        lines.append(f"| **{name}** | {what} | {params} | {step} | {lesson_links(name)} | {picture} |")
    return HEADER + "\n".join(lines) + "\n"


def draw(d: dict, path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)  # drawn at the size the page shows it
    ax = fig.add_axes((0.19, 0.3, 0.65, 0.64))
    x = [i / BATCHES for i in range(len(d["lr"]))]
    ax.plot(x, d["lr"], drawstyle="steps-post", lw=2, color=d["color"], zorder=3)
    ax.set_xlim(0, EPOCHS)
    ax.set_ylim(0, LR * 1.08)
    ax.set_xticks([0, 10, 20, 30])
    ax.set_yticks([0, LR / 2, LR], ["0", f"{LR / 2:g}", f"{LR:g}"])
    ax.tick_params(labelsize=FONT_PT, length=3, pad=2)
    ax.set_xlabel("epoch", fontsize=FONT_PT, labelpad=1)
    ax.set_ylabel("LR", fontsize=FONT_PT, labelpad=2)
    ax.grid(True, alpha=0.3)
    ax.spines["top"].set_visible(False)
    side = "metric" if "metric" in d else "momentum" if "momentum" in d else None
    if side is None:
        ax.spines["right"].set_visible(False)
    else:
        twin = ax.twinx()
        twin.set_zorder(ax.get_zorder() - 1)  # the LR over it
        ax.patch.set_visible(False)
        if side == "metric":  # one value per epoch, given to step() at its end
            twin.plot(range(1, EPOCHS + 1), d["metric"], ".-", ms=4, lw=1, color=SIDE_COLOR)
            twin.set_ylim(0, 1.08)
            twin.set_yticks([0, 0.5, 1], ["0", "0.5", "1"])
            label = "val loss"
        else:
            twin.plot(x, d["momentum"], lw=1.4, ls="--", color=SIDE_COLOR)
            low, high = min(d["momentum"]), max(d["momentum"])
            pad = (high - low) * 0.15
            twin.set_ylim(low - pad, high + pad)
            twin.set_yticks([low, high], [f"{low:g}", f"{high:g}"])
            label = "momentum"
        twin.tick_params(labelsize=FONT_PT, length=3, pad=2, colors=SIDE_COLOR)
        twin.set_ylabel(label, fontsize=FONT_PT, labelpad=2, color=SIDE_COLOR)
        twin.spines["top"].set_visible(False)
        twin.spines["right"].set_color(SIDE_COLOR)
    pictures.save(fig, path, d)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    missing = sorted(set(schedules.available()) - set(ROWS))
    if missing:
        raise SystemExit(f"tools/cheatsheet.py has no line for {', '.join(missing)} (torch {torch.__version__})")
    stale = [] if SHEET.exists() and SHEET.read_text() == markdown() else [SHEET]
    for name in ROWS:
        path, d = FOLDER / f"{name}.png", data(name)
        if not pictures.current(path, d):
            stale.append(path)
            if not check:
                draw(d, path)
    if stale and not check:
        SHEET.write_text(markdown())
    for path in stale:
        print(f"{'out of date' if check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Draw the README's picture, docs/readme.png, from real lrlab runs (``make notebooks`` runs this).

The course's "why schedule" picture (lesson 04): handwritten digits, the course's ``MLP`` (64-64-10), plain
``SGD(lr=0.5)`` on mini-batches of 8 (180 steps an epoch), 12 epochs, trained by ``lrlab.fit`` with a constant LR
and with ``MultiStepLR(milestones=[8], gamma=0.1)`` (the LR cut tenfold after epoch 8), seeds 0, 1 and 2 (the
seed picks the initial weights and the batch order; both schedules get the same ones). Drawn with
``lrlab.plots.plot_band`` (the mean of the 3 seeds as a line, their range as a band) in the course's colours
(``lrlab.plots.color``): the LR, the training loss (the mean of each 18 batches, a tenth of an epoch) and the
validation loss (measured after each epoch).

The PNG records the numbers it plots (tools/pictures.py): tests/test_readme.py reruns the six trainings (a few
seconds) and fails when the picture no longer matches lrlab.

    python -m tools.readme_figure            # redraw when out of date
    python -m tools.readme_figure --check    # change nothing; exit 1 when out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from tools import pictures

ROOT = Path(__file__).resolve().parents[1]
PICTURE = ROOT / "docs" / "readme.png"
LR, BATCH_SIZE, EPOCHS, MILESTONE, GAMMA, SEEDS = 0.5, 8, 12, 8, 0.1, (0, 1, 2)
WINDOW, STRIDE = 45, 9  # the training-loss curve: the mean of 45 batches (a quarter epoch), every 9 batches
SCHEDULES = ("constant", "MultiStepLR")  # the names are the course's colours (lrlab.plots.color)
REL = 1e-4  # how closely a rerun must reproduce the recorded numbers (torch 2.4 and 2.14 agree far closer)


def run(schedule: str, seed: int):
    """One training run of the picture (about half a second on one CPU thread)."""
    import torch

    from lrlab import data, fit, models

    model = models.MLP(seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    scheduler = (None if schedule == "constant" else
                 torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[MILESTONE], gamma=GAMMA))
    return fit(model, optimizer, scheduler, data.digits(batch_size=BATCH_SIZE, seed=seed), num_epochs=EPOCHS,
               step_on="epoch", seed=seed)


def histories() -> dict:
    """``{schedule: [History of seed 0, 1, 2]}``, trained on one CPU thread (the numbers do not depend on the
    machine's core count; the caller's thread setting is put back)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return {name: [run(name, seed) for seed in SEEDS] for name in SCHEDULES}
    finally:
        torch.set_num_threads(threads)


def windowed(losses: list[float]) -> list[float]:
    """The training-loss curve: the mean of ``WINDOW`` consecutive batch losses, every ``STRIDE`` batches."""
    return [sum(losses[i:i + WINDOW]) / WINDOW for i in range(0, len(losses) - WINDOW + 1, STRIDE)]


def numbers(runs: dict) -> dict:
    """What the picture plots, per schedule: the LR of each epoch, and per seed the windowed training loss and
    the validation loss after each epoch."""
    out = {}
    for name, hs in runs.items():
        steps = len(hs[0].loss) // EPOCHS
        out[name] = {"steps_per_epoch": steps, "lr": hs[0].lr[::steps], "train_loss": [windowed(h.loss) for h in hs],
                     "val_loss": [h.val_loss for h in hs]}
    return out


def draw(nums: dict, path: Path = PICTURE) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from lrlab import plots

    plots.use_style()
    with plt.rc_context({"legend.fontsize": 11, "axes.titlesize": 12.5}):
        fig = Figure(figsize=(8, 7.4), dpi=100)
        ax_lr, ax_train, ax_val = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [1, 2.3, 1.7]})
        fig.subplots_adjust(left=0.12, right=0.97, top=0.9, bottom=0.075, hspace=0.14)
        epochs = list(range(1, EPOCHS + 1))
        # MultiStepLR first, the constant LR over it dashed: until the cut the two runs are the same
        for name in reversed(SCHEDULES):
            n, color, dashed = nums[name], plots.color(name), name == "constant"
            label = (f"constant LR {LR:g}" if dashed else
                     f"MultiStepLR: {LR:g}, then {LR * GAMMA:g} after epoch {MILESTONE}")
            ax_lr.step([0, *epochs], [n["lr"][0], *n["lr"]], where="pre", color=color, ls="--" if dashed else "-",
                       label=label)
            x = [(i * STRIDE + WINDOW / 2) / n["steps_per_epoch"] for i in range(len(n["train_loss"][0]))]
            plots.plot_band(x, n["train_loss"], ax=ax_train, color=color, xlabel="",
                            ylabel=f"training loss\n(mean of {WINDOW} batches)")
            plots.plot_band(epochs, n["val_loss"], ax=ax_val, color=color, ylabel="validation loss\n(after each epoch)")
            if dashed:
                for ax in (ax_train, ax_val):
                    ax.lines[-1].set_linestyle("--")
        ax_lr.set_ylabel("learning rate")
        ax_lr.set_yticks([LR * GAMMA, LR], [f"{LR * GAMMA:g}", f"{LR:g}"])
        ax_lr.set_ylim(0, LR * 1.2)
        ax_lr.grid(True, alpha=0.3)
        ax_lr.legend(loc="center left", framealpha=0.95)
        ax_train.set_yscale("log")
        ax_val.set_xlabel("epoch")
        ax_val.set_xlim(0, EPOCHS)
        ax_val.set_xticks(range(0, EPOCHS + 1, 2))
        for ax in (ax_lr, ax_train, ax_val):
            ax.axvline(MILESTONE, color="0.45", ls=":", lw=1.2)
        fig.suptitle(f"A tenfold LR cut after epoch {MILESTONE} steadies the training loss and lowers the validation "
                     f"loss\nDigits, an MLP, plain SGD on batches of {BATCH_SIZE}; lines: the mean of {len(SEEDS)} "
                     "seeds, bands: their range", x=0.02, y=0.985, ha="left", fontsize=12)
        pictures.save(fig, path, nums)


def main(argv: list[str]) -> int:
    nums = numbers(histories())
    if pictures.current(PICTURE, nums, rel=REL):
        return 0
    if "--check" in argv:
        print(f"out of date: {PICTURE.relative_to(ROOT)} (run `make notebooks` or python -m tools.readme_figure)")
        return 1
    draw(nums)
    print(f"wrote: {PICTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

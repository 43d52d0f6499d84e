"""Draw the README's picture, docs/readme.png, from a real lrlab run (``make notebooks`` runs this).

The run: Wine, the course's WineMLP, Adam(lr=0.03), ReduceLROnPlateau(factor=0.5, patience=5), 100 full-batch
epochs, seed 0, through ``lrlab.explore.train_run`` (so ``lrlab.fit``); the picture is drawn by
``lrlab.plots.TrainingFigure``, the plateau explorer's figure (LR above the losses, dotted where patience ran
out), as lesson 04 and ``make demo`` show it. The PNG records the numbers it plots (tools/pictures.py):
tests/test_readme.py reruns the training and fails when the picture no longer matches lrlab.

    python -m tools.readme_figure            # redraw when out of date
    python -m tools.readme_figure --check    # change nothing; exit 1 when out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from tools import pictures

ROOT = Path(__file__).resolve().parents[1]
PICTURE = ROOT / "docs" / "readme.png"
LR, FACTOR, PATIENCE, EPOCHS = 0.03, 0.5, 5, 100


def history():
    """The run the picture shows (about a second on a laptop CPU)."""
    from lrlab import data, explore

    return explore.train_run(data.wine(), "ReduceLROnPlateau", {"factor": FACTOR, "patience": PATIENCE}, lr=LR,
                             num_epochs=EPOCHS, optimizer_type="adam", seed=0)


def numbers(h) -> dict:
    """What the picture plots: the LR of every step, the training and validation loss of every epoch."""
    return {"lr": h.lr, "train_loss": h.train_loss, "val_loss": h.val_loss}


def draw(h, path: Path = PICTURE) -> None:
    from lrlab import plots
    from lrlab.train import lr_cuts

    plots.use_style()
    cuts = lr_cuts(h)
    figure = plots.TrainingFigure(EPOCHS, mark_cuts=True, figsize=(8, 5.6), dpi=100)
    figure.fig.subplots_adjust(top=0.88)  # room for a two-line title
    figure.draw(h, f"ReduceLROnPlateau(factor={FACTOR}, patience={PATIENCE}) on Wine, Adam(lr={LR}):\n"
                   f"the LR halves each time the validation loss stalls ({len(cuts)} cuts, the first after epoch "
                   f"{cuts[0]})", cuts)
    pictures.save(figure.fig, path, numbers(h))


def main(argv: list[str]) -> int:
    h = history()
    if pictures.current(PICTURE, numbers(h), rel=1e-4):
        return 0
    if "--check" in argv:
        print(f"out of date: {PICTURE.relative_to(ROOT)} (run `make notebooks` or python -m tools.readme_figure)")
        return 1
    draw(h)
    print(f"wrote: {PICTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

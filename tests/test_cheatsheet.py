"""lessons/cheatsheet.md: every PyTorch scheduler once, per batch exactly where lrlab says so, pictures current.

PyTorch is the oracle: each picture's numbers are recomputed by stepping the real scheduler in a plain loop.
"""

import re
from pathlib import Path

import pytest
import torch
from torch.optim import lr_scheduler

from lrlab import schedules
from tools import cheatsheet, pictures

ROOT = Path(__file__).resolve().parents[1]

SHEET = ROOT / "lessons" / "cheatsheet.md"


def rows() -> dict[str, list[str]]:
    """scheduler name -> the cells of its table row, read from the committed markdown."""
    found = {}
    for line in SHEET.read_text().splitlines():
        m = re.match(r"\| \*\*(\w+)\*\* \|(.*)\|$", line)
        if m:
            assert m.group(1) not in found, f"{m.group(1)} has two lines"
            found[m.group(1)] = [c.strip() for c in m.group(2).split(" | ")]
    return found


def test_every_scheduler_in_torch_has_exactly_one_line_with_its_picture():
    table = rows()
    assert set(table) == set(schedules.available()), "run `make notebooks` (python -m tools.cheatsheet)"
    for name, (what, params, step, picture) in table.items():
        assert what and params and step, name
        png = re.search(r'<img src="(cheatsheet/\w+\.png)"', picture).group(1)
        assert png == f"cheatsheet/{name}.png"
        assert (SHEET.parent / png).read_bytes().startswith(b"\x89PNG")


def test_per_batch_exactly_for_the_schedulers_lrlab_steps_per_batch():
    per_batch = {name for name, cells in rows().items() if "batch" in cells[2] and not cells[2].startswith("epoch")}
    assert per_batch == set(schedules.PER_BATCH)
    assert "step(val_loss)" in rows()[schedules.PLATEAU][2]


def test_the_sheet_and_every_picture_are_current():
    assert cheatsheet.main(["--check"]) == 0, "run `make notebooks` (or python -m tools.cheatsheet)"


def torch_lrs(name: str) -> list[float]:
    """The LR of every batch of the cheat sheet's example, stepped in a plain loop (no lrlab)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=cheatsheet.LR, momentum=0.9)
    sched = eval(cheatsheet.ROWS[name][3], {**vars(lr_scheduler), "opt": opt})
    per_batch = name in schedules.PER_BATCH
    out = []
    for epoch in range(cheatsheet.EPOCHS):
        for _ in range(cheatsheet.BATCHES):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            if per_batch:
                sched.step()
        if name == schedules.PLATEAU:
            sched.step(cheatsheet.PLATEAU_LOSS[epoch])
        elif not per_batch:
            sched.step()
    return out


@pytest.mark.parametrize("name", sorted(cheatsheet.ROWS))
def test_each_picture_plots_the_real_schedulers_lr(name):
    lrs = torch_lrs(name)
    assert cheatsheet.curve(name) == pytest.approx(lrs, rel=1e-12)
    assert pictures.stored(SHEET.parent / "cheatsheet" / f"{name}.png") == {"name": name, "lr": pytest.approx(lrs)}
    assert len(set(lrs)) > 1, f"{name}'s example must show the LR changing"


def test_a_picture_whose_numbers_changed_is_out_of_date():
    path, lrs = SHEET.parent / "cheatsheet" / "StepLR.png", cheatsheet.curve("StepLR")
    assert pictures.current(path, {"name": "StepLR", "lr": lrs})
    assert not pictures.current(path, {"name": "StepLR", "lr": lrs[:-1] + [0.0]})
    assert not pictures.current(path, {"name": "StepLR", "lr": lrs[:-1]})
    assert not pictures.current(path, {"name": "MultiStepLR", "lr": lrs})
    assert pictures.current(path, {"name": "StepLR", "lr": [v * (1 + 1e-9) for v in lrs]})  # last bits do not matter

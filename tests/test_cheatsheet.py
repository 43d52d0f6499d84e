"""lessons/cheatsheet.md: every PyTorch scheduler once, per batch exactly where lrlab says so, pictures current,
readable at the size they are shown, in the course's colours, each scheduler linked to the lesson that teaches it.

PyTorch is the oracle: each picture's numbers are recomputed by stepping the real scheduler in a plain loop, and
the defaults the sheet names are read from the schedulers' signatures.
"""

import inspect
import re
from pathlib import Path

import pytest
import torch
from PIL import Image
from torch.optim import lr_scheduler

from lrlab import plots, schedules
from tools import cheatsheet, pictures

ROOT = Path(__file__).resolve().parents[1]

SHEET = ROOT / "lessons" / "cheatsheet.md"


def rows() -> dict[str, list[str]]:
    """scheduler name -> the cells of its table row after the name (what, params, step, lesson, picture)."""
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
    for name, (what, params, step, lesson, picture) in table.items():
        assert what and params and step and lesson, name
        png = re.search(r'<img src="(cheatsheet/\w+\.png)"', picture).group(1)
        assert png == f"cheatsheet/{name}.png"
        assert (SHEET.parent / png).read_bytes().startswith(b"\x89PNG")


def test_per_batch_exactly_for_the_schedulers_lrlab_steps_per_batch():
    per_batch = {name for name, cells in rows().items() if "batch" in cells[2] and not cells[2].startswith("epoch")}
    assert per_batch == set(schedules.PER_BATCH)
    assert "step(val_loss)" in rows()[schedules.PLATEAU][2]


def test_the_loop_shows_per_epoch_and_per_batch_as_two_loops_each_stepping_once():
    blocks = re.findall(r"```python\n(.*?)```", SHEET.read_text(), re.S)
    assert len(blocks) == 2, "one loop stepped per epoch, one stepped per batch"
    indents = []
    for block in blocks:
        steps = [line for line in block.splitlines() if "scheduler.step(" in line.split("#")[0]]
        assert len(steps) == 1, f"a loop that calls scheduler.step() {len(steps)} times:\n{block}"
        indents.append(len(steps[0]) - len(steps[0].lstrip()))
    assert indents == [4, 8], "first after each epoch, then after each batch"


def test_plateau_row_names_eps_and_threshold_mode():
    what, params = rows()[schedules.PLATEAU][:2]
    for word in ("`eps`", "`threshold_mode`", "`threshold`", "`patience`", "more than `patience`"):
        assert word in what + params, word


def _default(text: str):
    """A default as the sheet writes it: 1/3, 1e-4, 'rel', False, 2000 batches."""
    text = text.removesuffix(" batches")
    return eval(text, {"__builtins__": {}}, {"False": False, "True": True})


def test_every_default_in_brackets_is_torchs():
    checked = 0
    for name, cells in rows().items():
        signature = inspect.signature(getattr(lr_scheduler, name)).parameters
        for param, shown in re.findall(r"`(\w+)` \(([^()`]+)\)", cells[1]):
            assert param in signature, f"{name} has no parameter {param}"
            default = signature[param].default
            assert default is not inspect.Parameter.empty, f"{name}({param}) has no default"
            value = _default(shown)
            assert value == (pytest.approx(default) if isinstance(default, float) else default), (name, param)
            checked += 1
    assert checked >= 25


def test_every_lesson_link_leads_to_a_lesson_and_the_plan_is_kept():
    links = {}
    for name, cells in rows().items():
        targets = re.findall(r"\]\(([^)]+)\)", cells[3])
        assert targets or cells[3] == "-", f"{name}: lesson cell {cells[3]!r}"
        for target in targets:
            assert re.fullmatch(r"\d\d_\w+\.ipynb", target) and (SHEET.parent / target).is_file(), (name, target)
        links[name] = {t[:2] for t in targets}
    expected = {"05": ("StepLR", "MultiStepLR", "ExponentialLR"), "06": ("ReduceLROnPlateau",),
                "07": ("LinearLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "SequentialLR", "LambdaLR"),
                "08": ("OneCycleLR", "CyclicLR")}
    for number, names in expected.items():
        for name in names:
            assert number in links[name], f"{name} should link to lesson {number}"


def test_every_picture_is_drawn_at_the_size_it_is_shown_with_readable_labels():
    assert cheatsheet.FONT_PT * cheatsheet.DPI / 72 >= 12, "tick labels under 12 px on the page"
    for name, cells in rows().items():
        width = int(re.search(r'width="(\d+)"', cells[4]).group(1))
        with Image.open(SHEET.parent / "cheatsheet" / f"{name}.png") as im:
            assert im.size[0] == width, f"{name}.png is {im.size[0]} px wide, shown at {width}"


def test_each_picture_uses_the_courses_colour_for_its_scheduler():
    for name in cheatsheet.ROWS:
        recorded = pictures.stored(SHEET.parent / "cheatsheet" / f"{name}.png")["color"]
        assert recorded == cheatsheet.color(name)
        if name in plots.COLORS:
            assert recorded == plots.color(name), name
    assert cheatsheet.color("SequentialLR") == plots.color("warmup+cosine")  # its example is a warmup + cosine


def test_the_sheet_and_every_picture_are_current():
    assert cheatsheet.main(["--check"]) == 0, "run `make notebooks` (or python -m tools.cheatsheet)"


def torch_run(name: str) -> dict:
    """The LR and momentum of every batch of the cheat sheet's example, stepped in a plain loop (no lrlab)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=cheatsheet.LR, momentum=0.9)
    sched = eval(cheatsheet.ROWS[name][3], {**vars(lr_scheduler), "opt": opt})
    out = {"lr": [], "momentum": []}
    with schedules.quiet_epoch_warning():  # torch < 2.9's SequentialLR warns about its own call
        _step_through(opt, sched, name, out)
    return out


def _step_through(opt, sched, name, out):
    per_batch = name in schedules.PER_BATCH
    for epoch in range(cheatsheet.EPOCHS):
        for _ in range(cheatsheet.BATCHES):
            out["lr"].append(opt.param_groups[0]["lr"])
            out["momentum"].append(opt.param_groups[0]["momentum"])
            opt.step()
            if per_batch:
                sched.step()
        if name == schedules.PLATEAU:
            sched.step(cheatsheet.PLATEAU_LOSS[epoch])
        elif not per_batch:
            sched.step()


@pytest.mark.parametrize("name", sorted(cheatsheet.ROWS))
def test_each_picture_plots_the_real_schedulers_lr(name):
    run = torch_run(name)
    lrs = run["lr"]
    assert cheatsheet.curve(name) == pytest.approx(lrs, rel=1e-12)
    expected = {"name": name, "color": cheatsheet.color(name), "lr": pytest.approx(lrs)}
    if name == schedules.PLATEAU:
        expected["metric"] = pytest.approx(cheatsheet.PLATEAU_LOSS)
    if name in cheatsheet.MOMENTUM:
        expected["momentum"] = pytest.approx(run["momentum"])
        assert len(set(run["momentum"])) > 1, f"{name}'s example must show the momentum changing"
    assert pictures.stored(SHEET.parent / "cheatsheet" / f"{name}.png") == expected
    assert len(set(lrs)) > 1, f"{name}'s example must show the LR changing"


def test_the_momentum_mirrors_the_lr():
    run = torch_run("OneCycleLR")
    peak = run["lr"].index(max(run["lr"]))
    assert run["momentum"][peak] == min(run["momentum"]) and run["momentum"][0] == max(run["momentum"])


def test_a_picture_whose_numbers_changed_is_out_of_date():
    path, d = SHEET.parent / "cheatsheet" / "StepLR.png", cheatsheet.data("StepLR")
    lrs = d["lr"]
    assert pictures.current(path, d)
    assert not pictures.current(path, {**d, "lr": lrs[:-1] + [0.0]})
    assert not pictures.current(path, {**d, "lr": lrs[:-1]})
    assert not pictures.current(path, {**d, "name": "MultiStepLR"})
    assert not pictures.current(path, {**d, "color": "#000000"})
    assert pictures.current(path, {**d, "lr": [v * (1 + 1e-9) for v in lrs]})  # last bits do not matter

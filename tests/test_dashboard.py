"""lrlab.widgets.dashboard: the three explorers in one box, scaled for a projector, checked before any training.

The explorers themselves are tested in tests/test_widgets.py; the page in a browser in tests/test_demo_browser.py.
"""

import io
import re
from pathlib import Path

import matplotlib
import nbformat
import pytest

matplotlib.use("Agg")
pytest.importorskip("ipywidgets")
from PIL import Image  # noqa: E402

from lrlab import data, explore, widgets  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def keep_the_style():
    with matplotlib.rc_context():  # dashboard() sets lrlab's projector style for the kernel: undo it here
        yield


@pytest.fixture(scope="module")
def wine():
    return data.wine()


def width(png: bytes) -> int:
    return Image.open(io.BytesIO(png)).size[0]


def test_one_box_holds_the_three_explorers_and_shows_as_one_widget(wine):
    d = widgets.dashboard(wine, 10)
    assert [type(ex).__name__ for ex in d.explorers] == ["PlateauExplorer", "StepExplorer", "ScheduleExplorer"]
    assert "lrlab-dashboard" in d.box._dom_classes

    def widgets_in(box):
        for child in getattr(box, "children", ()):
            yield child
            yield from widgets_in(child)

    inside = list(widgets_in(d.box))
    assert all(ex.box in inside for ex in d.explorers)
    assert d._repr_mimebundle_()["application/vnd.jupyter.widget-view+json"]["model_id"] == d.box.model_id
    row = next(w for w in inside if getattr(w.layout, "flex_flow", None))
    assert row.layout.flex_flow == "row wrap"  # side by side, wrapping on a narrow screen


def test_a_larger_scale_gives_larger_print_controls_and_pictures(wine):
    small, large = widgets.dashboard(wine, 10, scale=1.0), widgets.dashboard(wine, 10, scale=2.0)

    def font(d):
        return int(re.search(r"--jp-widgets-font-size: (\d+)px", d.box.children[0].value).group(1))

    assert font(large) > font(small) >= 13
    assert int(large.plateau.factor.layout.width[:-2]) > int(small.plateau.factor.layout.width[:-2])
    for a, b in zip(small.explorers, large.explorers, strict=True):
        assert width(b.image.value) > 1.5 * width(a.image.value)


def test_the_dashboard_still_retrains_when_a_control_moves(wine):
    d = widgets.dashboard(wine, 10)
    before, picture = d.plateau.last, d.plateau.image.value
    d.plateau.lr.value = 0.1
    assert d.plateau.last is not before and d.plateau.last.lr[0] == pytest.approx(0.1)
    assert d.plateau.image.value != picture
    d.step.scheduler.value = "ExponentialLR"
    assert d.step.last.epoch_lr[0] == pytest.approx(0.1 * d.step.gamma.value)


@pytest.mark.parametrize("scale", [0.5, 3.5, float("nan"), "big", True])
def test_a_bad_scale_is_a_value_error_before_any_training(monkeypatch, scale):
    def no_training(*args, **kw):
        raise AssertionError("trained before checking the arguments")

    monkeypatch.setattr(explore, "train_run", no_training)
    with pytest.raises(ValueError, match=r"scale=.* 1 <= scale <= 3"):
        widgets.dashboard(scale=scale)


def test_the_demo_notebook_only_calls_lrlab():
    cells = nbformat.read(ROOT / "demo" / "dashboard.ipynb", as_version=4).cells
    code = [c.source for c in cells if c.cell_type == "code"]
    assert len(code) == 1 and "dashboard(" in code[0]
    assert len([line for line in code[0].splitlines() if line.strip() and not line.startswith("#")]) <= 5
    assert all(not c.get("outputs") for c in cells if c.cell_type == "code")  # Voila runs it; nothing stale stored

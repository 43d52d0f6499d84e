"""The README: its picture is committed and shows what lrlab computes today; it says how to start, test and extend.

The picture's numbers are recomputed from a real run (tools.readme_figure: Wine, 100 full-batch epochs, about
a second) and compared with the numbers the PNG records (tools/pictures.py).
"""

import re
from pathlib import Path

import pytest

from tools import pictures, readme_figure

ROOT = Path(__file__).resolve().parents[1]

README = (ROOT / "README.md").read_text()


def test_the_picture_at_the_top_is_committed_and_drawn_from_a_real_run():
    first_image = re.search(r"!\[[^\]]+\]\(([^)]+)\)", README)
    assert first_image and first_image.group(1) == "docs/readme.png"
    assert README.index(first_image.group(0)) < README.index("## ")  # above every section
    assert readme_figure.PICTURE.read_bytes().startswith(b"\x89PNG")  # in a fresh clone (CI): committed


def test_the_picture_shows_what_lrlab_computes_today():
    h = readme_figure.history()
    recorded = pictures.stored(readme_figure.PICTURE)
    assert recorded is not None, "docs/readme.png records no numbers: run `make notebooks`"
    now = readme_figure.numbers(h)
    assert recorded.keys() == now.keys()
    for key in now:
        assert recorded[key] == pytest.approx(now[key], rel=1e-4), f"{key} changed: run `make notebooks`"
    # and the caption's story holds: the LR was cut at least twice, each time by the factor, never raised
    cuts = [(a, b) for a, b in zip(h.lr, h.lr[1:], strict=False) if b != a]
    assert len(cuts) >= 2 and all(b == pytest.approx(a * readme_figure.FACTOR) for a, b in cuts)


def test_a_changed_run_makes_the_picture_out_of_date():
    now = readme_figure.numbers(readme_figure.history())
    changed = {**now, "val_loss": [v * 1.01 for v in now["val_loss"]]}
    assert pictures.current(readme_figure.PICTURE, now, rel=1e-4)
    assert not pictures.current(readme_figure.PICTURE, changed, rel=1e-4)


@pytest.mark.parametrize("needed", [
    "make lab", "make test",  # the two commands
    "conda env create -f environment.yml",  # the conda way
    "[![Open In Colab]", "| minutes |",  # the lesson table with its Colab links and minutes
    "lessons/cheatsheet.md", "make demo",  # the cheat sheet and the instructor's demo
    "## Running the tests", "--nbval-lax --nbval-current-env", "ipywidgets 7.7",  # how to run the tests
    "## Adding a lesson", "python -m tools.new_lesson", "make notebooks", "make badges",  # how to add a lesson
])
def test_the_readme_says_how_to_start_test_and_extend(needed):
    assert needed in README


def test_every_make_target_the_readme_names_exists():
    makefile = (ROOT / "Makefile").read_text()
    for target in set(re.findall(r"`make (\w+)", README)):
        assert re.search(rf"^{target}:", makefile, re.M), f"README: `make {target}`, no such target"

"""The README: its picture is committed and shows what lrlab computes today, its caption tells what the picture
shows, its example runs, and it says how to start, test and extend.

The picture's numbers are recomputed from the real runs (tools.readme_figure: digits, an MLP, plain SGD, a
constant LR and MultiStepLR, 3 seeds each, 12 epochs: a few seconds on one thread) and compared with the numbers
the PNG records (tools/pictures.py). torch 2.4 and 2.14 give these runs the same numbers to far better than
``readme_figure.REL``.
"""

import importlib
import re
import statistics
from pathlib import Path

import pytest

from tools import course, pictures, readme_figure

ROOT = Path(__file__).resolve().parents[1]

README = (ROOT / "README.md").read_text()


@pytest.fixture(scope="module")
def runs():
    return readme_figure.histories()


def test_the_picture_at_the_top_is_committed_and_drawn_from_a_real_run():
    first_image = re.search(r"!\[[^\]]+\]\(([^)]+)\)", README)
    assert first_image and first_image.group(1) == "docs/readme.png"
    assert README.index(first_image.group(0)) < README.index("## ")  # above every section
    assert readme_figure.PICTURE.read_bytes().startswith(b"\x89PNG")  # in a fresh clone (CI): committed


def test_the_picture_shows_what_lrlab_computes_today(runs):
    recorded = pictures.stored(readme_figure.PICTURE)
    assert recorded is not None, "docs/readme.png records no numbers: run `make notebooks`"
    now = readme_figure.numbers(runs)
    assert recorded.keys() == now.keys()
    for name in now:
        for key in now[name]:
            assert pictures.same(recorded[name][key], now[name][key], rel=readme_figure.REL), (
                f"{name} {key} changed: run `make notebooks` (or python -m tools.readme_figure)")


def _mean(values):
    return statistics.fmean(values)


def test_the_caption_tells_what_the_runs_show(runs):
    const, cut = runs["constant"], runs["MultiStepLR"]
    m, steps = readme_figure.MILESTONE, len(const[0].loss) // readme_figure.EPOCHS
    # the LR: 0.5 throughout, or 0.5 for 8 epochs and then tenfold smaller
    assert all(h.lr == [0.5] * len(h.lr) for h in const)
    for h in cut:
        before, after = h.lr[:m * steps], h.lr[m * steps:]
        assert before == [0.5] * len(before) and after == pytest.approx([0.05] * len(after))
    # the two runs of a seed are the same until the cut
    for a, b in zip(const, cut, strict=True):
        assert a.loss[:m * steps] == b.loss[:m * steps] and a.val_loss[:m] == b.val_loss[:m]
    # the constant LR's validation loss stops improving after about epoch 8 (3-seed mean)
    val = {name: [_mean(h.val_loss[e] for h in hs) for e in range(readme_figure.EPOCHS)] for name, hs in runs.items()}
    assert min(val["constant"][m:]) > val["constant"][m - 1]
    # after the cut: a lower validation loss in a narrower band, and lower after 12 epochs in every seed
    for e in range(m, readme_figure.EPOCHS):
        assert val["MultiStepLR"][e] < val["constant"][e], f"epoch {e + 1}"
        spread = {name: max(h.val_loss[e] for h in hs) - min(h.val_loss[e] for h in hs) for name, hs in runs.items()}
        assert spread["MultiStepLR"] < spread["constant"], f"epoch {e + 1}"
    assert all(b.val_loss[-1] < a.val_loss[-1] for a, b in zip(const, cut, strict=True))

    # a steadier training loss: the batch losses of the epochs after the cut spread less (3-seed mean)
    def spread_after_cut(h):
        return statistics.pstdev(h.loss[m * steps:])

    assert _mean(map(spread_after_cut, cut)) < 0.6 * _mean(map(spread_after_cut, const))


def test_a_changed_run_makes_the_picture_out_of_date(runs):
    now = readme_figure.numbers(runs)
    changed = {**now, "constant": {**now["constant"], "val_loss": [[v * 1.01 for v in r]
                                                                   for r in now["constant"]["val_loss"]]}}
    assert pictures.current(readme_figure.PICTURE, now, rel=readme_figure.REL)
    assert not pictures.current(readme_figure.PICTURE, changed, rel=readme_figure.REL)


def test_the_caption_names_the_run_and_links_the_lessons_that_teach_it():
    caption = " ".join(README.split("](docs/readme.png)", 1)[1].split("## ", 1)[0].split())
    for needed in ("MultiStepLR", "mini-batches of 8", "12 epochs", "seeds 0, 1 and 2", "after epoch 8",
                   "more than `patience` epochs"):
        assert needed in caption, needed
    links = re.findall(r"\]\((lessons/[^)]+\.ipynb)\)", caption)
    assert {link[8:10] for link in links} == {"04", "06"}
    assert all((ROOT / link).is_file() for link in links)
    f = readme_figure
    assert (f.LR, f.GAMMA, f.BATCH_SIZE, f.EPOCHS, f.MILESTONE, f.SEEDS) == (0.5, 0.1, 8, 12, 8, (0, 1, 2))


def test_the_example_runs_with_todays_api(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    section = README.split("## Using lrlab from your own notebook", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {}
    try:
        exec(compile(code, "README.md (Using lrlab from your own notebook)", "exec"), namespace)
    finally:
        plt.close("all")
    history = namespace["history"]
    assert history.num_epochs == 100 and len(history.lr) == 100 and min(history.lr) < max(history.lr)


def test_every_lrlab_name_the_readme_gives_exists():
    names = set(re.findall(r"\blrlab(?:\.\w+)+", README))
    assert {"lrlab.lint.lint_schedule", "lrlab.widgets.dashboard"} <= names
    for name in names:
        obj = importlib.import_module("lrlab")
        for attribute in name.split(".")[1:]:
            assert hasattr(obj, attribute), f"README names {name}: no such thing in lrlab"
            obj = getattr(obj, attribute)
    assert "lrlab.checks" not in README and "lrlab.demo" not in README
    assert not re.search(r"\bthe source\b", README, re.I), "say 'the classic Wine example'"


def test_the_minutes_paragraph_says_what_tools_course_computes():
    paragraph = README.split("## Lessons", 1)[1].split("<!-- lessons:start -->", 1)[0]
    for needed in (f"{course.WORDS_PER_MINUTE} words a minute", "half a minute for each code cell",
                   f"a minute for each plot and {course.MINUTES_PER_EXERCISE:g} minutes for each exercise",
                   f"{course.LIMITS['words']:,} words, {course.LIMITS['code_cells']} code cells and "
                   f"{course.LIMITS['plots']} plots", "`tools/course.py`"):
        assert needed in paragraph, needed
    assert (course.MINUTES_PER_CODE_CELL, course.MINUTES_PER_PLOT) == (0.5, 1.0)  # the words above


@pytest.mark.parametrize("needed", [
    "make lab", "make test",  # the two commands
    "conda env create -f environment.yml",  # the conda way
    "[![Open In Colab]", "| minutes |",  # the lesson table with its Colab links and minutes
    "lessons/cheatsheet.md", "make demo",  # the cheat sheet and the instructor's demo
    "## Running the tests", "--nbval-lax --nbval-current-env", "ipywidgets 7.7",  # how to run the tests
    "## Adding a lesson", "python -m tools.new_lesson", "make notebooks", "make badges",  # how to add a lesson
    "python -m tools.readme_figure", "python -m tools.cheatsheet",  # what make notebooks redraws
])
def test_the_readme_says_how_to_start_test_and_extend(needed):
    assert needed in README


def test_make_notebooks_redraws_the_picture_and_the_cheat_sheet_as_the_readme_says():
    recipe = re.search(r"^notebooks:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert "-m tools.readme_figure" in recipe and "-m tools.cheatsheet" in recipe


def test_every_make_target_the_readme_names_exists():
    makefile = (ROOT / "Makefile").read_text()
    for target in set(re.findall(r"`make (\w+)", README)):
        assert re.search(rf"^{target}:", makefile, re.M), f"README: `make {target}`, no such target"

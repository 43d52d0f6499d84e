"""Every lesson has the course's shape, a Colab badge to its own path, and a row in the README."""

import re
from pathlib import Path

import nbformat
import pytest

from tools import course

ROOT = Path(__file__).resolve().parents[1]

LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_lessons():
    assert LESSONS, "no lessons/NN_*.ipynb found"


@pytest.fixture(params=LESSONS, ids=[p.name for p in LESSONS])
def lesson(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_badge_points_at_its_own_notebook(lesson):
    path, nb = lesson
    badges = re.findall(r"colab\.research\.google\.com/github/([^)\s]+)", nb.cells[0].source)
    settings = course.settings()
    assert badges == [f"{settings['repository']}/blob/{settings['branch']}/lessons/{path.name}"]


def test_shape_what_you_will_learn_summary_three_exercises(lesson):
    _, nb = lesson
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "What you will learn" in nb.cells[0].source
    assert re.search(r"^## Summary", markdown, re.M)
    exercises = markdown.split("## Exercises", 1)
    assert len(exercises) == 2, "an '## Exercises' section"
    assert exercises[1].count("<summary>") >= 3, "at least three exercises, each with a collapsed solution"


def test_colab_setup_installs_only_in_colab_and_never_pins_torch(lesson):
    _, nb = lesson
    setup = next(c.source for c in nb.cells if c.cell_type == "code")
    assert setup == course.setup_source(), "the setup cell is generated: run `make notebooks`"
    assert 'if "google.colab" in sys.modules:' in setup
    assert course.install_line() in setup
    pip_lines = [line for line in setup.splitlines() if "pip install" in line]
    assert pip_lines and not any(p in line for line in pip_lines for p in ("torch", "numpy", "matplotlib"))


def test_stored_executed_and_clean(lesson):
    path, nb = lesson
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "run `make notebooks` (executed top to bottom)"
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("name") != "stderr" and out.get("output_type") != "error", (path.name, out)
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])), "a stored plot"


def test_readme_lists_every_lesson_with_its_colab_link():
    readme = (ROOT / "README.md").read_text()
    table = readme.split(course.TABLE_START)[1].split(course.TABLE_END)[0]
    assert table.strip() == course.lesson_table(LESSONS), "run `make notebooks` to refresh the README"
    for path in LESSONS:
        assert f"lessons/{path.name})" in table

"""Every lesson has the course's shape and a 30-minute size, a Colab badge to its own path, a setup cell that
says what to do when the install fails, and a row in the README."""

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
    assert f'spec = "{course.install_spec()}"' in setup
    pip_lines = [line for line in setup.splitlines() if '"pip", "install"' in line]
    spec = course.install_spec()  # lrlab alone: Colab's own torch, numpy and matplotlib stay
    assert len(pip_lines) == 1 and not any(p in spec for p in ("torch", "numpy", "matplotlib"))


def _run_setup_as_colab(monkeypatch, *, installed: bool, pip_returncode: int):
    """Execute the generated setup cell as Colab would (a google.colab module loaded), with pip faked."""
    import importlib.util
    import subprocess
    import sys
    import types

    calls = []
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: (real_find_spec(name, *a) if installed or name != "lrlab" else None))
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(cmd) or types.SimpleNamespace(
        returncode=pip_returncode))
    code = course.setup_source().replace("plots.use_style()", "")
    exec(compile(code, "<setup cell>", "exec"), {})  # noqa: S102 - the cell itself
    return calls


def test_colab_setup_installs_lrlab_only_when_missing(monkeypatch):
    assert _run_setup_as_colab(monkeypatch, installed=True, pip_returncode=1) == []
    calls = _run_setup_as_colab(monkeypatch, installed=False, pip_returncode=0)
    assert len(calls) == 1 and calls[0][-1] == course.install_spec()


def test_colab_setup_says_in_one_line_what_to_do_when_the_install_fails(monkeypatch):
    with pytest.raises(SystemExit) as stop:
        _run_setup_as_colab(monkeypatch, installed=False, pip_returncode=1)
    message = str(stop.value)
    assert "\n" not in message and course.install_spec() in message
    assert "upload the lrlab folder" in message and "make badges" in message


def test_stored_executed_and_clean(lesson):
    path, nb = lesson
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "run `make notebooks` (executed top to bottom)"
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        outputs = cell.get("outputs", [])
        for out in outputs:
            assert out.get("name") != "stderr" and out.get("output_type") != "error", (path.name, out)
        kinds = [o.get("name") if o.get("output_type") == "stream" else None for o in outputs]
        assert all(a is None or a != b for a, b in zip(kinds, kinds[1:], strict=False)), \
            f"{path.name}: printed lines split over two outputs (a rebuild would differ): run `make notebooks`"
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])), "a stored plot"


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_a_lesson_takes_a_learner_about_30_minutes(path):
    """Issue 11's limits: about 1,400 words of prose, 15 code cells, 5 plots; estimated minutes (prose at 150 words a
    minute, half a minute a code cell, a minute a plot, 3 minutes an exercise) at most about 30."""
    stats, limits = course.lesson_stats(path), course.LIMITS
    too_much = {k: f"{stats[k]:.0f} > {limit}" for k, limit in limits.items() if stats[k] > limit}
    assert not too_much, f"{path.name} is longer than a 30-minute lesson: {too_much}"
    assert stats["exercises"] >= 3, f"{path.name} has {stats['exercises']} exercises; at least 3"


def test_the_minutes_estimate_counts_prose_cells_plots_and_exercises(tmp_path):
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook()
    plot = new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    nb.cells = [new_markdown_cell("word " * 300 + "`a long code span` <details>hidden words here</details>"),
                new_code_cell("x = 1", outputs=[plot]), new_code_cell("y = 2"),
                new_markdown_cell("## Exercises\n**1.** a\n<details><summary>Solution</summary>s</details>")]
    path = tmp_path / "99_test.ipynb"
    nbformat.write(nb, path)
    stats = course.lesson_stats(path)
    # words: 300, the code span, "Exercises" and "a"; the collapsed solution is not prose
    assert (stats["words"], stats["code_cells"], stats["plots"], stats["exercises"]) == (303, 2, 1, 1)
    assert stats["minutes"] == pytest.approx(303 / 150 + 2 * 0.5 + 1 + 3)


def test_readme_lists_every_lesson_with_its_colab_link():
    readme = (ROOT / "README.md").read_text()
    table = readme.split(course.TABLE_START)[1].split(course.TABLE_END)[0]
    assert table.strip() == course.lesson_table(LESSONS), "run `make notebooks` to refresh the README"
    for path in LESSONS:
        assert f"lessons/{path.name})" in table

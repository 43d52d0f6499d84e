"""The course's lessons, as the tools see them: shared by `make notebooks`, `make badges` and `tools.new_lesson`
(this module was tools/lessons.py).

The repository slug lives in one place, pyproject.toml's [tool.lrlab]; the Colab badge (first cell)
and the Colab install line (first code cell) of every lesson are regenerated from it.
"""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")


def settings() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["lrlab"]


def badge(path: Path) -> str:
    s = settings()
    rel = path.resolve().relative_to(ROOT).as_posix()
    url = f"https://colab.research.google.com/github/{s['repository']}/blob/{s['branch']}/{rel}"
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})"


def install_spec() -> str:
    """What Colab's setup cell gives pip: lrlab from the repository named in [tool.lrlab]."""
    return f"lrlab @ git+https://github.com/{settings()['repository']}"


SETUP = '''# Setup. In Colab, install lrlab first (Colab's own torch, numpy and matplotlib are kept).
import sys

if "google.colab" in sys.modules:
    import importlib.util
    import subprocess

    if importlib.util.find_spec("lrlab") is None:
        spec = "{spec}"
        if subprocess.run([sys.executable, "-m", "pip", "install", "-q", spec], capture_output=True).returncode:
            raise SystemExit(f"pip could not install {{spec!r}}: upload the lrlab folder next to this notebook "
                             "(or set [tool.lrlab] repository in pyproject.toml and run `make badges`), then rerun.")

import torch

import lrlab
from lrlab import data, models, plots, schedules

torch.set_num_threads(1)  # the course's models are tiny: one CPU thread is the fastest and the steadiest
plots.use_style()'''


def setup_source() -> str:
    return SETUP.format(spec=install_spec())


def refresh(nb, path: Path) -> None:
    """Rewrite the badge and the whole setup cell of notebook ``nb`` (stored at ``path``) from the settings."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and BADGE.search(cell.source):
            cell.source = BADGE.sub(lambda _: badge(path), cell.source)
        if cell.cell_type == "code" and '"google.colab" in sys.modules' in cell.source:
            cell.source = setup_source()


# --- the README's lesson table, generated from the lessons themselves ---------------------------------
TABLE_START, TABLE_END = "<!-- lessons:start -->", "<!-- lessons:end -->"


def lesson_info(path: Path) -> dict:
    """Title and "What you will learn" bullets of a lesson, read from its first markdown cell."""
    import nbformat

    first = nbformat.read(path, as_version=4).cells[0].source
    title = re.search(r"^# (.+)$", first, re.M).group(1).strip()
    bullets = []
    for line in first.split("What you will learn", 1)[-1].splitlines():
        if re.match(r"\s*[-*] ", line):
            bullets.append(line.strip()[2:].strip())
        elif line.strip() and bullets:  # a wrapped bullet goes on
            bullets[-1] += " " + line.strip()
    return {"title": title, "learn": bullets}


# A learner's pace (issue 11): technical prose at 150 words a minute; a code cell to read, run and look at half a
# minute; a plot a minute; an exercise 3 minutes. LIMITS is the shape of a 30-minute lesson (tests/test_lessons_meta).
WORDS_PER_MINUTE, MINUTES_PER_CODE_CELL, MINUTES_PER_PLOT, MINUTES_PER_EXERCISE = 150, 0.5, 1.0, 3.0
LIMITS = {"words": 1400, "code_cells": 15, "plots": 5, "minutes": 32}


def _prose(cells) -> str:
    """The markdown a learner reads, solutions (collapsed ``<details>`` blocks) left out."""
    md = " ".join(c.source for c in cells if c.cell_type == "markdown")
    return re.sub(r"<details>.*?</details>", " ", md, flags=re.S)


def lesson_stats(path: Path) -> dict:
    """What a lesson asks of a learner: ``words`` of prose (a `code span` counts as one word), ``code_cells``,
    ``plots`` (stored PNG outputs, a widget's static picture included), ``exercises`` (in the Exercises section,
    one per collapsed solution) and ``minutes`` (the estimate, unrounded)."""
    import nbformat

    cells = nbformat.read(path, as_version=4).cells
    words = len(re.findall(r"[A-Za-z][A-Za-z'-]*", re.sub(r"`[^`]*`", " x ", _prose(cells))))
    code = [c for c in cells if c.cell_type == "code"]
    plots = sum("image/png" in o.get("data", {}) for c in code for o in c.get("outputs", []))
    md = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    exercises = md.split("## Exercises", 1)[1].count("<summary>") if "## Exercises" in md else 0
    minutes = (words / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * len(code) + MINUTES_PER_PLOT * plots
               + MINUTES_PER_EXERCISE * exercises)
    return {"words": words, "code_cells": len(code), "plots": plots, "exercises": exercises, "minutes": minutes}


def lesson_minutes(path: Path) -> int:
    """Estimated minutes for a lesson (``lesson_stats``), rounded to the nearest 5 (at least 5)."""
    return max(5, 5 * round(lesson_stats(path)["minutes"] / 5))


def lesson_table(paths: list[Path]) -> str:
    rows = ["| # | lesson | what you will learn | minutes | open |", "|---|---|---|---|---|"]
    for path in sorted(paths):
        info = lesson_info(path)
        rel = path.resolve().relative_to(ROOT).as_posix()
        learn, minutes = "; ".join(b.rstrip(".") for b in info["learn"]), lesson_minutes(path)
        rows.append(f"| {path.name[:2]} | [{info['title']}]({rel}) | {learn} | {minutes} | {badge(path)} |")
    return "\n".join(rows)


def update_readme(readme: Path = ROOT / "README.md") -> bool:
    """Rewrite the lesson table between the README's markers; True when it changed."""
    text = readme.read_text()
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    new = text[:start] + "\n" + lesson_table(list((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))) + "\n" + text[end:]
    if new != text:
        readme.write_text(new)
    return new != text

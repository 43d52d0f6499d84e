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


def install_line() -> str:
    return f'%pip install -q "lrlab @ git+https://github.com/{settings()["repository"]}"'


SETUP = '''# Setup. In Colab, install lrlab first (Colab's own torch, numpy and matplotlib are kept).
import sys

if "google.colab" in sys.modules:
    {install}

import torch

import lrlab
from lrlab import data, models, plots, schedules

torch.set_num_threads(1)  # the course's models are tiny: one CPU thread is the fastest and the steadiest
plots.use_style()'''


def setup_source() -> str:
    return SETUP.format(install=install_line())


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


WORDS_PER_MINUTE, MINUTES_PER_CODE_CELL = 120, 1  # careful reading; run a cell, look at what it shows


def lesson_minutes(path: Path) -> int:
    """Estimated minutes for a lesson: its markdown read at WORDS_PER_MINUTE, plus MINUTES_PER_CODE_CELL for
    each code cell (read, run, look at the output), rounded to the nearest 5 (at least 5)."""
    import nbformat

    cells = nbformat.read(path, as_version=4).cells
    words = sum(len(c.source.split()) for c in cells if c.cell_type == "markdown")
    minutes = words / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * sum(c.cell_type == "code" for c in cells)
    return max(5, 5 * round(minutes / 5))


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

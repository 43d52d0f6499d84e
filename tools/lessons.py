"""Lesson scaffolding shared by `make notebooks` and `tools/new_lesson.py`.

The repository slug lives in one place, pyproject.toml's [tool.lrlab]; the Colab badge (first cell)
and the Colab install line (first code cell) of every lesson are regenerated from it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")
INSTALL = re.compile(r'%pip install -q "lrlab @ git\+https://github\.com/[^"]*"')


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

plots.use_style()'''


def refresh(nb, path: Path) -> None:
    """Rewrite the badge and the install line of notebook ``nb`` (stored at ``path``) from the settings."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and BADGE.search(cell.source):
            cell.source = BADGE.sub(lambda _: badge(path), cell.source)
        if cell.cell_type == "code" and INSTALL.search(cell.source):
            cell.source = INSTALL.sub(lambda _: install_line(), cell.source)

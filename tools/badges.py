"""Regenerate every lesson's Colab badge and setup cell, and the README's lesson table, WITHOUT running anything
(``make badges``). The repository and branch come from one place, pyproject.toml's ``[tool.lrlab]``: change
them there (a fork, a release branch), run this, commit. Outputs are left exactly as they were.

    python -m tools.badges            # rewrite what is out of date, say what changed
    python -m tools.badges --check    # change nothing; exit 1 and name what is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from tools import course


def lesson_paths() -> list[Path]:
    return sorted((course.ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))


def refreshed(path: Path):
    """(notebook with badge and setup cell regenerated, whether that changed anything)."""
    nb = nbformat.read(path, as_version=4)
    before = [c.source for c in nb.cells]
    course.refresh(nb, path)
    return nb, [c.source for c in nb.cells] != before


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    # 1. every lesson: badge and setup cell from the settings; a notebook is written only when it changes
    for path in lesson_paths():
        nb, changed = refreshed(path)
        if changed:
            stale.append(path.relative_to(course.ROOT).as_posix())
            if not check:
                nbformat.write(nb, path)
    # 2. the README's lesson table (titles, what you will learn, minutes, Colab links)
    readme = course.ROOT / "README.md"
    table = course.lesson_table(lesson_paths())
    text = readme.read_text()
    if text.split(course.TABLE_START)[1].split(course.TABLE_END)[0].strip() != table:
        stale.append("README.md (lesson table)")
        if not check:
            course.update_readme(readme)
    s = course.settings()
    print(f"Colab links for github.com/{s['repository']} (branch {s['branch']}), from pyproject.toml [tool.lrlab]")
    for name in stale:
        print(f"  {'out of date' if check else 'updated'}: {name}")
    if not stale:
        print("  every badge, setup cell and the README table are current")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

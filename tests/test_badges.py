"""`make badges` (tools/badges.py): one setting in pyproject.toml moves every Colab link, nothing is executed.

Runs the command on a copy of the repository (tools/, lessons/, README.md, pyproject.toml) whose [tool.lrlab]
names a fork and another branch, then reads the copy back; `python -m tools.badges --check` runs for real on this
repository.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import badges, course

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))


def run(copy: Path, *args) -> subprocess.CompletedProcess:
    """`python -m tools.badges ARGS` in the folder ``copy``: the real command."""
    return subprocess.run([sys.executable, "-m", "tools.badges", *args], capture_output=True, text=True, cwd=copy)


def run_here(copy: Path, monkeypatch, capsys, *args) -> subprocess.CompletedProcess:
    """The same command's ``main`` in this process, on the repository ``copy`` (the CLI itself is tested by
    test_the_repository_is_current): a second each saved, nbformat is not imported again."""
    with monkeypatch.context() as m:
        m.setattr(course, "ROOT", copy)
        code = badges.main(list(args))
    return subprocess.CompletedProcess(args, code, capsys.readouterr().out, "")


@pytest.fixture
def fork(tmp_path):
    """A copy of the repository whose pyproject.toml names someone's fork and a release branch."""
    if not LESSONS:
        pytest.skip("no lessons yet")
    for name in ("tools", "lessons"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.md", "*.png"))
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    toml = (ROOT / "pyproject.toml").read_text()
    toml, n = re.subn(r'(?m)^repository = ".*"$', 'repository = "teacher/lrlab-fork"', toml)
    toml, m = re.subn(r'(?m)^branch = ".*"$', 'branch = "spring-term"', toml)
    assert n == m == 1, "pyproject.toml's [tool.lrlab] names the repository and the branch once each"
    (tmp_path / "pyproject.toml").write_text(toml)
    return tmp_path


def test_the_repository_is_current():
    out = run(ROOT, "--check")
    assert out.returncode == 0, "run `make badges`:\n" + out.stdout + out.stderr


def test_one_setting_moves_every_badge_setup_cell_and_readme_link(fork, monkeypatch, capsys):
    # 1. --check sees that everything is out of date, and changes nothing
    before = {p.name: (fork / "lessons" / p.name).read_bytes() for p in LESSONS}
    originals = {p.name: nbformat.read(fork / "lessons" / p.name, as_version=4) for p in LESSONS}
    check = run_here(fork, monkeypatch, capsys, "--check")
    assert check.returncode == 1
    assert all(f"lessons/{p.name}" in check.stdout for p in LESSONS) and "README.md" in check.stdout
    assert before == {p.name: (fork / "lessons" / p.name).read_bytes() for p in LESSONS}
    # 2. the command rewrites them
    assert run_here(fork, monkeypatch, capsys).returncode == 0
    for p in LESSONS:
        original, nb = originals[p.name], nbformat.read(fork / "lessons" / p.name, as_version=4)
        links = re.findall(r"colab\.research\.google\.com/github/([^)\s]+)", nb.cells[0].source)
        assert links == [f"teacher/lrlab-fork/blob/spring-term/lessons/{p.name}"]
        setup = next(c.source for c in nb.cells if c.cell_type == "code")
        assert 'git+https://github.com/teacher/lrlab-fork"' in setup and "lrlab-course" not in setup
        # nothing was executed: every output and every other cell is exactly as it was
        assert [c.get("outputs") for c in nb.cells] == [c.get("outputs") for c in original.cells]
        assert [c.source for c in nb.cells[1:] if "google.colab" not in c.source] == \
               [c.source for c in original.cells[1:] if "google.colab" not in c.source]
    table = (fork / "README.md").read_text().split("<!-- lessons:start -->")[1].split("<!-- lessons:end -->")[0]
    assert table.count("teacher/lrlab-fork/blob/spring-term/lessons/") == len(LESSONS)
    assert "lrlab-course" not in table
    # 3. run again: nothing left to do
    assert run_here(fork, monkeypatch, capsys, "--check").returncode == 0


def test_the_readme_table_gives_minutes_from_the_lessons_length(tmp_path):
    table = (ROOT / "README.md").read_text().split(course.TABLE_START)[1].split(course.TABLE_END)[0]
    assert "| minutes |" in table.splitlines()[1]
    minutes = {p.name: course.lesson_minutes(p) for p in LESSONS}
    for name, m in minutes.items():
        assert m % 5 == 0 and 5 <= m <= 180, (name, m)
        assert f"lessons/{name}) |" in table and f" | {m} | [![Open In Colab]" in table
    # a longer lesson never gets fewer minutes: append words and code cells to a copy
    nb = nbformat.read(LESSONS[0], as_version=4)
    nb.cells += [nbformat.v4.new_markdown_cell("word " * 1200)] + [nbformat.v4.new_code_cell(str(i)) for i in range(10)]
    nbformat.write(nb, tmp_path / "longer.ipynb")
    assert course.lesson_minutes(tmp_path / "longer.ipynb") >= minutes[LESSONS[0].name] + 15

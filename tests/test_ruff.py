"""ruff over lrlab, the tests, the benchmarks, the tools and every lesson notebook (the `make lint` set)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (it comes with the dev extra)")
    paths = ["lrlab", "tests", "benchmarks", "tools", "lessons", "demo", "conftest.py"]
    done = subprocess.run([ruff, "check", "--output-format", "concise", *paths], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr

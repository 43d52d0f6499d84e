"""The explorers under ipywidgets 7.7, the version Colab ships: tests/test_widgets.py runs again in .venv-w7.

.venv-w7 (built by `make test`, see the Makefile) holds ipywidgets 7.7 and nothing else; a .pth file appends
.venv's site-packages after its own, so ipywidgets 7.7 wins and torch, lrlab and pytest come from .venv.
Skipped where .venv-w7 is absent (a plain `pytest`), unless LRLAB_REQUIRE_W7=1, which `make test` sets: then
it fails. LRLAB_W7=path names another such environment.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
W7 = Path(os.environ.get("LRLAB_W7", ROOT / ".venv-w7")).absolute()


@pytest.fixture(scope="module")
def python7():
    python = W7 / "bin" / "python"
    if not python.exists():
        if os.environ.get("LRLAB_REQUIRE_W7") == "1":
            pytest.fail(f"{python} is missing (LRLAB_REQUIRE_W7=1): `make test` builds it")
        pytest.skip(f"no {W7.name} (`make test` builds it): the ipywidgets 7.7 run is skipped")
    return str(python)


def test_the_second_environment_imports_ipywidgets_7_7_and_this_lrlab(python7):
    code = "import ipywidgets, lrlab, torch; print(ipywidgets.__version__); print(lrlab.__file__)"
    out = subprocess.run([python7, "-c", code], capture_output=True, text=True, cwd="/", check=True).stdout.split()
    assert out[0].startswith("7.7."), f"ipywidgets {out[0]} in {W7}: expected 7.7"
    assert Path(out[1]).resolve() == (ROOT / "lrlab" / "__init__.py").resolve()


def test_every_explorer_test_passes_under_ipywidgets_7_7(python7):
    cmd = [python7, "-m", "pytest", "tests/test_widgets.py", "-q", "-p", "no:cacheprovider"]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "MPLBACKEND": "Agg"})
    tail = "\n".join(run.stdout.splitlines()[-40:]) + run.stderr[-2000:]
    assert run.returncode == 0, f"tests/test_widgets.py under ipywidgets 7.7:\n{tail}"
    summary = run.stdout.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 20 and not re.search(r"skipped|deselected|error", summary), summary

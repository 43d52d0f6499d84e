"""pyproject.toml and environment.yml must list the same packages; import lrlab must stay light."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")
ROOT = Path(__file__).resolve().parents[1]
CONDA_TO_PIP = {"pytorch-cpu": "torch", "pytorch": "torch", "playwright-python": "playwright"}
CONDA_ONLY = {"python", "pip"}


def _split(spec):
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", spec)
    return m.group(1).lower(), m.group(2).replace(" ", "")


def pip_packages(text):
    meta = tomllib.loads(text)["project"]
    specs = meta["dependencies"] + meta["optional-dependencies"]["dev"]
    return dict(_split(s) for s in specs)


def conda_packages(text):
    found, in_deps = {}, False
    for line in text.splitlines():
        if re.match(r"^\S", line):  # a top-level key: channels:, dependencies:, ...
            in_deps = line.startswith("dependencies:")
        m = re.match(r"^  - ([^:#\s][^#]*?)\s*(#.*)?$", line)  # the section's own entries, not pip's
        if in_deps and m:
            name, spec = _split(m.group(1))
            if name not in CONDA_ONLY:
                found[CONDA_TO_PIP.get(name, name)] = spec
    return found


def pip_section_packages(text):
    """environment.yml's `- pip:` entries (packages not on conda-forge), less the editable lrlab itself."""
    m = re.search(r"^  - pip:\n((?:      - .*\n?)*)", text, re.M)
    specs = [line.split("#")[0].strip()[2:].strip() for line in (m.group(1).splitlines() if m else [])]
    return dict(_split(s) for s in specs if s and s != "-e .")


def env_packages(text):
    conda, pip_section = conda_packages(text), pip_section_packages(text)
    assert not set(conda) & set(pip_section), f"listed twice: {set(conda) & set(pip_section)}"
    return {**conda, **pip_section}


def test_environment_yml_and_pyproject_agree():
    pip = pip_packages((ROOT / "pyproject.toml").read_text())
    env_text = (ROOT / "environment.yml").read_text()
    assert env_packages(env_text) == pip
    assert "conda-forge" in env_text and "defaults" not in env_text
    assert re.search(r"- pip:\n\s+- -e \.", env_text)


def test_the_comparison_notices_a_missing_or_changed_package():
    env_text = (ROOT / "environment.yml").read_text()
    pip = pip_packages((ROOT / "pyproject.toml").read_text())
    assert env_packages(env_text.replace("  - tqdm>=4.60\n", "")) != pip
    assert env_packages(env_text.replace("ipywidgets>=7.7", "ipywidgets>=8")) != pip
    # packages that conda-forge lacks sit in the pip: section, and are checked just the same
    assert env_packages(re.sub(r"\n      - torch-lr-finder[^\n]*", "", env_text)) != pip
    assert env_packages(env_text.replace("torch-lr-finder>=0.2.2", "torch-lr-finder>=0.3")) != pip


def test_torch_is_not_pinned_in_pyproject_but_in_the_makefile():
    pip = pip_packages((ROOT / "pyproject.toml").read_text())
    assert not pip["torch"].startswith("==") and pip["ipywidgets"] == ">=7.7"
    assert "torch==" in (ROOT / "Makefile").read_text()


def _makefile_pins(name):
    """{package: version} from a Makefile variable such as `COLAB_PINS ?= torch==2.4.0 "ipywidgets==7.7.*"`."""
    line = re.search(rf"^{name}\s*\??=(.*)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    return dict(spec.strip('"').lower().split("==") for spec in line.split())


def test_the_lower_bounds_are_the_versions_make_test_runs_in_the_colab_environment():
    pip, colab = pip_packages((ROOT / "pyproject.toml").read_text()), _makefile_pins("COLAB_PINS")
    assert set(colab) == {"torch", "torchvision", "ipywidgets"}
    for name, version in colab.items():  # torch>=2.4 <-> torch==2.4.0, ipywidgets>=7.7 <-> ipywidgets==7.7.*
        assert pip[name].startswith(">="), (name, pip[name])
        floor = pip[name][2:].split(",")[0]
        assert version.removesuffix(".*").removesuffix(".0") == floor.removesuffix(".0"), (name, version, floor)
    floor = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert floor.startswith(">=3.") and int(floor[4:]) <= 12, floor  # .venv-colab runs Python 3.12


def test_the_environment_running_this_has_the_versions_it_promises():
    """In .venv-colab (`make test`'s second run): exactly COLAB_PINS and Python 3.12; in .venv: exactly PINS."""
    here = Path(sys.prefix).resolve()
    if here == (ROOT / ".venv-colab").resolve():
        pins, python = _makefile_pins("COLAB_PINS"), (3, 12)
    elif here == (ROOT / ".venv").resolve():
        pins, python = _makefile_pins("PINS"), sys.version_info[:2]  # .venv: whichever python3 made it
    else:
        pytest.skip(f"not one of the Makefile's environments ({here}): nothing promised")
    from importlib.metadata import version

    assert sys.version_info[:2] == python
    for name, wanted in pins.items():
        got = version(name).split("+")[0]  # 2.4.0+cu121 -> 2.4.0
        assert got == wanted or (wanted.endswith(".*") and got.startswith(wanted[:-1])), (name, got, wanted)


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / "README.md").read_text()
    assert "make lab" in (ROOT / "README.md").read_text()
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_import_lrlab_loads_torch_but_not_sklearn_torchvision_matplotlib_or_widgets():
    code = ("import sys, torch; before = set(sys.modules); import lrlab;"
            "added = {m.split('.')[0] for m in set(sys.modules) - before};"
            "print(sorted(added & {'sklearn', 'torchvision', 'matplotlib', 'ipywidgets', 'scipy', 'pandas'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

# lrlab: two commands for users (make lab, make test), one for class (demo), four for maintainers (notebooks,
# badges, bench, lint).
# Exact torch pins live here, not in pyproject.toml (Colab brings its own torch).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PINS   ?= torch==2.14.1 torchvision==0.29.1
STAMP  := $(VENV)/.lrlab-installed
# Offline-friendly JupyterLab defaults (no news fetch, every cell rendered): tools/lab_settings.json
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: install colab lab test notebooks badges demo bench lint clean

# Install once; re-run only when the package list changes, so later runs work offline.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check $(PINS) -e ".[dev]"
	@mkdir -p $(dir $(LAB_SETTINGS)) && cp tools/lab_settings.json $(LAB_SETTINGS)
	@touch $(STAMP)

install: $(STAMP)

# --allow-root only where you are root (containers); JupyterLab refuses to start as root otherwise.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir=lessons $(LAB_ARGS)

LESSONS = $(wildcard lessons/*.ipynb)

# The Colab-like second environment: Python 3.12, the oldest torch/torchvision pip offers for it (= pyproject's
# lower bounds) and ipywidgets 7.7 (what Colab ships), with lrlab -e ".[dev]". `make test` runs everything in it
# too. COLAB_PYTHON: a Python 3.12 (found on PATH or under pyenv; set it where it lives elsewhere).
COLAB      ?= .venv-colab
COLAB_PINS ?= torch==2.4.0 torchvision==0.19.0 "ipywidgets==7.7.*"
COLAB_PYTHON ?= $(shell for p in python3.12 "$$(pyenv root 2>/dev/null)"/versions/3.12*/bin/python3.12; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo "$$p"; break; }; done)
COLAB_STAMP := $(COLAB)/.lrlab-installed
$(COLAB_STAMP): pyproject.toml
	@test -x $(COLAB)/bin/python || { test -n "$(COLAB_PYTHON)" || \
		{ echo "Python 3.12 not found: make COLAB_PYTHON=/path/to/python3.12 test" >&2; exit 1; }; \
		$(COLAB_PYTHON) -m venv $(COLAB); }
	$(COLAB)/bin/python -m pip install -q --disable-pip-version-check $(COLAB_PINS) -e ".[dev]"
	@touch $(COLAB_STAMP)

colab: $(COLAB_STAMP)

# Everything twice, each run with its own summary; the second runs even when the first fails. Each run spreads
# over JOBS workers (pytest-xdist); --dist loadscope keeps a notebook's cells, and a test file's tests, in one
# worker, in order. `make test JOBS=0` runs in one process (for debugging).
JOBS ?= auto
PYTEST_ARGS = tests $(LESSONS) --nbval-lax --nbval-current-env -r fEs -n $(JOBS) --dist loadscope
test: install $(COLAB_STAMP)
	@status=0; \
	echo '== make test 1/2: $(VENV) ($(PINS), ipywidgets 8)'; \
	$(BIN)/python -m pytest $(PYTEST_ARGS) || status=1; \
	echo '== make test 2/2: $(COLAB) (Python 3.12, $(COLAB_PINS))'; \
	$(COLAB)/bin/python -m pytest $(PYTEST_ARGS) || status=1; \
	exit $$status

notebooks: install
	$(BIN)/python -m tools.build_notebooks $(LESSONS)
	$(BIN)/python -m tools.readme_figure
	$(BIN)/python -m tools.cheatsheet

# Colab badges, setup cells and the README's lesson table from pyproject's [tool.lrlab]; runs no notebook.
badges: install
	$(BIN)/python -m tools.badges

# Instructor demo: the explorers side by side in Voila (code hidden, large fonts), works offline.
# Opens your browser; DEMO_ARGS="--no-browser --port=8866" to open it yourself.
DEMO_ARGS ?=
demo: install
	$(BIN)/python -m voila demo/dashboard.ipynb --Voila.ip=127.0.0.1 --theme=light $(DEMO_ARGS)

bench: install
	$(BIN)/python -m benchmarks

lint: install
	$(BIN)/ruff check lrlab tests benchmarks tools lessons demo conftest.py

clean:
	rm -rf $(VENV) $(COLAB) build *.egg-info

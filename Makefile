# lrlab: two commands for users (make lab, make test), three for maintainers (notebooks, bench, lint).
# Exact torch pins live here, not in pyproject.toml (Colab brings its own torch).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PINS   ?= torch==2.14.1 torchvision==0.29.1
STAMP  := $(VENV)/.lrlab-installed
# Offline-friendly JupyterLab defaults (no news fetch, every cell rendered): tools/lab_settings.json
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: install lab test notebooks bench lint clean

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

test: install
	$(BIN)/python -m pytest tests $(LESSONS) --nbval-lax --nbval-current-env -r fEs

notebooks: install
	$(BIN)/python tools/build_notebooks.py $(LESSONS)

bench: install
	$(BIN)/python -m benchmarks

lint: install
	$(BIN)/ruff check lrlab tests benchmarks tools lessons conftest.py

clean:
	rm -rf $(VENV) build *.egg-info

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

.PHONY: install lab test notebooks badges demo bench lint clean

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

# Colab ships ipywidgets 7.x: a second venv with ipywidgets 7.7 (and its JupyterLab 3 frontend package) only; a
# .pth file adds .venv's site-packages AFTER its own, so 7.7 wins and everything else (torch, lrlab, pytest, voila)
# comes from .venv. tests/test_ipywidgets7.py runs the explorers' tests in it; tests/test_demo_browser.py the demo.
W7      ?= .venv-w7
W7_STAMP := $(W7)/.lrlab-installed
$(W7_STAMP): $(STAMP)
	@test -x $(W7)/bin/python || $(BIN)/python -m venv $(W7)
	@rm -f $(W7)/lib/python*/site-packages/lrlab-base.pth
	$(W7)/bin/python -m pip install -q --disable-pip-version-check --no-deps "ipywidgets==7.7.*" \
		"jupyterlab_widgets>=1,<3" "ipython_genutils==0.2.*"
	@$(BIN)/python -c "import site; print('import site; site.addsitedir(%r)' % site.getsitepackages()[0])" \
		> "$$($(W7)/bin/python -c 'import site; print(site.getsitepackages()[0])')/lrlab-base.pth"
	@touch $(W7_STAMP)

test: install $(W7_STAMP)
	LRLAB_REQUIRE_W7=1 $(BIN)/python -m pytest tests $(LESSONS) --nbval-lax --nbval-current-env -r fEs

notebooks: install
	$(BIN)/python tools/build_notebooks.py $(LESSONS)
	$(BIN)/python tools/readme_figure.py
	$(BIN)/python tools/cheatsheet.py

# Colab badges, setup cells and the README's lesson table from pyproject's [tool.lrlab]; runs no notebook.
badges: install
	$(BIN)/python tools/badges.py

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
	rm -rf $(VENV) $(W7) build *.egg-info

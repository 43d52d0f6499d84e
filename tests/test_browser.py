"""A real browser: JupyterLab runs the ReduceLROnPlateau lesson and a learner moves the factor slider.

Starts JupyterLab on a free localhost port with a token, opens a copy of the lesson (found by a glob on
``*reduce_lr_on_plateau*.ipynb``: lessons get renumbered) in headless Chromium through Playwright, runs all cells,
moves the factor slider of the explorer, and checks that the plot image changed and that no widget shows "Error
displaying widget". It also measures the time from the Enter key press to the new image, loaded in the page
(``keypress_to_image_ms``: printed with ``-s``, and a property in the JUnit report). Skipped, with the reason,
where Chromium or Playwright is absent (unless LRLAB_REQUIRE_BROWSER=1, which .ci/run sets after installing
Chromium: then it fails instead), or where the notebook has no explorer cell yet. `make test` runs it in .venv
(ipywidgets 8) and in .venv-colab (ipywidgets 7.7, whose JupyterLab frontend jupyterlab_widgets 1.1.x declares
JupyterLab ^3 || ^4 and renders there).
LRLAB_BROWSER_NOTEBOOK=path runs it on another notebook. The browser and server fixtures: tests/conftest.py.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSON_GLOB = "*reduce_lr_on_plateau*.ipynb"  # the lesson whose explorer a learner moves, whatever its number
EXPLORER_CALL = "plateau_explorer("  # a code cell calling this shows the explorer
CELLS_TIMEOUT_MS = 240_000  # the whole lesson, on a busy 2-core machine


def _notebook() -> Path:
    found = sorted((ROOT / "lessons").glob(LESSON_GLOB))
    path = Path(os.environ["LRLAB_BROWSER_NOTEBOOK"]) if "LRLAB_BROWSER_NOTEBOOK" in os.environ else (
        found[0] if found else ROOT / "lessons" / LESSON_GLOB)
    if not path.exists():
        pytest.skip(f"{path} does not exist yet: no explorer to test in a browser")
    cells = nbformat.read(path, as_version=4).cells
    if not any(c.cell_type == "code" and EXPLORER_CALL in c.source for c in cells):
        pytest.skip(f"{path.name} has no explorer cell yet (no code cell calls {EXPLORER_CALL}...))")
    return path


def _user_settings(folder: Path) -> None:
    # tools/lab_settings.json (no news pop-up, every cell rendered) as JupyterLab user settings
    for plugin, values in json.loads((ROOT / "tools" / "lab_settings.json").read_text()).items():
        package, name = plugin.split(":")
        path = folder / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture
def lab(tmp_path, browser, start_server):
    """A JupyterLab server on a free port, with a token, serving a copy of the notebook; returns its URL."""
    notebook = _notebook()
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed")
    root, token = tmp_path / "root", os.urandom(16).hex()
    root.mkdir()
    shutil.copy(notebook, root / notebook.name)  # the lesson itself is never modified (nor autosaved)
    _user_settings(tmp_path / "settings")
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"), "TQDM_DISABLE": "1",
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", "--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    base = start_server(cmd, f"api/status?token={token}", name="JupyterLab", stdin=subprocess.DEVNULL, env=env)
    return f"{base}lab/tree/{notebook.name}?token={token}"


# Notes, in the page, the time of the Enter key press and of the first new image loaded after it.
WATCH = """img => {
  window.lrlabKey = undefined; window.lrlabLoaded = undefined;
  document.addEventListener('keydown', e => {
    if (e.key === 'Enter' && window.lrlabKey === undefined) window.lrlabKey = performance.now(); },
                            {capture: true});
  img.addEventListener('load', () => { if (window.lrlabKey !== undefined && window.lrlabLoaded === undefined)
                                         window.lrlabLoaded = performance.now(); });
}"""


def test_moving_the_factor_slider_in_jupyterlab_redraws_the_plot(lab, browser, record_property):
    with browser.sync_api.sync_playwright() as p:
        chromium = browser.launch(p)
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        # 1. open the notebook; its saved outputs show the static PNG, not a broken widget
        page.goto(lab)
        page.locator("#jp-main-statusbar >> text=Idle").wait_for(timeout=120_000)
        assert page.locator("text=Error displaying widget").count() == 0
        # 2. run all cells, wait for the live explorer and for every cell to finish
        page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        explorer = page.locator(".lrlab-explorer", has=page.locator(".lrlab-factor")).first
        image = explorer.locator("img.lrlab-plot")
        image.wait_for(timeout=CELLS_TIMEOUT_MS)
        page.wait_for_function(
            "() => ![...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
            ".some(p => p.textContent.includes('*'))", timeout=CELLS_TIMEOUT_MS)
        page.wait_for_function("img => img.src.startsWith('blob:') && img.naturalWidth > 100",
                               arg=image.element_handle())
        before = image.get_attribute("src")
        # 3. move the factor slider as a learner does: type into its readout, press Enter; the page notes the time
        #    of the key press and of the new image, loaded and decoded
        page.evaluate(WATCH, image.element_handle())
        readout = explorer.locator(".lrlab-factor .widget-readout")
        new_factor = "0.30" if readout.inner_text().strip() == "0.50" else "0.50"  # a real change either way
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(new_factor)
        page.keyboard.press("Enter")
        # 4. the kernel retrains, sends a new PNG, and the image changes; nothing shows an error
        page.wait_for_function("([img, before]) => img.src !== before && img.naturalWidth > 100",
                               arg=[image.element_handle(), before])
        page.wait_for_function("() => window.lrlabLoaded !== undefined")
        latency = page.evaluate("() => window.lrlabLoaded - window.lrlabKey")
        record_property("keypress_to_image_ms", round(latency))
        print(f"\nJupyterLab, {lab.rsplit('/', 1)[-1].split('?')[0]}: factor slider, Enter key press to the new image "
              f"loaded: {latency:.0f} ms")
        assert readout.inner_text().strip() == new_factor
        assert page.locator("text=Error displaying widget").count() == 0
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        chromium.close()

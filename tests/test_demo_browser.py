"""A real browser opens `make demo` (Voila, demo/dashboard.ipynb) with the network cut off and moves a slider.

Runs the Makefile's own `demo` target (`make -o install demo BIN=<this Python's folder>`, so nothing is installed
here) on a free localhost port, opens it in headless Chromium through Playwright with every request outside
127.0.0.1 refused, and checks: the three explorers render side by side with no "Error displaying widget", no code
is shown, the print is large, moving the factor slider and choosing another scheduler redraw their pictures, and
nothing but Voila's own Font Awesome stylesheet link (icons; the dashboard uses none) even tried to reach the
network.

It runs with the ipywidgets of the environment running pytest: `make test` runs it in .venv (ipywidgets 8) and in
.venv-colab (ipywidgets 7.7, what Colab ships; Voila then loads its ipywidgets 7 frontend). Skips as
tests/test_browser.py does where Chromium or Playwright is absent (fails instead under LRLAB_REQUIRE_BROWSER=1).
The browser and server fixtures: tests/conftest.py.
"""

import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOAD_TIMEOUT_MS = 180_000  # kernel start and the first two training runs, on a busy 2-core machine
ALLOWED_OFFLINE = ("cdn.jsdelivr.net", "fontawesome")  # Voila's lab template links Font Awesome's CSS


@pytest.fixture
def demo(tmp_path, browser, start_server):
    """`make demo` serving the dashboard on a free port with this Python; returns (ipywidgets major, URL)."""
    if shutil.which("make") is None:
        browser.missing("make is not installed: `make demo` cannot run")
    pytest.importorskip("voila", reason="Voila is not installed (pip install voila)")
    major = int(pytest.importorskip("ipywidgets").__version__.split(".")[0])
    env = {**os.environ, "TQDM_DISABLE": "1", "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    cmd = ["make", "-s", "--no-print-directory", "-o", "install", "demo", f"BIN={Path(sys.executable).parent}",
           "DEMO_ARGS=--no-browser --port={port} --Voila.port_retries=0"]
    return major, start_server(cmd, "voila/static/voila.js", name="`make demo`", cwd=ROOT, env=env)


def _change_picture(page, image, action) -> None:
    """Do ``action`` and wait until ``image`` shows a new picture."""
    before = image.get_attribute("src")
    action()
    page.wait_for_function("([img, before]) => img.src !== before && img.naturalWidth > 100",
                           arg=[image.element_handle(), before])


def test_make_demo_works_offline_in_a_browser_and_a_slider_redraws(demo, browser):
    major, url = demo
    with browser.sync_api.sync_playwright() as p:
        chromium = browser.launch(p)
        page = chromium.new_page(viewport={"width": 1920, "height": 1080})  # a projector
        page.set_default_timeout(60_000)
        # 1. no network: refuse (and note) every request that leaves this machine
        outside = []

        def offline(route):
            host = urlparse(route.request.url).hostname
            if host in (None, "127.0.0.1", "localhost"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", offline)
        # 2. open the dashboard; Voila runs the notebook; wait for all three live pictures
        page.goto(url)
        images = page.locator(".lrlab-dashboard .lrlab-explorer img.lrlab-plot")
        page.wait_for_function("() => { const i = [...document.querySelectorAll('.lrlab-dashboard img.lrlab-plot')];"
                               " return i.length === 3 && i.every(im => im.naturalWidth > 100); }",
                               timeout=LOAD_TIMEOUT_MS)
        assert page.locator("text=Error displaying widget").count() == 0
        # 3. the frontend matches the kernel's ipywidgets (7.7: Voila's ipywidgets 7 manager)
        assert f"@voila-dashboards/widgets-manager{major}" in page.content()
        # 4. an app, not a notebook: no code, large print, the first two explorers side by side
        assert "from lrlab.demo import dashboard" not in page.content()
        assert page.locator(".jp-InputArea-editor").count() == 0
        label = page.locator(".lrlab-dashboard .lrlab-factor .widget-label").first
        size = float(label.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
        normal = float(page.evaluate("() => getComputedStyle(document.body).getPropertyValue('--jp-widgets-font-size')"
                                     ".trim().replace('px', '')") or 13)
        assert size >= 1.3 * normal and size >= 18, (size, normal)
        assert min(images.nth(i).evaluate("im => im.naturalWidth") for i in range(3)) >= 750
        first, second = (page.locator(".lrlab-dashboard .lrlab-explorer").nth(i).bounding_box() for i in (0, 1))
        assert abs(first["y"] - second["y"]) < 5 and second["x"] >= first["x"] + first["width"]
        # 5. a learner moves the factor slider: type into its readout, Enter; the plateau run retrains and redraws
        plateau = page.locator(".lrlab-explorer", has=page.locator(".lrlab-factor")).first
        readout = plateau.locator(".lrlab-factor .widget-readout")
        new_factor = "0.30" if readout.inner_text().strip() == "0.50" else "0.50"

        def move():
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type(new_factor)
            page.keyboard.press("Enter")

        _change_picture(page, plateau.locator("img.lrlab-plot"), move)
        assert readout.inner_text().strip() == new_factor
        # 6. and switches the step explorer to ExponentialLR with its dropdown
        step = page.locator(".lrlab-explorer", has=page.locator(".lrlab-step_size")).first
        _change_picture(page, step.locator("img.lrlab-plot"),
                        lambda: step.locator(".lrlab-scheduler select").select_option("ExponentialLR"))
        assert page.locator("text=Error displaying widget").count() == 0
        chromium.close()
    # 7. it worked offline: nothing but the Font Awesome stylesheet link even tried the network
    assert all(all(part in u for part in ALLOWED_OFFLINE) for u in outside), outside

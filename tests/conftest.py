"""Fixtures shared by several test files (tests/ is not a package: share helpers here, as fixtures).

- ``browser`` and ``start_server``: headless Chromium through Playwright, and a local server (JupyterLab, `make
  demo`) started in its own process group and stopped with everything it started. Used by tests/test_browser.py
  and tests/test_demo_browser.py. Where Chromium or Playwright is missing the test is skipped with the reason,
  unless LRLAB_REQUIRE_BROWSER=1 (.ci/run sets it after installing Chromium): then it fails.
- ``write_fake_mnist`` and ``fake_mnist``: a small MNIST in torchvision's real on-disk format (IDX files under
  ``ROOT/MNIST/raw``), made from sklearn's 8x8 digits upscaled to 28x28, so a model can learn it. Used by
  tests/test_mnist.py, also to run the MNIST lessons under nbval with ``LRLAB_DATA`` pointing at it.
"""

import os
import shutil
import signal
import socket
import struct
import subprocess
import threading
import urllib.request
from pathlib import Path

import numpy as np
import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-dev-shm-usage"]


def pytest_configure(config):
    config.addinivalue_line("markers", "lessons: runs whole lessons (slow); deselect with -m 'not lessons'")


# ---------------------------------------------------------------- browser tests

class Browser:
    """Playwright's sync API and the Chromium to drive with it."""

    args = CHROMIUM_ARGS

    def __init__(self):
        self.sync_api = self._playwright()
        self.executable = self._chromium()

    @staticmethod
    def missing(reason: str):
        """Skip the test with ``reason``, or fail it under LRLAB_REQUIRE_BROWSER=1."""
        if os.environ.get("LRLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (LRLAB_REQUIRE_BROWSER=1: the browser test must run here)")
        pytest.skip(reason)

    def _playwright(self):
        try:
            from playwright import sync_api
        except ImportError:
            self.missing("Playwright is not installed (pip install playwright): no browser test")
        return sync_api

    def _chromium(self) -> str:
        for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
            if shutil.which(name):
                return shutil.which(name)
        self.missing("Chromium is not installed (apt-get install chromium; .ci/run does it): no browser test")

    def launch(self, p):
        """A headless Chromium from an open ``sync_playwright()`` context ``p``."""
        return p.chromium.launch(executable_path=self.executable, args=self.args)


@pytest.fixture
def browser() -> Browser:
    return Browser()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answering(url: str, server: subprocess.Popen, log: list) -> None:
    """A server logs its URL a moment before it accepts connections: ask until it answers (or dies)."""
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=30).close()
            return
        except OSError:
            try:  # wait a little, but stop at once if the server exits
                server.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                pass
    pytest.fail(f"the server does not answer {url}:\n" + "".join(log[-30:]))


@pytest.fixture
def start_server():
    """``start(cmd, probe_path, name=..., **popen_kwargs) -> base URL``: runs ``cmd`` (which must contain
    ``{port}``, filled with a free port) in its own process group, waits until it logs its URL and answers
    ``probe_path``; at teardown the whole group (the server and its kernels) is stopped."""
    started = []

    def start(cmd, probe_path, name="the server", **popen_kwargs):
        port = free_port()
        cmd = [part.replace("{port}", str(port)) for part in cmd]
        server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  start_new_session=True, **popen_kwargs)
        started.append(server)
        log, ready = [], threading.Event()

        def read_log():  # also keeps the pipe drained for the server's whole life
            for line in server.stdout:
                log.append(line)
                if f"127.0.0.1:{port}/" in line:
                    ready.set()
            ready.set()  # the server ended

        threading.Thread(target=read_log, daemon=True).start()
        if not ready.wait(120) or server.poll() is not None:
            pytest.fail(f"{name} did not start:\n" + "".join(log[-30:]))
        base = f"http://127.0.0.1:{port}/"
        _answering(base + probe_path.lstrip("/"), server, log)
        return base

    yield start
    for server in started:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# ---------------------------------------------------------------- a small MNIST on disk

def _write_idx(path: Path, array: np.ndarray) -> None:
    """IDX as torchvision reads it: magic (0, 0, 0x08 = uint8, ndim), big-endian sizes, raw bytes."""
    with open(path, "wb") as f:
        f.write(bytes([0, 0, 0x08, array.ndim]))
        f.write(struct.pack(">" + "I" * array.ndim, *array.shape))
        f.write(array.astype(np.uint8).tobytes())


def _write_fake_mnist(root, n_train: int = 600, n_test: int = 200) -> Path:
    """Write ``root/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte``: sklearn's 8x8 digits (0..16),
    each pixel a 3x3 block, padded to 28x28, scaled to 0..255 uint8. The first n_train digits train, the next
    n_test test (n_train + n_test <= 1797). Returns ``root`` (what ``mnist(root=...)``/``LRLAB_DATA`` takes)."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    if not (0 < n_train and 0 < n_test and n_train + n_test <= len(X)):
        raise ValueError(f"n_train={n_train}, n_test={n_test}: both >= 1, together <= {len(X)}")
    images = np.kron(X.reshape(-1, 8, 8), np.ones((3, 3)))  # 24x24
    images = np.pad(images, ((0, 0), (2, 2), (2, 2))) * (255 / 16)
    raw = Path(root) / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for prefix, part in (("train", slice(0, n_train)), ("t10k", slice(n_train, n_train + n_test))):
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", images[part].round())
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", y[part])
    return Path(root)


@pytest.fixture(scope="session")
def write_fake_mnist():
    """The writer itself: ``write_fake_mnist(root, n_train=600, n_test=200) -> root``."""
    return _write_fake_mnist


@pytest.fixture(scope="session")
def fake_mnist(tmp_path_factory) -> Path:
    """A folder holding a 600-train / 200-test fake MNIST (written once per test session); treat as read-only."""
    return _write_fake_mnist(tmp_path_factory.mktemp("fake-mnist"))

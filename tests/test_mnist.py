"""lrlab.data.mnist as a learner meets it: no usable torchvision, LRLAB_DATA, and real-format MNIST files.

The fake MNIST (tests/conftest.py: sklearn's digits upscaled to 28x28, written as IDX files) is read through
torchvision's own MNIST class, and the lessons that call ``mnist(`` (found by reading the notebooks, so new
lessons are picked up) run under nbval on it, as they do in Colab where real MNIST downloads.
"""

import builtins
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
import torch

from lrlab import data

ROOT = Path(__file__).resolve().parents[1]
FALLBACK = "8x8 digits instead"  # in every digits-fallback notice


def mnist_lessons():
    """The lessons with a code cell calling ``mnist(`` (``data.mnist(...)``, ``lrlab.data.mnist(...)``)."""
    return [path for path in sorted((ROOT / "lessons").glob("*.ipynb"))
            if any(c.cell_type == "code" and "mnist(" in c.source
                   for c in nbformat.read(path, as_version=4).cells)]


@pytest.mark.parametrize("error", [ImportError("No module named 'torchvision'"),
                                   RuntimeError("operator torchvision::nms does not exist\nsecond line")])
def test_a_torchvision_that_cannot_be_imported_gives_the_digits_with_one_line(fake_mnist, monkeypatch, capfd,
                                                                              error):
    real_import = builtins.__import__

    def failing_import(name, *args, **kwargs):
        if name == "torchvision" or name.startswith("torchvision."):
            raise error
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing_import)
    d = data.mnist(root=str(fake_mnist), download=True)  # the files are there: only torchvision is broken
    out = capfd.readouterr()
    assert d.name == "digits" and d.input_shape == (1, 8, 8)
    assert out.err == "" and out.out.count("\n") == 1 and d.notice in out.out
    assert "torchvision" in d.notice and type(error).__name__ in d.notice and FALLBACK in d.notice
    assert "second line" not in d.notice


def test_the_fake_mnist_is_real_format_and_learnable(fake_mnist):
    from torchvision.datasets import MNIST

    train = MNIST(str(fake_mnist), train=True, download=False)
    test = MNIST(str(fake_mnist), train=False, download=False)
    assert train.data.shape == (600, 28, 28) and train.data.dtype == torch.uint8 and len(test) == 200
    assert train.data.max() == 255 and set(train.targets.tolist()) == set(range(10))
    # learnable: the nearest class mean of the training images labels most test images right
    X = train.data.float().flatten(1)
    means = torch.stack([X[train.targets == c].mean(0) for c in range(10)])
    predicted = torch.cdist(test.data.float().flatten(1), means).argmin(1)
    assert (predicted == test.targets).float().mean() > 0.8


def test_lrlab_data_names_the_default_root(fake_mnist, monkeypatch, capsys):
    monkeypatch.setenv("LRLAB_DATA", str(fake_mnist))
    d = data.mnist(download=False, batch_size=50)
    assert d.name == "mnist" and d.notice is None and capsys.readouterr().out == ""
    assert d.tensors["X_train"].shape == (600, 1, 28, 28) and d.steps_per_epoch == 12


def test_without_lrlab_data_the_root_is_data_here(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("LRLAB_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    d = data.mnist(download=False)
    assert d.name == "digits" and os.path.join("data", "MNIST") in d.notice


def test_the_mnist_lessons_are_found():
    lessons = mnist_lessons()
    assert lessons, "no lesson calls mnist( : is the search in mnist_lessons() still right?"
    assert all(p.suffix == ".ipynb" for p in lessons)


# Writes every stream output of every cell nbval runs into LRLAB_STREAM_LOG (nbval keeps a cell's outputs in
# item.test_outputs even in lax mode): the test reads it to know that the lesson used MNIST, not the digits.
STREAM_LOG_PLUGIN = textwrap.dedent('''
    import os

    def pytest_runtest_teardown(item):
        outputs = getattr(item, "test_outputs", None) or []
        with open(os.environ["LRLAB_STREAM_LOG"], "a") as log:
            log.writelines(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
''')


@pytest.mark.lessons
@pytest.mark.parametrize("lesson", mnist_lessons(), ids=lambda p: p.stem)
def test_an_mnist_lesson_passes_nbval_on_real_format_mnist(lesson, fake_mnist, tmp_path):
    (tmp_path / "lrlab_stream_log.py").write_text(STREAM_LOG_PLUGIN)
    log = tmp_path / "streams.txt"
    log.touch()
    env = {**os.environ, "LRLAB_DATA": str(fake_mnist), "LRLAB_OFFLINE": "1", "LRLAB_STREAM_LOG": str(log),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    cmd = [sys.executable, "-m", "pytest", str(lesson), "--nbval-lax", "--nbval-current-env", "-q",
           "-p", "no:cacheprovider", "-p", "lrlab_stream_log"]
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    tail = "\n".join(run.stdout.splitlines()[-60:]) + run.stderr[-2000:]
    assert run.returncode == 0, f"{lesson.name} on a 600-image real-format MNIST (LRLAB_DATA):\n{tail}"
    assert FALLBACK not in log.read_text(), f"{lesson.name} fell back to the digits: it must call mnist() " \
                                           "without root= so that LRLAB_DATA (or Colab's download) is used"

"""Every docstring example in lrlab runs, and shows what it says (doctest). Pseudo-code is marked
``# doctest: +SKIP``; "..." in an expected output stands for the rest of a long line (ELLIPSIS).

Each example sees its module's names, ``lrlab``, ``torch`` and ``path`` (a file in a fresh temporary folder).
"""

import doctest
import importlib
import pkgutil

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import lrlab  # noqa: E402

MODULES = sorted(m.name for m in pkgutil.walk_packages(lrlab.__path__, "lrlab."))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _tests(name):
    module = importlib.import_module(name)
    return [t for t in doctest.DocTestFinder(exclude_empty=True).find(module, name) if t.examples]


@pytest.mark.parametrize("name", MODULES)
def test_every_example_in_the_module_runs_and_is_true(name, tmp_path, capsys):
    if name.startswith("lrlab.widgets"):
        pytest.importorskip("ipywidgets")
    failures = []
    with matplotlib.rc_context():  # an example may set lrlab's style: not for the tests after it
        for test in _tests(name):
            test.globs.update({"lrlab": lrlab, "torch": torch, "path": tmp_path / "run.pt"})
            runner = doctest.DocTestRunner(optionflags=FLAGS)
            runner.run(test, out=failures.append)
    plt.close("all")
    assert not failures, "".join(failures)


def test_most_examples_run_and_the_count_is_known():
    examples = [e for name in MODULES if not name.startswith("lrlab.widgets") or _has_widgets()
                for t in _tests(name) for e in t.examples]
    skipped = [e for e in examples if e.options.get(doctest.SKIP)]
    assert len(examples) >= 100 and len(skipped) <= 5, (len(examples), len(skipped))


def _has_widgets() -> bool:
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True

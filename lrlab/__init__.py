"""lrlab, the learning-rate lab: see, touch and test learning-rate schedules in PyTorch.

Every public module is reachable as ``lrlab.NAME`` right after ``import lrlab`` (``lrlab.plateau``,
``lrlab.finder``, ...), and so are ``fit``, ``sweep``, ``evaluate``, ``History`` and ``pick_device`` from
``lrlab.train``. Each loads on first use (PEP 562): ``import lrlab`` costs little more than ``import torch``,
and sklearn, torchvision, matplotlib and ipywidgets load only when a function that needs them is called.
ARCHITECTURE.md describes the layers.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"
MODULES = ("checkpoint", "compare", "data", "exercises", "explore", "finder", "landscape", "lint", "models",
           "plateau", "plots", "schedules", "train", "validation", "widgets")
_FROM_TRAIN = ("History", "evaluate", "fit", "pick_device", "sweep")
# Names of the first release, and where each went (ARCHITECTURE.md).
RENAMED = {"checks": "lrlab.lint", "recipes": "lrlab.schedules (warmup_cosine)", "demo": "lrlab.widgets (dashboard)",
           "verify": "lrlab.finder.verify", "suggestions": "lrlab.finder.suggestions", "state": "lrlab.finder",
           "explain": "lrlab.exercises"}
__all__ = [*MODULES, *_FROM_TRAIN]


def __getattr__(name):  # PEP 562: load a module (and what it needs) on first use
    if name in MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FROM_TRAIN:
        return getattr(importlib.import_module(f"{__name__}.train"), name)
    if name in RENAMED:
        raise AttributeError(f"lrlab.{name} was renamed: use {RENAMED[name]}")
    raise AttributeError(f"module 'lrlab' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})

"""lrlab, the learning-rate lab: see, touch and test learning-rate schedules in PyTorch.

``import lrlab`` costs little more than ``import torch``: sklearn, torchvision, matplotlib and
ipywidgets load only when a function that needs them is called.
"""

from __future__ import annotations

import importlib

from . import data, models, schedules, train
from .train import History, evaluate, fit, pick_device, sweep

__version__ = "0.1.0"
_LAZY = {"plots", "explore", "widgets", "finder", "exercises", "demo"}
__all__ = ["data", "models", "schedules", "train", *sorted(_LAZY), "fit", "sweep", "evaluate", "History",
           "pick_device"]


def __getattr__(name):  # PEP 562: load matplotlib-based modules on first use
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'lrlab' has no attribute {name!r}")

"""Explorers and the instructor's dashboard: move a slider, a short real training reruns, the picture is redrawn.

- ``plateau_explorer()``, ``step_explorer()``, ``schedule_explorer()`` (``explorers.py``): one explorer each for
  ReduceLROnPlateau, StepLR / ExponentialLR, and any scheduler's LR curve.
- ``dashboard()`` (``dashboard.py``): the three side by side in large print, for a projector (``make demo``).

What they run comes from ``lrlab.explore``, what they draw from ``lrlab.plots``. ipywidgets loads with this
package, never with ``import lrlab``. Works with ipywidgets 7.7 (Colab) and 8.

Example::

    >>> ex = lrlab.widgets.step_explorer(num_epochs=5, step_size=2, gamma=0.5, dpi=30)
    >>> ex.last.epoch_lr
    [0.1, 0.05, 0.05, 0.025, 0.025]
"""

from __future__ import annotations

from .dashboard import Dashboard, dashboard
from .explorers import (
                        Explorer,
                        PlateauExplorer,
                        ScheduleExplorer,
                        StepExplorer,
                        lr_cuts,
                        plateau_explorer,
                        schedule_explorer,
                        step_explorer,
)

__all__ = ["plateau_explorer", "step_explorer", "schedule_explorer", "dashboard", "Dashboard", "Explorer",
           "PlateauExplorer", "StepExplorer", "ScheduleExplorer", "lr_cuts"]

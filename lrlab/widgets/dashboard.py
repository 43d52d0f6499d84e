"""The instructor's dashboard: the three explorers side by side in large print, for a projector (``make demo``).

``lrlab.widgets.dashboard()`` builds ``plateau_explorer``, ``step_explorer`` and ``schedule_explorer`` with
bigger pictures and fonts, and lays them out in one ipywidgets box that wraps to the screen's width.
demo/dashboard.ipynb shows it in Voila (``make demo``: code hidden, everything local, Wine data from
scikit-learn, so it works offline); it also works in JupyterLab and Colab. Works with ipywidgets 7.7 and 8.

Example::

    >>> d = dashboard(num_epochs=20, scale=1.4)   # in a notebook, end the cell with `d` to show it
    >>> [type(ex).__name__ for ex in d.explorers]
    ['PlateauExplorer', 'StepExplorer', 'ScheduleExplorer']
    >>> d.plateau.last.epoch_lr[:3]        # Adam(lr=0.03): 0.03, 0.03, 0.03 before any cut
    [0.03, 0.03, 0.03]
    >>> d.plateau.factor.value = 0.3       # retrains and redraws, as a slider move does
"""

from __future__ import annotations

import numbers

import ipywidgets as w

from .. import plots
from .explorers import plateau_explorer, schedule_explorer, step_explorer

__all__ = ["dashboard", "Dashboard"]
WIDTH, LABEL = 300, 110  # a control and its label, in pixels at scale 1 (two columns of controls an explorer)
INTRO = ("Move a slider, or type into its number and press Enter: a real PyTorch run trains again on the Wine "
         "data, and the learning rate (LR) is redrawn above the training and validation loss.")

# Large print through the widgets' own CSS variables (the same names in ipywidgets 7 and 8), on the box only.
CSS = """<style>
.lrlab-dashboard {{ --jp-widgets-font-size: {font}px; --jp-widgets-inline-height: {height}px;
  --jp-widgets-inline-width: {width}px; --jp-widgets-slider-handle-size: {handle}px; font-size: {font}px; }}
.lrlab-dashboard .widget-label, .lrlab-dashboard .widget-readout, .lrlab-dashboard select,
.lrlab-dashboard input {{ font-size: {font}px; }}
.lrlab-dashboard .widget-readout {{ min-width: {readout}px; }}
.lrlab-dashboard .widget-html-content {{ font-size: {font}px; line-height: 1.35; white-space: normal; height: auto; }}
.lrlab-dashboard h2 {{ font-size: {heading}px; margin: 0.3em 0; }}
.lrlab-dashboard p {{ font-size: {font}px; max-width: 60em; }}
</style>"""


class Dashboard:
    """The explorers (``plateau``, ``step``, ``schedule``; all three in ``explorers``) and the box showing them."""

    def __init__(self, plateau, step, schedule, box):
        self.plateau, self.step, self.schedule, self.box = plateau, step, schedule, box
        self.explorers = [plateau, step, schedule]

    def __repr__(self):
        return "Dashboard(" + ", ".join(type(ex).__name__ for ex in self.explorers) + ")"

    def _repr_mimebundle_(self, include=None, exclude=None):
        view = {"version_major": 2, "version_minor": 0, "model_id": self.box.model_id}
        return {"application/vnd.jupyter.widget-view+json": view, "text/plain": repr(self)}


def _panel(title: str, explorer, scale: float):
    # 1. wider controls and labels, in step with the larger font
    for ctl in explorer.controls.values():
        ctl.layout.width = f"{round(WIDTH * scale)}px"
        ctl.style.description_width = f"{round(LABEL * scale)}px"
    # 2. a heading above the explorer, a margin around it
    heading = w.HTML(f"<h2>{title}</h2>")
    margin = f"0 {round(24 * scale)}px {round(16 * scale)}px 0"
    return w.VBox([heading, explorer.box], layout=w.Layout(width=f"{2 * round(WIDTH * scale) + 8}px", margin=margin))


def dashboard(data=None, num_epochs: int = 100, *, scale: float = 1.4, seed: int = 0) -> Dashboard:
    """Every explorer on one screen, large print: ReduceLROnPlateau, StepLR/ExponentialLR, any schedule's curve.

    Sets lrlab's plot style with fonts ``scale`` times larger for this kernel (``plots.use_style(scale)``).

    Args:
        data (lrlab.data.Data, default ``data.wine()``): what the two training explorers train on.
        num_epochs (int, default 100): epochs per run and per previewed curve, 1 to 1000.
        scale (float, default 1.4): fonts, controls and pictures this many times larger than in a lesson,
            1 to 3 (1.4 suits a 1920-pixel-wide projector: two explorers side by side).
        seed (int, default 0): same seed, same runs.

    Example::

        >>> d = dashboard(num_epochs=25, scale=1.0)
        >>> d.plateau.last.epoch_lr[:3]    # 0.03, 0.03, 0.03
        [0.03, 0.03, 0.03]
        >>> d.step.last.epoch_lr[18:21]    # StepLR(step_size=20, gamma=0.5): 0.1 until epoch 20, then 0.05
        [0.1, 0.05, 0.05]
    """
    # 1. check the arguments before anything is trained
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not 1 <= scale <= 3:
        raise ValueError(f"dashboard: scale={scale!r} is out of range; scale must be a number with 1 <= scale <= 3.")
    # 2. projector style, then the explorers with pictures to match (the explorers check the rest)
    plots.use_style(scale)
    dpi = round(72 * scale)
    plateau = plateau_explorer(data, num_epochs, lr=0.03, factor=0.5, patience=5, seed=seed, figsize=(8, 5.6),
                               dpi=dpi)
    step = step_explorer(plateau.data, num_epochs, seed=seed, figsize=(8, 5.6), dpi=dpi)
    schedule = schedule_explorer("OneCycleLR", num_epochs, figsize=(8, 4.4), dpi=dpi)
    # 3. one box: the style, then the panels side by side, wrapping onto a new row when the screen is narrow
    style = w.HTML(CSS.format(font=round(14 * scale), height=round(28 * scale), width=round(WIDTH * scale),
                              handle=round(16 * scale), heading=round(20 * scale), readout=round(86 * scale))
                   + f"<p>{INTRO}</p>")
    panels = [_panel("ReduceLROnPlateau: cut when the loss stalls", plateau, scale),
              _panel("StepLR, ExponentialLR: cut on a timetable", step, scale),
              _panel("Any scheduler's LR curve (no training)", schedule, scale)]
    row = w.Box(panels, layout=w.Layout(display="flex", flex_flow="row wrap", align_items="flex-start"))
    box = w.VBox([style, row])
    box.add_class("lrlab-dashboard")
    return Dashboard(plateau, step, schedule, box)

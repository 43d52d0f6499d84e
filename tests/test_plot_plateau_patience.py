"""plots.plot_plateau marks the bad epoch that exceeds patience on the num_bad_epochs panel (issue 11): the count
the scheduler reports after that step is already 0, so the triangle at patience + 1 is the only sign of it."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lrlab import plateau, plots  # noqa: E402


def _marks(count_ax):
    return next(line for line in count_ax.lines if line.get_label().endswith("patience exceeded"))


def test_the_epoch_that_exceeds_patience_is_marked_at_patience_plus_one():
    trace = plateau.trace([1.0] * 40, patience=10, cooldown=2)
    _, count_ax, lr_ax = plots.plot_plateau(trace)
    marks = _marks(count_ax)
    assert list(marks.get_xdata()) == trace["patience_out"] == [12, 25, 38]
    assert list(marks.get_ydata()) == [11, 11, 11]
    assert all(trace["num_bad_epochs"][e - 1] == 0 for e in trace["patience_out"])  # what the bars show there
    assert count_ax.get_ylim()[1] > 11 + 1  # the triangles and the legend fit above the bars
    assert lr_ax.lines[0].get_color() == plots.color("ReduceLROnPlateau")
    plt.close("all")


def test_skipped_cuts_are_marked_too_and_no_marks_without_a_plateau():
    trace = plateau.trace([1.0] * 30, patience=3, min_lr=0.01)  # the second cut onwards is skipped: on the floor
    _, count_ax, _ = plots.plot_plateau(trace)
    assert list(_marks(count_ax).get_xdata()) == trace["patience_out"] and trace["skipped"]
    _, count_ax, _ = plots.plot_plateau(plateau.trace([1.0, 0.9, 0.8], patience=3))
    assert not any(line.get_label().endswith("patience exceeded") for line in count_ax.lines)
    plt.close("all")

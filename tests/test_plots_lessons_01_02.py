"""What lessons 01 and 02 added to lrlab.plots: colours for the LR verdicts and the two optimizers, and a landscape
path drawn only until it leaves the picture."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from lrlab import landscape, plots  # noqa: E402


def test_verdicts_and_optimizers_have_colours_apart_from_the_schedules():
    names = ["too small", "about right", "too large", "SGD", "Adam"]
    colours = [plots.color(name) for name in names]
    assert all(mcolors.is_color_like(c) for c in colours) and len(set(colours)) == len(colours)
    assert plots.color("Too Large") == plots.color("too large")  # case is ignored, as for schedules
    assert not set(plots.OTHER_COLORS) & set(plots.COLORS)  # a name means one thing
    with pytest.raises(ValueError, match="OneCycleLR.*too small.*Adam"):
        plots.color("too big")


def _drawn(ax, label):
    return next(line for line in ax.lines if line.get_label() == label)


def test_until_outside_ends_a_diverging_path_where_it_leaves_the_view():
    diverging = landscape.sgd_path(0.22, 40)  # y times -1.2 a step from y = 2: outside |y| <= 4 after 4 steps
    fig, ax = plt.subplots()
    plots.plot_landscape({"too large": diverging}, ax=ax, extent=(5, 4), until_outside=True)
    ys = list(_drawn(ax, "too large").get_ydata())
    assert ys == [y for _, y in diverging["points"][:len(ys)]]
    assert all(abs(y) <= 4 for y in ys[:-1]) and abs(ys[-1]) > 4  # the first point outside, and no further
    plt.close(fig)


def test_until_outside_leaves_a_path_inside_the_view_whole_and_is_off_by_default():
    inside = landscape.sgd_path(0.1, 40)
    diverging = landscape.sgd_path(0.22, 40)
    fig, ax = plt.subplots()
    plots.plot_landscape({"inside": inside, "diverging": diverging}, ax=ax, extent=(5, 4))
    assert len(_drawn(ax, "diverging").get_ydata()) == len(diverging["points"])  # the default draws every point
    plt.close(fig)
    fig, ax = plt.subplots()
    plots.plot_landscape({"inside": inside}, ax=ax, extent=(5, 4), until_outside=True)
    assert len(_drawn(ax, "inside").get_ydata()) == len(inside["points"])
    plt.close(fig)

"""plots.plot_band passes line styles on to the mean's line (lesson 04 draws two constant LRs in one colour, and a
schedule whose band coincides with another's until its cut): added for lessons 03/04."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lrlab import plots  # noqa: E402


def test_style_reaches_the_mean_line_and_the_band_keeps_its_colour():
    fig, ax = plt.subplots()
    plots.plot_band([1, 2, 3], [[1.0, 0.5, 0.4], [1.2, 0.6, 0.3]], ax=ax, label="constant", ls="--", lw=3)
    line = ax.lines[0]
    assert line.get_linestyle() == "--" and line.get_linewidth() == 3
    assert line.get_color() == plots.color("constant")
    assert [round(float(v), 2) for v in line.get_ydata()] == [1.1, 0.55, 0.35]
    plt.close(fig)


def test_without_style_nothing_changes():
    fig, ax = plt.subplots()
    plots.plot_band([1, 2], [[1.0, 2.0]], ax=ax, color="StepLR")
    assert ax.lines[0].get_linestyle() == "-" and ax.lines[0].get_color() == plots.color("StepLR")
    plt.close(fig)

"""Building blocks of the new lessons: the course palette, band and landscape plots, and the digits MLP."""

import doctest

import matplotlib

matplotlib.use("Agg")
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lrlab import landscape, models, plots  # noqa: E402

SCHEDULES = ["constant", "StepLR", "MultiStepLR", "ExponentialLR", "ReduceLROnPlateau", "warmup+cosine",
             "CosineAnnealingLR", "OneCycleLR", "CyclicLR", "LinearLR", "LambdaLR"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("func", [plots.color, plots.plot_band, plots.plot_landscape])
def test_the_docstring_examples_run(func):
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(func, globs={"plot_band": plots.plot_band, "color": plots.color,
                                                          "plot_landscape": plots.plot_landscape}):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_every_schedule_of_the_course_has_one_valid_colour():
    for name in [*SCHEDULES, "train", "validation"]:
        assert mcolors.is_color_like(plots.color(name)), name
    schedule_colours = [c for name, c in plots.COLORS.items() if name not in ("train", "validation")]
    # distinct, except warmup+cosine, which is drawn as the CosineAnnealingLR it is
    assert len(set(schedule_colours)) == len(schedule_colours) - 1
    assert plots.color("warmup+cosine") == plots.color("CosineAnnealingLR")
    assert plots.color("train") != plots.color("validation")


def test_color_ignores_case_and_names_the_valid_names_otherwise():
    assert plots.color("steplr") == plots.color("StepLR")
    with pytest.raises(ValueError, match=r"name='StepLr2' has no course colour.*StepLR.*OneCycleLR"):
        plots.color("StepLr2")
    with pytest.raises(ValueError, match="name=None"):
        plots.color(None)


def test_plot_band_draws_the_mean_and_the_min_max_band():
    runs = [[1.0, 0.5, 0.2], [2.0, 0.7, 0.1], [1.5, 0.6, 0.3]]
    fig, ax = plt.subplots()
    assert plots.plot_band([1, 2, 3], runs, ax=ax, label="OneCycleLR") is ax
    line = ax.lines[0]
    assert list(line.get_ydata()) == pytest.approx([1.5, 0.6, 0.2])
    assert mcolors.same_color(line.get_color(), plots.color("OneCycleLR"))
    assert line.get_label() == "OneCycleLR (mean of 3)"
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(0.1) and band[:, 1].max() == pytest.approx(2.0)
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"


def test_plot_band_takes_a_colour_or_a_schedule_name_and_its_own_axis_labels():
    ax = plots.plot_band([0, 1], [[1, 2]], color="ExponentialLR", xlabel="step", ylabel="validation loss")
    assert mcolors.same_color(ax.lines[0].get_color(), plots.color("ExponentialLR"))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step", "validation loss")
    ax = plots.plot_band([0, 1], [[1, 2]], color="tab:red", label="mine")
    assert mcolors.same_color(ax.lines[0].get_color(), "tab:red")


@pytest.mark.parametrize("runs", [[], [[1.0, 2.0], [1.0]], [[1.0]], [["a", "b"]], None])
def test_plot_band_rejects_runs_that_do_not_match_x(runs):
    with pytest.raises(ValueError, match="runs must be a non-empty list of curves"):
        plots.plot_band([1, 2], runs)


def test_plot_landscape_draws_contours_and_each_path_on_them():
    paths = {"lr=0.02": landscape.sgd_path(0.02, 20), "lr=0.15": landscape.sgd_path(0.15, 20),
             "lr=0.25": landscape.sgd_path(0.25, 20)}
    fig, ax = plt.subplots()
    assert plots.plot_landscape(paths, ax=ax, colors=["k", "b", "r"]) is ax
    assert ax.collections, "no contour lines"
    drawn = [line for line in ax.lines if line.get_label() in paths]
    assert [line.get_label() for line in drawn] == list(paths)
    for line, path in zip(drawn, paths.values(), strict=True):
        assert list(line.get_xdata()) == [x for x, _ in path["points"]]
    # the view is 1.25x the start (-4, 2); the diverging path is clipped, not stretching the axes
    assert ax.get_xlim() == pytest.approx((-5.0, 5.0)) and ax.get_ylim() == pytest.approx((-2.5, 2.5))
    assert ax.get_xlabel() == "x (curvature 1)" and ax.get_ylabel() == "y (curvature 10)"
    assert ax.get_legend() is not None


def test_plot_landscape_takes_one_path_a_list_and_a_cloud_around_the_minimum():
    cloud = landscape.sgd_path(0.1, 200, start=(0.0, 0.0), noise=1.0)
    ax = plots.plot_landscape(cloud, lambdas=(1.0, 10.0))
    half_x, half_y = ax.get_xlim()[1], ax.get_ylim()[1]
    assert 0 < half_y < half_x  # sized by the cloud itself, wider along the flat axis
    assert ax.get_legend() is None
    ax = plots.plot_landscape([cloud], extent=(2, 1))
    assert ax.get_xlim() == (-2, 2)


@pytest.mark.parametrize("paths", [{}, [], [{"points": []}], {"a": [(0, 1)]}])
def test_plot_landscape_rejects_what_is_not_a_path(paths):
    with pytest.raises(ValueError, match="paths must be"):
        plots.plot_landscape(paths)


def test_mlp_is_64_64_10_and_takes_digits_images_as_they_come():
    m = models.MLP()
    assert [tuple(p.shape) for p in m.parameters()] == [(64, 64), (64,), (10, 64), (10,)]
    x = torch.rand(5, 1, 8, 8)
    assert torch.equal(m(x), m(x.flatten(1)))
    assert models.MLP(in_features=13, hidden=10, num_classes=3)(torch.zeros(2, 13)).shape == (2, 3)
    with pytest.raises(ValueError, match="64 values per example"):
        m(torch.zeros(2, 1, 28, 28))


def test_mlp_learns_digits_with_mini_batch_sgd():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X.reshape(-1, 1, 8, 8) / 16.0, dtype=torch.float32)[:400]
    y = torch.tensor(y)[:400]
    model = models.MLP(seed=0)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    g = torch.Generator().manual_seed(0)
    first = torch.nn.functional.cross_entropy(model(X), y).item()
    for _ in range(3):
        for idx in torch.randperm(len(X), generator=g).split(8):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(X[idx]), y[idx]).backward()
            opt.step()
    assert torch.nn.functional.cross_entropy(model(X), y).item() < 0.2 * first
    assert np.isfinite(first)

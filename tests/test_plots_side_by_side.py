"""The two side-by-side plots lesson 03 uses: plot_lr_beside_loss and plot_runs."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import lrlab  # noqa: E402
from lrlab import data, models, plots  # noqa: E402


def _run(gamma, num_epochs=3):
    """Wine in mini-batches of 32 (5 steps an epoch), Adam(lr=0.01), ExponentialLR(gamma) per epoch."""
    model = models.WineMLP(seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=gamma)
    return lrlab.fit(model, opt, sched, data.wine(batch_size=32), num_epochs=num_epochs)


def _torch_lrs(gamma, num_epochs, steps_per_epoch):
    """The oracle: the LR a real ExponentialLR gives each mini-batch when stepped once per epoch."""
    opt = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.01)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=gamma)
    lrs = []
    for _ in range(num_epochs):
        lrs += [opt.param_groups[0]["lr"]] * steps_per_epoch
        opt.step()
        sched.step()
    return lrs


def test_plot_lr_beside_loss_draws_the_logged_lr_left_and_the_losses_right():
    before = plt.get_fignums()
    h = _run(gamma=0.1)
    lr_ax, loss_ax = plots.plot_lr_beside_loss(h)
    # side by side in one new figure
    assert lr_ax.figure is loss_ax.figure and len(plt.get_fignums()) == len(before) + 1
    assert lr_ax.get_position().x1 <= loss_ax.get_position().x0
    # left: every mini-batch's LR on a log axis, as PyTorch's ExponentialLR set it
    assert lr_ax.get_title() == "PyTorch Learning Rate" and lr_ax.get_yscale() == "log"
    assert list(lr_ax.lines[0].get_xdata()) == h.step_epoch
    assert list(lr_ax.lines[0].get_ydata()) == pytest.approx(_torch_lrs(0.1, 3, 5), rel=1e-12)
    # right: the per-step training loss and the per-epoch validation loss
    assert [line.get_label() for line in loss_ax.lines] == ["train (per step)", "validation"]
    assert list(loss_ax.lines[0].get_ydata()) == h.loss
    assert list(loss_ax.lines[1].get_ydata()) == h.val_loss
    assert loss_ax.get_xlabel() == "epoch" and loss_ax.get_ylabel() == "loss"
    plt.close(lr_ax.figure)
    assert plt.get_fignums() == before


def test_plot_lr_beside_loss_uses_the_given_axes_title_and_linear_scale():
    fig, axes = plt.subplots(1, 2)
    lr_ax, loss_ax = plots.plot_lr_beside_loss(_run(gamma=0.5, num_epochs=2), axes=axes, title="ExponentialLR",
                                               log=False)
    assert (lr_ax, loss_ax) == (axes[0], axes[1])
    assert lr_ax.get_title() == "ExponentialLR" and lr_ax.get_yscale() == "linear"
    plt.close(fig)


def test_plot_runs_gives_each_run_one_colour_in_both_panels():
    runs = {"gamma=0.1": _run(gamma=0.1), "gamma=0.6": _run(gamma=0.6)}
    fig, axes = plt.subplots(1, 2)
    lr_ax, acc_ax = plots.plot_runs(runs, axes=axes, metric="val_acc")
    assert (lr_ax, acc_ax) == (axes[0], axes[1])
    assert [line.get_label() for line in lr_ax.lines] == list(runs)
    assert [line.get_label() for line in acc_ax.lines] == list(runs)
    for (label, h), lr_line, acc_line in zip(runs.items(), lr_ax.lines, acc_ax.lines, strict=True):
        assert list(lr_line.get_ydata()) == pytest.approx(_torch_lrs(float(label[6:]), 3, 5), rel=1e-12)
        assert list(acc_line.get_ydata()) == h.val_acc
        assert list(acc_line.get_xdata()) == [1, 2, 3]
        assert lr_line.get_color() == acc_line.get_color()
    assert lr_ax.lines[0].get_color() != lr_ax.lines[1].get_color()
    assert lr_ax.get_yscale() == "log" and acc_ax.get_ylabel() == "validation accuracy"
    assert [t.get_text() for t in acc_ax.get_legend().get_texts()] == list(runs)
    plt.close(fig)


def test_plot_runs_makes_its_own_figure_that_closes():
    before = plt.get_fignums()
    lr_ax, loss_ax = plots.plot_runs({"gamma=0.5": _run(gamma=0.5, num_epochs=2)})
    assert loss_ax.get_title() == "Validation loss" and loss_ax.get_ylabel() == "validation loss"
    plt.close(lr_ax.figure)
    assert plt.get_fignums() == before


@pytest.mark.parametrize("metric", ["val_lr", "loss", None])
def test_plot_runs_rejects_a_metric_not_recorded_per_epoch_before_drawing(metric):
    before = plt.get_fignums()
    with pytest.raises(ValueError, match=rf"metric={metric!r}.*val_loss, train_loss, val_acc, train_acc"):
        plots.plot_runs({"a": lrlab.History()}, metric=metric)
    assert plt.get_fignums() == before


@pytest.mark.parametrize("runs", [{}, [], None])
def test_plot_runs_needs_a_non_empty_dict_of_histories(runs):
    with pytest.raises(ValueError, match=r"runs=.*non-empty dict of label -> History"):
        plots.plot_runs(runs)

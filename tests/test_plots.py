import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

import lrlab  # noqa: E402
from lrlab import data, models, plots, schedules  # noqa: E402


def _history():
    model = models.WineMLP()
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    return lrlab.fit(model, opt, torch.optim.lr_scheduler.StepLR(opt, 2, 0.5), data.wine(), num_epochs=6)


def test_plot_lr_draws_on_the_given_axes_in_log_scale():
    fig, ax = plt.subplots()
    curve = schedules.preview("ExponentialLR", 5, gamma=0.5)
    assert plots.plot_lr(curve, ax=ax, label="exp") is ax
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "learning rate" and ax.get_xlabel() == "epoch"
    assert list(ax.lines[0].get_ydata()) == curve["lr"]
    plt.close(fig)


def test_plot_history_shares_the_epoch_axis_and_plots_both_losses():
    before = plt.get_fignums()
    h = _history()
    lr_ax, loss_ax = plots.plot_history(h, title="StepLR")
    assert lr_ax.get_shared_x_axes().joined(lr_ax, loss_ax)
    assert [line.get_label() for line in loss_ax.lines] == ["train", "validation"]
    assert list(loss_ax.lines[0].get_ydata()) == h.train_loss
    plt.close(lr_ax.figure)
    assert plt.get_fignums() == before


def test_plot_accuracy_in_unit_range():
    ax = plots.plot_accuracy(_history())
    assert ax.get_ylim()[1] <= 1.02 and len(ax.lines) == 2
    plt.close(ax.figure)

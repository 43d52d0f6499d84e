"""lrlab.plateau.trace and plots.plot_plateau: a hand-stepped torch ReduceLROnPlateau is the oracle."""

import math
import random

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch.optim import lr_scheduler  # noqa: E402

import lrlab  # noqa: E402
from lrlab import data, models, plateau, plots  # noqa: E402


def _noisy_plateaus(n=80, seed=0):
    """A loss that falls, stalls with noise, falls again: plenty of bad epochs and improvements."""
    rng = random.Random(seed)
    return [1.0 / (1 + min(i, 25) + max(0, i - 55)) + rng.uniform(0, 0.01) for i in range(n)]


def _by_hand(metrics, lr=0.1, **params):
    """The oracle: step PyTorch's scheduler directly and read its state after every step."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = lr_scheduler.ReduceLROnPlateau(opt, **params)
    rows = {"best": [], "num_bad_epochs": [], "cooldown_counter": [], "lr": []}
    for m in metrics:
        opt.step()
        sched.step(m)
        rows["best"].append(sched.best)
        rows["num_bad_epochs"].append(sched.num_bad_epochs)
        rows["cooldown_counter"].append(sched.cooldown_counter)
        rows["lr"].append(sched.get_last_lr()[0])
    return rows


SETTINGS = [
    {},
    {"factor": 0.5, "patience": 3},
    {"factor": 0.5, "patience": 2, "cooldown": 4},
    {"factor": 0.3, "patience": 1, "threshold": 0.05, "threshold_mode": "abs"},
    {"factor": 0.5, "patience": 2, "min_lr": 0.02},
    {"factor": 0.1, "patience": 0, "eps": 1e-3},
]


@pytest.mark.parametrize("params", SETTINGS, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()) or "defaults")
@pytest.mark.parametrize("mode", ["min", "max"])
def test_trace_agrees_with_a_hand_stepped_scheduler(params, mode):
    metrics = _noisy_plateaus()
    if mode == "max":
        metrics = [2 - m for m in metrics]  # rising and positive, like an accuracy
    trace = plateau.trace(metrics, mode=mode, **params)
    oracle = _by_hand(metrics, mode=mode, **params)
    for key, values in oracle.items():
        assert trace[key] == values, key
    assert trace["epoch"] == list(range(1, len(metrics) + 1)) and trace["metric"] == metrics
    # cuts are exactly the epochs where the oracle's LR went down
    before = [0.1] + oracle["lr"][:-1]
    assert trace["cuts"] == [e for e, (b, a) in enumerate(zip(before, oracle["lr"], strict=True), 1) if a < b]
    assert sorted(trace["cuts"] + trace["skipped"]) == trace["patience_out"]


def test_the_trace_replays_a_real_training_run_exactly():
    # The scheduler sees nothing but the metric: replaying fit's val_loss gives fit's LRs.
    d = data.wine(standardize=False)
    model = models.WineMLP(seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    h = lrlab.fit(model, opt, lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=3), d, num_epochs=40)
    trace = plateau.trace(h.val_loss, factor=0.5, patience=3)
    assert trace["lr"] == h.epoch_lr
    assert len(trace["cuts"]) >= 2, "the case should include LR cuts"


def test_improved_means_the_metric_passed_the_must_beat_bar():
    metrics = _noisy_plateaus()
    for mode, series in (("min", metrics), ("max", [2 - m for m in metrics])):
        for threshold_mode, threshold in (("rel", 0.02), ("abs", 0.003)):
            t = plateau.trace(series, mode=mode, threshold=threshold, threshold_mode=threshold_mode)
            assert math.isnan(t["must_beat"][0]) and t["improved"][0]
            beyond = [(m < bar) if mode == "min" else (m > bar) for m, bar in zip(series, t["must_beat"], strict=True)]
            assert t["improved"][1:] == beyond[1:]
            assert 0 < sum(t["improved"]) < len(series)  # both kinds of epoch occur
            # the bar sits on the far side of the best so far, by the threshold
            best_before = t["best"][:-1]
            assert all((bar < b) if mode == "min" else (bar > b) for bar, b in zip(t["must_beat"][1:], best_before,
                                                                                      strict=True))


def test_patience_out_is_recorded_even_when_min_lr_or_eps_blocks_the_cut():
    flat = [1.0] * 130
    free = plateau.trace(flat, eps=0.0)
    assert free["skipped"] == [] and free["lr"][-1] < 1e-9
    # min_lr: the same epochs run out of patience, but the LR stops at the floor
    floored = plateau.trace(flat, min_lr=1e-4)
    assert floored["patience_out"] == free["cuts"]
    assert floored["lr"] == _by_hand(flat, min_lr=1e-4)["lr"]
    assert min(floored["lr"]) == pytest.approx(1e-4) and floored["skipped"]
    # eps: the default 1e-8 ignores any cut smaller than itself, so 0.1 stops near 1e-8
    default = plateau.trace(flat)
    assert default["patience_out"] == free["cuts"]
    assert default["lr"] == _by_hand(flat)["lr"]
    last = default["lr"][-1]
    assert last * (1 - 0.1) <= 1e-8 < last * (1 - 0.1) / 0.1, "the last cut was the last one bigger than eps"
    assert all(default["lr"][e - 1] == last for e in default["skipped"])


def test_mode_max_on_accuracy_in_a_real_run():
    d = data.wine()
    model = models.WineMLP(seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    sched = lr_scheduler.ReduceLROnPlateau(opt, mode="max", factor=0.5, patience=2)
    h = lrlab.fit(model, opt, sched, d, num_epochs=20, monitor="val_acc")
    trace = plateau.trace(h.val_acc, mode="max", factor=0.5, patience=2)
    assert trace["lr"] == h.epoch_lr and trace["cuts"]
    assert trace["best"][-1] == max(h.val_acc)


@pytest.mark.parametrize("bad, name", [
    ({"metrics": []}, "metrics"),
    ({"metrics": "1,2"}, "metrics"),
    ({"metrics": [0.5, float("nan")]}, "metrics[1]"),
    ({"metrics": [0.5, float("inf")]}, "metrics[1]"),
    ({"factor": 1.0}, "factor=1.0"),
    ({"patience": -1}, "patience=-1"),
    ({"threshold_mode": "pct"}, "threshold_mode='pct'"),
    ({"min_lr": -0.1}, "min_lr=-0.1"),
    ({"eps": -1e-8}, "eps=-1e-08"),
    ({"lr": 0}, "lr=0"),
])
def test_bad_arguments_raise_value_errors_naming_them(bad, name):
    kwargs = {"metrics": [1.0, 0.9]} | bad
    with pytest.raises(ValueError, match=name.replace("[", r"\[").replace("]", r"\]")):
        plateau.trace(**kwargs)


def test_plot_plateau_shares_the_epoch_axis_and_marks_cuts_and_skips():
    before = plt.get_fignums()
    trace = plateau.trace([1.0] * 120, cooldown=2)
    metric_ax, count_ax, lr_ax = plots.plot_plateau(trace)
    assert metric_ax.get_shared_x_axes().joined(metric_ax, lr_ax)
    assert metric_ax.get_shared_x_axes().joined(count_ax, lr_ax)
    assert lr_ax.get_yscale() == "log" and lr_ax.get_xlabel() == "epoch"
    assert lr_ax.get_ylabel() == "learning rate" and metric_ax.get_ylabel() == "validation loss"
    lines = {line.get_label(): line for line in metric_ax.lines}
    assert list(lines["patience ran out: LR cut"].get_xdata()) == trace["cuts"]
    assert list(lines["patience ran out: cut skipped"].get_xdata()) == trace["skipped"] != []
    assert list(lines["validation loss"].get_ydata()) == trace["metric"]
    counts = {line.get_label(): line for line in count_ax.lines}
    assert list(counts["cooldown_counter"].get_ydata()) == trace["cooldown_counter"]
    assert [bar.get_height() for bar in count_ax.patches] == trace["num_bad_epochs"]
    plt.close(metric_ax.figure)
    assert plt.get_fignums() == before


def test_plot_plateau_draws_on_given_axes_without_skips():
    fig, axes = plt.subplots(3, 1)
    trace = plateau.trace([1.0, 0.5, 0.6, 0.7, 0.8], factor=0.5, patience=1)
    assert plots.plot_plateau(trace, axes=axes, metric_label="accuracy", log_metric=True) == tuple(axes)
    labels = [line.get_label() for line in axes[0].lines]
    assert "patience ran out: cut skipped" not in labels and axes[0].get_yscale() == "log"
    assert axes[0].get_ylabel() == "accuracy"
    plt.close(fig)

"""lrlab.compare: the numbers of a comparison table are the runs' own, and the table shows them all."""

import math

import pytest
import torch

import lrlab
from lrlab import data, models
from lrlab.compare import epochs_to, format_table, summarize
from lrlab.train import History


def history(val_loss, val_acc, lr):
    return History(val_loss=list(val_loss), val_acc=list(val_acc), lr=list(lr), epoch_lr=list(lr),
                   train_loss=list(val_loss), train_acc=list(val_acc))


def test_epochs_to_is_the_first_epoch_that_reaches_the_target():
    h = history([1.1, 0.7, 0.45, 0.5, 0.3], [0.3, 0.6, 0.8, 0.75, 0.9], [0.1] * 5)
    assert epochs_to(h, 0.5) == 3 and epochs_to(h, 0.45) == 3 and epochs_to(h, 0.1) is None
    assert epochs_to(h, 0.8, metric="val_acc") == 3   # accuracies are reached from below


@pytest.mark.parametrize(("kwargs", "match"), [({"target": float("nan")}, "target=nan"),
                                               ({"target": 0.5, "metric": "lr"}, "metric='lr'")])
def test_epochs_to_checks_its_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        epochs_to(history([1.0], [0.5], [0.1]), **kwargs)


def test_summarize_reads_every_number_from_the_real_runs():
    wine = data.wine()
    runs = {}
    for label, gamma in (("slow decay", 0.9), ("fast decay", 0.2)):
        model = models.WineMLP(seed=0)
        opt = torch.optim.Adam(model.parameters(), lr=0.05)
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=gamma)
        runs[label] = (lrlab.fit(model, opt, sched, wine, num_epochs=12), gamma)
    rows = summarize({k: h for k, (h, _) in runs.items()}, target_loss=0.2)
    assert [r["schedule"] for r in rows] == ["slow decay", "fast decay"]
    for row, (h, gamma) in zip(rows, runs.values(), strict=True):
        assert math.isclose(row["last_lr"], 0.05 * gamma**11)   # the 12th epoch trains with 0.05 * gamma ** 11
        assert row["final_val_acc"] == h.val_acc[-1]
        assert row["best_val_acc"] == max(h.val_acc) and row["epochs_to_target"] == epochs_to(h, 0.2)
    with pytest.raises(ValueError, match="non-empty dict"):
        summarize({}, 0.2)


def test_format_table_shows_every_run_and_never_for_a_missed_target():
    rows = summarize({"a": history([0.9, 0.4], [0.5, 0.875], [0.1, 0.05]),
                      "longer label": history([0.9, 0.8], [0.5, 0.6], [0.1, 0.01])}, target_loss=0.5)
    lines = format_table(rows).splitlines()
    assert "epochs to val loss <= 0.5" in lines[0] and len(lines) == 3
    assert lines[1].split() == ["a", "0.875", "0.875", "0.400", "2", "0.05"]
    assert lines[2].split()[:2] == ["longer", "label"] and lines[2].split()[-2] == "never"
    assert len({len(line) for line in lines}) == 1   # aligned columns
    with pytest.raises(ValueError, match="columns"):
        format_table(rows, columns=["schedule", "speed"])


def test_several_runs_per_schedule_give_means_and_the_range():
    seeds = [history([0.9, 0.3], [0.5, 0.9], [0.1, 0.05]), history([0.9, 0.5], [0.5, 0.8], [0.1, 0.05]),
             history([0.4, 0.2], [0.7, 1.0], [0.1, 0.05])]
    (row,) = summarize({"step": seeds}, target_loss=0.4)
    assert row["runs"] == 3 and math.isclose(row["final_val_loss"], (0.3 + 0.5 + 0.2) / 3)
    assert row["val_loss_range"] == (0.2, 0.5) and math.isclose(row["final_val_acc"], 0.9)
    assert row["epochs_to_target"] is None and row["reached"] == 2   # the second seed never got to 0.4
    lines = format_table([row]).splitlines()
    assert "mean final val loss" in lines[0] and "runs" in lines[0]
    assert "0.200 to 0.500" in lines[1] and "2 of 3 runs" in lines[1]
    (row,) = summarize({"step": seeds}, target_loss=0.5)
    assert math.isclose(row["epochs_to_target"], (2 + 2 + 1) / 3)
    with pytest.raises(ValueError, match=r"runs\['step'\]"):
        summarize({"step": []}, target_loss=0.5)

"""lrlab.train.sweep: one fresh model per LR, fit is the oracle."""

import math

import pytest
import torch
from torch.optim import lr_scheduler

import lrlab
from lrlab import data, models, schedules
from lrlab.train import sweep


def _fit(lr, opt_cls=torch.optim.SGD, num_epochs=15, **kwargs):
    model = models.WineMLP()
    return lrlab.fit(model, opt_cls(model.parameters(), lr=lr), None, data.wine(), num_epochs=num_epochs, **kwargs)


def test_each_run_equals_a_separate_fit_with_a_fresh_model():
    runs = sweep(models.WineMLP, torch.optim.Adam, [0.003, 0.03, 0.3], data.wine(), num_epochs=15)
    assert list(runs) == [0.003, 0.03, 0.3]
    for lr, h in runs.items():
        assert h.asdict() == _fit(lr, torch.optim.Adam).asdict()
        assert set(h.lr) == {lr}


def test_runs_do_not_share_weights_so_order_does_not_matter():
    d = data.wine()
    forward = sweep(models.WineMLP, torch.optim.SGD, [0.05, 0.5], d, num_epochs=10)
    backward = sweep(models.WineMLP, torch.optim.SGD, [0.5, 0.05], d, num_epochs=10)
    assert forward[0.05].asdict() == backward[0.05].asdict()
    assert forward[0.5].asdict() == backward[0.5].asdict()
    # same starting weights: the very first loss is the same whatever the LR
    assert forward[0.05].loss[0] == forward[0.5].loss[0]
    assert forward[0.05].loss[-1] != forward[0.5].loss[-1]


def test_a_diverging_lr_stops_with_its_message_and_the_sweep_goes_on(capsys):
    runs = sweep(models.WineMLP, torch.optim.SGD, [10, 0.1], data.wine(), num_epochs=30)
    out = capsys.readouterr().out
    assert runs[10].diverged and 0 < runs[10].num_epochs < 30
    assert out.count("diverged") == 1 and "lr=10" in out
    assert not runs[0.1].diverged and runs[0.1].num_epochs == 30


def test_fit_kwargs_reach_fit():
    runs = sweep(models.WineMLP, torch.optim.SGD, [10], data.wine(), num_epochs=30, diverge_threshold=None, seed=3)
    assert runs[10].num_epochs == 30 and not runs[10].diverged


def test_scheduler_fn_builds_a_new_scheduler_per_run_on_that_runs_optimizer():
    def factory(opt):
        return schedules.make("StepLR", opt, step_size=2, gamma=0.5)
    runs = sweep(models.WineMLP, torch.optim.SGD, [0.1, 0.2], data.wine(), num_epochs=6, scheduler_fn=factory)
    for lr, h in runs.items():
        expected = schedules.preview(factory, 6, lr=lr)["lr"]
        assert h.lr == pytest.approx(expected)
        assert h.epoch_lr[-1] == pytest.approx(lr * 0.5 ** 3)


def test_optimizer_fn_can_be_a_lambda_with_extra_settings():
    def sgd_momentum(params, lr):
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    h = sweep(models.WineMLP, sgd_momentum, [0.05], data.wine(), num_epochs=10)[0.05]
    model = models.WineMLP()
    expected = lrlab.fit(model, sgd_momentum(model.parameters(), 0.05), None, data.wine(), num_epochs=10)
    assert h.asdict() == expected.asdict()
    assert h.asdict() != _fit(0.05, num_epochs=10).asdict()  # momentum made a difference


def test_plateau_scheduler_is_given_each_runs_own_metric():
    def factory(opt):
        return lr_scheduler.ReduceLROnPlateau(opt, mode="max", factor=0.5, patience=1)
    runs = sweep(models.WineMLP, torch.optim.Adam, [0.1, 0.01], data.wine(), num_epochs=30, scheduler_fn=factory,
                 monitor="val_acc")
    for lr, h in runs.items():
        model = models.WineMLP()
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        assert h.asdict() == lrlab.fit(model, opt, factory(opt), data.wine(), num_epochs=30, monitor="val_acc").asdict()
    assert runs[0.1].epoch_lr[-1] < 0.1  # the accuracy stopped improving, so the LR was cut


@pytest.mark.parametrize("kwargs,param", [
    ({"lrs": []}, "lrs"), ({"lrs": [0.1, -0.1]}, "lrs"), ({"lrs": [0]}, "lrs"), ({"lrs": [math.nan]}, "lrs"),
    ({"lrs": [math.inf]}, "lrs"), ({"lrs": [True]}, "lrs"), ({"lrs": ["0.1"]}, "lrs"), ({"lrs": "0.1"}, "lrs"),
    ({"lrs": None}, "lrs"), ({"lrs": [0.1, 0.1]}, "lrs"), ({"model_fn": torch.zeros(1)}, "model_fn"),
    ({"model_fn": models.WineMLP()}, "model_fn"),
    ({"model_fn": lambda: "not a model"}, "model_fn"), ({"optimizer_fn": "sgd"}, "optimizer_fn"),
    ({"scheduler_fn": "StepLR"}, "scheduler_fn"), ({"num_epochs": 0}, "num_epochs"),
])
def test_bad_arguments_are_refused_before_training(kwargs, param):
    built = []

    def model_fn():
        built.append(models.WineMLP())
        return built[-1]
    args = {"model_fn": model_fn, "optimizer_fn": torch.optim.SGD, "lrs": [0.1], "data": data.wine(),
            "num_epochs": 3, **kwargs}
    with pytest.raises(ValueError, match=param):
        sweep(**args)
    fresh = models.WineMLP()
    for model in built:  # a model may have been built, but none was trained
        assert all(torch.equal(a, b) for a, b in zip(model.parameters(), fresh.parameters(), strict=True))


def test_a_single_number_is_one_lr():
    runs = sweep(models.WineMLP, torch.optim.SGD, 0.1, data.wine(), num_epochs=3)
    assert list(runs) == [0.1] and runs[0.1].num_epochs == 3

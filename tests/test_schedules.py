"""lrlab.schedules: PyTorch is the oracle; every bad argument is a ValueError naming it."""

import pytest
import torch
from torch.optim import lr_scheduler

from lrlab import schedules

EPOCHS, SPE = 12, 3


def _opt():
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)


def _seq(opt):
    warm = schedules.make("LinearLR", opt, start_factor=0.1, total_iters=3)
    decay = schedules.make("ExponentialLR", opt, gamma=0.8)
    return schedules.make("SequentialLR", opt, schedulers=[warm, decay], milestones=[3])


def _chain(opt):
    return schedules.make("ChainedScheduler", opt, schedulers=[
        schedules.make("ConstantLR", opt, factor=0.5, total_iters=2),
        schedules.make("ExponentialLR", opt, gamma=0.9)])


# name -> (factory, step_on). One entry for every scheduler class PyTorch has.
CASES = {
    "LambdaLR": (lambda o: schedules.make("LambdaLR", o, lr_lambda=lambda e: 0.9 ** e), "epoch"),
    "MultiplicativeLR": (lambda o: schedules.make("MultiplicativeLR", o, lr_lambda=lambda e: 0.8), "epoch"),
    "StepLR": (lambda o: schedules.make("StepLR", o, step_size=3, gamma=0.5), "epoch"),
    "MultiStepLR": (lambda o: schedules.make("MultiStepLR", o, milestones=[2, 5], gamma=0.1), "epoch"),
    "ConstantLR": (lambda o: schedules.make("ConstantLR", o, factor=0.5, total_iters=3), "epoch"),
    "LinearLR": (lambda o: schedules.make("LinearLR", o, start_factor=0.1, total_iters=4), "epoch"),
    "ExponentialLR": (lambda o: schedules.make("ExponentialLR", o, gamma=0.8), "epoch"),
    "SequentialLR": (_seq, "epoch"),
    "PolynomialLR": (lambda o: schedules.make("PolynomialLR", o, total_iters=6, power=2.0), "epoch"),
    "CosineAnnealingLR": (lambda o: schedules.make("CosineAnnealingLR", o, T_max=8, eta_min=0.001), "epoch"),
    "ChainedScheduler": (_chain, "epoch"),
    "ReduceLROnPlateau": (lambda o: schedules.make("ReduceLROnPlateau", o, factor=0.5, patience=1), "epoch"),
    "CyclicLR": (lambda o: schedules.make("CyclicLR", o, base_lr=0.01, max_lr=0.1, step_size_up=4), "batch"),
    "CosineAnnealingWarmRestarts": (lambda o: schedules.make("CosineAnnealingWarmRestarts", o, T_0=3, T_mult=2),
                                    "epoch"),
    "OneCycleLR": (lambda o: schedules.make("OneCycleLR", o, max_lr=0.5, total_steps=EPOCHS * SPE), "batch"),
}
METRICS = [1.0, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7]


def test_every_pytorch_scheduler_is_covered():
    assert set(CASES) == set(schedules.available())
    assert len(CASES) >= 14


@pytest.mark.parametrize("name", sorted(CASES))
def test_preview_matches_stepping_the_real_scheduler_by_hand(name):
    factory, step_on = CASES[name]
    curve = schedules.preview(factory, EPOCHS, SPE, step_on=step_on, metrics=METRICS)
    # the oracle: a plain training-loop skeleton around the real scheduler
    opt = _opt()
    sched = factory(opt)
    expected, momentum = [], []
    for epoch in range(EPOCHS):
        for _batch in range(SPE):
            expected.append(opt.param_groups[0]["lr"])
            momentum.append(opt.param_groups[0]["momentum"])
            opt.step()
            if step_on == "batch":
                sched.step()
        if step_on == "epoch":
            sched.step(METRICS[epoch]) if name == "ReduceLROnPlateau" else sched.step()
    assert curve["lr"] == expected
    assert curve["momentum"] == momentum
    assert curve["step_epoch"][:SPE + 1] == [0, 1 / 3, 2 / 3, 1]
    assert len(set(curve["lr"])) > 1, "the case should make the LR move"


@pytest.mark.parametrize("name,params", [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5], "gamma": 0.1}),
    ("ExponentialLR", {"gamma": 0.8}),
    ("CosineAnnealingLR", {"T_max": 8}),
    ("LinearLR", {"start_factor": 0.2, "total_iters": 4}),
    ("PolynomialLR", {"total_iters": 6, "power": 2.0}),
])
def test_preview_matches_pytorch_closed_form(name, params):
    opt = _opt()
    sched = getattr(lr_scheduler, name)(opt, **params)
    closed = []
    for epoch in range(EPOCHS):
        sched.last_epoch = epoch
        closed.append(sched._get_closed_form_lr()[0])
    curve = schedules.preview(name, EPOCHS, **params)
    assert curve["lr"] == pytest.approx(closed, rel=1e-12)


def test_epoch_stepping_holds_the_lr_within_an_epoch():
    curve = schedules.preview("StepLR", 4, steps_per_epoch=5, step_size=1, gamma=0.5)
    assert curve["lr"] == [0.1] * 5 + [0.05] * 5 + [0.025] * 5 + [0.0125] * 5


def test_make_builds_the_real_class_and_accepts_short_names():
    opt = _opt()
    assert type(schedules.make("steplr", opt, step_size=1)) is lr_scheduler.StepLR
    assert type(schedules.make("exponential", opt, gamma=0.5)) is lr_scheduler.ExponentialLR


BAD = [
    ("StepLR", {"step_size": 0}, "step_size", ">= 1"),
    ("StepLR", {"step_size": 2.5}, "step_size", "integer"),
    ("StepLR", {"step_size": True}, "step_size", "integer"),
    ("StepLR", {"step_size": 2, "gamma": 0}, "gamma", "> 0"),
    ("StepLR", {"step_size": 2, "gamma": -0.5}, "gamma", "> 0"),
    ("ExponentialLR", {"gamma": 0.0}, "gamma", "> 0"),
    ("ExponentialLR", {"gamma": float("nan")}, "gamma", "> 0"),
    ("MultiStepLR", {"milestones": [5, 2]}, "milestones", "increasing"),
    ("MultiStepLR", {"milestones": [2.5]}, "milestones", "integers"),
    ("ReduceLROnPlateau", {"factor": 0}, "factor", "< 1"),
    ("ReduceLROnPlateau", {"factor": -0.1}, "factor", "0 <"),
    ("ReduceLROnPlateau", {"factor": 1.0}, "factor", "< 1"),
    ("ReduceLROnPlateau", {"patience": -1}, "patience", ">= 0"),
    ("ReduceLROnPlateau", {"patience": 2.5}, "patience", "integer"),
    ("ReduceLROnPlateau", {"cooldown": -1}, "cooldown", ">= 0"),
    ("ReduceLROnPlateau", {"mode": "avg"}, "mode", "'min', 'max'"),
    ("ReduceLROnPlateau", {"threshold_mode": "pct"}, "threshold_mode", "'rel', 'abs'"),
    ("ReduceLROnPlateau", {"min_lr": -1e-3}, "min_lr", "0 <= value <= 10000"),
    ("ReduceLROnPlateau", {"threshold": -0.1}, "threshold", ">= "),
    ("CosineAnnealingLR", {"T_max": 0}, "T_max", ">= 1"),
    ("CosineAnnealingLR", {"T_max": 10.5}, "T_max", "integer"),
    ("CosineAnnealingWarmRestarts", {"T_0": 0}, "T_0", ">= 1"),
    ("LinearLR", {"total_iters": 0}, "total_iters", ">= 1"),
    ("LinearLR", {"start_factor": 0}, "start_factor", "0 <"),
    ("ConstantLR", {"factor": 1.5}, "factor", "<= 1"),
    ("ConstantLR", {"factor": 0}, "factor", "0 < value"),  # PyTorch takes it, then divides by it at total_iters
    ("OneCycleLR", {"max_lr": 0, "total_steps": 10}, "max_lr", "0 < value <= 10000"),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.2}, "pct_start", "< 1"),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 0}, "step_size_up", ">= 1"),
    ("StepLR", {"step_size": 2, "gama": 0.5}, "gama", "Did you mean 'gamma'"),
    ("StepLR", {}, "step_size", "no default"),
]


@pytest.mark.parametrize("name,params,param,valid", BAD, ids=[f"{b[0]}-{b[2]}-{i}" for i, b in enumerate(BAD)])
def test_bad_arguments_raise_value_error_naming_them(name, params, param, valid):
    with pytest.raises(ValueError) as err:
        schedules.make(name, _opt(), **params)
    msg = str(err.value)
    assert param in msg and valid in msg
    bad_value = params.get(param)
    if bad_value is not None:
        assert repr(bad_value) in msg


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'StepLR'"):
        schedules.make("StepLRR", _opt(), step_size=1)
    with pytest.raises(ValueError, match="Did you mean 'ExponentialLR'"):
        schedules.make("ExponentalLR", _opt(), gamma=0.5)


@pytest.mark.parametrize("kwargs,param", [
    ({"num_epochs": 0}, "num_epochs"), ({"num_epochs": 3, "steps_per_epoch": 0}, "steps_per_epoch"),
    ({"num_epochs": 3, "step_on": "step"}, "step_on"), ({"num_epochs": 3, "lr": -1}, "lr"),
])
def test_preview_checks_its_own_arguments(kwargs, param):
    with pytest.raises(ValueError, match=param):
        schedules.preview("StepLR", step_size=1, **kwargs)


def test_preview_of_plateau_needs_one_metric_per_step():
    with pytest.raises(ValueError, match="metrics"):
        schedules.preview("ReduceLROnPlateau", 5)
    with pytest.raises(ValueError, match="metrics"):
        schedules.preview("ReduceLROnPlateau", 5, metrics=[1.0, 2.0])


def test_preview_reports_one_cycle_overrun_as_value_error():
    with pytest.raises(ValueError, match="OneCycleLR refused step 6"):
        schedules.preview("OneCycleLR", 10, max_lr=0.1, total_steps=5)


def test_preview_of_sequential_lr_writes_nothing_to_stderr(capfd):
    schedules.preview(_seq, 6)
    assert capfd.readouterr().err == ""

"""Lesson 05's exercises (step and exponential decay): the checks say "correct" to right answers and name the
typical slips in the learner's terms, read off a real PyTorch scheduler. The lesson's own stubs and solutions are
run by tests/test_exercises.py."""

import math
import warnings

import torch
from torch.optim import lr_scheduler

from lrlab.exercises import check


def _wrong(exercise, *answer):
    verdict = check(exercise, *answer)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


# --- 05.1: MultiStepLR's closed form, written by hand -----------------------------------------------------------
def _closed(count=lambda m, e: m <= e, times_lr0=True):
    return lambda epoch, lr0, milestones, gamma: (lr0 if times_lr0 else 1.0) * gamma ** sum(
        1 for m in milestones if count(m, epoch))


def test_05_1_right_and_the_oracle_is_pytorch():
    verdict = check("05.1", _closed())
    assert verdict and "every epoch" in verdict.message
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = lr_scheduler.MultiStepLR(opt, milestones=[5, 8], gamma=0.1)
    for epoch in range(12):
        assert math.isclose(opt.param_groups[0]["lr"], _closed()(epoch, 0.1, [5, 8], 0.1), rel_tol=1e-12)
        opt.step()
        sched.step()


def test_05_1_typical_slips_are_named():
    assert "every change comes 1 epoch late" in _wrong("05.1", _closed(count=lambda m, e: m < e))
    assert "every change comes 1 epoch early" in _wrong("05.1", _closed(count=lambda m, e: m <= e + 1))
    assert "multiply by lr0" in _wrong("05.1", _closed(times_lr0=False))
    assert "raised ZeroDivisionError" in _wrong("05.1", lambda epoch, lr0, milestones, gamma: 1 / 0)
    assert "expected a function multistep_lr" in _wrong("05.1", 0.1)
    assert "give a number, without quotes" in _wrong("05.1", lambda epoch, lr0, milestones, gamma: "0.1")


# --- 05.2: scheduler.step() at the start of each epoch ----------------------------------------------------------
def _first_halved(step_first):
    """The oracle: a real StepLR(step_size=3, gamma=0.5), stepped before or after each epoch's optimizer step."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(1, 10):
            if step_first:
                sched.step()
            if math.isclose(opt.param_groups[0]["lr"], 0.05):
                return epoch
            opt.step()
            if not step_first:
                sched.step()


def test_05_2_right_warns_and_names_the_slips():
    verdict = check("05.2", _first_halved(step_first=True))
    assert verdict and "one epoch early" in verdict.message
    assert any("Detected call of `lr_scheduler.step()` before `optimizer.step()`" in d for d in verdict.details)
    in_order = _first_halved(step_first=False)
    assert "when scheduler.step() comes at the end of the epoch" in _wrong("05.2", in_order)
    assert "counted from 0" in _wrong("05.2", _first_halved(step_first=True) - 1)
    assert "give the epoch's number" in _wrong("05.2", 0.05)  # an LR, not an epoch
    assert "must be an epoch number" in _wrong("05.2", "3")
    assert "trains with 0.1" in _wrong("05.2", 1)


# --- 05.3: gamma per batch, from the LR the first batch of epoch 20 trains with ------------------------------
def _per_batch_lrs(gamma, epochs=22):
    """The oracle: a real ExponentialLR from 0.1, stepped after each of 100 batches an epoch."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = lr_scheduler.ExponentialLR(opt, gamma=gamma)
    lrs = []
    for _ in range(epochs * 100):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def test_05_3_right_and_the_oracle_is_pytorch():
    right = (0.001 / 0.1) ** (1 / 1900)
    assert math.isclose(_per_batch_lrs(right)[19 * 100], 0.001, rel_tol=1e-9)
    verdict = check("05.3", right)
    assert verdict and "first batch of epoch 20 trains with lr=0.001" in verdict.message
    assert check("05.3", round(right, 9))


def test_05_3_typical_slips_are_named():
    per_epoch = (0.001 / 0.1) ** (1 / 19)  # the per-epoch gamma, stepped per batch
    reached = next(i for i, lr in enumerate(_per_batch_lrs(per_epoch, 1)) if lr <= 0.001 * (1 + 1e-9))
    message = _wrong("05.3", per_epoch)
    assert f"reaches 0.001 in batch {reached + 1} of epoch 1" in message and "once per epoch" in message
    message = _wrong("05.3", (0.001 / 0.1) ** (1 / 2000))  # 20 epochs of steps: one epoch late
    lrs = _per_batch_lrs((0.001 / 0.1) ** (1 / 2000))
    assert f"trains with lr={lrs[1900]:.3g}" in message and "first batch of epoch 21: one epoch late" in message
    assert "last batch of the epoch" in _wrong("05.3", (0.001 / 0.1) ** (1 / 1999))
    assert "rounds to 0" in _wrong("05.3", 0.5)
    assert "never falls" in _wrong("05.3", 1.5)
    assert "gamma=-0.5 is out of range" in _wrong("05.3", -0.5)  # schedules.make's own ValueError, explained
    assert "without quotes" in _wrong("05.3", "0.9976")

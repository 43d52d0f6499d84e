"""Lesson 08's exercises (one cycle): the checks say "correct" to right answers and name the typical slips in the
learner's terms. The lesson's own stubs and solutions are run by tests/test_exercises.py."""

import math

import torch
from torch.optim import lr_scheduler

from lrlab import schedules
from lrlab.exercises import check


def _wrong(exercise, *answer):
    verdict = check(exercise, *answer)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


# --- 08.1: total_steps ------------------------------------------------------------------------------------------
def test_08_1_right_answer_is_what_a_real_dataloader_says():
    batches = len(torch.utils.data.DataLoader(range(50_000), batch_size=128))
    assert batches == 391
    verdict = check("08.1", batches * 30)
    assert verdict and "391 batches an epoch x 30 epochs = 11730 steps" in verdict.message
    assert check("08.1", 11730.0)  # a float that is a whole number is fine


def test_08_1_typical_slips_are_named():
    assert "counts epochs" in _wrong("08.1", 30)
    assert "one epoch's batches" in _wrong("08.1", 391)
    assert "counts images" in _wrong("08.1", 50_000 * 30)
    message = _wrong("08.1", 390 * 30)
    assert "leaves out the last, smaller batch" in message and "ValueError at step 11701" in message
    assert "raises a ValueError at step 11730" in _wrong("08.1", 11729)
    message = _wrong("08.1", 12000)
    assert "ends 270 steps before the cycle does" in message and "not the cycle's final 2e-06" in message


def test_08_1_the_too_small_answer_really_raises_there():
    optimizer = schedules.dummy_optimizer(0.5)
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, total_steps=11700, cycle_momentum=False)
    for _ in range(11700):
        optimizer.step()
        scheduler.step()
    optimizer.step()
    try:
        scheduler.step()
    except ValueError as err:
        assert "Tried to step 11701 times" in str(err)
    else:
        raise AssertionError("OneCycleLR stepped past total_steps without a ValueError")


def test_08_1_bad_input_is_explained():
    assert "whole number" in _wrong("08.1", 11730.5)
    assert "whole number" in _wrong("08.1", -3)
    assert "is the text" in _wrong("08.1", "11730")


# --- 08.2: the one-cycle closed form, written by hand -----------------------------------------------------------
def _lr(step, start=0.5 / 25, end=0.5 / 25 / 1e4, peak=299, last=999, cos=True):
    a, b, pct = (start, 0.5, step / peak) if step <= peak else (0.5, end, (step - peak) / (last - peak))
    return b + (a - b) * (1 + math.cos(math.pi * pct)) / 2 if cos else a + (b - a) * pct


def test_08_2_right_and_the_oracle_is_pytorch():
    verdict = check("08.2", _lr)
    assert verdict and "every one of the 1,000 steps" in verdict.message
    torch_lrs = schedules.preview(lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=1000), 1000)["lr"]
    assert all(math.isclose(_lr(k), lr, rel_tol=1e-9) for k, lr in enumerate(torch_lrs))


def test_08_2_typical_slips_are_named():
    assert "starts at max_lr" in _wrong("08.2", lambda k: _lr(k, start=0.5))
    assert "ends at max_lr / final_div_factor" in _wrong("08.2", lambda k: _lr(k, end=0.5 / 1e4))
    assert "peak comes one step late" in _wrong("08.2", lambda k: _lr(k, peak=300))
    assert "last phase ends one step late" in _wrong("08.2", lambda k: _lr(k, last=1000))
    assert "straight lines" in _wrong("08.2", lambda k: _lr(k, cos=False))
    message = _wrong("08.2", lambda k: _lr(k) if k < 500 else 0.1)
    assert "first differ from PyTorch's at step 500, in the falling phase" in message


def test_08_2_bad_functions_are_explained():
    assert "one_cycle_lr(0) raised ZeroDivisionError" in _wrong("08.2", lambda k: 1 / k)
    assert "one_cycle_lr(0) returned None" in _wrong("08.2", lambda k: None)
    assert "expected a function" in _wrong("08.2", 0.02)


# --- 08.3: the momentum OneCycleLR writes over SGD(momentum=0.9) ---------------------------------------------------
def test_08_3_right_and_the_oracle_is_pytorch():
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    lr_scheduler.OneCycleLR(optimizer, max_lr=0.4, total_steps=1000)
    assert optimizer.param_groups[0]["momentum"] == 0.95   # overwritten when the scheduler is built
    verdict = check("08.3", 0.95, 0.85)
    assert verdict and "overwrote" in str(verdict)


def test_08_3_typical_slips_are_named():
    assert "does not use the 0.9 you gave SGD" in _wrong("08.3", 0.9, 0.85)
    assert "does not use the 0.9 you gave SGD" in _wrong("08.3", 0.9, 0.9)
    assert "reversed" in _wrong("08.3", 0.85, 0.95)
    assert "highest, max_momentum" in _wrong("08.3", 0.8, 0.85)
    assert "lowest, base_momentum" in _wrong("08.3", 0.95, 0.9)
    assert "give both" in _wrong("08.3", 0.95)
    assert "give both" in _wrong("08.3", None, 0.85)

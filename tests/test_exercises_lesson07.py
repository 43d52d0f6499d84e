"""Lesson 07's exercises (warmup and cosine): the checks say "correct" to right answers and name the typical slips
in the learner's terms. The lesson's own stubs and solutions are run by tests/test_exercises.py."""

import math

from torch.optim import lr_scheduler

from lrlab import schedules
from lrlab.exercises import check

EPOCHS, WARMUP, LR = 30, 5, 0.1


def _wrong(exercise, *answer):
    verdict = check(exercise, *answer)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


def _factor(warmup=lambda e: 0.1 + 0.9 * e / WARMUP, t=lambda e: e - WARMUP, length=EPOCHS - WARMUP, floor=0.1,
            height=0.9):
    return lambda e: warmup(e) if e < WARMUP else floor + height * (1 + math.cos(math.pi * t(e) / length)) / 2


# --- 07.1: warmup + cosine to eta_min = 0.1 * LR as one LambdaLR lambda -------------------------------------------
def test_07_1_right_and_the_oracle_is_pytorch():
    verdict = check("07.1", _factor())
    assert verdict and "every epoch" in verdict.message
    # the oracle: a real SequentialLR(LinearLR -> CosineAnnealingLR(eta_min=0.1 * LR))
    seq = schedules.preview(lambda o: lr_scheduler.SequentialLR(o, [
        lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=WARMUP),
        lr_scheduler.CosineAnnealingLR(o, T_max=EPOCHS - WARMUP, eta_min=0.1 * LR)], milestones=[WARMUP]),
        EPOCHS, lr=LR)["lr"]
    assert all(math.isclose(LR * _factor()(e), lr, rel_tol=1e-9, abs_tol=1e-15) for e, lr in enumerate(seq))


def test_07_1_typical_slips_are_named():
    assert "ends at 0, as section 1's does" in _wrong("07.1", _factor(floor=0, height=1))
    assert "eta_min = 0.01 is an LR" in _wrong("07.1", _factor(floor=0.01, height=0.99))
    assert "starts at 1.1 at the milestone" in _wrong("07.1", _factor(height=1))
    assert "cut short" in _wrong("07.1", _factor(length=EPOCHS))
    assert "clock starts at epoch 0, not at the milestone" in _wrong("07.1", _factor(t=lambda e: e))
    assert "one epoch early: its length is EPOCHS - WARMUP - 1" in _wrong("07.1", _factor(length=EPOCHS - WARMUP - 1))
    assert "full LR one epoch early" in _wrong("07.1", _factor(warmup=lambda e: 0.1 + 0.9 * (e + 1) / WARMUP))
    assert "starts from 0" in _wrong("07.1", _factor(warmup=lambda e: e / WARMUP))
    assert "returns LRs" in _wrong("07.1", lambda e: LR * _factor()(e))


def test_07_1_other_mistakes_point_at_the_first_wrong_epoch():
    shifted = _factor(warmup=lambda e: 0.2 + 0.8 * e / WARMUP)  # another start factor
    assert "first differ from the SequentialLR's at epoch 0, in the warmup" in _wrong("07.1", shifted)
    late = lambda e: _factor()(e) if e < 20 else 0.5  # noqa: E731
    assert "at epoch 20, in the cosine" in _wrong("07.1", late)


def test_07_1_bad_functions_are_explained():
    assert "warmup_cosine_factor(0) raised ZeroDivisionError" in _wrong("07.1", lambda e: 1 / e)
    assert "warmup_cosine_factor(0) returned None" in _wrong("07.1", lambda e: None)
    assert "expected a function" in _wrong("07.1", 0.5)
    assert "is the text" in _wrong("07.1", lambda e: "0.1")


# --- 07.2: milestone and T_max counted in batches ---------------------------------------------------------------
def test_07_2_right():
    verdict = check("07.2", 100, 900)
    assert verdict and "ends with the run" in verdict.message


def test_07_2_typical_slips_are_named():
    assert "counts epochs, but the scheduler is stepped after every batch" in _wrong("07.2", 2, 900)
    assert "the task warms up for 2 epochs" in _wrong("07.2", 50, 900)
    assert "is the whole run" in _wrong("07.2", 100, 1000)
    message = _wrong("07.2", 100, 18)
    assert "T_max=18 counts epochs" in message and "rises again" in message
    assert "rises again before the run ends" in _wrong("07.2", 100, 500)
    assert "the last batch trains with" in _wrong("07.2", 100, 899)   # off by one: the last batch gets LR 0
    assert "the last batch trains with" in _wrong("07.2", 100, 950)


def test_07_2_bad_input_is_explained():
    assert "give both" in _wrong("07.2", 100, None)
    assert "whole number" in _wrong("07.2", 100.5, 900)
    assert "whole number" in _wrong("07.2", 0, 900)


# --- 07.3: warm restarts (moved from tests/test_exercises.py) -------------------------------------------------
def test_07_3_restarts_right_and_wrong_ones():
    right = schedules.preview("CosineAnnealingWarmRestarts", 30, T_0=3, T_mult=2)
    assert check("07.3", right)
    rises = [e for e in range(1, 30) if right["lr"][e] > right["lr"][e - 1]]  # the oracle's restarts
    assert rises == [3, 9, 21] and check("07.3", rises)
    message = _wrong("07.3", schedules.preview("CosineAnnealingWarmRestarts", 30, T_0=3, T_mult=1))
    assert "your LR rises again after epochs 3, 6, 9" in message
    assert "has 20" not in message and "20 LRs" in _wrong("07.3", schedules.preview(
        "CosineAnnealingWarmRestarts", 20, T_0=3, T_mult=2))
    lengths = [b - a for a, b in zip([0] + rises, rises, strict=False)]
    assert "lengths of the cycles" in _wrong("07.3", lengths)
    assert f"after epoch {rises[1] + 1} the LR" in _wrong("07.3", [rises[0], rises[1] + 1, rises[2]])
    assert "jumps up 3 times" in _wrong("07.3", [3, 9])
    assert "outside the 30-epoch run" in _wrong("07.3", [3, 9, 21, 45])


def test_07_1_a_negative_factor_is_explained():
    assert "negative factor" in _wrong("07.1", lambda e: math.cos(math.pi * e / 10))

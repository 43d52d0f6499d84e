"""Lesson 11's exercise (classic scheduler mistakes): the check says "correct" to a per-batch warmup + cosine whose
lint is silent and whose PyTorch LRs follow the plan, and names the typical slips in the learner's terms. The
lesson's own stub and solution are run by tests/test_exercises.py."""

import math

import torch
from torch.optim import lr_scheduler

from lrlab import schedules
from lrlab.exercises import check


def _wrong(*answer):
    verdict = check("11.3", *answer)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


def warmup_cosine(total_iters, milestone, t_max, start_factor=0.1):
    def make(o):
        warmup = lr_scheduler.LinearLR(o, start_factor=start_factor, total_iters=total_iters)
        cosine = lr_scheduler.CosineAnnealingLR(o, T_max=t_max)
        return lr_scheduler.SequentialLR(o, [warmup, cosine], milestones=[milestone])
    return make


def test_11_3_right_answers_and_the_oracle_is_pytorch():
    assert check("11.3", warmup_cosine(80, 80, 400))
    assert check("11.3", lambda o: schedules.warmup_cosine(o, 80, 480))  # lrlab's builder: the same schedule
    same = lambda o: lr_scheduler.LambdaLR(o, lambda k: 0.1 + 0.9 * k / 80 if k < 80  # noqa: E731
                                           else (1 + math.cos(math.pi * (k - 80) / 400)) / 2)
    assert check("11.3", same)  # the same LRs by another scheduler are right too
    # the oracle: the real SequentialLR stepped 480 times equals the closed form the check compares with
    lrs = schedules.preview(warmup_cosine(80, 80, 400), 12, 40, step_on="batch", lr=0.1)["lr"]
    plan = [0.1 * (0.1 + 0.9 * k / 80) if k < 80 else 0.05 * (1 + math.cos(math.pi * (k - 80) / 400))
            for k in range(480)]
    assert all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(lrs, plan, strict=True))


def test_11_3_the_broken_schedule_and_half_fixes_are_named_by_the_lint():
    message = _wrong(warmup_cosine(2, 2, 10))  # the broken schedule itself
    assert "per-epoch-stepped-per-batch" in message and "cosine-rises" in message
    assert "per-epoch-stepped-per-batch] LinearLR" in _wrong(warmup_cosine(2, 2, 400))  # only T_max fixed
    assert "[cut-short] CosineAnnealingLR(T_max=480)" in _wrong(warmup_cosine(80, 80, 480))  # T_max = the whole run
    assert "milestone-mismatch" in _wrong(warmup_cosine(2, 80, 400))  # total_iters left in epochs
    assert "[lr-vanishes]" in _wrong(warmup_cosine(80, 80, 399))  # reaches 0 on the last step: that step is wasted


def test_11_3_a_silent_lint_is_not_enough_the_lrs_must_follow_the_plan():
    assert "your first step trains with LR 0.05; the plan starts the warmup at 0.1 x 0.1 = 0.01" in _wrong(
        warmup_cosine(80, 80, 400, start_factor=0.5))
    message = _wrong(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=480))  # no warmup at all
    assert "your first step trains with LR 0.1;" in message
    late = _wrong(lambda o: schedules.warmup_cosine(o, 120, 480))  # 3 epochs of warmup instead of 2
    assert "your warmup reaches the full LR at step 120 (epoch 4, batch 1)" in late and "count batches too" in late


def test_11_3_wrong_kinds_of_answer_are_explained():
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    assert "give the function that builds it" in _wrong(lr_scheduler.CosineAnnealingLR(opt, T_max=480))
    assert "on another optimizer than the one it is given" in _wrong(
        lambda o: lr_scheduler.CosineAnnealingLR(opt, T_max=480))
    assert "must return a scheduler" in _wrong(lambda o: 480)
    assert "raised TypeError" in _wrong(lambda: None)

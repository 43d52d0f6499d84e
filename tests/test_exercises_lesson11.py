"""Lesson 11's exercise (classic scheduler mistakes): the check says "correct" to a schedule whose lint is silent and
whose PyTorch LRs follow one cosine over the run, and names the typical slips in the learner's terms. The lesson's
own stub and solution are run by tests/test_exercises.py."""

import math

import torch
from torch.optim import lr_scheduler

from lrlab import schedules
from lrlab.exercises import check


def _wrong(*answer):
    verdict = check("11.3", *answer)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


def cosine(t_max, **kwargs):
    return lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=t_max, **kwargs)


def test_11_3_right_answers_and_the_oracle_is_pytorch():
    assert check("11.3", cosine(30 * 9))
    same = lambda o: lr_scheduler.LambdaLR(o, lambda k: (1 + math.cos(math.pi * k / 270)) / 2)  # noqa: E731
    assert check("11.3", same)  # the same LRs by another scheduler are right too
    # the oracle: a real CosineAnnealingLR stepped 270 times equals the closed form the check compares with
    lrs = schedules.preview(cosine(270), 30, 9, step_on="batch", lr=0.1)["lr"]
    assert all(math.isclose(lr, 0.05 * (1 + math.cos(math.pi * k / 270)), rel_tol=1e-9, abs_tol=1e-12)
               for k, lr in enumerate(lrs))


def test_11_3_the_broken_schedule_and_near_misses_are_named_by_the_lint():
    message = _wrong(cosine(30))  # the broken schedule itself
    assert "per-epoch-stepped-per-batch" in message and "cosine-rises" in message
    assert "[cut-short] CosineAnnealingLR(T_max=271)" in _wrong(cosine(271))  # one step too long
    assert "[lr-vanishes]" in _wrong(cosine(269))  # reaches 0 on the last step: that step is wasted
    assert "per-epoch-stepped-per-batch" in _wrong(lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=30))


def test_11_3_a_silent_lint_is_not_enough_the_lrs_must_follow_the_cosine():
    message = _wrong(cosine(270, eta_min=0.01))
    assert "the lint is silent, but the LR is not one cosine" in message and "yours is 0.01" in message
    assert "at step 0 (epoch 1) yours is 0.004" in _wrong(
        lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=270))  # a warmup first


def test_11_3_wrong_kinds_of_answer_are_explained():
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    assert "give the function that builds it" in _wrong(lr_scheduler.CosineAnnealingLR(opt, T_max=270))
    assert "on another optimizer than the one it is given" in _wrong(
        lambda o: lr_scheduler.CosineAnnealingLR(opt, T_max=270))
    assert "must return a scheduler" in _wrong(lambda o: 270)
    assert "raised TypeError" in _wrong(lambda: None)

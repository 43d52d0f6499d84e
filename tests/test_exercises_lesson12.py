"""Lesson 12's exercise (schedules in real training code): the check says "correct" to a weight_left that is a real
AdamW's decay over a run, and names the typical slips in the learner's terms. The lesson's own stub and solution are
run by tests/test_exercises.py."""

import math

import torch

from lrlab.exercises import check
from lrlab.exercises.lesson12 import _adamw_left, _lrs


def _wrong(answer):
    verdict = check("12.4", answer)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


def weight_left(lrs, weight_decay):
    left = 1.0
    for lr in lrs:
        left *= 1 - lr * weight_decay
    return left


def test_12_4_right_answers_and_the_oracle_is_adamw():
    verdict = check("12.4", weight_left)
    assert verdict and "leaves 0.9048 of a weight, a cosine from 1e-3 to 0 leaves 0.9512" in repr(verdict)
    assert check("12.4", lambda lrs, wd: math.prod(1 - lr * wd for lr in lrs))
    assert check("12.4", lambda lrs, wd: torch.tensor(weight_left(lrs, wd)))  # a one-number tensor is a number
    # the oracle: a real AdamW (float32 too) on a weight with a zero gradient shrinks by 1 - lr * wd each step
    for name in ("constant", "warmup + cosine", "one-cycle"):
        lrs = _lrs(name)
        assert math.isclose(_adamw_left(lrs, 0.2), weight_left(lrs, 0.2), rel_tol=1e-12)
        w = torch.ones(1, requires_grad=True)
        opt = torch.optim.AdamW([w], lr=lrs[0], weight_decay=0.2)
        for lr in lrs:
            opt.param_groups[0]["lr"] = lr
            w.grad = torch.zeros_like(w)
            opt.step()
        assert math.isclose(w.item(), weight_left(lrs, 0.2), rel_tol=1e-5)
    assert len(set(_lrs("warmup + cosine"))) > 100 and max(_lrs("one-cycle")) > 10 * min(_lrs("one-cycle"))


def test_12_4_typical_slips_are_named():
    assert "you used the first LR for every step" in _wrong(lambda lrs, wd: (1 - lrs[0] * wd) ** len(lrs))
    assert "is the approximation for small steps" in _wrong(lambda lrs, wd: math.exp(-wd * sum(lrs)))
    assert "the decays do not add up, they multiply" in _wrong(lambda lrs, wd: 1 - wd * sum(lrs))
    assert "but a real AdamW leaves 0.358486" in _wrong(lambda lrs, wd: 0.5)


def test_12_4_wrong_kinds_of_answer_are_explained():
    assert "expected a function weight_left(lrs, weight_decay); you gave a float (0.9)" in _wrong(0.9)
    assert "raised TypeError" in _wrong(lambda lrs: 0.5)
    assert "must be a number" in _wrong(lambda lrs, wd: [weight_left(lrs, wd)] * 2)
    assert "give the number itself" in _wrong(lambda lrs, wd: [weight_left(lrs, wd)])

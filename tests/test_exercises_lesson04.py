"""Lesson 04's exercises (why schedule the LR at all): each check says "correct" to right answers written in other
ways, and names the mistake in typical wrong ones, read off real PyTorch (LambdaLR against MultiStepLR, SGD on the
noisy bowl)."""

import pytest
import torch

from lrlab import landscape
from lrlab.exercises import check
from lrlab.exercises.lesson04 import measured_radius


def _wrong(exercise, *answer):
    verdict = check(exercise, *answer)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


# --- 04.1: the step cut as a LambdaLR lambda ----------------------------------------------------------------------
@pytest.mark.parametrize("right", [lambda e: 1.0 if e < 8 else 0.1, lambda e: 0.1 ** (e >= 8),
                                   lambda e: 0.1 ** min(e // 8, 1), lambda e: torch.tensor(0.1 if e >= 8 else 1.0)],
                         ids=["if-else", "power-of-bool", "integer-division", "tensor"])
def test_04_1_right_lambdas_in_several_forms(right):
    verdict = check("04.1", right)
    assert verdict and "0.5 in epochs 1-8, 0.05 after" in verdict.message


def test_04_1_the_cut_one_epoch_off_either_way():
    assert "every change comes 1 epoch late" in _wrong("04.1", lambda e: 1.0 if e <= 8 else 0.1)
    assert "every change comes 1 epoch early" in _wrong("04.1", lambda e: 1.0 if e < 7 else 0.1)


def test_04_1_an_lr_instead_of_a_factor():
    message = _wrong("04.1", lambda e: 0.5 if e < 8 else 0.05)
    assert "first epoch trains with 0.25 = 0.5 x 0.5" in message and "return the factor" in message
    message = _wrong("04.1", lambda e: 1.0 if e < 8 else 0.05)
    assert "after the cut your LR is 0.025" in message and "not the LR 0.05" in message


def test_04_1_another_shape_is_named():
    assert "your LR halves after epoch 8" in _wrong("04.1", lambda e: 1.0 if e < 8 else 0.5)
    assert "stays at 0.5" in _wrong("04.1", lambda e: 1.0)
    assert "multiplied by 0.8 every epoch" in _wrong("04.1", lambda e: 0.8 ** e)


def test_04_1_a_function_that_fails_or_returns_no_number_is_explained():
    assert "lr_lambda(0) returned None" in _wrong("04.1", lambda e: None)
    assert "lr_lambda(3) raised ZeroDivisionError" in _wrong("04.1", lambda e: 1 / (e - 3))
    assert "a function of the epoch number" in _wrong("04.1", 0.1)  # the factor, not a function


# --- 04.2: predict the cloud ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [0.125, landscape.stationary_spread(0.025), 0.12, 0.13])
def test_04_2_the_square_root_rule_and_the_exact_radius_are_right(answer):
    verdict = check("04.2", answer)
    assert verdict and "about half the radius" in verdict.message
    low, high = measured_radius()
    assert f"radius {low:.3f} to {high:.3f}" in verdict.details[0]


def test_04_2_the_measured_cloud_agrees_with_the_theory():
    low, high = measured_radius()
    assert low < landscape.stationary_spread(0.025) < high


def test_04_2_typical_wrong_predictions():
    assert "does not grow in proportion to the LR" in _wrong("04.2", 0.25 / 4)
    assert "with the square of the LR" in _wrong("04.2", 0.25 / 16)
    assert "is the radius at LR 0.1" in _wrong("04.2", 0.25)
    assert "too large" in _wrong("04.2", 0.2) and "too small" in _wrong("04.2", 0.03)
    assert "a distance, > 0" in _wrong("04.2", -0.125)
    assert "is the text" in _wrong("04.2", "0.125")

"""Lesson 06's exercises (ReduceLROnPlateau): the checks say "correct" to right answers and name the typical slips
in the learner's terms, read off a real ReduceLROnPlateau (lrlab.plateau.trace). The lesson's own stubs and
solutions are run by tests/test_exercises.py."""

import math

import pytest
import torch
from torch.optim import lr_scheduler

from lrlab import plateau
from lrlab.exercises import check

SLOW = [1.0 - 3e-5 * i for i in range(30)]


def _wrong(exercise, *answer):
    verdict = check(exercise, *answer)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


# --- 06.1: predict the cuts of a slowly falling loss ------------------------------------------------------------
def test_06_1_right_and_the_oracle_is_pytorch():
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=2)
    cuts = []
    for epoch, metric in enumerate(SLOW, start=1):
        before = opt.param_groups[0]["lr"]
        sched.step(metric)
        if opt.param_groups[0]["lr"] < before:
            cuts.append(epoch)
    verdict = check("06.1", cuts)
    assert verdict and str(cuts) in verdict.message
    assert check("06.1", tuple(cuts))


def test_06_1_typical_slips_are_named():
    right = plateau.trace(SLOW, patience=2)["cuts"]
    assert "as if every epoch improved" in _wrong("06.1", [])
    assert "one epoch early" in _wrong("06.1", [c - 1 for c in right])
    assert "one epoch late" in _wrong("06.1", [c + 1 for c in right])
    assert "as if the loss never improved" in _wrong("06.1", list(range(3, 31, 3)))
    assert f"PyTorch's: {right}" in _wrong("06.1", right[:2])
    assert "list of epoch numbers" in _wrong("06.1", 4) and "whole epoch numbers" in _wrong("06.1", [4.0, 8.0])


# --- 06.2: the rule, written by hand ----------------------------------------------------------------------------
def _rule(early=False, reset=True, strict=True, rel=True, start=1, best0=math.inf):
    def cut_epochs(metrics, patience, threshold):
        best, bad, cuts = best0 if best0 is not None else metrics[0], 0, []
        for epoch, m in enumerate(metrics, start=start):
            bar = best * (1 - threshold) if rel else best - threshold
            if m < bar if strict else m <= bar:
                best, bad = m, 0
            else:
                bad += 1
            if bad >= patience if early else bad > patience:
                cuts.append(epoch)
                bad = 0 if reset else bad
        return cuts
    return cut_epochs


def test_06_2_right():
    verdict = check("06.2", _rule())
    assert verdict and "on all" in verdict.message


@pytest.mark.parametrize(("slip", "named"), [
    ({"early": True}, "PyTorch waits for more than patience"),
    ({"reset": False}, "sets num_bad_epochs back to 0 after every cut"),
    ({"strict": False}, "an equal value is a bad epoch"),
    ({"rel": False}, "threshold_mode='abs'"),
    ({"start": 0}, "count them from 1"),
    ({"best0": None}, "PyTorch starts with best = inf"),
])
def test_06_2_typical_slips_are_named(slip, named):
    message = _wrong("06.2", _rule(**slip))
    assert named in message and "your function says" in message and "PyTorch [" in message


def test_06_2_no_threshold_and_broken_functions_are_explained():
    def no_threshold(metrics, patience, threshold):
        return _rule()(metrics, patience, 0.0)
    assert "a fall smaller than threshold * best is a bad epoch" in _wrong("06.2", no_threshold)
    assert "raised ZeroDivisionError" in _wrong("06.2", lambda metrics, patience, threshold: 1 / 0)
    assert "returns None" in _wrong("06.2", lambda metrics, patience, threshold: None)
    assert "expected a function cut_epochs" in _wrong("06.2", [12, 23])


# --- 06.3: mode="min" on an accuracy ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wine_run():
    from tests.test_exercises import _namespace

    return _namespace("06")["wine_run"]


@pytest.mark.filterwarnings("ignore:ReduceLROnPlateau.*is given monitor")  # lrlab.fit warns of this very slip
def test_06_3_the_schedulers_best_and_typical_slips(wine_run):
    args = {"monitor": "val_acc", "mode": "min", "factor": 0.1, "patience": 10}
    h, _, scheduler = wine_run(**args)
    # the oracle is PyTorch: the scheduler's own best, which mode="min" sets to the lowest accuracy of the run
    assert scheduler.best == min(h.val_acc) == h.val_acc[0]
    verdict = check("06.3", scheduler.best)
    assert verdict and "the first epoch's accuracy" in verdict.message
    assert check("06.3", torch.tensor(scheduler.best))
    assert "what mode='max' would keep" in _wrong("06.3", max(h.val_acc))
    assert "what mode='max' would keep" in _wrong("06.3", wine_run(**args | {"mode": "max"})[2].best)
    assert "a validation loss" in _wrong("06.3", wine_run(**args | {"monitor": "val_loss"})[2].best)
    assert "before any step" in _wrong("06.3", math.inf)
    assert "you passed the History" in _wrong("06.3", h)
    assert "you passed what wine_run returns" in _wrong("06.3", (h, None, scheduler))
    assert "the scheduler itself" in _wrong("06.3", scheduler)
    assert "is not what the scheduler holds" in _wrong("06.3", 0.5)

"""Lesson 02's exercise checks name the typical wrong answers in the learner's terms (02.1 and 02.3 moved here from
tests/test_exercises.py, where they were 01.3 and 01.5; the stubs and solutions themselves are run there)."""

import math

import torch
from torch.optim import lr_scheduler

from lrlab import data, models
from lrlab.exercises import check, hint


def _wrong(exercise, *answer, **context):
    verdict = check(exercise, *answer, **context)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


# --- 02.1: the two-group optimizer ---------------------------------------------------------------------------
def _groups(model, out_lr=0.5, rest_lr=0.05, rest=("fc1", "fc2")):
    params = [p for name in rest for p in getattr(model, name).parameters()]
    return torch.optim.SGD([{"params": model.fc3.parameters(), "lr": out_lr}, {"params": params}], lr=rest_lr)


def test_02_1_two_groups_wrong_ones():
    model = models.WineMLP()
    verdict = check("02.1", _groups(model), model=model)
    assert verdict and "[0.5, 0.05]" in verdict.details[0]
    assert "fc2.weight, fc2.bias are in no group" in _wrong("02.1", _groups(model, rest=("fc1",)), model=model)
    assert "group of model.fc3 has lr=0.05" in _wrong("02.1", _groups(model, 0.05, 0.5), model=model)
    assert "has 1 group;" in _wrong("02.1", torch.optim.SGD(model.parameters(), lr=0.05), model=model)
    assert "your optimizer is Adam" in _wrong("02.1", torch.optim.Adam(model.parameters()), model=model)
    assert "list of groups itself" in _wrong("02.1", [{"params": model.parameters()}], model=model)
    assert "pass the model" in _wrong("02.1", _groups(model))
    assert "not model's" in _wrong("02.1", _groups(models.WineMLP()), model=model)


# --- 02.3: a hand edit under CosineAnnealingLR: it carries on (chainable) --------------------------------------
def _hand_edit(make, steps_after_edit=1, edit=True):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = make(opt)
    opt.step()
    sched.step()
    if edit:
        opt.param_groups[0]["lr"] = 0.3
    for _ in range(steps_after_edit):
        opt.step()
        sched.step()
    return opt.param_groups[0]["lr"], sched


COSINE = lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10)  # noqa: E731


def test_02_3_the_cosine_multiplies_the_lr_it_finds():
    lr, sched = _hand_edit(COSINE)
    ratio = (1 + math.cos(2 * math.pi / 10)) / (1 + math.cos(math.pi / 10))
    assert math.isclose(lr, 0.3 * ratio, rel_tol=1e-12)  # chainable on every torch the course runs on
    verdict = check("02.3", lr, sched=sched)
    assert verdict and "carried on" in verdict.message and "chainable" in verdict.details[0]
    assert "0.09045" in verdict.details[1] and "3.08 times higher" in verdict.details[1]
    assert check("02.3", lr)  # without the scheduler: the number alone


def test_02_3_hand_edit_wrong_ones():
    lr, sched = _hand_edit(COSINE)
    assert "right after your edit" in _wrong("02.3", 0.3)
    recomputed = 0.1 * (1 + math.cos(2 * math.pi / 10)) / 2
    assert "recomputes from initial_lr" in _wrong("02.3", recomputed)  # the closed form guessed, not run
    unedited, sched0 = _hand_edit(COSINE, edit=False)
    assert "the hand edit is missing" in _wrong("02.3", unedited, sched=sched0)
    lr3, sched3 = _hand_edit(COSINE, steps_after_edit=2)  # one step too many
    assert "stepped 3 times" in _wrong("02.3", lr3, sched=sched3)
    _, step_lr = _hand_edit(lambda o: lr_scheduler.StepLR(o, step_size=1, gamma=0.5))
    assert "the cell's CosineAnnealingLR" in _wrong("02.3", lr, sched=step_lr)
    assert "a list with one number" in _wrong("02.3", [lr])


# --- 02.4: the SGD LR whose first step matches Adam(lr=0.01)'s on the largest gradient ---------------------------
def _largest_gradient(seed=0):
    model = models.WineMLP(seed=seed)
    wine = data.wine()
    torch.nn.functional.cross_entropy(model(wine.tensors["X_train"]), wine.tensors["y_train"]).backward()
    return max(p.grad.abs().max().item() for p in model.parameters())


def test_02_4_checked_by_a_real_sgd_step():
    g = _largest_gradient()
    verdict = check("02.4", 0.01 / g)
    assert verdict and "median" in verdict.details[0]
    assert check("02.4", torch.tensor(0.01 / g))  # a one-number tensor, as max(...) of tensors gives


def test_02_4_wrong_ones():
    g = _largest_gradient()
    assert "that is Adam's lr" in _wrong("02.4", 0.01)
    assert "you multiplied 0.01 by the largest gradient" in _wrong("02.4", 0.01 * g)
    assert "smaller than the largest one" in _wrong("02.4", 0.02 / g)  # e.g. one tensor's largest, not the model's
    assert "not by a sum or a norm" in _wrong("02.4", 0.005 / g)
    assert "a number > 0" in _wrong("02.4", -0.01 / g)


def test_02_hints_come_in_two_levels():
    for exercise in ("02.1", "02.3", "02.4"):
        gentle, stronger = hint(exercise, level=1), hint(exercise, level=2)
        assert gentle != stronger and "torch.optim.SGD([" not in gentle
        assert "torch.optim.SGD([" not in stronger and "lr_after = " not in stronger  # one step short of the answer

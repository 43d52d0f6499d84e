"""lrlab.schedules.warmup_cosine: the same LRs as SequentialLR(LinearLR, CosineAnnealingLR) built by hand."""

import math

import pytest
import torch
from torch.optim import lr_scheduler

from lrlab import schedules
from lrlab.lint import lint_schedule
from lrlab.schedules import warmup_cosine


def by_hand(warmup, total, start_factor=0.1, eta_min=0.0):
    def factory(opt):
        return lr_scheduler.SequentialLR(opt, milestones=[warmup], schedulers=[
            lr_scheduler.LinearLR(opt, start_factor=start_factor, total_iters=warmup),
            lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=eta_min)])
    return factory


@pytest.mark.parametrize(("warmup", "total", "start_factor", "eta_min"),
                         [(5, 30, 0.1, 0.0), (1, 2, 0.5, 0.0), (3, 40, 0.01, 1e-3)])
def test_same_lrs_as_pytorch_built_by_hand(warmup, total, start_factor, eta_min):
    ours = schedules.preview(lambda o: warmup_cosine(o, warmup, total, start_factor=start_factor, eta_min=eta_min),
                             total)
    assert ours["lr"] == schedules.preview(by_hand(warmup, total, start_factor, eta_min), total)["lr"]


def test_warmup_rises_to_the_peak_then_the_cosine_ends_at_eta_min_when_the_run_does():
    lrs = schedules.preview(lambda o: warmup_cosine(o, 5, 30, eta_min=1e-3), 31, lr=0.1)["lr"]
    assert math.isclose(lrs[0], 0.01) and all(a < b for a, b in zip(lrs[:5], lrs[1:6], strict=True))
    assert math.isclose(lrs[5], 0.1) and math.isclose(lrs[30], 1e-3)   # the 31st step: exactly eta_min
    assert lint_schedule(lambda o: warmup_cosine(o, 5, 30), 30) == []


def test_every_param_group_keeps_its_own_peak():
    w = [torch.zeros(1, requires_grad=True) for _ in range(2)]
    opt = torch.optim.SGD([{"params": [w[0]], "lr": 0.01}, {"params": [w[1]], "lr": 0.1}])
    sched = warmup_cosine(opt, 2, 10)
    for _ in range(6):
        opt.step()
        sched.step()
        small, large = sched.get_last_lr()
        assert math.isclose(large, 10 * small)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"warmup": 0, "total": 10}, "warmup=0"), ({"warmup": 2.5, "total": 10}, "warmup=2.5"),
    ({"warmup": 5, "total": 5}, "total=5 must be larger than warmup=5"),
    ({"warmup": 2, "total": 10, "start_factor": 0}, "start_factor=0"),
    ({"warmup": 2, "total": 10, "eta_min": -1.0}, "eta_min=-1.0")])
def test_bad_lengths_and_factors_raise_value_errors(kwargs, match):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match=match):
        warmup_cosine(opt, **kwargs)

"""lrlab.lint.lint_schedule: each finding fires on its bad case and stays silent on the correct one."""

import pytest

from lrlab import schedules
from lrlab.lint import lint_schedule


def make(name, **params):
    return lambda opt: schedules.make(name, opt, **params)


def warmup_cosine(warmup, milestone, t_max):
    def factory(opt):
        return schedules.make("SequentialLR", opt, milestones=[milestone], schedulers=[
            schedules.make("LinearLR", opt, start_factor=0.1, total_iters=warmup),
            schedules.make("CosineAnnealingLR", opt, T_max=t_max)])
    return factory


def plateau_in_sequential(opt):
    return schedules.make("SequentialLR", opt, milestones=[3], schedulers=[
        schedules.make("LinearLR", opt, total_iters=3), schedules.make("ReduceLROnPlateau", opt)])


# code -> (bad case, the same intent done right); each case: (factory, num_epochs, steps_per_epoch, step_on)
CASES = {
    "one-cycle-overrun": ((make("OneCycleLR", max_lr=0.1, total_steps=50), 10, 10, "batch"),
                          (make("OneCycleLR", max_lr=0.1, total_steps=100), 10, 10, "batch")),
    "per-batch-stepped-per-epoch": ((make("OneCycleLR", max_lr=0.1, total_steps=100), 10, 10, "epoch"),
                                    (make("OneCycleLR", max_lr=0.1, total_steps=100), 10, 10, "batch")),
    "per-epoch-stepped-per-batch": ((make("StepLR", step_size=3), 10, 20, "batch"),
                                    (make("StepLR", step_size=3), 10, 20, "epoch")),
    "cosine-rises": ((make("CosineAnnealingLR", T_max=10), 15, 1, "epoch"),
                     (make("CosineAnnealingLR", T_max=15), 15, 1, "epoch")),
    "lr-vanishes": ((make("ExponentialLR", gamma=0.1), 10, 1, "epoch"),
                  (make("ExponentialLR", gamma=0.7), 10, 1, "epoch")),
    "milestone-unreached": ((warmup_cosine(5, 20, 10), 15, 1, "epoch"),
                            (warmup_cosine(5, 5, 10), 15, 1, "epoch")),
    "milestone-mismatch": ((warmup_cosine(5, 8, 7), 15, 1, "epoch"),
                           (warmup_cosine(5, 5, 10), 15, 1, "epoch")),
    "plateau-in-container": ((plateau_in_sequential, 10, 1, "epoch"),
                             (make("ReduceLROnPlateau", patience=2), 10, 1, "epoch")),
    "cut-short": ((warmup_cosine(5, 5, 30), 30, 1, "epoch"),
                  (warmup_cosine(5, 5, 25), 30, 1, "epoch")),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_finding_fires_on_the_bad_case(code):
    bad, _ = CASES[code]
    assert code in [f.code for f in lint_schedule(*bad)]


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_correct_schedule_is_clean(code):
    _, good = CASES[code]
    assert lint_schedule(*good) == []


def test_overrun_message_gives_the_fix():
    (finding,) = lint_schedule(*CASES["one-cycle-overrun"][0])
    assert "total_steps=50" in finding.message and "total_steps=100" in finding.message


def test_warm_restarts_may_rise_without_a_finding():
    assert lint_schedule(make("CosineAnnealingWarmRestarts", T_0=5), 15) == []


def test_verbose_prints_each_finding(capsys):
    lint_schedule(make("CosineAnnealingLR", T_max=10), 15, verbose=True)
    assert capsys.readouterr().out.startswith("[cosine-rises] CosineAnnealingLR(T_max=10)")
    lint_schedule(make("CosineAnnealingLR", T_max=15), 15, verbose=True)
    assert capsys.readouterr().out == "no problems found\n"


def test_factory_must_be_callable():
    with pytest.raises(ValueError, match="scheduler_factory"):
        lint_schedule("StepLR", 10)


def test_cut_short_names_the_fix_and_spots_batch_counts_stepped_per_epoch():
    (finding,) = lint_schedule(*CASES["cut-short"][0])
    assert "T_max=30" in finding.message and "Set T_max=25" in finding.message
    # T_max counted in batches (10 epochs x 23 batches) but stepped once per epoch: 10 of its 230 steps
    codes = [f for f in lint_schedule(make("CosineAnnealingLR", T_max=230), 10, 23, "epoch") if f.code == "cut-short"]
    assert len(codes) == 1 and "step it after every batch" in codes[0].message
    assert lint_schedule(make("CosineAnnealingLR", T_max=230), 10, 23, "batch") == []

"""Lesson 09's exercise (a schedule of your own in the comparison): the check says "correct" to PyTorch's linear decay
stepped per batch, and names the typical slips. The runs here are Histories built from real schedulers' LR curves (the
check reads the LRs, the epochs and the first losses); tests/test_exercises.py trains the lesson's own solution."""

from torch.optim import lr_scheduler

from lrlab import schedules
from lrlab.exercises import check
from lrlab.train import History

EPOCHS, BATCHES, PEAK = 12, 180, 0.5
STEPS = EPOCHS * BATCHES


def _wrong(*answer):
    verdict = check("09.1", *answer)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


def _run(factor=lambda k: 1 - k / STEPS, step_on="batch", seed=0, epochs=EPOCHS):
    """A History with the LRs a real LambdaLR(factor) gives, stepped per batch or per epoch, and seed-like losses."""
    lrs = schedules.preview(lambda o: lr_scheduler.LambdaLR(o, factor), epochs, BATCHES, step_on=step_on,
                            lr=PEAK)["lr"]
    return History(lr=lrs, loss=[2.3 + 0.01 * seed] * len(lrs), train_loss=[0.1] * epochs,
                   val_loss=[0.08 + 0.001 * seed] * epochs, val_acc=[0.97] * epochs)


def test_09_1_right():
    verdict = check("09.1", [_run(seed=s) for s in (0, 1, 2)])
    assert verdict and "PyTorch's linear decay to 0" in verdict.message
    assert "mean 0.081, from 0.080 to 0.082 over 3 seeds" in verdict.details[0]


def test_09_1_lambda_lr_is_pytorchs_polynomial_lr():
    mine = schedules.preview(lambda o: lr_scheduler.LambdaLR(o, lambda k: 1 - k / STEPS), EPOCHS, BATCHES,
                             step_on="batch", lr=PEAK)["lr"]
    poly = schedules.preview(lambda o: lr_scheduler.PolynomialLR(o, total_iters=STEPS, power=1), EPOCHS, BATCHES,
                             step_on="batch", lr=PEAK)["lr"]
    assert mine == poly


def test_09_1_typical_slips_are_named():
    per_epoch = [_run(lambda e: 1 - e / EPOCHS, step_on="epoch", seed=s) for s in (0, 1, 2)]
    assert "stepped once per epoch" in _wrong(per_epoch)
    one_epoch = [_run(seed=s) for s in (0, 1, 2)]
    for h in one_epoch:   # LambdaLR(lambda k: 1 - k / BATCHES): 0 after one epoch, then below (lrlab.fit keeps going)
        h.lr = [PEAK * (1 - k / BATCHES) for k in range(STEPS)]
    assert "goes below 0 at step 181" in _wrong(one_epoch)
    ahead = [_run(lambda k: 1 - (k + 1) / STEPS, seed=s) for s in (0, 1, 2)]
    assert "one scheduler step ahead" in _wrong(ahead)
    assert "the same first batch loss" in _wrong([_run(seed=0)] * 3)
    assert "you have 2 run(s)" in _wrong([_run(seed=0), _run(seed=1)])
    assert "has 6 epochs" in _wrong([_run(seed=s, epochs=6) for s in (0, 1, 2)])


def test_09_1_bad_input_is_explained():
    assert "you gave one History" in _wrong(_run())
    assert "expected a list of Histories" in _wrong({"linear": _run()})
    assert "in place 1 of your list" in _wrong([_run(), 0.08, _run(seed=2)])

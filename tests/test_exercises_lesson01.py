"""Lesson 01's exercise checks name the typical wrong answers in the learner's terms (moved here from
tests/test_exercises.py; the stubs and solutions themselves are run there)."""

import torch
from torch.nn import functional as F  # noqa: N812
from torch.optim import lr_scheduler

import lrlab
from lrlab import data, landscape, models
from lrlab.exercises import check, hint


def _wrong(exercise, *answer, **context):
    verdict = check(exercise, *answer, **context)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


# --- 01.1: the largest stable LR on the bowl with curvatures (0.5, 8) -------------------------------------------
def test_01_1_bound_is_checked_against_real_sgd_runs():
    verdict = check("01.1", 2 / 8)
    assert verdict and "2 / 8 = 0.25" in verdict.message
    assert "0.95 x 0.25" in verdict.details[0] and "diverged after" in verdict.details[1]
    assert check("01.1", 0.2501)  # the bound is a limit: an answer within 0.1 % of it is right
    assert check("01.1", landscape.stability_bound((0.5, 8)))


def test_01_1_wrong_ones_name_the_mistake():
    message = _wrong("01.1", 2 / 0.5)  # the flat direction's limit
    assert "1 - lr*8 = -31" in message and "real SGD at lr=4 diverged after" in message
    assert "2 / 0.5 is the limit for x alone" in message
    message = _wrong("01.1", 1 / 8)  # the 2 forgotten
    assert "both in size below 1, so it converges" in message and "exactly 0" in message
    assert "grows every step" in _wrong("01.1", 0.3)
    assert "find where |1 - lr*8| reaches 1" in _wrong("01.1", 0.2)
    assert "a number > 0" in _wrong("01.1", -0.25)
    assert "a list with one number" in _wrong("01.1", [0.25])
    assert "is the text" in _wrong("01.1", "0.25")


# --- 01.2: dead units, counted with a forward hook -----------------------------------------------------------
def _hooked(count, remove=True):
    """A dead_units that catches the layer's output with a forward hook and counts with ``count(output)``."""
    def dead_units(model, layer, X):
        outputs = []
        handle = layer.register_forward_hook(lambda module, inputs, output: outputs.append(output))
        with torch.no_grad():
            model(X)
        if remove:
            handle.remove()
        return count(outputs[0])
    return dead_units


def test_01_2_right_answers_in_several_forms():
    verdict = check("01.2", _hooked(lambda out: int((out <= 0).all(dim=0).sum())))
    assert verdict and "6 layers" in verdict.message
    assert any("after 8 epochs, its fc2: 10 of 10 dead" in d for d in verdict.details)  # section 6's table, to the end
    assert any("fc2: 2 of 10 dead" in d for d in verdict.details)  # two units are dead from the start
    assert check("01.2", _hooked(lambda out: int((~(out > 0).any(dim=0)).sum())))
    assert check("01.2", _hooked(lambda out: (out <= 0).all(dim=0).sum()))  # a one-number integer tensor
    assert check("01.2", _hooked(lambda out: float((out <= 0).all(dim=0).sum())))


def test_01_2_wrong_ones_name_the_mistake():
    assert "still on the layer" in _wrong("01.2", _hooked(lambda out: int((out <= 0).all(0).sum()), remove=False))
    message = _wrong("01.2", lambda model, layer, X: int((layer(X) <= 0).all(0).sum()))  # the layer fed X itself
    assert "raised RuntimeError" in message and "run model(X)" in message
    assert "number of live units" in _wrong("01.2", _hooked(lambda out: int((out > 0).any(0).sum())))
    assert "negative, not 0" in _wrong("01.2", _hooked(lambda out: int((out == 0).all(0).sum())))
    assert "counted entries" in _wrong("01.2", _hooked(lambda out: int((out <= 0).sum())))
    assert "one entry per unit" in _wrong("01.2", _hooked(lambda out: (out <= 0).all(0)))
    assert "a function dead_units(model, layer, X)" in _wrong("01.2", 10)


def test_01_2_the_check_leaves_the_learner_s_generators_alone():
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    assert check("01.2", _hooked(lambda out: int((out <= 0).all(0).sum())))
    assert torch.equal(torch.rand(3), before)


# --- 01.3: the learner's own Adam loop -----------------------------------------------------------------------
def _loop(optimizer=torch.optim.Adam, lr=0.01, epochs=50, zero_grad=True, scheduler=True, keep_tensors=False,
          after_step=False, seed=0):
    """The learner's loop, right or with one classic slip."""
    model = models.WineMLP(seed=seed)
    opt = optimizer(model.parameters(), lr=lr)
    sched = lr_scheduler.LambdaLR(opt, lambda epoch: 1.0) if scheduler else None
    wine = data.wine()
    X, y = wine.tensors["X_train"], wine.tensors["y_train"]
    losses = []
    for _ in range(epochs):
        if zero_grad:
            opt.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        if sched:
            sched.step()
        if after_step:
            loss = F.cross_entropy(model(X), y)
        losses.append(loss if keep_tensors else loss.item())
    return losses


def test_01_3_the_loop_is_checked_against_fit():
    verdict = check("01.3", _loop())
    assert verdict and "lrlab.fit's" in verdict.message and not any("tip" in d for d in verdict.details)
    assert check("01.3", _loop(scheduler=False))  # no scheduler: the same constant LR
    tensors = check("01.3", _loop(keep_tensors=True))
    assert tensors and any("loss.item()" in d for d in tensors.details)
    assert check("01.3", torch.tensor(_loop()))


def test_01_3_wrong_ones_name_the_slip():
    assert "optimizer.zero_grad()" in _wrong("01.3", _loop(zero_grad=False))
    assert "after optimizer.step()" in _wrong("01.3", _loop(after_step=True))
    assert "lr=0.001, its default" in _wrong("01.3", _loop(lr=1e-3))
    assert "plain SGD's" in _wrong("01.3", _loop(torch.optim.SGD))
    message = _wrong("01.3", _loop(lr=0.02))
    assert "match Adam(lr=0.01)'s for 1 step, then differ" in message
    assert "section 4 ran 100 epochs" in _wrong("01.3", _loop(epochs=100))
    assert "your list has 49 losses" in _wrong("01.3", _loop()[:49])
    assert "a different model, starting weights" in _wrong("01.3", _loop(seed=1))
    model = models.WineMLP()
    history = lrlab.fit(model, torch.optim.Adam(model.parameters(), lr=0.01), None, data.wine(), num_epochs=2,
                        verbose=False)
    assert "write the loop yourself" in _wrong("01.3", history)
    assert "adam_losses[1] is" in _wrong("01.3", [1.0, float("nan")])
    assert "is empty" in _wrong("01.3", [])


def test_01_hints_come_in_two_levels_and_the_first_gives_no_call_away():
    for exercise in ("01.1", "01.2", "01.3"):
        gentle, stronger = hint(exercise, level=1), hint(exercise, level=2)
        assert gentle != stronger
        assert "lrlab.fit(" not in gentle and "torch.optim.Adam(" not in gentle and "2 / 8" not in gentle
        assert "lr_max = " not in stronger and "register_forward_hook(" not in stronger  # one step short

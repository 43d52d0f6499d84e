"""lrlab never reseeds the learner's random generators: torch's, NumPy's and Python's are exactly as they were
after fit, sweep, the LR range test, verify and the exercise checks. (Each run is still seeded: on torch's
generator forked for the run, and on the loader's own.)"""

import random

import numpy as np
import pytest
import torch

import lrlab
from lrlab import data, finder, models


def _states():
    return torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate()


def _fit():
    model = models.WineMLP()
    lrlab.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), None, data.wine(batch_size=32), num_epochs=2, seed=7)


def _sweep():
    lrlab.sweep(models.WineMLP, torch.optim.SGD, [0.01, 0.1], data.wine(), num_epochs=2, seed=3)


def _range_test():
    model = models.WineMLP()
    finder.lr_range_test(model, torch.optim.Adam(model.parameters()), None, data.wine(batch_size=16), 1e-4, 1.0, 20)


def _verify():
    model = models.WineMLP()
    finder.verify(0.01, model, torch.optim.Adam(model.parameters()), data.wine(), num_epochs=2)


def _checks():
    model = models.WineMLP()
    opt = torch.optim.SGD(model.parameters(), lr=10)
    h = lrlab.fit(model, opt, None, data.wine(), num_epochs=100, diverge_threshold=None, verbose=False)
    model = models.WineMLP()  # a right answer to 01.3 (the learner's own loop): its check trains a reference run
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    X, y = data.wine().tensors["X_train"], data.wine().tensors["y_train"]
    losses = []
    for _ in range(50):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert lrlab.exercises.check("01.3", losses)
    for exercise in lrlab.exercises.available():  # every check, given a History (most answers are wrong ones)
        lrlab.exercises.check(exercise, h)


@pytest.mark.parametrize("run", [_fit, _sweep, _range_test, _verify, _checks],
                         ids=["fit", "sweep", "lr_range_test", "verify", "exercise checks"])
def test_the_learners_generators_are_left_as_they_were(run):
    torch.manual_seed(1234)
    np.random.seed(1234)
    random.seed(1234)
    before = _states()
    run()
    after = _states()
    assert torch.equal(before[0], after[0]), "torch's generator moved"
    assert np.array_equal(before[1], after[1]), "NumPy's generator moved"
    assert before[2] == after[2], "Python's generator moved"


def test_a_run_is_still_seeded_whatever_the_learner_did_before():
    histories = []
    for learner_seed in (1, 2):
        torch.manual_seed(learner_seed)
        model = models.WineMLP(seed=0)
        net = torch.nn.Sequential(model, torch.nn.Dropout(0.3))  # dropout draws from torch's generator
        h = lrlab.fit(net, torch.optim.SGD(net.parameters(), lr=0.1), None, data.wine(batch_size=32), num_epochs=2,
                      seed=5)
        histories.append(h.loss)
    assert histories[0] == histories[1]

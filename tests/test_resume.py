"""An exact resume with a shuffled loader (lesson 10): ``checkpoint.save/load(..., loader=...)`` keep the loader's
shuffling generator, and ``fit(..., seed=None)`` continues a run without reseeding anything; together the resumed run
is the uninterrupted one, bit for bit. A loader with no generator of its own is refused with a ValueError naming it.
"""

import pytest
import torch
from torch.optim import lr_scheduler

import lrlab
from lrlab import checkpoint, data, models


@pytest.fixture(scope="module")
def wine16():
    return data.wine(batch_size=16)  # 9 shuffled mini-batches an epoch


def _build(wine16):
    """What the top of a training script builds: model, optimizer, scheduler and a shuffled loader seeded 0."""
    model = models.WineMLP(seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=6)
    loader = data.loader(wine16.tensors["X_train"], wine16.tensors["y_train"], batch_size=16, seed=0)
    return model, optimizer, scheduler, loader


def _same_run(a, b):
    return a.lr == b.lr and a.loss == b.loss and a.val_loss == b.val_loss


@pytest.fixture(scope="module")
def whole(wine16):
    model, optimizer, scheduler, loader = _build(wine16)
    history = lrlab.fit(model, optimizer, scheduler, (loader, wine16.val), num_epochs=6)
    return history, model


def _first_part(wine16, tmp_path, **save_kwargs):
    model, optimizer, scheduler, loader = _build(wine16)
    first = lrlab.fit(model, optimizer, scheduler, (loader, wine16.val), num_epochs=2)
    path = tmp_path / "run.pt"
    checkpoint.save(path, model, optimizer, scheduler, epoch=2, **save_kwargs)
    return first, path, loader


def test_a_resume_with_a_shuffled_loader_is_the_uninterrupted_run_bit_for_bit(wine16, whole, tmp_path):
    model, optimizer, scheduler, loader = _build(wine16)
    first = lrlab.fit(model, optimizer, scheduler, (loader, wine16.val), num_epochs=2)
    saved = checkpoint.save(tmp_path / "run.pt", model, optimizer, scheduler, epoch=2, loader=loader)
    assert torch.equal(saved["loader_generator"], loader.generator.get_state())
    model, optimizer, scheduler, loader = _build(wine16)  # a new process: everything built afresh, then loaded
    assert checkpoint.load(tmp_path / "run.pt", model, optimizer, scheduler, loader=loader) == {"epoch": 2}
    second = lrlab.fit(model, optimizer, scheduler, (loader, wine16.val), num_epochs=4, seed=None)
    assert _same_run(checkpoint.join(first, second), whole[0])
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), whole[1].parameters(), strict=True))


def test_without_the_loader_state_or_with_a_seed_the_resumed_epochs_see_another_order(wine16, whole, tmp_path):
    first, path, _ = _first_part(wine16, tmp_path)  # saved without loader=
    model, optimizer, scheduler, loader = _build(wine16)
    checkpoint.load(path, model, optimizer, scheduler)
    second = lrlab.fit(model, optimizer, scheduler, (loader, wine16.val), num_epochs=4, seed=None)
    resumed = checkpoint.join(first, second)
    assert resumed.lr == whole[0].lr  # the schedule is right...
    assert resumed.loss[:18] == whole[0].loss[:18] and resumed.loss[18] != whole[0].loss[18]  # ...the order is not
    first, path, _ = _first_part(wine16, tmp_path, loader=_build(wine16)[3])
    model, optimizer, scheduler, loader = _build(wine16)
    checkpoint.load(path, model, optimizer, scheduler, loader=loader)
    reseeded = lrlab.fit(model, optimizer, scheduler, (loader, wine16.val), num_epochs=4)  # seed=0: epoch 1's order
    assert checkpoint.join(first, reseeded).loss[18] != whole[0].loss[18]


def test_fit_with_seed_none_continues_the_generators_as_a_plain_loop_does(wine16):
    model, optimizer, scheduler, loader = _build(wine16)
    one = lrlab.fit(model, optimizer, scheduler, (loader, wine16.val), num_epochs=4, seed=None)
    model, optimizer, scheduler, loader = _build(wine16)
    two = [lrlab.fit(model, optimizer, scheduler, (loader, wine16.val), num_epochs=2, seed=None) for _ in range(2)]
    assert _same_run(one, checkpoint.join(*two))  # two calls go on where the first stopped
    # seed=None leaves torch's global generator unseeded and unforked: a loader without a generator of its own
    # shuffles from it, so it moves on; with a seed it is forked and left as it was
    shuffled = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(wine16.tensors["X_train"],
                                                                          wine16.tensors["y_train"]),
                                           batch_size=16, shuffle=True)
    torch.manual_seed(7)
    before = torch.get_rng_state()
    model = models.WineMLP()
    lrlab.fit(model, torch.optim.SGD(model.parameters(), lr=0.01), None, shuffled, num_epochs=1, monitor="train_loss",
              seed=3)
    assert torch.equal(torch.get_rng_state(), before)
    model = models.WineMLP()
    lrlab.fit(model, torch.optim.SGD(model.parameters(), lr=0.01), None, shuffled, num_epochs=1,
              monitor="train_loss", seed=None)
    assert not torch.equal(torch.get_rng_state(), before)


@pytest.mark.parametrize("seed", [1.5, "0", True])
def test_fit_still_refuses_a_seed_that_is_not_an_integer_or_none(wine16, seed):
    model = models.WineMLP()
    with pytest.raises(ValueError, match="seed"):
        lrlab.fit(model, torch.optim.SGD(model.parameters(), lr=0.01), None, wine16, num_epochs=1, seed=seed)


def test_a_loader_without_a_generator_of_its_own_is_refused_naming_loader(wine16, tmp_path):
    model, optimizer, scheduler, _ = _build(wine16)
    global_shuffle = torch.utils.data.DataLoader(list(range(8)), batch_size=2, shuffle=True)
    for loader, why in ((wine16, "data.train"), (data.wine().train, "full-batch"),
                        (global_shuffle, "generator=torch.Generator")):
        with pytest.raises(ValueError, match=rf"^loader .*{why}"):
            checkpoint.save(tmp_path / "x.pt", model, optimizer, scheduler, epoch=0, loader=loader)
        assert not (tmp_path / "x.pt").exists()


def test_load_refuses_a_missing_or_unwanted_loader_state_before_changing_anything(wine16, tmp_path):
    _, without, _ = _first_part(wine16, tmp_path)
    model, optimizer, scheduler, loader = _build(wine16)
    weights, order = [p.clone() for p in model.parameters()], loader.generator.get_state()
    with pytest.raises(ValueError, match="loader was given, but the checkpoint holds no loader state"):
        checkpoint.load(without, model, optimizer, scheduler, loader=loader)
    with_state = tmp_path / "with.pt"
    checkpoint.save(with_state, *_build(wine16)[:3], epoch=0, loader=_build(wine16)[3])
    with pytest.raises(ValueError, match="pass loader="):
        checkpoint.load(with_state, model, optimizer, scheduler)
    ckpt = torch.load(with_state, weights_only=True)
    ckpt["loader_generator"] = torch.zeros(3, dtype=torch.uint8)  # not a generator's state
    torch.save(ckpt, tmp_path / "bad.pt")
    with pytest.raises(ValueError, match="loader's generator .* cannot take the saved loader state"):
        checkpoint.load(tmp_path / "bad.pt", model, optimizer, scheduler, loader=loader)
    assert all(torch.equal(a, b) for a, b in zip(weights, model.parameters(), strict=True))
    assert torch.equal(loader.generator.get_state(), order) and scheduler.last_epoch == 0

"""lrlab.checkpoint: a resumed run is the uninterrupted run, bit for bit; the classic wrong resumes are caught."""

import pytest
import torch
from torch.optim import lr_scheduler

import lrlab
from lrlab import checkpoint, data, models
from lrlab.schedules import warmup_cosine

EPOCHS, STOP = 20, 8


@pytest.fixture(scope="module")
def wine():
    return data.wine()  # full batch: no data order to restore


def build(kind="warmup_cosine"):
    model = models.WineMLP(seed=0)
    if kind == "warmup_cosine":
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        return model, opt, warmup_cosine(opt, 3, EPOCHS)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)  # OneCycleLR also cycles Adam's beta1
    return model, opt, lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=EPOCHS)


@pytest.mark.parametrize("kind", ["warmup_cosine", "one_cycle"])
def test_resume_matches_the_uninterrupted_run_exactly(kind, wine, tmp_path):
    model, opt, sched = build(kind)
    whole = lrlab.fit(model, opt, sched, wine, num_epochs=EPOCHS)
    # 1. the first STOP epochs, saved; 2. a fresh process: new objects, load, the rest of the epochs
    m1, o1, s1 = build(kind)
    first = lrlab.fit(m1, o1, s1, wine, num_epochs=STOP)
    checkpoint.save(tmp_path / "run.pt", m1, o1, s1, epoch=STOP, note="half way")
    m2, o2, s2 = build(kind)
    info = checkpoint.load(tmp_path / "run.pt", m2, o2, s2)
    assert info == {"epoch": STOP, "note": "half way"}
    second = lrlab.fit(m2, o2, s2, wine, num_epochs=EPOCHS - info["epoch"])
    resumed = checkpoint.join(first, second)
    assert resumed.lr == whole.lr and resumed.loss == whole.loss and resumed.val_loss == whole.val_loss
    assert resumed.step_epoch == whole.step_epoch and resumed.epoch_lr == whole.epoch_lr
    for a, b in zip(model.parameters(), m2.parameters(), strict=True):
        assert torch.equal(a, b)


def test_the_wrong_resumes_change_the_lr_and_require_in_sync_says_why(wine, tmp_path):
    m, o, s = build()
    lrlab.fit(m, o, s, wine, num_epochs=STOP)
    checkpoint.save(tmp_path / "run.pt", m, o, s, epoch=STOP)
    saved = torch.load(tmp_path / "run.pt", weights_only=True)
    # scheduler rebuilt, its state never loaded
    m2, o2, s2 = build()
    o2.load_state_dict(saved["optimizer"])
    with pytest.raises(ValueError, match="its state was not loaded"):
        checkpoint.require_in_sync(o2, s2)
    # scheduler built after optimizer.load_state_dict: it overwrites the loaded LR
    m3 = models.WineMLP(seed=0)
    o3 = torch.optim.SGD(m3.parameters(), lr=0.1, momentum=0.9)
    o3.load_state_dict(saved["optimizer"])
    s3 = warmup_cosine(o3, 3, EPOCHS)
    s3.load_state_dict(saved["scheduler"])
    assert o3.param_groups[0]["lr"] != s3.get_last_lr()[0]
    with pytest.raises(ValueError, match="built after optimizer.load_state_dict"):
        checkpoint.require_in_sync(o3, s3)
    checkpoint.require_in_sync(o, s)  # the run itself is consistent


def test_load_refuses_a_missing_or_different_scheduler(wine, tmp_path):
    m, o, s = build()
    checkpoint.save(tmp_path / "run.pt", m, o, s, epoch=0)
    m2, o2, _ = build()
    with pytest.raises(ValueError, match="scheduler=None, but the checkpoint holds a SequentialLR"):
        checkpoint.load(tmp_path / "run.pt", m2, o2)
    with pytest.raises(ValueError, match="scheduler is a StepLR, but the checkpoint holds a SequentialLR"):
        checkpoint.load(tmp_path / "run.pt", m2, o2, lr_scheduler.StepLR(o2, 3))
    other = torch.optim.SGD(m2.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="scheduler must be built on the optimizer"):
        checkpoint.load(tmp_path / "run.pt", m2, o2, lr_scheduler.StepLR(other, 3))


@pytest.mark.parametrize("epoch", [-1, 2.5, True])
def test_save_checks_the_epoch(epoch, tmp_path):
    m, o, s = build()
    with pytest.raises(ValueError, match="epoch="):
        checkpoint.save(tmp_path / "run.pt", m, o, s, epoch=epoch)


def test_join_reads_as_one_run(wine):
    m, o, s = build()
    a, b = lrlab.fit(m, o, s, wine, num_epochs=3), lrlab.fit(m, o, s, wine, num_epochs=2)
    whole = checkpoint.join(a, b)
    assert whole.num_epochs == 5 and whole.step_epoch == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert whole.lr == a.lr + b.lr and whole.val_acc == a.val_acc + b.val_acc
    with pytest.raises(ValueError, match="histories"):
        checkpoint.join()

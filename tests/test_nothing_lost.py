"""Nothing is lost (issue 13): an interrupt (a notebook's stop button) or an error in the middle of a run keeps what
was measured; a failed save keeps the old checkpoint; a load that cannot be done changes nothing.

Interrupts are simulated with a model whose forward raises at a chosen training step, or a loader that does:
the same place a KeyboardInterrupt from the stop button lands.
"""

import copy
import os
import pickle

import numpy as np
import pytest
import torch
from torch import nn
from torch.optim import lr_scheduler

import lrlab
from lrlab import checkpoint, data, finder, models

W = data.wine()


class Stops(nn.Module):
    """WineMLP whose forward raises ``error`` at training step ``at`` (counted in train mode), or at evaluation
    ``at`` when ``in_eval``."""

    def __init__(self, error, at, in_eval=False):
        super().__init__()
        self.net, self.error, self.at, self.in_eval, self.calls = models.WineMLP(), error, at, in_eval, 0

    def forward(self, x):
        if self.training != self.in_eval:
            self.calls += 1
            if self.calls == self.at:
                raise self.error
        return self.net(x)


def _sgd(model):
    return torch.optim.SGD(model.parameters(), lr=0.1)


# --- an interrupt or an error in the middle of fit ---------------------------------------------------------------
@pytest.mark.parametrize("at", [1, 4, 12])
def test_an_interrupt_returns_the_history_measured_so_far_in_train_mode(at, capsys):
    d = data.wine(batch_size=32)  # 5 batches an epoch
    model = Stops(KeyboardInterrupt(), at)
    h = lrlab.fit(model, _sgd(model), None, d, num_epochs=4)
    assert h.stopped == "interrupted" and h.interrupted and not h.diverged
    assert len(h.loss) == len(h.lr) == at - 1 and h.num_epochs == (at - 1) // 5
    assert model.training
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith(f"Interrupted in epoch {(at - 1) // 5 + 1}")


def test_an_interrupt_during_validation_leaves_the_model_in_train_mode():
    # evaluations 1, 2: the look at the first training and validation batches; 3, 4, 5: after epochs 1, 2, 3
    model = Stops(KeyboardInterrupt(), at=5, in_eval=True)
    model.net.fc3.eval()  # a module the learner put in eval mode is trained by fit like the rest
    h = lrlab.fit(model, _sgd(model), None, W, num_epochs=5, verbose=False)
    assert h.interrupted and len(h.loss) == 3 and len(h.val_loss) == 2
    assert all(m.training for m in model.modules())


def test_an_interrupt_from_the_loader_returns_the_history_too():
    batches = [(W.tensors["X_train"][i:i + 30], W.tensors["y_train"][i:i + 30]) for i in range(0, 120, 30)]

    class Loader:
        def __init__(self):
            self.read = 0

        def __len__(self):
            return len(batches)

        def __iter__(self):
            for batch in batches:
                self.read += 1
                if self.read == 8:  # the peek at the first batch is read 1; training reads 2, 3, ...
                    raise KeyboardInterrupt
                yield batch

    model = models.WineMLP()
    h = lrlab.fit(model, _sgd(model), None, Loader(), num_epochs=3, monitor="train_loss", verbose=False)
    assert h.interrupted and len(h.loss) == 6 and h.num_epochs == 1


def test_an_error_is_raised_again_with_the_history_measured_so_far_on_it():
    model = Stops(RuntimeError("CUDA out of memory (simulated)"), at=7)
    with pytest.raises(RuntimeError, match="out of memory") as err:
        lrlab.fit(model, _sgd(model), None, data.wine(batch_size=32), num_epochs=3)
    h = err.value.history
    assert len(h.loss) == 6 and h.num_epochs == 1 and h.stopped == "RuntimeError: CUDA out of memory (simulated)"
    assert model.training and any("err.history" in note for note in getattr(err.value, "__notes__", ["err.history"]))


def test_a_sweep_interrupted_in_its_second_run_returns_the_runs_so_far(capsys):
    built = []

    def model_fn():
        built.append(Stops(KeyboardInterrupt(), at=3) if len(built) == 1 else models.WineMLP())
        return built[-1]

    runs = lrlab.sweep(model_fn, torch.optim.SGD, [0.01, 0.1, 1.0], W, num_epochs=5)
    assert list(runs) == [0.01, 0.1] and runs[0.1].interrupted and len(runs[0.1].loss) == 2
    assert runs[0.01].num_epochs == 5 and len(built) == 2
    assert "sweep: interrupted at lr=0.1" in capsys.readouterr().out


def test_verify_passes_an_interrupt_on_and_leaves_the_model_alone():
    model = Stops(KeyboardInterrupt(), at=10**9)
    copies = []
    real_deepcopy = copy.deepcopy

    def deepcopy(obj, *args):  # every run trains a copy: the second copy stops at its first step
        out = real_deepcopy(obj, *args)
        if isinstance(out, Stops):
            copies.append(out)
            out.at = 1 if len(copies) == 3 else 10**9
        return out

    opt = _sgd(model)
    before = finder.snapshot(model, opt)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(copy, "deepcopy", deepcopy)
        with pytest.raises(KeyboardInterrupt):
            finder.verify(0.01, model, opt, W, num_epochs=2)
    assert finder.snapshots_equal(before, finder.snapshot(model, opt))


def test_the_range_test_puts_everything_back_on_an_interrupt():
    d = data.wine(batch_size=16)
    model = Stops(KeyboardInterrupt(), at=5)
    opt = torch.optim.Adam(model.parameters())
    before = finder.snapshot(model, opt, d.train)
    with pytest.raises(KeyboardInterrupt):
        finder.lr_range_test(model, opt, None, d, 1e-4, 1.0, 20)
    model.calls = 0
    assert finder.snapshots_equal(before, finder.snapshot(model, opt, d.train))


# --- checkpoints: a failed save keeps the old file ---------------------------------------------------------------
def _run(opt_class=torch.optim.SGD, model=None):
    model = model or models.WineMLP()
    opt = opt_class(model.parameters(), lr=0.1)
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    lrlab.fit(model, opt, sched, W, num_epochs=2)
    return model, opt, sched


def _good_file(tmp_path, **kwargs):
    path = tmp_path / "run.pt"
    checkpoint.save(path, *_run(**kwargs), epoch=2)
    return path, path.read_bytes()


def _half_written_save(obj, f, *args, **kwargs):
    f.write(b"PK\x03\x04 half a checkpoint")
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("how", ["torch.save fails half way", "the disk fails while writing", "a lambda extra",
                                 "a generator extra", "an object of your own"])
def test_a_failed_save_keeps_the_old_checkpoint_and_leaves_no_stray_file(tmp_path, monkeypatch, how):
    path, old = _good_file(tmp_path)
    model, opt, sched = _run()
    extra = {}
    if how == "torch.save fails half way":
        monkeypatch.setattr(torch, "save", _half_written_save)
    elif how == "the disk fails while writing":
        monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error")))
    else:
        extra = {"note": {"a lambda extra": lambda: 1, "a generator extra": (i for i in range(3)),
                          "an object of your own": type("Mine", (), {})()}[how]}
    with pytest.raises(ValueError, match="path=|extra 'note'") as err:
        checkpoint.save(path, model, opt, sched, epoch=3, **extra)
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["run.pt"]
    assert ("extra 'note'" in str(err.value)) == bool(extra)
    monkeypatch.undo()
    assert checkpoint.load(path, *_run())["epoch"] == 2


def test_extras_are_kept_in_a_form_load_reads_back(tmp_path):
    model, opt, sched = _run()
    history = lrlab.fit(model, opt, sched, W, num_epochs=2)
    checkpoint.save(tmp_path / "run.pt", model, opt, sched, epoch=4, history=history, best=np.float64(0.25),
                    seen=np.int64(3), curve=np.arange(3), nested={"h": [history]})
    got = checkpoint.load(tmp_path / "run.pt", *_run())
    assert isinstance(got["history"], lrlab.History) and got["history"] == history
    assert got["best"] == 0.25 and type(got["best"]) is float and got["seen"] == 3 and got["curve"] == [0, 1, 2]
    assert got["nested"]["h"][0] == history


# --- checkpoints: a load that cannot be done changes nothing -----------------------------------------------------
def _state(model, opt, sched, generator=None):
    return (finder.snapshot(model, opt), copy.deepcopy(sched.state_dict()),
            None if generator is None else generator.get_state())


def _unchanged(before, after):
    return (finder.snapshots_equal(before[0], after[0]) and before[1] == after[1]
            and (before[2] is None or torch.equal(before[2], after[2])))


def _truncated(path, good):
    path.write_bytes(good[: len(good) // 2])


FOREIGN = {
    "an empty file": lambda path, good: path.write_bytes(b""),
    "a truncated file": _truncated,
    "random bytes": lambda path, good: path.write_bytes(np.random.default_rng(0).bytes(500)),
    "a text file": lambda path, good: path.write_text("epoch,loss\n1,0.5\n"),
    "a pickle of a list": lambda path, good: path.write_bytes(pickle.dumps([1, 2, 3])),
    "a bare model state_dict": lambda path, good: torch.save(models.WineMLP().state_dict(), path),
    "a dict without the model": lambda path, good: torch.save({"epoch": 3}, path),
    "a damaged optimizer state": lambda path, good: torch.save({**torch.load(path, weights_only=True),
                                                               "optimizer": {"state": 3}}, path),
}


@pytest.mark.parametrize("case", FOREIGN)
def test_loading_a_foreign_or_damaged_file_is_one_value_error_naming_path_and_changes_nothing(tmp_path, case):
    path, good = _good_file(tmp_path)
    FOREIGN[case](path, good)
    model, opt, sched = _run()
    before = _state(model, opt, sched)
    with pytest.raises(ValueError, match=r"^path=") as err:
        checkpoint.load(path, model, opt, sched)
    assert "Nothing was loaded" in str(err.value) or "nothing was changed" in str(err.value)
    assert _unchanged(before, _state(model, opt, sched))


@pytest.mark.parametrize("saved,given", [(torch.optim.SGD, torch.optim.Adam), (torch.optim.Adam, torch.optim.SGD),
                                         (torch.optim.SGD, torch.optim.AdamW)])
def test_a_checkpoint_of_another_optimizer_is_refused_before_anything_is_loaded(tmp_path, saved, given):
    path, _ = _good_file(tmp_path, opt_class=saved)
    model, opt, sched = _run(opt_class=given)
    before = _state(model, opt, sched)
    with pytest.raises(ValueError, match=rf"^path=.* holds the state of {saved.__name__}, but optimizer is a "
                                         rf"{given.__name__}"):
        checkpoint.load(path, model, opt, sched)
    assert _unchanged(before, _state(model, opt, sched))


def test_a_checkpoint_of_another_model_is_refused_naming_path(tmp_path):
    path, _ = _good_file(tmp_path)
    model, opt, sched = _run(model=models.WineMLP(hidden=12))
    before = _state(model, opt, sched)
    with pytest.raises(ValueError, match=r"^path=.* holds another model's weights"):
        checkpoint.load(path, model, opt, sched)
    assert _unchanged(before, _state(model, opt, sched))


def test_a_load_that_fails_half_way_puts_everything_back(tmp_path):
    d = data.wine(batch_size=32)
    model, opt, sched = _run()
    opt.param_groups[0]["lr"] = 0.3  # a hand edit the scheduler does not know of: the file disagrees with itself
    checkpoint.save(tmp_path / "run.pt", model, opt, sched, epoch=2, loader=d.train)
    model, opt, sched = _run(model=models.WineMLP(seed=3))
    d.train.generator.manual_seed(123)
    before = _state(model, opt, sched, d.train.generator)
    # model, optimizer and scheduler are loaded before require_in_sync finds it: all three must go back
    with pytest.raises(ValueError, match=r"^path=.*nothing was changed: ValueError: the optimizer's LRs \[0.3\]"):
        checkpoint.load(tmp_path / "run.pt", model, opt, sched, loader=d.train)
    assert _unchanged(before, _state(model, opt, sched, d.train.generator))

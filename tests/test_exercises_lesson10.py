"""Lesson 10's exercise (resuming a run): the check says "correct" to a right save_run/resume pair and names the
classic wrong resumes in the learner's terms. The lesson's own stub and solution are run by tests/test_exercises.py.

The learner's functions build their objects with the lesson's build(); here that is the check's own copy, the same
code (lrlab.exercises.lesson10._build).
"""

import torch
from torch.optim import lr_scheduler

from lrlab.exercises import check
from lrlab.exercises.lesson10 import _build, _train


def _wrong(*answer):
    verdict = check("10.3", *answer)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


def save_run(path, model, optimizer, scheduler, loader, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "loader": loader.generator.get_state(), "epoch": epoch}, path)


def save_without_loader(path, model, optimizer, scheduler, loader, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "epoch": epoch}, path)


def resume_with(skip=(), scheduler_late=False, returns=None):
    """A learner's resume(path): right, or with one classic slip."""
    def resume(path):
        model, optimizer, scheduler, loader = _build()
        ckpt = torch.load(path, weights_only=True)
        if "model" not in skip:
            model.load_state_dict(ckpt["model"])
        if "optimizer" not in skip:
            optimizer.load_state_dict(ckpt["optimizer"])
        if scheduler_late:  # the lesson's schedule(optimizer), built after the optimizer's state was loaded
            warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=3)
            cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=12)
            scheduler = lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[3])
        if "scheduler" not in skip:
            scheduler.load_state_dict(ckpt["scheduler"])
        if "loader" not in skip and "loader" in ckpt:
            loader.generator.set_state(ckpt["loader"])
        out = (model, optimizer, scheduler, loader, ckpt["epoch"])
        return out if returns is None else returns(out)
    return resume


def test_10_3_right_answer_is_correct_and_leaves_the_learners_generator_alone():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    verdict = check("10.3", save_run, resume_with())
    assert verdict and "all 345 LRs and losses" in verdict.message
    assert torch.equal(torch.get_rng_state(), before)


def test_10_3_the_oracle_is_the_plain_uninterrupted_run():
    # the check's reference: one plain run of 15 epochs; a run split after epoch 5 with every state restored equals it
    model, optimizer, scheduler, loader = _build()
    whole = _train(model, optimizer, scheduler, loader, 15)
    model, optimizer, scheduler, loader = _build()
    first = _train(model, optimizer, scheduler, loader, 5)
    states = [model.state_dict(), optimizer.state_dict(), scheduler.state_dict(), loader.generator.get_state()]
    model, optimizer, scheduler, loader = _build()
    for part, state in zip((model, optimizer, scheduler), states, strict=False):
        part.load_state_dict(state)
    loader.generator.set_state(states[3])
    rest = _train(model, optimizer, scheduler, loader, 10)
    assert first[0] + rest[0] == whole[0] and first[1] + rest[1] == whole[1]


def test_10_3_each_classic_wrong_resume_is_named():
    assert "generator is not where the saved loader's was" in _wrong(save_without_loader, resume_with())
    assert "generator is not where" in _wrong(save_run, resume_with(skip=("loader",)))
    assert "stepped 0 times, the saved one 5: its state was not loaded" in _wrong(
        save_run, resume_with(skip=("scheduler",)))
    message = _wrong(save_run, resume_with(scheduler_late=True))
    assert "but your scheduler last set" in message and "built after optimizer.load_state_dict()" in message
    assert "no momentum buffers" in _wrong(save_run, resume_with(skip=("optimizer",)))
    assert "does not have the saved weights" in _wrong(save_run, resume_with(skip=("model",)))


def test_10_3_wrong_shapes_of_answer_are_explained():
    assert "expected two functions" in _wrong(save_run)  # resume missing
    assert "must return model, optimizer, scheduler, loader, epoch" in _wrong(
        save_run, resume_with(returns=lambda out: out[:4]))
    assert "returned epoch=0" in _wrong(save_run, resume_with(returns=lambda out: (*out[:4], 0)))
    assert "raised KeyError" in _wrong(lambda path, *rest: torch.save({}, path), resume_with())
    assert "wrote no file" in _wrong(lambda *args: None, resume_with())

"""Lesson 10's exercise (resuming a run): the check says "correct" to a right save_run/resume pair and names the
classic wrong resumes in the learner's terms. The lesson's own stub and solution are run by tests/test_exercises.py.

The learner's resume(path, build) builds its objects with the build() it is given: the check passes its own, the
lesson's build() with a dropout layer in the model (lrlab.exercises.lesson10._build), so the global generator's state
must be saved and set back after building.
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
                "loader": loader.generator.get_state(), "rng": torch.get_rng_state(), "epoch": epoch}, path)


def save_without_loader(path, model, optimizer, scheduler, loader, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "rng": torch.get_rng_state(), "epoch": epoch}, path)


def save_without_rng(path, model, optimizer, scheduler, loader, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "loader": loader.generator.get_state(), "epoch": epoch}, path)


def resume_with(skip=(), scheduler_late=False, rng_first=False, returns=None):
    """A learner's resume(path, build): right, or with one classic slip."""
    def resume(path, build):
        ckpt = torch.load(path, weights_only=True)
        if rng_first and "rng" in ckpt:  # set back before build(): building the model draws from it again
            torch.set_rng_state(ckpt["rng"])
        model, optimizer, scheduler, loader = build()
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
        if not rng_first and "rng" not in skip and "rng" in ckpt:
            torch.set_rng_state(ckpt["rng"])
        out = (model, optimizer, scheduler, loader, ckpt["epoch"])
        return out if returns is None else returns(out)
    return resume


def test_10_3_right_answer_is_correct_and_leaves_the_learners_generator_alone():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    verdict = check("10.3", save_run, resume_with())
    assert verdict and "all 345 LRs and losses" in verdict.message and "dropout included" in verdict.message
    assert torch.equal(torch.get_rng_state(), before)


def test_10_3_the_oracle_is_the_plain_uninterrupted_run():
    # the check's reference: one plain run of 15 epochs; a run split after epoch 5 with every state restored (the
    # global generator's last) equals it, and one without the global generator's state does not (dropout)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model, optimizer, scheduler, loader = _build()
        whole = _train(model, optimizer, scheduler, loader, 15)
        for restore_rng in (True, False):
            torch.manual_seed(0)
            model, optimizer, scheduler, loader = _build()
            first = _train(model, optimizer, scheduler, loader, 5)
            states = [model.state_dict(), optimizer.state_dict(), scheduler.state_dict(), loader.generator.get_state(),
                      torch.get_rng_state()]
            torch.manual_seed(1)
            model, optimizer, scheduler, loader = _build()
            for part, state in zip((model, optimizer, scheduler), states, strict=False):
                part.load_state_dict(state)
            loader.generator.set_state(states[3])
            if restore_rng:
                torch.set_rng_state(states[4])
            rest = _train(model, optimizer, scheduler, loader, 10)
            assert first[0] + rest[0] == whole[0]
            assert (first[1] + rest[1] == whole[1]) is restore_rng


def test_10_3_each_classic_wrong_resume_is_named():
    assert "generator is not where the saved loader's was" in _wrong(save_without_loader, resume_with())
    assert "generator is not where" in _wrong(save_run, resume_with(skip=("loader",)))
    assert "stepped 0 times, the saved one 5: its state was not loaded" in _wrong(
        save_run, resume_with(skip=("scheduler",)))
    message = _wrong(save_run, resume_with(scheduler_late=True))
    assert "but your scheduler last set" in message and "built after optimizer.load_state_dict()" in message
    assert "no momentum buffers" in _wrong(save_run, resume_with(skip=("optimizer",)))
    assert "does not have the saved weights" in _wrong(save_run, resume_with(skip=("model",)))


def test_10_3_the_twist_the_global_generator_saved_and_set_back_after_build():
    for answer in ((save_without_rng, resume_with()), (save_run, resume_with(skip=("rng",))),
                   (save_run, resume_with(rng_first=True))):
        message = _wrong(*answer)
        assert "torch's global random generator is not where it stood" in message, message
        assert "set it back after build()" in message


def test_10_3_wrong_shapes_of_answer_are_explained():
    assert "expected two functions" in _wrong(save_run)  # resume missing
    assert "must return model, optimizer, scheduler, loader, epoch" in _wrong(
        save_run, resume_with(returns=lambda out: out[:4]))
    assert "returned epoch=0" in _wrong(save_run, resume_with(returns=lambda out: (*out[:4], 0)))
    assert "raised KeyError" in _wrong(lambda path, *rest: torch.save({}, path), resume_with())
    assert "raised TypeError" in _wrong(save_run, lambda path: None)  # the old one-argument resume(path)
    assert "wrote no file" in _wrong(lambda *args: None, resume_with())

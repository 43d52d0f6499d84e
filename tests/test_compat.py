"""lrlab._compat: every private PyTorch attribute lrlab reads still exists in this torch, and the warning filters
work. When a torch release renames one, the failure names it, and lrlab/_compat.py is the one file to change."""

import warnings

import pytest
import torch
from torch.optim import lr_scheduler

import lrlab
from lrlab import _compat, data, models


def _optimizer():
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


def _built(owner: str):
    """An object of class ``owner`` as lrlab meets it: containers with two schedulers inside, an optimizer whose
    scheduler-wrapped step has run."""
    opt = _optimizer()
    inside = [lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2), lr_scheduler.ExponentialLR(opt, 0.9)]
    if owner == "SequentialLR":
        return lr_scheduler.SequentialLR(opt, inside, milestones=[2])
    if owner == "ChainedScheduler":
        return lr_scheduler.ChainedScheduler(inside)
    opt.step()
    return opt


@pytest.mark.parametrize(("owner", "attribute", "why"), _compat.PRIVATE,
                         ids=[f"{o}.{a}" for o, a, _ in _compat.PRIVATE])
def test_every_private_torch_attribute_lrlab_reads_still_exists(owner, attribute, why):
    assert hasattr(_built(owner), attribute), (
        f"torch {torch.__version__} has no {owner}.{attribute} (lrlab reads it for {why}): "
        "teach lrlab/_compat.py its new name")


def test_the_accessors_read_them_and_say_which_one_is_gone():
    seq = _built("SequentialLR")
    assert [type(s).__name__ for s in _compat.children(seq)] == ["LinearLR", "ExponentialLR"]
    assert _compat.milestones(seq) == [2] and _compat.children(lr_scheduler.StepLR(_optimizer(), 1)) == []
    del seq._milestones  # what a renaming torch release would look like
    with pytest.raises(AttributeError, match=r"SequentialLR has no attribute '_milestones'.*lrlab/_compat.py"):
        _compat.milestones(seq)


def test_optimizer_marks_are_saved_and_put_back():
    opt = _optimizer()
    bare = _compat.optimizer_marks(opt)
    assert set(bare.values()) == {_compat.MISSING}
    lr_scheduler.StepLR(opt, 1)
    opt.step()
    assert _compat.optimizer_marks(opt)["step"] is not _compat.MISSING
    _compat.restore_optimizer_marks(opt, bare)
    assert "step" not in vars(opt) and not hasattr(opt, "_opt_called")


class _WarnsLikeOldSequentialLR(lr_scheduler.StepLR):
    """A scheduler whose steps emit the warning SequentialLR of torch < 2.9 emits from its own call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.built = True

    def step(self, *args, **kwargs):
        if getattr(self, "built", False):
            warnings.warn("The epoch parameter in `scheduler.step()` was not necessary and is being deprecated",
                          UserWarning, stacklevel=2)
        return super().step(*args, **kwargs)


def test_fit_and_preview_filter_the_epoch_warning_of_older_torch_and_nothing_else():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = models.WineMLP()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        lrlab.fit(model, opt, _WarnsLikeOldSequentialLR(opt, 1), data.wine(), num_epochs=2)
        lrlab.schedules.preview(lambda o: _WarnsLikeOldSequentialLR(o, 1), 3)
        with pytest.raises(UserWarning, match="something else"), lrlab.schedules.quiet_epoch_warning():
            warnings.warn("something else", UserWarning, stacklevel=1)


def test_no_module_but_compat_reads_a_private_torch_attribute():
    import re
    from pathlib import Path

    others = {"_last_lr", "_step_count", "_get_lr_called_within_step", "_initial_step", "_with_counter", "_warned"}
    names = {attribute for _, attribute, _ in _compat.PRIVATE} | others  # _compat's, and torch's usual temptations
    root = Path(lrlab.__file__).parent
    found = [f"{path.relative_to(root)}: {name}" for path in sorted(root.rglob("*.py")) if path.name != "_compat.py"
             for name in sorted(names) if re.search(rf"\.{name}\b", path.read_text())]
    assert not found, f"private torch attributes read outside lrlab/_compat.py: {found}"

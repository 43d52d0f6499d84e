"""lrlab.widgets: every control changes ``explorer.last`` the way PyTorch's schedulers say it should.

Explorers are driven as a notebook's frontend drives them: by setting a control's ``.value`` (observers run
synchronously). PyTorch is the oracle: the real scheduler classes, stepped directly or fed the same metrics.
"""

import base64
import math
import random
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

pytest.importorskip("ipywidgets")
from lrlab import data, explore, schedules, widgets  # noqa: E402
from lrlab.train import History, lr_cuts  # noqa: E402
from lrlab.widgets import explorers  # noqa: E402

SMALL = {"dpi": 30}  # a small picture: same code path, quicker to render


@pytest.fixture(scope="module")
def wine():
    return data.wine()


def bad_epoch_counts(val_losses, threshold):
    """ReduceLROnPlateau's documented rule (mode "min", threshold_mode "rel"): an epoch is bad unless its
    metric beats the best so far by the relative threshold; the count restarts at every improvement."""
    best, bad, counts = math.inf, 0, []
    for v in val_losses:
        if v < best * (1 - threshold):
            best, bad = v, 0
        else:
            bad += 1
        counts.append(bad)
    return counts


def torch_lrs(name, kw, num_epochs, steps_per_epoch=1, lr=0.1, per_batch=False):
    """The LR at each optimizer step of the real torch scheduler, stepped directly (no lrlab code)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr, momentum=0.9)
    sched = getattr(torch.optim.lr_scheduler, name)(opt, **kw)
    out = []
    for _ in range(num_epochs):
        for b in range(steps_per_epoch):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            if per_batch or b == steps_per_epoch - 1:
                sched.step()
    return out


def test_lr_cuts_reads_the_epochs_where_the_lr_went_down():
    h = History(lr=[0.1], epoch_lr=[0.1, 0.05, 0.05, 0.01, 0.01])
    assert lr_cuts(h) == [2, 4]
    assert lr_cuts(History()) == []


def test_factor_half_halves_the_lr_after_patience_plus_one_bad_epochs(wine):
    ex = widgets.plateau_explorer(wine, lr=0.03, **SMALL)
    ex.factor.value = 0.5
    h, patience = ex.last, ex.patience.value
    cuts = lr_cuts(h)
    assert len(cuts) >= 2, "the default run must reach a plateau for this test to mean anything"
    lrs = [0.03] + h.epoch_lr
    for c in cuts:
        assert lrs[c] == pytest.approx(lrs[c - 1] * 0.5, rel=1e-9)
    # the first cut comes with the (patience + 1)-th bad epoch in a row, not one epoch sooner
    counts = bad_epoch_counts(h.val_loss, threshold=1e-4)
    assert counts[cuts[0] - 1] == patience + 1
    assert max(counts[: cuts[0] - 1]) <= patience
    # and PyTorch's own ReduceLROnPlateau, fed the same validation losses, cuts after the same epochs
    torch_curve = schedules.preview("ReduceLROnPlateau", len(h.val_loss) + 1, lr=0.03, factor=0.5,
                                    patience=patience, metrics=h.val_loss + [0.0])["lr"]
    assert torch_curve[1:] == pytest.approx(h.epoch_lr, rel=1e-12)


def test_a_larger_patience_never_cuts_the_lr_earlier(wine):
    ex = widgets.plateau_explorer(wine, lr=0.03, **SMALL)
    first_cuts = []
    for patience in (0, 2, 5, 10, 20, 30):
        ex.patience.value = patience
        cuts = lr_cuts(ex.last)
        first_cuts.append(cuts[0] if cuts else math.inf)
    assert first_cuts == sorted(first_cuts)
    assert len(set(first_cuts)) >= 3, first_cuts  # the patience really moved the cut


def test_the_plateau_explorer_marks_exactly_the_epochs_where_patience_ran_out(wine):
    ex = widgets.plateau_explorer(wine, lr=0.03, **SMALL)
    ex.cooldown.value = 3
    marked = [x for x in ex.figure.cut_lines[1].get_xdata() if not math.isnan(x)]
    assert marked[::2] == marked[1::2] == lr_cuts(ex.last) != []
    assert "patience ran out" in [t.get_text() for t in ex.figure.axes[1].get_legend().get_texts()]


def test_mode_max_monitors_validation_accuracy(wine):
    ex = widgets.plateau_explorer(wine, lr=0.03, **SMALL)
    ex.mode.value = "max"
    h = ex.last
    torch_curve = schedules.preview("ReduceLROnPlateau", len(h.val_acc) + 1, lr=0.03, mode="max",
                                    metrics=h.val_acc + [0.0])["lr"]
    assert torch_curve[1:] == pytest.approx(h.epoch_lr, rel=1e-12)


def test_min_lr_is_a_floor(wine):
    ex = widgets.plateau_explorer(wine, lr=0.03, patience=2, **SMALL)
    ex.min_lr.value = 1e-3
    assert min(ex.last.epoch_lr) == pytest.approx(1e-3) and len(lr_cuts(ex.last)) >= 2


def test_gamma_one_keeps_the_lr_flat(wine):
    ex = widgets.step_explorer(wine, step_size=5, **SMALL)
    ex.gamma.value = 1.0
    assert set(ex.last.lr) == set(ex.last.epoch_lr) == {0.1}
    ex.scheduler.value = "ExponentialLR"
    ex.gamma.value = 1.0
    assert set(ex.last.lr) == set(ex.last.epoch_lr) == {0.1}


def test_step_explorer_follows_torch_steplr_and_exponentiallr(wine):
    ex = widgets.step_explorer(wine, 40, **SMALL)
    ex.step_size.value, ex.gamma.value, ex.lr.value = 7, 0.3, 0.05
    assert ex.last.lr == pytest.approx(torch_lrs("StepLR", {"step_size": 7, "gamma": 0.3}, 40, lr=0.05), rel=1e-12)
    ex.scheduler.value = "ExponentialLR"  # switching picks ExponentialLR's own gamma and greys out step_size
    assert ex.gamma.value == 0.95 and ex.step_size.disabled and "step_size" not in ex.params()
    assert ex.last.lr == pytest.approx(torch_lrs("ExponentialLR", {"gamma": 0.95}, 40, lr=0.05), rel=1e-12)


def test_schedule_explorer_shows_each_schedulers_real_curve():
    ex = widgets.schedule_explorer(num_epochs=30, steps_per_epoch=4, **SMALL)
    assert {"StepLR", "CosineAnnealingLR", "OneCycleLR", "CyclicLR", "MultiStepLR"} <= set(ex.offered)
    for name, controls in ex.offered.items():
        ex.scheduler.value = name
        assert ex.error is None, (name, ex.error)
        shown = [c.description for box in ex.grid.children for c in box.children]
        assert shown == ["scheduler", "lr"] + controls
        kw = {k: v for k, v in ex.params().items() if k not in ("scheduler", "lr")}
        if "milestones" in kw:
            kw["milestones"] = [int(s) for s in kw["milestones"].split(",")]
        per_batch = name in schedules.PER_BATCH
        if name == "OneCycleLR":
            kw["total_steps"] = 30 * 4
        expected = torch_lrs(name, kw, 30, 4 if per_batch else 1, lr=ex.lr.value, per_batch=per_batch)
        assert ex.last["lr"] == pytest.approx(expected, rel=1e-12), name
    ex.scheduler.value = "CosineAnnealingLR"
    ex.T_max.value = 10
    assert ex.last["lr"][10] == pytest.approx(0.0, abs=1e-12) and ex.last["lr"][20] == pytest.approx(0.1)


def test_a_refused_combination_is_shown_not_raised():
    ex = widgets.schedule_explorer("MultiStepLR", **SMALL)
    ex.milestones.value = "60, 30"
    assert ex.last is None and "milestones" in ex.error and "milestones" in ex.status.value
    ex.milestones.value = "20, 50"
    assert ex.error is None and ex.last["lr"][20] == pytest.approx(0.01)


def test_going_back_to_a_setting_reuses_the_cached_run():
    ex = widgets.plateau_explorer(data.wine(standardize=False), 30, lr=0.03, patience=1, **SMALL)  # cut by epoch 15
    ex.factor.value = 0.5
    first, picture = ex.last, ex.image.value
    ex.factor.value = 0.3
    assert ex.last is not first and ex.image.value != picture
    ex.factor.value = 0.5
    assert ex.last is first and ex.image.value == picture  # no retraining, no redrawing


def test_controls_update_on_release_and_have_stable_css_classes(wine):
    for ex in (widgets.plateau_explorer(wine, 5, **SMALL), widgets.step_explorer(wine, 5, **SMALL),
               widgets.schedule_explorer(num_epochs=5, **SMALL)):
        for name, ctl in ex.controls.items():
            assert getattr(ex, name) is ctl and f"lrlab-{name}" in ctl._dom_classes
            if hasattr(ctl, "continuous_update"):
                assert ctl.continuous_update is False, name
        assert "lrlab-plot" in ex.image._dom_classes and "lrlab-explorer" in ex.box._dom_classes


@pytest.mark.parametrize("make, kwargs, named", [
    (widgets.plateau_explorer, {"factor": 1.0}, "factor=1.0"),
    (widgets.plateau_explorer, {"factor": 0}, "factor=0"),
    (widgets.plateau_explorer, {"patience": -1}, "patience=-1"),
    (widgets.plateau_explorer, {"patience": 2.5}, "patience=2.5"),
    (widgets.plateau_explorer, {"lr": 5.0}, "lr=5.0"),
    (widgets.plateau_explorer, {"threshold": float("nan")}, "threshold=nan"),
    (widgets.plateau_explorer, {"mode": "avg"}, "mode='avg'"),
    (widgets.plateau_explorer, {"min_lr": 0.5}, "min_lr=0.5"),
    (widgets.plateau_explorer, {"num_epochs": 0}, "num_epochs=0"),
    (widgets.plateau_explorer, {"optimizer_type": "rmsprop"}, "optimizer_type='rmsprop'"),
    (widgets.step_explorer, {"gamma": 0.0}, "gamma=0.0"),
    (widgets.step_explorer, {"step_size": 0}, "step_size=0"),
    (widgets.step_explorer, {"scheduler": "CosineAnnealingLR"}, "scheduler='CosineAnnealingLR'"),
    (widgets.schedule_explorer, {"name": "LambdaLR"}, "name='LambdaLR'"),
    (widgets.schedule_explorer, {"name": "StepLR", "T_max": 5}, "'T_max'"),
    (widgets.schedule_explorer, {"name": "CosineAnnealingLR", "T_max": 0}, "T_max=0"),
    (widgets.schedule_explorer, {"name": "OneCycleLR", "pct_start": 1.0}, "pct_start=1.0"),
])
def test_a_value_out_of_range_in_code_is_a_value_error_before_any_training(monkeypatch, make, kwargs, named):
    def no_training(*args, **kw):
        raise AssertionError("trained before checking the arguments")

    monkeypatch.setattr(explore, "train_run", no_training)
    monkeypatch.setattr(explore.Trainer, "run", no_training)
    monkeypatch.setattr(explore, "preview_run", no_training)
    with pytest.raises(ValueError, match="must") as err:
        make(**kwargs)
    assert named in str(err.value)


def test_a_slider_cannot_go_out_of_range(wine):
    ex = widgets.plateau_explorer(wine, 5, **SMALL)
    ex.factor.value = 1.5
    ex.patience.value = 99
    assert ex.params()["factor"] == 0.95 and ex.params()["patience"] == 30  # clamped to the slider's range
    assert ex.last.epoch_lr == ex.cache[tuple(sorted(ex.params().items()))][0].epoch_lr


def test_a_notebook_without_widgets_shows_a_png_of_the_default_setting(wine):
    from IPython.core.formatters import DisplayFormatter

    ex = widgets.plateau_explorer(wine, 10, **SMALL)
    bundle, _ = DisplayFormatter().format(ex)
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.box.model_id
    fallback = base64.b64decode(bundle["image/png"])  # the live picture, with its headline drawn above it
    assert fallback.startswith(b"\x89PNG") and bytes(ex.image.value).startswith(b"\x89PNG")
    assert fallback != ex.image.value and fallback[16:24] == bytes(ex.image.value)[16:24]  # same width and height
    assert "patience 10" in ex.status.value and "<b>" in ex.status.value  # the headline, in the status line
    assert bundle["text/plain"].startswith("PlateauExplorer(lr=0.1, factor=0.1") and "0x" not in bundle["text/plain"]


def test_a_diverging_run_is_reported_in_the_status_not_raised():
    ex = widgets.step_explorer(data.wine(standardize=False), 10, lr=1.0, optimizer_type="sgd", **SMALL)
    assert ex.last.stopped and "diverged" in ex.status.value and ex.error is None


def _values(ctl):
    """What a control can produce at its edges: both ends of a slider, every option of a dropdown, and for the
    milestones text box good text and nonsense (which must not raise either)."""
    if hasattr(ctl, "options"):
        return [o[1] if isinstance(o, tuple) else o for o in ctl.options]
    if not hasattr(ctl, "min"):
        return ["10, 20", "40, 10", "x"]
    return [10.0 ** ctl.min, 10.0 ** ctl.max] if hasattr(ctl, "base") else [ctl.min, ctl.max]


def _moves(explorers, rng, random_moves):
    """Every control of every explorer (every scheduler's, for the schedule explorer) to each of its edge values,
    one at a time; then ``random_moves`` seeded random moves, for combinations of settings."""
    for ex in explorers:
        names = ["scheduler"] if isinstance(ex, widgets.ScheduleExplorer) else list(ex.params())
        for name in names:
            for value in _values(ex.controls[name]):
                yield ex, name, value
                if isinstance(ex, widgets.ScheduleExplorer):  # this scheduler's own controls
                    for own in [n for n in ex.params() if n not in ("scheduler",)]:
                        yield from ((ex, own, v) for v in _values(ex.controls[own]))
    for _ in range(random_moves):
        ex = rng.choice(explorers)
        name = rng.choice(list(ex.params()))  # only the controls on show for the current scheduler
        yield ex, name, rng.choice(_values(ex.controls[name]))


def test_controls_at_their_edges_and_random_moves_raise_nothing_and_leave_no_open_figures(wine):
    before = plt.get_fignums()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would reach a notebook's stderr: none allowed
        explorers = [widgets.plateau_explorer(wine, 12, **SMALL), widgets.step_explorer(wine, 12, **SMALL),
                     widgets.schedule_explorer(num_epochs=12, steps_per_epoch=3, **SMALL)]
        moves = 0
        for ex, name, value in _moves(explorers, random.Random(0), random_moves=40):
            ex.controls[name].value = value
            moves += 1
            if isinstance(ex, widgets.ScheduleExplorer):  # a combination a scheduler refuses is said, not raised
                refused = ex.error is not None and "could not run" not in ex.error
                assert ex.error is None or (refused and ex.last is None), (name, value, ex.error)
            else:
                assert ex.error is None and (ex.last.num_epochs == 12 or ex.last.stopped), (name, value)
    assert plt.get_fignums() == before == []
    assert moves > 100 and sum(len(ex.cache) for ex in explorers) > 50  # most moves really computed something new


# --- a slider move never ends in an exception (issue 13) ----------------------------------------------------------
def _drawn_lr(ex) -> list:
    return [y for y in ex.figure.lr_line.get_ydata() if not math.isnan(y)]


def test_adam_diverging_on_digits_in_its_first_epoch_is_drawn_and_explained():
    ex = widgets.step_explorer(data.digits(), 2, **SMALL)
    picture = ex.image.value
    ex.lr.value = 1.0  # was an IndexError: no epoch finished, no final LR
    h = ex.last
    assert ex.error is None and h.stopped and h.num_epochs == 0 and len(h.loss) >= 1
    assert "diverged" in ex.status.value and "no epoch finished" in ex.status.value and "lr=1" in ex.status.value
    assert ex.image.value != picture and _drawn_lr(ex) == [1.0] * len(_drawn_lr(ex)) != []  # the steps it took


def test_mini_batch_sgd_stopped_inside_an_epoch_draws_the_steps_it_took():
    ex = widgets.plateau_explorer(data.wine(batch_size=4), 3, optimizer_type="sgd", **SMALL)
    ex.lr.value = 1.0  # was a numpy shape error: more LR steps than finished epochs
    h = ex.last
    assert ex.error is None and h.stopped and "diverged" in ex.status.value
    xs = [x for x in ex.figure.lr_line.get_xdata() if not math.isnan(x)]
    assert xs[0] == 0.0 and xs[-1] == pytest.approx(h.step_epoch[-1] + 1 / 36)  # 142 examples: 36 batches of 4


def test_a_refused_setting_replaces_the_picture_the_status_and_last():
    ex = widgets.schedule_explorer("MultiStepLR", **SMALL)
    good, status = ex.image.value, ex.status.value
    ex.milestones.value = "60, 30"
    assert ex.last is None and "milestones" in ex.error and "color:#b00" in ex.status.value != status
    assert ex.image.value not in (good, b"")  # an empty picture that says so, not the last setting's
    ex.milestones.value = "30, 60, 80"
    assert ex.error is None and ex.image.value == good and ex.status.value == status


def test_an_unexpected_error_in_a_move_is_shown_not_raised(wine, monkeypatch):
    ex = widgets.plateau_explorer(wine, 5, **SMALL)
    picture = ex.image.value

    def broken(*args, **kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(explore.Trainer, "run", broken)
    ex.factor.value = 0.5
    assert ex.last is None and "RuntimeError: boom" in ex.error and "boom" in ex.status.value
    assert ex.image.value != picture


def test_the_constantlr_factor_slider_cannot_reach_zero():
    ex = widgets.schedule_explorer("ConstantLR", num_epochs=10, **SMALL)
    ex.factor.value = 0.0
    assert ex.factor.value >= 0.05 and ex.error is None and min(ex.last["lr"]) > 0
    with pytest.raises(ValueError, match="factor"):
        widgets.schedule_explorer("ConstantLR", factor=0.0)


@pytest.mark.parametrize("make", ["plateau", "step", "exponential", "schedule"])
def test_the_settings_one_notch_away_are_what_a_one_notch_move_gives(wine, make):
    """The background thread computes ``neighbours()``: each must be exactly the setting a move gives, or the
    move would not find it."""
    ex = {"plateau": lambda: widgets.plateau_explorer(wine, 3, lr=0.03, **SMALL),
          "step": lambda: widgets.step_explorer(wine, 3, **SMALL),
          "exponential": lambda: widgets.step_explorer(wine, 3, scheduler="ExponentialLR", **SMALL),
          "schedule": lambda: widgets.schedule_explorer("OneCycleLR", num_epochs=3, **SMALL)}[make]()
    start = ex.params()
    predicted = ex.neighbours()
    assert len(predicted) >= len(start) - 1
    moves = [(name, value) for name in start for value in explorers._notches(ex.specs[name], start[name])]
    assert len(moves) == len(predicted)
    for name, value in moves:
        ex._hold = True  # back to the start without computing anything
        for key, ctl in ex.controls.items():
            if key in start:
                ctl.value = start[key]
        ex._hold = False
        if isinstance(ex, widgets.StepExplorer):
            ex._layout(None)
        ex.controls[name].value = value
        assert ex.params() in predicted, (name, value, ex.params())

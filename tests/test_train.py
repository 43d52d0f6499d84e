"""lrlab.fit against hand-written PyTorch loops (the oracle), plus its guards."""

import warnings

import pytest
import torch
from torch import nn
from torch.optim import lr_scheduler

import lrlab
from lrlab import data, models, schedules


def _wine_run(scheduler_factory, num_epochs=30, lr=0.1, **fit_kwargs):
    d = data.wine()
    model = models.WineMLP(seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = scheduler_factory(opt) if scheduler_factory else None
    return lrlab.fit(model, opt, sched, d, num_epochs=num_epochs, **fit_kwargs)


def test_plateau_run_matches_the_sources_hand_written_loop():
    # The classic Wine example's loop, verbatim in spirit: full batch, scheduler.step(val_loss) after each epoch.
    def factory(o):
        return lr_scheduler.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2)
    d = data.wine(standardize=False)
    X, y, Xv, yv = (d.tensors[k] for k in ("X_train", "y_train", "X_val", "y_val"))
    model = models.WineMLP(seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    sched = factory(opt)
    crit = nn.CrossEntropyLoss()
    expected_lr, expected_val = [], []
    for _ in range(60):
        model.train()
        opt.zero_grad()
        loss = crit(model(X), y)
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            val_loss = crit(model(Xv), yv)
        sched.step(val_loss)
        expected_lr.append(sched.get_last_lr()[0])
        expected_val.append(val_loss.item())

    model = models.WineMLP(seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    h = lrlab.fit(model, opt, factory(opt), data.wine(standardize=False), num_epochs=60)
    assert h.epoch_lr == expected_lr
    assert h.val_loss == pytest.approx(expected_val, rel=1e-6)
    assert len(set(h.epoch_lr)) >= 3, "the case should include LR reductions"


def test_step_lr_per_step_record_matches_preview_of_the_same_scheduler():
    def factory(o):
        return schedules.make("StepLR", o, step_size=2, gamma=0.5)
    d = data.digits(batch_size=256)
    model = models.SmallCNN()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    h = lrlab.fit(model, opt, factory(opt), d, num_epochs=5)
    curve = schedules.preview(factory, 5, d.steps_per_epoch)
    assert h.lr == curve["lr"]
    assert h.step_epoch == pytest.approx(curve["step_epoch"])
    assert h.epoch_lr == [0.1, 0.05, 0.05, 0.025, 0.025]


def test_per_batch_one_cycle_records_every_step_and_never_overruns():
    d = data.digits(batch_size=128)
    model = models.SmallCNN()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    total = 3 * d.steps_per_epoch
    sched = schedules.make("OneCycleLR", opt, max_lr=0.5, total_steps=total)
    h = lrlab.fit(model, opt, sched, d, num_epochs=3, step_on="batch")
    curve = schedules.preview(lambda o: schedules.make("OneCycleLR", o, max_lr=0.5, total_steps=total),
                              3, d.steps_per_epoch, step_on="batch")
    assert len(h.lr) == total
    assert h.lr == pytest.approx(curve["lr"])
    assert max(h.lr) == pytest.approx(0.5, rel=0.05)


def test_optimizer_steps_before_scheduler_so_pytorch_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _wine_run(lambda o: lr_scheduler.StepLR(o, step_size=1), num_epochs=3)


def test_every_param_group_is_recorded():
    d = data.wine()
    model = models.WineMLP()
    opt = torch.optim.SGD([{"params": model.fc1.parameters(), "lr": 0.01},
                           {"params": list(model.fc2.parameters()) + list(model.fc3.parameters())}], lr=0.1)
    h = lrlab.fit(model, opt, lr_scheduler.ExponentialLR(opt, gamma=0.5), d, num_epochs=3)
    assert h.lrs == [[0.01, 0.1], [0.005, 0.05], [0.0025, 0.025]]
    assert h.lr == [0.01, 0.005, 0.0025]
    assert h.epoch_lrs[-1] == [0.00125, 0.0125]


def test_plateau_monitor_val_acc_in_max_mode():
    h = _wine_run(lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="max", factor=0.5, patience=1),
                  num_epochs=30, monitor="val_acc")
    # accuracy saturates at 1.0 quickly, so the LR must be cut after patience+1 epochs without a gain
    assert h.val_acc[-1] == 1.0
    assert h.epoch_lr[-1] < 0.1


def test_same_seed_gives_identical_histories_even_with_shuffling():
    def run():
        d = data.digits(batch_size=64)
        model = models.SmallCNN(seed=3)
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        return lrlab.fit(model, opt, lr_scheduler.ExponentialLR(opt, gamma=0.9), d, num_epochs=2, seed=5)
    assert run().asdict() == run().asdict()


def test_reusing_a_loader_replays_the_same_shuffle():
    d = data.digits(batch_size=64)
    histories = []
    for _ in range(2):
        model = models.SmallCNN()
        histories.append(lrlab.fit(model, torch.optim.SGD(model.parameters(), lr=0.05), None, d, num_epochs=1).loss)
    assert histories[0] == histories[1]


def test_divergence_at_lr_10_stops_cleanly_with_the_history(capsys):
    d = data.wine()
    model = models.WineMLP()
    h = lrlab.fit(model, torch.optim.SGD(model.parameters(), lr=10), None, d, num_epochs=100)
    out = capsys.readouterr().out
    assert h.diverged and 0 < h.num_epochs < 100
    assert "diverged at epoch" in out and "lr=10" in out
    assert f"epoch {h.num_epochs + 1}" in h.stopped
    assert len(h.lr) == len(h.loss) == h.num_epochs  # the history so far, consistent


def test_nan_loss_stops_with_epoch_and_lr():
    calls = {"n": 0}

    def nan_after_three(out, y):  # NaN from the 4th training batch on (validation calls not counted)
        calls["n"] += torch.is_grad_enabled()
        loss = nn.functional.cross_entropy(out, y)
        return loss * float("nan") if calls["n"] > 3 else loss
    h = _wine_run(None, num_epochs=10, criterion=nan_after_three, verbose=False)
    assert h.num_epochs == 3 and "nan" in h.stopped and "epoch 4" in h.stopped and "lr=0.1" in h.stopped


def _fresh():
    model = models.WineMLP()
    return model, torch.optim.Adam(model.parameters(), lr=0.1)


@pytest.mark.parametrize("kwargs,param", [
    ({"num_epochs": 0}, "num_epochs"), ({"num_epochs": 2.5}, "num_epochs"), ({"num_epochs": "10"}, "num_epochs"),
    ({"step_on": "step"}, "step_on"), ({"monitor": "accuracy"}, "monitor"), ({"seed": 1.5}, "seed"),
    ({"diverge_threshold": 0.5}, "diverge_threshold"), ({"data": []}, "data"),
])
def test_bad_arguments_fail_before_training(kwargs, param):
    model, opt = _fresh()
    before = [p.clone() for p in model.parameters()]
    args = {"data": data.wine(), "num_epochs": 3, **kwargs}
    with pytest.raises(ValueError, match=param):
        lrlab.fit(model, opt, None, **args)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


def test_scheduler_on_another_optimizer_is_refused():
    model, opt = _fresh()
    other = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="scheduler"):
        lrlab.fit(model, opt, lr_scheduler.StepLR(other, 1), data.wine(), num_epochs=2)


def test_validation_monitor_needs_validation_data():
    model, opt = _fresh()
    with pytest.raises(ValueError, match="monitor"):
        lrlab.fit(model, opt, None, data.wine().train, num_epochs=2)
    h = lrlab.fit(model, opt, None, data.wine().train, num_epochs=2, monitor="train_loss")
    assert h.val_loss == [] and len(h.train_loss) == 2


def test_pick_device_prefers_cuda_then_mps_then_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert lrlab.pick_device().type == "cuda" and lrlab.pick_device("cpu").type == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert lrlab.pick_device().type == "mps"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert lrlab.pick_device().type == "cpu"


def test_fit_trains_where_the_model_is_and_never_picks_a_device(monkeypatch):
    def no_picking(*args):
        raise AssertionError("fit picked a device")

    monkeypatch.setattr(lrlab.train, "pick_device", no_picking)
    model, opt = _fresh()
    weights = list(model.parameters())
    h = lrlab.fit(model, opt, None, data.wine(), num_epochs=2)
    assert h.device == "cpu" and h.num_epochs == 2
    assert all(a is b for a, b in zip(weights, model.parameters(), strict=True))  # trained in place, not moved


def test_a_plateau_stepped_per_batch_needs_the_training_loss_as_its_monitor():
    model, opt = _fresh()
    sched = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0)
    with pytest.raises(ValueError, match=r"monitor='val_loss' cannot reach a ReduceLROnPlateau stepped after every"):
        lrlab.fit(model, opt, sched, data.wine(batch_size=32), num_epochs=2, step_on="batch")
    h = lrlab.fit(model, opt, sched, data.wine(batch_size=32), num_epochs=2, step_on="batch", monitor="train_loss")
    # the oracle: the same scheduler fed each batch's loss by hand gives the LRs fit recorded
    opt2 = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.1)
    oracle = lr_scheduler.ReduceLROnPlateau(opt2, factor=0.5, patience=0)
    lrs = []
    for loss in h.loss:
        lrs.append(opt2.param_groups[0]["lr"])
        oracle.step(loss)
    assert h.lr == lrs and min(h.lr) < 0.1


def test_fit_reads_as_its_parts_train_epoch_and_evaluate():
    # fit's first epoch is one train_epoch (a train_step per batch) and an evaluate, by hand
    d = data.wine(batch_size=64)
    model, opt = _fresh()
    h = lrlab.fit(model, opt, None, d, num_epochs=1, seed=0)
    model2, opt2 = _fresh()
    d.train.generator.manual_seed(0)
    result = lrlab.train.train_epoch(model2, opt2, nn.CrossEntropyLoss(), d.train)
    assert result.steps == len(h.loss) and result.mean_loss == pytest.approx(h.train_loss[0], rel=1e-12)
    assert lrlab.evaluate(model2, d.val) == pytest.approx((h.val_loss[0], h.val_acc[0]), rel=1e-12)


def test_train_epoch_callbacks_stop_a_pass_and_a_refused_loss_moves_no_weight():
    model, opt = _fresh()
    batches = list(data.wine(batch_size=32).train)
    before = [p.clone() for p in model.parameters()]
    refused = lrlab.train.train_epoch(model, opt, nn.CrossEntropyLoss(), batches, accept=lambda i, loss: False)
    assert refused.steps == 0 and refused.refused > 0
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    seen = []
    two = lrlab.train.train_epoch(model, opt, nn.CrossEntropyLoss(), batches,
                                  on_batch=lambda i, loss: seen.append(i) or i == 1)
    assert two.steps == 2 and seen == [0, 1] and two.refused is None


def test_evaluate_puts_every_modules_mode_back():
    model = models.WineMLP()
    model.fc1.eval()  # one submodule in eval mode, the rest in train mode
    lrlab.evaluate(model, data.wine().val)
    assert model.training and not model.fc1.training and model.fc2.training


def test_no_progress_output_unless_asked(capfd):
    _wine_run(None, num_epochs=2)
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_mode_free_knows_the_course_models_and_refuses_anything_mode_dependent():
    from lrlab.train import mode_free

    class Dropped(models.WineMLP):  # inherits mode_free = True, but adds a Dropout
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.5)

    class Custom(nn.Module):  # may read self.training in forward: not known to be mode-free
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(13, 3)

    assert all(mode_free(m) for m in (models.WineMLP(), models.MLP(), models.SmallCNN(), nn.Linear(2, 2)))
    assert not any(mode_free(m) for m in (Dropped(), Custom(), nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))))


def test_validation_is_in_eval_mode_for_a_dropout_model_and_the_model_is_left_training():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Dropout(0.9), nn.Linear(32, 3))
    wine = data.wine()
    h = lrlab.fit(model, torch.optim.SGD(model.parameters(), lr=1e-9), None, wine, num_epochs=1, verbose=False)
    assert model.training, "fit leaves the model in train mode"
    eval_loss, _ = lrlab.evaluate(model, wine.val)
    assert h.val_loss[-1] == pytest.approx(eval_loss, rel=1e-5), "validation with dropout off (eval mode)"
    with torch.no_grad():
        train_mode_loss = nn.functional.cross_entropy(model(wine.tensors["X_val"]), wine.tensors["y_val"]).item()
    assert abs(train_mode_loss - eval_loss) > 1e-3, "the test's dropout does change the loss in train mode"

"""Every mistake a student makes gets one clear ValueError (or a warning) that names the parameter, before any
training, and nothing is changed by it (issue 13). One test per class of mistake, parametrised over its cases:

1. mistakes blamed on the wrong thing (bad data is not divergence; another model's optimizer; a factory that
   builds on the real optimizer; ReduceLROnPlateau's mode against the monitored metric);
2. wrong shapes and types, seen on the first batch;
3. values that make no schedule;
4. counts without an upper bound;
5. errors that can be known before training are raised before it;
6. ``lrlab.NAME`` in a fresh interpreter.

"Nothing changed" is ``lrlab.finder.snapshot``: weights, buffers, gradients, train/eval flags, optimizer state and
LRs, torch's global generator and the loader's shuffling generator, compared bitwise.
"""

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from torch import nn
from torch.optim import lr_scheduler

import lrlab
from lrlab import checkpoint, data, finder, lint, models, plateau, schedules, train, validation

W = data.wine()
X, Y = W.tensors["X_train"], W.tensors["y_train"]


def _fit(model, opt, d):
    return lrlab.fit(model, opt, None, d, num_epochs=2, monitor="train_loss", verbose=False)


def _finder(model, opt, d):
    return finder.lr_range_test(model, opt, None, d, 1e-4, 1.0, 10)


def _verify(model, opt, d):
    return finder.verify(1e-2, model, opt, d, num_epochs=1)


def _sweep(model, opt, d):  # the sweep's one run gets this model and this optimizer
    return lrlab.sweep(lambda: model, lambda params, lr: opt, [0.01], d, num_epochs=2, monitor="train_loss",
                       verbose=False)


ENTRY_POINTS = {"fit": _fit, "lr_range_test": _finder, "verify": _verify, "sweep": _sweep}


def _refused(run, model, opt, d, wanted, also=()):
    """``run`` raises one ValueError naming ``wanted`` (and each of ``also``), and changes nothing."""
    loader = d.train if hasattr(d, "train") else d
    before = finder.snapshot(model, opt, loader) if isinstance(model, nn.Module) else None
    with pytest.raises(ValueError) as err:
        run(model, opt, d)
    message = str(err.value)
    assert wanted in message and all(a in message for a in also), message
    if before is not None:
        assert finder.snapshots_equal(before, finder.snapshot(model, opt, loader)), "something was changed"
    return message


def _with_nan(x, where=7):
    x = x.clone()
    x.view(-1)[where] = math.nan
    return x


# --- 1. mistakes blamed on the wrong thing -----------------------------------------------------------------------
DATA_PROBLEMS = {
    "NaN in the inputs": ([(_with_nan(X), Y)], "NaN"),
    "inf in the inputs": ([(X * math.inf, Y)], "inf"),
    "an empty batch": ([(X[:0], Y[:0])], "empty"),
    "NaN in the validation inputs": ((W.train, [(_with_nan(W.tensors["X_val"]), W.tensors["y_val"])]), "NaN"),
}
ONE_MODELS_LOSS = ("inf weights", "a NaN criterion")  # a loss that is not finite before any update: not the LR


def _inf_weights():  # inf, not NaN, so that "nothing changed" can compare them bitwise
    model = models.WineMLP()
    with torch.no_grad():
        model.fc1.weight[0, 0] = math.inf
    return model


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("case", [*DATA_PROBLEMS, *ONE_MODELS_LOSS, "another model's optimizer"])
def test_mistakes_are_blamed_on_what_is_wrong_not_on_the_learning_rate(entry, case):
    run, model = ENTRY_POINTS[entry], models.WineMLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    if case in DATA_PROBLEMS:
        bad, what = DATA_PROBLEMS[case]
        message = _refused(run, model, opt, bad, "data", (what,))
    elif case == "inf weights":
        model = _inf_weights()
        message = _refused(run, model, torch.optim.SGD(model.parameters(), lr=0.1), W, "model", ("NaN or inf",))
    elif case == "a NaN criterion":
        def nan(out, y):
            return out.sum() * math.nan

        runs = {"fit": lambda m, o, d: lrlab.fit(m, o, None, d, num_epochs=2, criterion=nan),
                "lr_range_test": lambda m, o, d: finder.lr_range_test(m, o, nan, d),
                "verify": lambda m, o, d: finder.verify(0.01, m, o, d, criterion=nan),
                "sweep": lambda m, o, d: lrlab.sweep(lambda: m, lambda p, lr: o, [0.1], d, num_epochs=1, criterion=nan)}
        message = _refused(runs[entry], model, opt, W, "criterion", ("not the learning rate",))
    else:
        other = torch.optim.SGD(models.WineMLP(seed=1).parameters(), lr=0.1)
        if entry == "sweep":  # the sweep's optimizer_fn builds on another model
            run = lambda m, o, d: lrlab.sweep(lambda: m, lambda p, lr: other, [0.1], d, num_epochs=1)  # noqa: E731
        message = _refused(run, model, other, W, "optimizer", ("another model",))
    assert "diverged" not in message


def test_nan_in_a_later_batch_stops_fit_naming_the_data_and_keeps_the_history():
    batches = [(X[i:i + 20], Y[i:i + 20]) for i in range(0, 120, 20)]
    batches[2] = (_with_nan(batches[2][0]), batches[2][1])
    model = models.WineMLP()
    with pytest.raises(ValueError, match=r"data's batch 3 of this epoch holds 1 NaN value .* not of the") as err:
        lrlab.fit(model, torch.optim.SGD(model.parameters(), lr=0.1), None, batches, num_epochs=3,
                  monitor="train_loss", verbose=False)
    assert len(err.value.history.loss) == 2 and "diverged" not in err.value.history.stopped


@pytest.mark.parametrize("name", ["preview", "lint_schedule"])
@pytest.mark.parametrize("factory_kind", ["lambda naming it", "partial", "built through a helper"])
def test_a_factory_that_builds_on_the_real_optimizer_is_refused_and_the_optimizer_left_alone(name, factory_kind):
    model = models.WineMLP()
    real = torch.optim.SGD(model.parameters(), lr=0.1)
    before = finder.snapshot(model, real)

    def helper(o):  # reaches the real optimizer through another function: found when it has built
        return lr_scheduler.ExponentialLR(real, gamma=0.5)

    factory = {"lambda naming it": lambda opt: lr_scheduler.LinearLR(real, start_factor=0.1),
               "partial": __import__("functools").partial(lr_scheduler.StepLR, real, 2),
               "built through a helper": lambda opt: helper(opt)}[factory_kind]
    call = {"preview": lambda: schedules.preview(factory, 5), "lint_schedule": lambda: lint.lint_schedule(factory, 5)}
    with pytest.raises(schedules.FactoryError, match="factory") as err:
        call[name]()
    assert "optimizer" in str(err.value)
    if factory_kind != "built through a helper":  # refused before it was called: nothing changed
        assert finder.snapshots_equal(before, finder.snapshot(model, real))


@pytest.mark.parametrize("mode,monitor,warns", [("min", "val_acc", True), ("max", "val_loss", True),
                                                ("max", "train_loss", True), ("min", "train_acc", True),
                                                ("min", "val_loss", False), ("max", "val_acc", False)])
def test_plateau_mode_against_the_monitored_metric_warns(mode, monitor, warns):
    model = models.WineMLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        lrlab.fit(model, opt, lr_scheduler.ReduceLROnPlateau(opt, mode=mode), W, num_epochs=1, monitor=monitor)
    hits = [w for w in seen if f"mode={mode!r}" in str(w.message) and f"monitor={monitor!r}" in str(w.message)]
    assert bool(hits) == warns


# --- 2. wrong shapes and types, seen on the first batch ----------------------------------------------------------
SHAPES = {  # case: (model, data, the parameter named, what else the message says)
    "(X, y) tensors as data": (models.WineMLP, (X, Y), "data", "[(X, y)]"),
    "[X, y] as data": (models.WineMLP, [X, Y], "data", "[(X, y)]"),
    "dict batches": (models.WineMLP, [{"x": X, "y": Y}], "data", "dict"),
    "3-tuples": (models.WineMLP, [(X, Y, Y)], "data", "3 items"),
    "numpy arrays": (models.WineMLP, [(X.numpy(), Y.numpy())], "data", "numpy"),
    "float64 inputs": (models.WineMLP, [(X.double(), Y)], "data", "float64"),
    "float targets": (models.WineMLP, [(X, Y.float())], "data", "y.long()"),
    "(N, 1) targets": (models.WineMLP, [(X, Y[:, None])], "data", "squeeze"),
    "int32 targets": (models.WineMLP, [(X, Y.int())], "data", "int64"),
    "labels counted from 1": (models.WineMLP, [(X, Y + 1)], "data", "subtract 1"),
    "a one-shot generator": (models.WineMLP, "generator", "data", "one-shot"),
    "a Dataset, not a loader": (models.WineMLP, torch.utils.data.TensorDataset(X, Y), "data", "DataLoader"),
    "too few outputs": (lambda: models.WineMLP(num_classes=2), W, "model", "3 outputs"),
    "too many outputs (Data)": (lambda: models.WineMLP(num_classes=10), W, "model", "3 classes"),
    "too many outputs (a list)": (lambda: models.WineMLP(num_classes=10), [(X, Y)], "model", "3 classes"),
    "a float16 model": (lambda: models.WineMLP().half(), W, "model", "float16"),
    "12 input features": (lambda: models.WineMLP(in_features=12), W, "model", "cannot take"),
    "a tuple from forward": (lambda: _TupleOut(), W, "model", "tuple"),
}


class _TupleOut(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(13, 3)

    def forward(self, x):
        return self.fc(x), None


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("case", SHAPES)
def test_wrong_shapes_and_types_are_one_value_error_naming_data_or_model(entry, case):
    make_model, d, wanted, also = SHAPES[case]
    if entry == "lr_range_test" and d == "generator":
        pytest.skip("the range test reads a stream once: a generator is fine there")
    if d == "generator":
        d = ((X[i:i + 32], Y[i:i + 32]) for i in range(0, 128, 32))
    model = make_model()
    _refused(ENTRY_POINTS[entry], model, torch.optim.SGD(model.parameters(), lr=0.1), d, wanted, (also,))


def test_evaluate_names_batches_and_leaves_the_model_as_it_was():
    model = models.WineMLP()
    model.eval()
    with pytest.raises(ValueError, match="batches's targets have shape"):
        lrlab.evaluate(model, [(X, Y[:, None])])
    assert not model.training


# --- 3. values that make no schedule -----------------------------------------------------------------------------
def _dummy():
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


NO_SCHEDULE = {  # case: (call, parameter named, the valid range or rule in the message)
    "ConstantLR(factor=0)": (lambda o: schedules.make("ConstantLR", o, factor=0), "factor", "0 < value"),
    "gamma=inf": (lambda o: schedules.make("ExponentialLR", o, gamma=math.inf), "gamma", "finite number > 0"),
    "gamma=nan": (lambda o: schedules.make("StepLR", o, step_size=2, gamma=math.nan), "gamma", "> 0"),
    "LambdaLR returning NaN": (lambda o: schedules.make("LambdaLR", o, lr_lambda=lambda e: math.nan), "lr_lambda",
                               ">= 0"),
    "LambdaLR negative at step 1": (lambda o: schedules.make("LambdaLR", o, lr_lambda=lambda e: 1 - 2 * e),
                                    "lr_lambda", ">= 0"),
    "MultiplicativeLR returning a string": (lambda o: schedules.make("MultiplicativeLR", o, lr_lambda=lambda e: "x"),
                                            "lr_lambda", "finite number"),
    "CyclicLR base_lr > max_lr": (lambda o: schedules.make("CyclicLR", o, base_lr=1.0, max_lr=0.1), "base_lr",
                                  "<= max_lr"),
    "eta_min above the LR": (lambda o: schedules.make("CosineAnnealingLR", o, T_max=5, eta_min=0.5), "eta_min",
                             "<= the LR"),
    "warmup_cosine eta_min above the LR": (lambda o: schedules.warmup_cosine(o, 2, 10, eta_min=1.0), "eta_min",
                                           "<= the LR"),
    "max_lr=1e300": (lambda o: schedules.make("OneCycleLR", o, max_lr=1e300, total_steps=10), "max_lr", "10000"),
    "preview lr=1e300": (lambda o: schedules.preview("StepLR", 5, lr=1e300, step_size=2), "lr", "<= 10000"),
    "trace lr=inf": (lambda o: plateau.trace([1.0, 0.9], lr=math.inf), "lr", "<= 10000"),
    "ramp end_lr=1e300": (lambda o: finder.ramp(1e-4, 1e300, 10), "end_lr", "<= 10000"),
    "sweep lrs=[1e300]": (lambda o: lrlab.sweep(models.WineMLP, torch.optim.SGD, [1e300], W, num_epochs=1), "lrs",
                          "<= 10000"),
    "verify suggested_lr=1e300": (lambda o: finder.verify(1e300, models.WineMLP(), o, W), "suggested_lr", "10000"),
    "a curve going negative (preview)": (lambda o: schedules.preview(
        lambda opt: lr_scheduler.LambdaLR(opt, lambda e: 1 - e / 2), 6), "factory", ">= 0"),
    "a curve with a NaN (lint)": (lambda o: lint.lint_schedule(
        lambda opt: lr_scheduler.LambdaLR(opt, lambda e: math.nan if e == 3 else 1.0), 6), "scheduler_factory",
        ">= 0"),
    "ConstantLR(factor=0) built directly": (lambda o: schedules.preview(
        lambda opt: lr_scheduler.ConstantLR(opt, factor=0, total_iters=2), 5), "factory", "0 < factor <= 1"),
    "CyclicLR base_lr > max_lr built directly (fit)": (lambda o: lrlab.fit(*_cyclic_upside_down(), W, num_epochs=1),
                                                       "scheduler", "base_lr must be <= max_lr"),
    "fit seed=-1": (lambda o: lrlab.fit(*_model_opt(), None, W, num_epochs=1, seed=-1), "seed", "4,294,967,295"),
    "fit seed=2**32": (lambda o: lrlab.fit(*_model_opt(), None, W, num_epochs=1, seed=2**32), "seed",
                       "4,294,967,295"),
    "lr_range_test seed=2**64": (lambda o: finder.lr_range_test(*_model_opt(), None, W, seed=2**64), "seed",
                                 "4,294,967,295"),
    "data.wine seed=-1": (lambda o: data.wine(seed=-1), "seed", "4,294,967,295"),
    "data.digits random_state=2**32": (lambda o: data.digits(random_state=2**32), "random_state", "4,294,967,295"),
    "data.loader seed=2**64": (lambda o: data.loader(X, Y, 16, seed=2**64), "seed", "4,294,967,295"),
}


def _cyclic_upside_down():
    model, opt = _model_opt()
    return model, opt, lr_scheduler.CyclicLR(opt, base_lr=1.0, max_lr=0.1)


@pytest.mark.parametrize("case", NO_SCHEDULE)
def test_values_that_make_no_schedule_are_refused_naming_the_parameter_and_the_range(case):
    call, wanted, rule = NO_SCHEDULE[case]
    opt = _dummy()
    before = [dict(g) for g in opt.param_groups]
    with pytest.raises(ValueError) as err:
        call(opt)
    message = str(err.value)
    assert wanted in message and rule in message, message
    assert [dict(g) for g in opt.param_groups] == before  # no scheduler was built on it


def test_fit_stops_a_scheduler_that_sets_a_nan_lr_naming_the_scheduler():
    model = models.WineMLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = lr_scheduler.LambdaLR(opt, lambda e: math.nan if e >= 2 else 1.0)  # torch's own: make() would refuse
    with pytest.raises(ValueError, match=r"scheduler: param group 0 has lr=nan after its step in epoch 2") as err:
        lrlab.fit(model, opt, sched, W, num_epochs=5)
    assert err.value.history.num_epochs == 2  # what was measured before it


@pytest.mark.parametrize("lr", [math.nan, math.inf, -0.1])
def test_fit_refuses_an_optimizer_whose_lr_is_no_lr(lr):
    model = models.WineMLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    opt.param_groups[0]["lr"] = lr  # torch accepts NaN and inf in its constructor; a hand edit sets anything
    _refused(_fit, model, opt, W, "optimizer", (f"lr={lr!r}",))


# --- 4. counts with an upper bound -------------------------------------------------------------------------------
COUNTS = {  # case: (call, the count named, its documented bound, the function whose docstring documents it)
    "fit num_epochs": (lambda: _fit_n(10**9), "num_epochs", "10,000", lrlab.fit),
    "preview num_epochs": (lambda: schedules.preview("StepLR", 10**6, step_size=1), "num_epochs", "10,000",
                           schedules.preview),
    "preview steps_per_epoch": (lambda: schedules.preview("StepLR", 5, 10**9, step_size=1), "steps_per_epoch",
                                "100,000", schedules.preview),
    "preview epochs x steps": (lambda: schedules.preview("StepLR", 10**4, 10**5, step_size=1),
                               "num_epochs x steps_per_epoch", "100,000", schedules.preview),
    "lint_schedule num_epochs": (lambda: lint.lint_schedule(lambda o: lr_scheduler.StepLR(o, 2), 10**9),
                                 "num_epochs", "10,000", lint.lint_schedule),
    "lint_schedule steps_per_epoch": (lambda: lint.lint_schedule(lambda o: lr_scheduler.StepLR(o, 2), 100, 10**4),
                                      "num_epochs x steps_per_epoch", "100,000", lint.lint_schedule),
    "lr_range_test num_iter": (lambda: finder.lr_range_test(*_model_opt(), None, W, num_iter=10**9), "num_iter",
                               "100,000", finder.lr_range_test),
    "ramp num_iter": (lambda: finder.ramp(1e-4, 1.0, 10**6), "num_iter", "100,000", finder.ramp),
    "verify num_epochs": (lambda: finder.verify(0.01, *_model_opt(), W, num_epochs=10**9), "num_epochs", "10,000",
                          finder.verify),
    "verify factors": (lambda: finder.verify(0.01, *_model_opt(), W, factors=[1, *range(2, 200)]), "factors", "100",
                       finder.verify),
    "sweep num_epochs": (lambda: lrlab.sweep(models.WineMLP, torch.optim.SGD, [0.1], W, num_epochs=10**9),
                         "num_epochs", "10,000", lrlab.sweep),
    "sweep lrs": (lambda: lrlab.sweep(models.WineMLP, torch.optim.SGD, list(np.logspace(-5, 0, 1000)), W,
                                      num_epochs=1), "lrs", "100", lrlab.sweep),
}


def _model_opt():
    model = models.WineMLP()
    return model, torch.optim.SGD(model.parameters(), lr=0.1)


def _fit_n(n):
    return lrlab.fit(*_model_opt(), None, W, num_epochs=n)


@pytest.mark.parametrize("case", COUNTS)
def test_every_count_has_a_documented_upper_bound(case):
    call, wanted, bound, documented_in = COUNTS[case]
    with pytest.raises(ValueError) as err:  # at once: a missing bound would run for hours here
        call()
    assert wanted in str(err.value) and bound in str(err.value), str(err.value)
    assert bound in documented_in.__doc__


def test_the_bounds_kept_by_the_bottom_modules_are_lrlab_validations():
    assert (schedules.MAX_EPOCHS, schedules.MAX_STEPS, schedules.MAX_LR) == (
        validation.MAX_EPOCHS, validation.MAX_STEPS, validation.MAX_LR)
    assert data.MAX_SEED == validation.MAX_SEED == 2**32 - 1


# --- 5. what can be known before training is raised before it ----------------------------------------------------
@pytest.mark.parametrize("step_on,total", [("batch", 20), ("epoch", 3)])
def test_one_cycle_too_short_for_the_run_is_refused_before_training(step_on, total):
    d = data.wine(batch_size=16)  # 9 batches an epoch
    model = models.WineMLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=total)
    steps = 5 * 9 if step_on == "batch" else 5
    before = finder.snapshot(model, opt, d.train)
    with pytest.raises(ValueError, match=rf"scheduler: OneCycleLR\(total_steps={total}\).*total_steps={steps}"):
        lrlab.fit(model, opt, sched, d, num_epochs=5, step_on=step_on)
    assert finder.snapshots_equal(before, finder.snapshot(model, opt, d.train)) and sched.last_epoch == 0


def test_checkpoint_save_refuses_before_writing_anything(tmp_path):
    model = models.WineMLP()
    for kwargs, wanted in (({"path": tmp_path / "no" / "x.pt"}, "path"), ({"path": tmp_path}, "path"),
                           ({"path": tmp_path / "x.pt", "epoch": -1}, "epoch")):
        call = {"path": tmp_path / "x.pt", "epoch": 1, **kwargs}
        with pytest.raises(ValueError, match=wanted):
            checkpoint.save(call.pop("path"), model, torch.optim.SGD(model.parameters(), lr=0.1), **call)
    assert list(tmp_path.iterdir()) == []


# --- 6. every public module as lrlab.NAME in a fresh interpreter ------------------------------------------------
def test_every_public_module_is_reachable_as_an_attribute_in_a_fresh_interpreter():
    names = ["plateau", "checkpoint", "compare", "lint", "finder", "schedules", "train", "validation", "data",
             "fit", "sweep", "evaluate", "History"]
    code = "import lrlab\n" + "\n".join(f"lrlab.{n}" for n in names)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert train.check_data is lrlab.train.check_data

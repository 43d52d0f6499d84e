"""lrlab.finder: the LR range test, its suggestions, verify(), and the promise to leave no trace.

PyTorch is the oracle where it can be: torch.equal on every tensor for the restore, torch.logspace /
torch.linspace for the ramps, the LRs an optimizer step hook sees, and fit() runs with and without a
range test in between.
"""

import copy
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import lrlab  # noqa: E402
from lrlab import data, finder, models  # noqa: E402


class Net(nn.Module):
    """Everything a range test can disturb: BatchNorm buffers, a non-persistent buffer, dropout (RNG),
    a submodule left in eval mode."""

    def __init__(self):
        super().__init__()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            self.body = nn.Sequential(nn.Linear(13, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.2))
            self.head = nn.Linear(16, 3)
        self.register_buffer("calls", torch.zeros(1), persistent=False)

    def forward(self, x):
        self.calls += 1
        return self.head(self.body(x))


def _wine(batch_size=16):
    return data.wine(batch_size=batch_size)


def _everything(model, opt, sched):
    """Deep copies, by PyTorch's own means, of all the state a user could notice."""
    return {"model": copy.deepcopy(model.state_dict()),
            "buffers": {k: b.clone() for k, b in model.named_buffers()},
            "grads": {k: None if p.grad is None else p.grad.clone() for k, p in model.named_parameters()},
            "training": {k: m.training for k, m in model.named_modules()},
            "opt": copy.deepcopy(opt.state_dict()),
            "sched": copy.deepcopy(sched.state_dict()),
            "rng": torch.get_rng_state()}


def _assert_bitwise_equal(a, b):
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _assert_bitwise_equal(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_bitwise_equal(x, y)
    else:
        assert a == b, (a, b)


def _busy_setup():
    """Adam with state, two param groups at different LRs, a StepLR attached, grads present."""
    d = _wine()
    model = Net()
    opt = torch.optim.Adam([{"params": model.body.parameters()}, {"params": model.head.parameters(), "lr": 3e-3}],
                           lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    lrlab.fit(model, opt, sched, d, num_epochs=2, step_on="epoch")
    model.head.eval()
    x, y = d.tensors["X_train"][:8], d.tensors["y_train"][:8]
    nn.CrossEntropyLoss()(model(x), y).backward()  # leave gradients lying around
    return d, model, opt, sched


@pytest.mark.parametrize("diverge", [False, True])
def test_state_is_restored_bitwise_with_a_scheduler_attached(diverge):
    d, model, opt, sched = _busy_setup()
    before = _everything(model, opt, sched)
    groups, group_dicts, gen_state = opt.param_groups, list(opt.param_groups), d.train.generator.get_state()
    r = finder.lr_range_test(model, opt, None, d, start_lr=1e-4, end_lr=1e3 if diverge else 1e-1, num_iter=40)
    assert r.stopped == ("diverged" if diverge else "end_lr")
    _assert_bitwise_equal(before, _everything(model, opt, sched))
    assert [g["lr"] for g in opt.param_groups] == [2.5e-3, 7.5e-4]  # StepLR halved them twice
    assert opt.param_groups is groups and all(a is b for a, b in zip(opt.param_groups, group_dicts, strict=True))
    assert "initial_lr" in opt.param_groups[0] and torch.equal(d.train.generator.get_state(), gen_state)
    assert not model.head.training and model.body.training


def test_training_after_a_range_test_is_the_same_as_without_one():
    runs = []
    for with_test in (False, True):
        d = _wine()
        model = models.WineMLP()
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
        if with_test:
            finder.lr_range_test(model, opt, None, d, start_lr=1e-3, end_lr=10, num_iter=30)
        with torch.random.fork_rng(devices=[]):
            h = lrlab.fit(model, opt, sched, d, num_epochs=3, step_on="batch", seed=0)
        runs.append((h.lr, h.loss, sched.get_last_lr()))
    assert runs[0] == runs[1]


def test_pytorch_still_warns_about_a_scheduler_stepped_before_the_optimizer_after_a_range_test():
    # the range test's own LambdaLR wraps optimizer.step and marks it called; both marks must go again
    model = models.WineMLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    finder.lr_range_test(model, opt, None, _wine(), 1e-3, 1.0, 5)
    assert "step" not in vars(opt) and not hasattr(opt, "_opt_called")
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()


def test_state_is_restored_when_the_loss_raises():
    d, model, opt, sched = _busy_setup()
    before = _everything(model, opt, sched)
    calls = []

    def criterion(out, y):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("boom")
        return nn.functional.cross_entropy(out, y)

    with pytest.raises(RuntimeError, match="boom"):
        finder.lr_range_test(model, opt, criterion, d, start_lr=1e-4, end_lr=1, num_iter=20)
    _assert_bitwise_equal(before, _everything(model, opt, sched))


def test_state_snapshot_helper_agrees_with_torch_equal():
    d, model, opt, _ = _busy_setup()
    before = finder.snapshot(model, opt, d.train)
    finder.lr_range_test(model, opt, None, d, start_lr=1e-4, end_lr=1, num_iter=10)
    assert finder.snapshots_equal(before, finder.snapshot(model, opt, d.train))
    with torch.no_grad():
        model.head.bias[0] += 1e-7  # one float's worth
    assert not finder.snapshots_equal(before, finder.snapshot(model, opt, d.train))


def _seen_lrs(start_lr, end_lr, num_iter, mode):
    """The LR each optimizer step really used (a step pre-hook), and the finder's record of it."""
    model = models.WineMLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    seen = []
    handle = opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(o.param_groups[0]["lr"]))
    r = finder.lr_range_test(model, opt, None, _wine(), start_lr, end_lr, num_iter, mode=mode, diverge_th=None)
    handle.remove()
    return seen, r


def test_exponential_ramp_uses_exactly_the_expected_lrs():
    seen, r = _seen_lrs(1e-4, 1.0, 9, "exp")
    expected = [1e-4 * (1.0 / 1e-4) ** (i / 8) for i in range(9)]  # x10 every two steps
    assert seen == r.lr == expected == finder.ramp(1e-4, 1.0, 9)
    assert r.lr == pytest.approx(torch.logspace(-4, 0, 9, dtype=torch.float64).tolist(), rel=1e-12)
    assert r.lr[0] == 1e-4 and r.stopped == "end_lr"


def test_linear_ramp_uses_exactly_the_expected_lrs():
    seen, r = _seen_lrs(0.01, 0.5, 8, "linear")
    expected = [0.01 * (1 + (0.5 / 0.01 - 1) * i / 7) for i in range(8)]  # +0.07 a step
    assert seen == r.lr == expected == finder.ramp(0.01, 0.5, 8, mode="linear")
    assert r.lr == pytest.approx(torch.linspace(0.01, 0.5, 8, dtype=torch.float64).tolist(), rel=1e-12)


def test_divergence_stops_early_and_says_why():
    d = _wine()
    model = models.WineMLP()
    r = finder.lr_range_test(model, torch.optim.Adam(model.parameters()), None, d, 1e-4, 100.0, 100)
    assert r.stopped == "diverged" and r.steps < 100 and "diverged at step" in r.message
    assert r.smooth_loss[-1] > 4.0 * min(r.smooth_loss)
    assert all(s <= 4.0 * min(r.smooth_loss[: i + 1]) for i, s in enumerate(r.smooth_loss[:-1]))
    off = finder.lr_range_test(model, torch.optim.Adam(model.parameters()), None, d, 1e-4, 100.0, 100,
                               diverge_th=None)
    assert off.steps > r.steps


def test_a_nan_loss_stops_the_test_even_without_a_threshold():
    calls = []

    def nan_from_the_fourth_call(out, y):  # call 1: the look at the first training batch (the test reads no other)
        calls.append(1)
        return nn.functional.cross_entropy(out, y) * (math.nan if len(calls) >= 4 else 1.0)

    model = models.WineMLP()
    r = finder.lr_range_test(model, torch.optim.SGD(model.parameters()), nan_from_the_fourth_call, _wine(), 1e-3,
                             1.0, 20, diverge_th=None)
    assert r.stopped == "diverged" and r.steps == 2 and "nan" in r.message


def test_a_nan_loss_before_any_update_is_blamed_on_the_criterion_not_the_lr():
    model = models.WineMLP()
    before = finder.snapshot(model)
    with pytest.raises(ValueError, match="criterion gives a loss of nan .* not the learning rate"):
        finder.lr_range_test(model, torch.optim.SGD(model.parameters()), lambda out, y: out.sum() * math.nan,
                             _wine(), 1e-3, 1.0, 20, diverge_th=None)
    assert finder.snapshots_equal(before, finder.snapshot(model))


def test_short_loader_is_cycled_or_reported_exhausted():
    d = data.digits(batch_size=256)  # 6 batches
    model = models.SmallCNN()
    opt = torch.optim.SGD(model.parameters())
    r = finder.lr_range_test(model, opt, None, d, 1e-4, 1e-2, 15, diverge_th=None)
    assert r.steps == 15 and r.stopped == "end_lr"
    once = finder.lr_range_test(model, opt, None, d, 1e-4, 1e-2, 15, diverge_th=None, cycle=False)
    assert once.steps == d.steps_per_epoch and once.stopped == "data_exhausted"
    assert once.loss == r.loss[: d.steps_per_epoch]  # same seed, same batches


def test_same_seed_same_numbers_and_validation_loss_mode():
    d = _wine()
    model = models.WineMLP()
    opt = torch.optim.Adam(model.parameters())
    a = finder.lr_range_test(model, opt, None, d, 1e-4, 1.0, 20)
    b = finder.lr_range_test(model, opt, None, d, 1e-4, 1.0, 20)
    assert a.loss == b.loss and a.smooth_loss == b.smooth_loss
    v = finder.lr_range_test(model, opt, None, d, 1e-4, 1.0, 20, val_data=d)
    assert v.loss_kind == "validation" and v.loss != a.loss
    # the first recorded validation loss is the model's after one step at start_lr
    copy_ = copy.deepcopy(model)
    o = torch.optim.Adam(copy_.parameters(), lr=1e-4)
    torch.manual_seed(0)
    d.train.generator.manual_seed(0)
    x, y = next(iter(d.train))
    nn.functional.cross_entropy(copy_(x), y).backward()
    o.step()
    assert v.loss[0] == pytest.approx(lrlab.evaluate(copy_, d.val)[0], rel=1e-6)


def test_smoothing_is_a_bias_corrected_moving_average():
    model = models.WineMLP()
    r = finder.lr_range_test(model, torch.optim.SGD(model.parameters()), None, _wine(), 1e-4, 1e-1, 12, smooth=0.7)
    avg = 0.0
    for i, (raw, smooth) in enumerate(zip(r.loss, r.smooth_loss, strict=True)):
        avg = 0.7 * avg + 0.3 * raw
        assert smooth == pytest.approx(avg / (1 - 0.7 ** (i + 1)), rel=1e-12)
    assert r.smooth_loss[0] == r.loss[0]


# --- suggestions ----------------------------------------------------------------------------------------
def _curve(n=61):
    lrs = torch.logspace(-6, 0, n, dtype=torch.float64).tolist()
    # flat, then a tanh-shaped drop centred at 1e-3 (steepest there), a minimum near 1e-1, then a rise
    losses = [2 - math.tanh(1.5 * (math.log10(lr) + 3)) + (max(0.0, math.log10(lr) + 1)) ** 2 * 8 for lr in lrs]
    return lrs, losses


def test_steepest_rule_finds_the_steepest_fall_in_log_lr_for_both_ramps():
    lrs, losses = _curve()
    assert finder.steepest(lrs, losses) == pytest.approx(1e-3)
    # a linear ramp spaces the same curve unevenly in log(lr): the rule must still find 1e-3
    lin = torch.linspace(1e-4, 1e-2, 200, dtype=torch.float64).tolist()
    lin_losses = [2 - math.tanh(1.5 * (math.log10(lr) + 3)) for lr in lin]
    assert finder.steepest(lin, lin_losses) == pytest.approx(1e-3, rel=0.03)


def test_valley_and_minimum_rules_on_a_known_curve():
    lrs, losses = _curve()
    low = losses.index(min(losses))
    assert finder.valley(lrs, losses) == lrs[low // 2]  # the whole descent is the longest valley: its middle
    assert finder.valley(list(range(8)), [5, 4, 9, 3, 2, 8, 1, 7]) == 3  # 5 4 3 2 1 at 0,1,3,4,6: middle index 3
    r = finder.FinderResult(lrs, losses, losses, "end_lr", "", "exp", 1e-6, 1.0, len(lrs), 0.0)
    s = finder.suggest(r)
    assert s["minimum/10"].lr == pytest.approx(lrs[low] / 10) and s["steepest"].lr == pytest.approx(1e-3)
    rules = finder.SUGGESTION_RULES
    assert set(s) == set(rules) and all(x.rule == finder.suggestions.describe(rules[k]) for k, x in s.items())


def test_result_reports_suggestions_and_their_disagreement():
    model = models.WineMLP()
    r = finder.lr_range_test(model, torch.optim.Adam(model.parameters()), None, _wine(), 1e-4, 10, 100)
    lrs = [s.lr for s in r.suggestions.values()]
    assert r.spread == pytest.approx(max(lrs) / min(lrs)) and r.spread >= 1
    for s in r.suggestions.values():
        assert r.lr[0] / 10 <= s.lr <= r.lr[-1] and s.loss == r.smooth_loss[s.index]
        assert s.name in r.summary()


def test_a_rule_of_your_own_is_one_function_of_lrs_and_losses():
    def half_of_minimum(lrs, losses):
        """Half the LR at the lowest smoothed loss."""
        return lrs[losses.index(min(losses))] / 2

    model = models.WineMLP()
    r = finder.lr_range_test(model, torch.optim.Adam(model.parameters()), None, _wine(), 1e-4, 10, 60,
                             rules={"minimum/2": half_of_minimum, "valley": finder.valley})
    assert list(r.suggestions) == ["minimum/2", "valley"]
    assert r.suggestions["minimum/2"].lr == pytest.approx(_min_lr(r) / 2)
    assert r.suggestions["minimum/2"].rule == "half the LR at the lowest smoothed loss"
    again = finder.suggest(r, rules=[half_of_minimum, "steepest"])  # a list: functions and named rules
    assert list(again) == ["half_of_minimum", "steepest"]
    assert again["half_of_minimum"].lr == r.suggestions["minimum/2"].lr
    for rules, match in (({"x": "steepest"}, r"rules\['x'\]"), (["fastest"], "'fastest'.*not a rule"),
                         ({"zero": lambda lrs, losses: 0.0}, r"rules\['zero'\] returned 0.0")):
        with pytest.raises(ValueError, match=match):
            finder.suggest(r, rules=rules)
    with pytest.raises(ValueError, match="'fastest'"):  # checked before any training
        finder.lr_range_test(model, torch.optim.Adam(model.parameters()), None, _wine(), rules=["fastest"])


def _min_lr(r):
    """The LR at the lowest smoothed loss, over the steps suggest() reads (num_iter // 10 to 5 from the end)."""
    lo, hi = r.num_iter // 10, len(r.smooth_loss) - 5
    losses = r.smooth_loss[lo:hi]
    return r.lr[lo + losses.index(min(losses))]


# --- argument checks --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    ({"start_lr": 0}, "start_lr=0"), ({"start_lr": -1e-3}, "start_lr=-0.001"), ({"start_lr": math.inf}, "start_lr"),
    ({"start_lr": 1e-2, "end_lr": 1e-3}, "end_lr=0.001.*start_lr \\(0.01\\) < end_lr"), ({"end_lr": 1e-5}, "end_lr"),
    ({"num_iter": 1}, "num_iter=1.*2 <= num_iter <= 100,000"), ({"num_iter": 10.0}, "num_iter=10.0"),
    ({"num_iter": True}, "num_iter"),
    ({"mode": "log"}, "mode='log'"), ({"smooth": 1.0}, "smooth=1.0.*0 <= smooth < 1"), ({"smooth": -0.1}, "smooth"),
    ({"diverge_th": 1.0}, "diverge_th=1.0.*> 1"), ({"diverge_th": "4"}, "diverge_th"),
    ({"cycle": 1}, "cycle=1"), ({"seed": 1.5}, "seed=1.5"), ({"criterion": "mse"}, "criterion='mse'"),
    ({"data": None}, "data has no training batches \\(None\\)"), ({"data": []}, "data has no training batches"),
    ({"val_data": []}, "val_data"),
])
def test_every_bad_argument_is_a_value_error_before_any_training(kwargs, match):
    model = models.WineMLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    before = copy.deepcopy(model.state_dict())
    args = {"criterion": None, "data": _wine(), "start_lr": 1e-4, "end_lr": 1.0, "num_iter": 10} | kwargs
    with pytest.raises(ValueError, match=match):
        finder.lr_range_test(model, opt, **args)
    _assert_bitwise_equal(before, model.state_dict())


def test_suggest_checks_its_trimming_and_needs_three_points():
    model = models.WineMLP()
    r = finder.lr_range_test(model, torch.optim.Adam(model.parameters()), None, _wine(), 1e-4, 1.0, 20)
    for kwargs, match in (({"skip_start": -1}, "skip_start=-1"), ({"skip_end": 1.5}, "skip_end=1.5")):
        with pytest.raises(ValueError, match=match):
            finder.suggest(r, **kwargs)
    lowest = r.lr[r.smooth_loss.index(min(r.smooth_loss))]
    assert finder.suggest(r, skip_start=0, skip_end=0)["minimum/10"].lr == lowest / 10
    short = finder.FinderResult(r.lr[:2], r.loss[:2], r.smooth_loss[:2], "diverged", "", "exp", 1e-4, 1.0, 20, 0.95)
    assert finder.suggest(short) == {} and math.isnan(short.spread)


def test_a_one_shot_iterator_is_read_once():
    d = _wine()
    batches = iter(list(d.train))  # 9 batches that cannot be read twice
    model = models.WineMLP()
    r = finder.lr_range_test(model, torch.optim.SGD(model.parameters()), None, batches, 1e-4, 1e-2, 20)
    assert r.steps == 9 and r.stopped == "data_exhausted"


def test_model_and_optimizer_must_match():
    with pytest.raises(ValueError, match="model must be"):
        finder.lr_range_test("net", torch.optim.SGD(models.WineMLP().parameters()), None, _wine())
    with pytest.raises(ValueError, match="optimizer holds none of model's 6 parameters"):
        finder.lr_range_test(models.WineMLP(), torch.optim.SGD(models.WineMLP().parameters()), None, _wine())
    with pytest.raises(ValueError, match="num_iter=0"):
        finder.ramp(1e-3, 1.0, 0)


# --- verify -------------------------------------------------------------------------------------------------
def test_verify_trains_copies_at_each_factor_and_leaves_the_originals_alone():
    d = data.wine()
    model = models.WineMLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9, nesterov=True)
    before = finder.snapshot(model, opt)
    v = finder.verify(0.02, model, opt, d, num_epochs=8)
    assert finder.snapshots_equal(before, finder.snapshot(model, opt))
    assert v.factors == [0.1, 0.3, 1.0, 3.0] and v.lrs == pytest.approx([0.002, 0.006, 0.02, 0.06])
    # the oracle: the same short training by hand, with the optimizer's own settings and the 3x LR
    net = copy.deepcopy(model)
    h = lrlab.fit(net, torch.optim.SGD(net.parameters(), lr=0.06, momentum=0.9, nesterov=True), None, d, num_epochs=8,
                  monitor="train_loss", verbose=False)
    assert v.curves[3] == h.val_loss and v.final_loss[3] == h.val_loss[-1]
    assert v.start_loss == pytest.approx(lrlab.evaluate(model, d.val)[0])
    best = min(range(4), key=lambda i: v.final_loss[i])
    assert v.best_factor == v.factors[best]
    share = (v.start_loss - v.final_loss[2]) / (v.start_loss - v.final_loss[best])
    assert v.holds == (share >= 0.9) and ("holds" in v.verdict) == v.holds


def test_verify_says_when_a_suggestion_is_too_bold_or_too_cautious():
    d = data.wine()
    model = models.WineMLP()
    opt = torch.optim.Adam(model.parameters())
    cautious = finder.verify(1e-4, model, opt, d, num_epochs=10)
    assert not cautious.holds and cautious.best_factor == 3 and "too cautious" in cautious.verdict
    bold = finder.verify(1.0, model, opt, d, num_epochs=10)
    assert not bold.holds and bold.best_factor < 1 and "too bold" in bold.verdict


@pytest.mark.parametrize("kwargs, match", [
    ({"suggested_lr": 0}, "suggested_lr=0"), ({"suggested_lr": math.nan}, "suggested_lr=nan"),
    ({"num_epochs": 0}, "num_epochs=0"), ({"factors": (0.5, 2)}, "including 1"), ({"factors": (1,)}, "factors"),
    ({"factors": (1, -2)}, "factors"), ({"tolerance": 1.5}, "tolerance=1.5"), ({"optimizer": "adam"}, "optimizer"),
])
def test_verify_rejects_bad_arguments(kwargs, match):
    model = models.WineMLP()
    args = {"suggested_lr": 0.01, "model": model, "optimizer": torch.optim.SGD(model.parameters()),
            "data": data.wine()} | kwargs
    with pytest.raises(ValueError, match=match):
        finder.verify(**args)


# --- plots and import weight ----------------------------------------------------------------------------------
def test_plot_finder_draws_the_curves_and_marks_every_suggestion():
    model = models.WineMLP()
    r = finder.lr_range_test(model, torch.optim.Adam(model.parameters()), None, _wine(), 1e-4, 10, 100)
    fig, ax = plt.subplots()
    assert finder.plot_finder(r, ax=ax) is ax
    assert ax.get_xscale() == "log" and ax.get_xlabel().startswith("learning rate")
    assert list(ax.lines[0].get_ydata()) == r.loss and list(ax.lines[1].get_ydata()) == r.smooth_loss
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    for name, s in r.suggestions.items():
        assert f"{name}: {s.lr:.2g}" in labels
    assert f"stopped: diverged (step {r.steps})" in labels and f"{r.spread:.1f}x" in ax.get_title()
    plt.close(fig)


def test_plot_verify_draws_one_curve_per_factor():
    model = models.WineMLP()
    v = finder.verify(0.01, model, torch.optim.Adam(model.parameters()), data.wine(), num_epochs=3)
    before = plt.get_fignums()
    ax = finder.plot_verify(v)
    assert [list(line.get_ydata()) for line in ax.lines] == [[v.start_loss, *c] for c in v.curves]
    assert [line.get_label() for line in ax.lines][2] == f"1x (lr={v.lrs[2]:.2g})" and ax.lines[2].get_linewidth() > 3
    plt.close(ax.figure)
    assert plt.get_fignums() == before

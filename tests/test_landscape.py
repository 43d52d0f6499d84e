"""lrlab.landscape: SGD on the noisy 2-D quadratic, checked against hand-computed recurrences."""

import doctest
import math

import pytest
import torch

from lrlab import landscape


def _recurrence(lr, steps, lambdas, start, noise=0.0, seed=0):
    """Gradient descent written out by hand: x <- x - lr * (l * x + noise * z), z from the same generator."""
    g = torch.Generator().manual_seed(seed)
    lam = torch.tensor(lambdas, dtype=torch.float64)
    p = torch.tensor(start, dtype=torch.float64)
    out = [tuple(p.tolist())]
    for _ in range(steps):
        p = p - lr * (lam * p + noise * torch.randn(2, generator=g, dtype=torch.float64))
        out.append(tuple(p.tolist()))
    return out


def test_the_docstring_examples_run():
    assert doctest.testmod(landscape).failed == 0


def test_stability_bound_is_two_over_the_largest_curvature():
    assert landscape.stability_bound((1.0, 10.0)) == 0.2
    assert landscape.stability_bound([4, 0.5]) == 0.5


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.19])
def test_without_noise_each_axis_shrinks_by_one_minus_lr_times_lambda(lr):
    path = landscape.sgd_path(lr, 25, lambdas=(1.0, 10.0), start=(-4.0, 2.0))
    expected = [(-4.0 * (1 - lr) ** k, 2.0 * (1 - 10 * lr) ** k) for k in range(26)]
    assert len(path["points"]) == len(path["loss"]) == 26 and path["lr"] == [lr] * 25
    for (x, y), (ex, ey) in zip(path["points"], expected, strict=True):
        assert x == pytest.approx(ex, rel=1e-12, abs=1e-15) and y == pytest.approx(ey, rel=1e-12, abs=1e-15)
    for point, value in zip(path["points"], path["loss"], strict=True):
        assert value == pytest.approx(landscape.loss(point))


def test_with_noise_it_is_sgd_on_the_exact_gradient_plus_seeded_gaussian_noise():
    path = landscape.sgd_path(0.05, 40, lambdas=(2.0, 5.0), start=(1.0, -1.0), noise=0.7, seed=3)
    want = _recurrence(0.05, 40, (2.0, 5.0), (1.0, -1.0), noise=0.7, seed=3)
    flat = [v for point in path["points"] for v in point]
    assert flat == pytest.approx([v for point in want for v in point], rel=1e-12, abs=1e-14)


def test_just_past_the_bound_it_diverges_just_below_it_converges():
    bound = landscape.stability_bound((1.0, 10.0))
    below = landscape.sgd_path(0.95 * bound, 300)
    above = landscape.sgd_path(1.05 * bound, 300)
    assert not below["diverged"] and below["loss"][-1] < 1e-6 * below["loss"][0]
    assert above["diverged"] and above["loss"][-1] > landscape.DIVERGED * above["loss"][0]
    # the steep axis grows by the constant factor |1 - lr * 10| = 1.1 each step
    ys = [y for _, y in above["points"]]
    assert all(b / a == pytest.approx(-1.1) for a, b in zip(ys, ys[1:], strict=False))
    assert len(above["points"]) == len(above["lr"]) + 1 == len(above["loss"]) < 301


def test_the_same_seed_gives_the_same_path_and_the_global_rng_is_untouched():
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a = landscape.sgd_path(0.1, 50, noise=1.0, seed=5)
    b = landscape.sgd_path(0.1, 50, noise=1.0, seed=5)
    assert torch.equal(torch.rand(1), expected_next)
    assert a == b
    assert landscape.sgd_path(0.1, 50, noise=1.0, seed=6)["points"] != a["points"]


def test_a_constant_lr_settles_into_the_cloud_the_closed_form_predicts():
    path = landscape.sgd_path(0.1, 4000, start=(0.0, 0.0), noise=1.0, seed=0)
    measured = landscape.rms_distance(path["points"][500:])
    assert measured == pytest.approx(landscape.stationary_spread(0.1, noise=1.0), rel=0.15)


def test_only_a_decayed_lr_shrinks_the_cloud():
    def step_cut(opt):
        return torch.optim.lr_scheduler.StepLR(opt, step_size=300, gamma=0.1)

    radii = {"constant": [], "decayed": []}
    for seed in range(3):
        const = landscape.sgd_path(0.1, 600, noise=1.0, seed=seed)
        cut = landscape.sgd_path(0.1, 600, noise=1.0, seed=seed, scheduler_fn=step_cut)
        assert cut["lr"][:300] == [0.1] * 300 and cut["lr"][300:] == pytest.approx([0.01] * 300)
        radii["constant"].append(landscape.rms_distance(const["points"][-150:]))
        radii["decayed"].append(landscape.rms_distance(cut["points"][-150:]))
    # theory: sqrt(0.01 / 0.1) ~ 0.33x the radius; every seed well below, none of the constant runs shrinks
    assert all(d < 0.6 * c for d, c in zip(radii["decayed"], radii["constant"], strict=True)), radii
    assert min(radii["constant"]) > 0.5 * landscape.stationary_spread(0.1, noise=1.0)


def test_reduce_lr_on_plateau_is_stepped_with_the_loss():
    def plateau(opt):
        return torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=5)

    path = landscape.sgd_path(0.1, 400, noise=1.0, scheduler_fn=plateau)
    assert path["lr"][0] == 0.1 and min(path["lr"]) < 0.05  # the noisy floor stops improving: cuts happen


def test_stationary_spread_closed_form():
    assert landscape.stationary_spread(0.1, (1.0, 10.0), 1.0) == pytest.approx(math.sqrt(0.1 / 1.9 + 0.1 / 10))
    assert landscape.stationary_spread(0.05, noise=0.0) == 0.0


@pytest.mark.parametrize("kwargs, name", [
    ({"lr": 0}, "lr"), ({"lr": -0.1}, "lr"), ({"lr": float("nan")}, "lr"), ({"lr": "0.1"}, "lr"),
    ({"num_steps": 0}, "num_steps"), ({"num_steps": 1.5}, "num_steps"), ({"num_steps": 10**6}, "num_steps"),
    ({"num_steps": True}, "num_steps"),
    ({"lambdas": (1.0, 0.0)}, "lambdas"), ({"lambdas": (1.0,)}, "lambdas"), ({"lambdas": 3.0}, "lambdas"),
    ({"start": (1.0, float("inf"))}, "start"), ({"start": "ab"}, "start"),
    ({"noise": -1.0}, "noise"), ({"seed": 1.0}, "seed"), ({"scheduler_fn": 3}, "scheduler_fn"),
    ({"scheduler_fn": lambda opt: opt}, "scheduler_fn"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    args = {"lr": 0.1, "num_steps": 10} | kwargs
    with pytest.raises(ValueError, match=rf"^{name}"):
        landscape.sgd_path(args.pop("lr"), args.pop("num_steps"), **args)


def test_bad_input_to_the_small_helpers():
    with pytest.raises(ValueError, match="lambdas"):
        landscape.stability_bound((0.0, 1.0))
    with pytest.raises(ValueError, match=r"lr=0.2 is out of range.*0.2"):
        landscape.stationary_spread(0.2, (1.0, 10.0))
    with pytest.raises(ValueError, match="noise"):
        landscape.stationary_spread(0.1, noise=-1)
    with pytest.raises(ValueError, match="points"):
        landscape.rms_distance([])
    with pytest.raises(ValueError, match="point"):
        landscape.loss((1.0, 2.0, 3.0))

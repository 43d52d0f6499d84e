import pytest
import torch

from lrlab import models


def test_wine_mlp_is_13_10_10_3():
    m = models.WineMLP()
    assert [tuple(p.shape) for p in m.parameters()] == [(10, 13), (10,), (10, 10), (10,), (3, 10), (3,)]


@pytest.mark.parametrize("model_class", [models.WineMLP, models.MLP], ids=["WineMLP", "MLP"])
def test_seed_fixes_the_weights_and_leaves_the_global_rng_alone(model_class):
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a, b = model_class(seed=7), model_class(seed=7)
    assert torch.equal(torch.rand(1), expected_next)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(model_class(seed=8).fc1.weight, a.fc1.weight)


@pytest.mark.parametrize("size", [28, 8])
def test_cnn_takes_mnist_and_digits(size):
    assert models.SmallCNN()(torch.zeros(5, 1, size, size)).shape == (5, 10)


def test_cnn_rejects_flat_inputs_clearly():
    with pytest.raises(ValueError, match="batch, 1, H, W"):
        models.SmallCNN()(torch.zeros(5, 64))

"""The course's models: the classic Wine example's MLP, a small CNN for MNIST and 8x8 digits, an MLP for digits."""

from __future__ import annotations

import contextlib

import torch
from torch import nn


@contextlib.contextmanager
def _seeded(seed: int | None):
    """Seed weight initialisation without touching the caller's global RNG stream."""
    if seed is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


class WineMLP(nn.Module):
    """The classic Wine example's classifier: 13 features -> 10 -> 10 -> 3 classes, ReLU between.

    Args:
        seed (int or None, default 0): seed for the weight initialisation; None uses the global RNG.

    Example::

        >>> model = WineMLP(seed=0)
        >>> model(torch.zeros(4, 13)).shape
        torch.Size([4, 3])
    """

    mode_free = True  # forward never reads self.training: train() and eval() change nothing

    def __init__(self, in_features: int = 13, hidden: int = 10, num_classes: int = 3, seed: int | None = 0):
        super().__init__()
        with _seeded(seed):
            self.fc1 = nn.Linear(in_features, hidden)
            self.fc2 = nn.Linear(hidden, hidden)
            self.fc3 = nn.Linear(hidden, num_classes)
        self.relu = nn.ReLU()

    def forward(self, x):
        # 1. two hidden layers with ReLU, 2. raw class scores (CrossEntropyLoss applies the softmax)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.fc3(x)


class SmallCNN(nn.Module):
    """A small CNN for 1-channel images: 28x28 MNIST or sklearn's 8x8 digits, 10 classes.

    Two 3x3 conv layers (8 and 16 channels), an adaptive pool to 4x4 (so both image sizes fit), then a
    linear classifier. About 5k parameters: an epoch on a few thousand images takes well under a second.

    Args:
        num_classes (int, default 10): output classes.
        seed (int or None, default 0): seed for the weight initialisation.

    Example::

        >>> SmallCNN()(torch.zeros(2, 1, 28, 28)).shape, SmallCNN()(torch.zeros(2, 1, 8, 8)).shape
        (torch.Size([2, 10]), torch.Size([2, 10]))
    """

    mode_free = True  # forward never reads self.training: train() and eval() change nothing

    def __init__(self, num_classes: int = 10, seed: int | None = 0):
        super().__init__()
        with _seeded(seed):
            self.features = nn.Sequential(
                nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4),
            )
            self.classifier = nn.Linear(16 * 4 * 4, num_classes)

    def forward(self, x):
        if x.dim() != 4 or x.shape[1] != 1:
            raise ValueError(f"SmallCNN expects images shaped (batch, 1, H, W); got {tuple(x.shape)}")
        return self.classifier(self.features(x).flatten(1))


class MLP(nn.Module):
    """A one-hidden-layer MLP that flattens its input first: 8x8 digits (64 pixels) -> 64 -> 10 classes.

    It takes the ``(batch, 1, 8, 8)`` digits images as they come (or flat ``(batch, 64)`` rows). Mini-batch
    SGD on it shows the course's "why schedule" picture: a constant LR stalls on a noise floor, a cut
    drops the loss.

    Args:
        in_features (int, default 64): inputs per example after flattening (8 * 8 for digits).
        hidden (int, default 64): units in the hidden layer.
        num_classes (int, default 10): output classes.
        seed (int or None, default 0): seed for the weight initialisation; None uses the global RNG.

    Example::

        >>> MLP(seed=0)(torch.zeros(4, 1, 8, 8)).shape
        torch.Size([4, 10])
    """

    mode_free = True  # forward never reads self.training: train() and eval() change nothing

    def __init__(self, in_features: int = 64, hidden: int = 64, num_classes: int = 10, seed: int | None = 0):
        super().__init__()
        with _seeded(seed):
            self.fc1 = nn.Linear(in_features, hidden)
            self.fc2 = nn.Linear(hidden, num_classes)
        self.flatten = nn.Flatten()
        self.relu = nn.ReLU()

    def forward(self, x):
        # 1. (batch, 1, 8, 8) -> (batch, 64), 2. one hidden layer with ReLU, 3. raw class scores
        x = self.flatten(x)
        if x.shape[1] != self.fc1.in_features:
            raise ValueError(f"MLP expects {self.fc1.in_features} values per example after flattening; "
                             f"got input shaped {tuple(x.shape)}")
        return self.fc2(self.relu(self.fc1(x)))

"""lrlab.data: the classic examples' splits, seeded loaders, MNIST through torchvision, the digits fallback."""

import struct

import numpy as np
import pytest
import torch
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader

from lrlab import data


def test_wine_uses_the_source_split_and_standardises_on_train_statistics():
    d = data.wine()
    X, y = load_wine(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=42)
    assert d.tensors["X_train"].shape == (142, 13) and d.tensors["X_val"].shape == (36, 13)
    assert d.tensors["y_val"].tolist() == y_va.tolist()
    mean = d.tensors["X_train"].mean(0)
    assert torch.allclose(mean, torch.zeros(13), atol=1e-5)
    assert torch.allclose(d.tensors["X_train"].std(0, unbiased=False), torch.ones(13), atol=1e-4)
    expected_val = (X_va - X_tr.mean(0)) / X_tr.std(0)
    assert np.allclose(d.tensors["X_val"].numpy(), expected_val, atol=1e-5)
    assert d.num_classes == 3 and d.input_shape == (13,)


def test_wine_without_standardising_keeps_raw_features():
    raw = data.wine(standardize=False).tensors["X_train"]
    assert raw.max() > 1000  # proline is in the hundreds to thousands
    assert raw.min() >= 0


def test_full_batch_is_one_batch_and_mini_batches_a_seeded_dataloader():
    full = data.wine()
    assert full.steps_per_epoch == 1
    ((x, y),) = list(full.train)
    assert x.shape == (142, 13)
    mini = data.wine(batch_size=32)
    assert isinstance(mini.train, DataLoader) and mini.train.num_workers == 0
    assert mini.steps_per_epoch == 5
    assert isinstance(mini.train.generator, torch.Generator)


def test_same_seed_same_batches_other_seed_other_order():
    def first_targets(seed):
        return next(iter(data.digits(batch_size=16, seed=seed).train))[1].tolist()
    assert first_targets(0) == first_targets(0)
    assert first_targets(0) != first_targets(1)


def test_digits_are_one_channel_8x8_images_in_unit_range():
    d = data.digits()
    assert d.input_shape == (1, 8, 8) and d.num_classes == 10
    assert len(d.tensors["X_train"]) == 1437 and len(d.tensors["X_val"]) == 360
    assert 0 <= d.tensors["X_train"].min() and d.tensors["X_train"].max() <= 1


@pytest.mark.parametrize("kwargs,param", [
    ({"batch_size": 0}, "batch_size"), ({"batch_size": 2.5}, "batch_size"), ({"test_size": 1.5}, "test_size"),
])
def test_bad_arguments(kwargs, param):
    with pytest.raises(ValueError, match=param):
        data.wine(**kwargs)


def _write_idx(path, array):
    """IDX as torchvision reads it: magic (0, 0, 0x08 = uint8, ndim), big-endian sizes, raw bytes."""
    with open(path, "wb") as f:
        f.write(bytes([0, 0, 0x08, array.ndim]))
        f.write(struct.pack(">" + "I" * array.ndim, *array.shape))
        f.write(array.astype(np.uint8).tobytes())


@pytest.fixture
def tiny_mnist(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 40), ("t10k", 12)):
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)))
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", np.arange(n) % 10)
    return tmp_path


def test_mnist_reads_idx_files_through_torchvision(tiny_mnist, capsys):
    d = data.mnist(root=str(tiny_mnist), download=False, batch_size=8)
    assert d.name == "mnist" and d.notice is None
    assert d.tensors["X_train"].shape == (40, 1, 28, 28) and len(d.tensors["X_val"]) == 12
    assert d.tensors["y_train"].tolist() == [i % 10 for i in range(40)]
    assert d.steps_per_epoch == 5
    assert capsys.readouterr().out == ""


def test_mnist_subset_is_seeded(tiny_mnist):
    a = data.mnist(root=str(tiny_mnist), download=False, subset=10)
    b = data.mnist(root=str(tiny_mnist), download=False, subset=10)
    assert len(a.tensors["X_train"]) == 10 and len(a.tensors["X_val"]) == 2
    assert torch.equal(a.tensors["X_train"], b.tensors["X_train"])


def test_mnist_falls_back_to_digits_with_one_line(tmp_path, capsys):
    d = data.mnist(root=str(tmp_path), download=False)
    out = capsys.readouterr().out
    assert d.name == "digits" and d.input_shape == (1, 8, 8)
    assert out.count("\n") == 1 and "digits" in out and "MNIST" in out
    assert d.notice in out


def test_mnist_offline_download_falls_back_without_output_noise(tmp_path, capfd, monkeypatch):
    monkeypatch.setenv("LRLAB_OFFLINE", "1")
    d = data.mnist(root=str(tmp_path), download=True)
    captured = capfd.readouterr()
    assert d.name == "digits" and captured.err == "" and captured.out.count("\n") == 1


def test_mnist_unreachable_host_falls_back(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("LRLAB_OFFLINE", raising=False)
    monkeypatch.setattr(data, "_reachable", lambda urls, timeout: False)
    assert data.mnist(root=str(tmp_path), download=True).name == "digits"


def test_mnist_download_says_where_the_data_went(tiny_mnist, monkeypatch, capsys):
    real = data._load_mnist

    def fetched(root, train, download, timeout):  # as if torchvision had just downloaded the files
        ds, _ = real(root, train, False, timeout)
        return ds, True
    monkeypatch.setattr(data, "_load_mnist", fetched)
    d = data.mnist(root=str(tiny_mnist), download=True)
    out = capsys.readouterr().out
    assert d.name == "mnist" and out.count("\n") == 1
    assert str(tiny_mnist / "MNIST") in out and d.notice in out

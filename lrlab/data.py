"""Data for the lessons: sklearn's Wine and digits, and MNIST through torchvision (digits offline).

Every loader is deterministic: mini-batch DataLoaders get a seeded ``torch.Generator`` and
``num_workers=0``; a full-batch loader is a one-element list ``[(X, y)]`` (nothing to shuffle).
sklearn and torchvision are imported only when a function needs them.
"""

from __future__ import annotations

import contextlib
import io
import numbers
import os
import socket
from dataclasses import dataclass, field
from urllib.parse import urlparse

import torch
from torch.utils.data import DataLoader, TensorDataset


@dataclass
class Data:
    """A train/validation pair of loaders, plus what a lesson needs to know about them.

    Attributes:
        train: an iterable of ``(inputs, targets)`` batches (a DataLoader, or ``[(X, y)]`` full batch).
        val: the same for the validation data.
        name (str): "wine", "digits" or "mnist".
        num_classes (int): number of classes.
        input_shape (tuple): shape of one input example.
        notice (str or None): set when a fallback was used (e.g. MNIST unavailable -> digits).
        tensors (dict): the full ``X_train, y_train, X_val, y_val`` tensors, for hand-written loops.
    """

    train: object
    val: object
    name: str
    num_classes: int
    input_shape: tuple
    notice: str | None = None
    tensors: dict = field(default_factory=dict, repr=False)

    @property
    def steps_per_epoch(self) -> int:
        return len(self.train)

    def __repr__(self):
        sizes = {k: tuple(v.shape) for k, v in self.tensors.items()}
        return (f"Data(name={self.name!r}, num_classes={self.num_classes}, input_shape={self.input_shape}, "
                f"steps_per_epoch={self.steps_per_epoch}, sizes={sizes})")


MAX_SEED = 2**32 - 1  # numpy's (and sklearn's) seeds: 0 <= seed < 2**32; a copy of lrlab.validation.MAX_SEED


def _check_seed(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= MAX_SEED:
        raise ValueError(f"{name}={value!r} is out of range; {name} must be an integer with 0 <= {name} <= "
                         f"{MAX_SEED:,}.")


def _check_bool(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"{name}={value!r} must be True or False.")


def _check_tensors(X, y):
    for name, t in (("X", X), ("y", y)):
        if not isinstance(t, torch.Tensor):
            fix = "torch.as_tensor(X, dtype=torch.float32)" if name == "X" else "torch.as_tensor(y).long()"
            raise ValueError(f"{name} must be a torch.Tensor, got {type(t).__name__}: convert it with {fix}.")
        if t.dim() == 0:
            raise ValueError(f"{name} is a single number; {name} must hold one example per row.")
    if len(X) == 0:
        raise ValueError("X holds no examples; X must hold at least one row.")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}; X and y must hold one target per example.")


def _check_batch_size(batch_size, n):
    if batch_size is None:
        return
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r} must be None (full batch) or an integer >= 1 "
                         f"(at most {n}, the training-set size).")


def loader(X: torch.Tensor, y: torch.Tensor, batch_size: int | None = None, shuffle: bool = True,
           seed: int = 0):
    """Batches of ``(X, y)``: a seeded, single-process DataLoader, or ``[(X, y)]`` when batch_size is None.

    Args:
        X (Tensor): inputs, one example per row (at least one).
        y (Tensor): integer targets, as many as ``X`` has rows.
        batch_size (int or None, default None): examples per batch; None or >= len(X) gives one full batch.
        shuffle (bool, default True): reshuffle every epoch (mini-batches only).
        seed (int, default 0): seed of the loader's own ``torch.Generator``, 0 <= seed < 2**32.

    Example::

        >>> loader(torch.zeros(10, 2), torch.zeros(10, dtype=torch.long), batch_size=4).batch_size
        4
        >>> loader(torch.zeros(10, 2), torch.zeros(8, dtype=torch.long))
        Traceback (most recent call last):
        ...
        ValueError: X has 10 rows but y has 8; X and y must hold one target per example.
    """
    _check_tensors(X, y)
    _check_bool("shuffle", shuffle)
    _check_seed("seed", seed)
    _check_batch_size(batch_size, len(X))
    if batch_size is None or batch_size >= len(X):
        return [(X, y)]
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle,
                      generator=generator, num_workers=0)


def _split(X, y, test_size, random_state):
    from sklearn.model_selection import train_test_split

    if not (isinstance(test_size, float) and 0.0 < test_size < 1.0):
        raise ValueError(f"test_size={test_size!r} must be a float with 0 < test_size < 1.")
    _check_seed("random_state", random_state)
    return train_test_split(X, y, test_size=test_size, random_state=random_state)


def _bundle(name, X_tr, y_tr, X_va, y_va, batch_size, seed, num_classes, notice=None):
    t = {"X_train": torch.as_tensor(X_tr, dtype=torch.float32), "y_train": torch.as_tensor(y_tr).long(),
         "X_val": torch.as_tensor(X_va, dtype=torch.float32), "y_val": torch.as_tensor(y_va).long()}
    train = loader(t["X_train"], t["y_train"], batch_size, shuffle=True, seed=seed)
    val = loader(t["X_val"], t["y_val"], None)
    return Data(train, val, name, num_classes, tuple(t["X_train"].shape[1:]), notice, t)


def wine(standardize: bool = True, batch_size: int | None = None, test_size: float = 0.2,
         random_state: int = 42, seed: int = 0) -> Data:
    """sklearn's Wine data (178 wines, 13 features, 3 cultivars) split as the classic Wine example splits it.

    Args:
        standardize (bool, default True): scale each feature to mean 0, std 1 using the training
            split's statistics. Off, the features span 0.1 to 1,680 and Adam(lr=0.1) struggles.
        batch_size (int or None, default None): None trains full-batch, as the classic Wine example does.
        test_size (float, default 0.2): the validation share, as in the classic Wine example's train_test_split.
        random_state (int, default 42): the classic Wine example's train_test_split seed, 0 <= it < 2**32.
        seed (int, default 0): seed of the mini-batch shuffling, 0 <= seed < 2**32.

    Example::

        >>> d = wine()
        >>> d.tensors["X_train"].shape, d.tensors["X_val"].shape   # 142 train, 36 validation
        (torch.Size([142, 13]), torch.Size([36, 13]))
    """
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    _check_bool("standardize", standardize)
    _check_seed("seed", seed)
    _check_batch_size(batch_size, len(X))
    X_tr, X_va, y_tr, y_va = _split(X, y, test_size, random_state)
    if standardize:
        mean, std = X_tr.mean(axis=0), X_tr.std(axis=0)
        X_tr, X_va = (X_tr - mean) / std, (X_va - mean) / std
    return _bundle("wine", X_tr, y_tr, X_va, y_va, batch_size, seed, 3)


def digits(batch_size: int | None = 64, test_size: float = 0.2, random_state: int = 42,
           seed: int = 0) -> Data:
    """sklearn's 8x8 handwritten digits (1,797 images, 10 classes) as 1x8x8 images in [0, 1].

    Ships with scikit-learn, so it works offline; the stand-in for MNIST.

    Example::

        >>> d = digits()
        >>> d.input_shape, d.steps_per_epoch      # 1,437 train images in batches of 64
        ((1, 8, 8), 23)
    """
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    _check_seed("seed", seed)
    _check_batch_size(batch_size, len(X))
    X = X.reshape(-1, 1, 8, 8) / 16.0
    X_tr, X_va, y_tr, y_va = _split(X, y, test_size, random_state)
    return _bundle("digits", X_tr, y_tr, X_va, y_va, batch_size, seed, 10)


def _reachable(urls, timeout: float) -> bool:
    for url in urls:
        host = urlparse(url).hostname
        try:
            socket.create_connection((host, 443), timeout=timeout).close()
            return True
        except OSError:
            continue
    return False


def _load_mnist(root, train, download, timeout):
    """``(dataset or None, downloaded now?)`` through torchvision's own MNIST class."""
    from torchvision.datasets import MNIST

    try:
        return MNIST(root, train=train, download=False), False
    except RuntimeError:  # "Dataset not found"
        if not download or os.environ.get("LRLAB_OFFLINE") or not _reachable(MNIST.mirrors, timeout):
            return None, False
    # The download prints progress bars and retries: keep all of that out of the notebook.
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return MNIST(root, train=train, download=True), True
    except Exception:  # noqa: BLE001 - any failure to fetch means: use the fallback
        return None, False
    finally:
        socket.setdefaulttimeout(old)


def _take(ds, n, seed):
    X, y = ds.data, ds.targets
    if n is not None and n < len(X):
        idx = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))[:n]
        X, y = X[idx], y[idx]
    # 1. uint8 0..255 -> float 0..1, 2. MNIST's usual mean/std normalisation, 3. add the channel axis
    return ((X.float() / 255.0 - 0.1307) / 0.3081).unsqueeze(1), y


def mnist(root: str | None = None, download: bool = True, subset: int | None = None,
          val_subset: int | None = None, batch_size: int = 64, seed: int = 0,
          timeout: float = 3.0) -> Data:
    """MNIST (60,000 train / 10,000 test 28x28 digits) via ``torchvision.datasets.MNIST``.

    When the files are not under ``root/MNIST/raw`` and cannot be downloaded (offline, or
    ``LRLAB_OFFLINE=1``), or when torchvision cannot be imported (e.g. built for another torch), prints
    one line and returns :func:`digits` instead (``data.notice`` says so).
    After a download it prints one line naming the folder the data went to.

    Args:
        root (str or None): where torchvision keeps MNIST; None: the environment variable
            ``LRLAB_DATA``, else "data" (relative to the notebook's folder).
        download (bool, default True): try to download when missing (connections time out after
            ``timeout`` seconds, so an offline classroom does not hang).
        subset (int or None): use a seeded random subset of this many training images (speed).
        val_subset (int or None): the same for the 10,000 test images (default: subset // 5).
        batch_size (int, default 64): examples per training batch.
        seed (int, default 0): seed of the training DataLoader's shuffling.

    Example::

        >>> d = mnist(root=str(path.parent), download=False)   # no MNIST files there: the 8x8 digits instead
        MNIST is not available in .../MNIST and could not be downloaded; using sklearn's 8x8 digits instead
        (1437 train / 360 validation images).
        >>> d.name
        'digits'
    """
    for key, value in (("subset", subset), ("val_subset", val_subset)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{key}={value!r} must be None (all images) or an integer >= 1.")
    _check_batch_size(batch_size, 60000)
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout={timeout!r} must be a number of seconds > 0.")
    if root is None:
        root = os.environ.get("LRLAB_DATA") or "data"
    try:  # a torchvision built for another torch fails right here (common in notebooks): fall back too
        import torchvision.datasets  # noqa: F401
        broken = None
    except Exception as err:  # noqa: BLE001 - ImportError, RuntimeError ("operator torchvision::nms ...")
        broken = (f"MNIST needs torchvision, which cannot be imported with torch {torch.__version__} "
                  f"({type(err).__name__}: {(str(err).strip().splitlines() or [''])[0][:120]})")
    train_ds, fetched = _load_mnist(root, True, download, timeout) if broken is None else (None, False)
    val_ds, fetched_val = _load_mnist(root, False, download, timeout) if train_ds is not None else (None, False)
    if train_ds is None or val_ds is None:
        d = digits(batch_size=batch_size, seed=seed)
        why = broken or f"MNIST is not available in {os.path.join(root, 'MNIST')} and could not be downloaded"
        d.notice = (f"{why}; using sklearn's 8x8 digits instead ({len(d.tensors['X_train'])} train / "
                    f"{len(d.tensors['X_val'])} validation images).")
        print(d.notice)
        return d
    if val_subset is None and subset is not None:
        val_subset = max(1, subset // 5)
    X_tr, y_tr = _take(train_ds, subset, seed)
    X_va, y_va = _take(val_ds, val_subset, seed + 1)
    notice = None
    if fetched or fetched_val:  # say where the data went (in Colab: /content/data/MNIST, gone with the runtime)
        notice = (f"MNIST downloaded to {os.path.abspath(os.path.join(root, 'MNIST'))}; "
                  "later runs load it from there.")
        print(notice)
    return _bundle("mnist", X_tr, y_tr, X_va, y_va, batch_size, seed, 10, notice)

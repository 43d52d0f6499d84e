"""Snapshots of a model and its optimizer, to put them back bitwise and to prove nothing changed.

The finder's private helper (``lrlab.finder`` re-exports ``snapshot`` and ``snapshots_equal``). ``snapshot``
copies every tensor a short experiment (an LR range test) can touch: parameters, buffers (non-persistent ones
too), gradients, train/eval flags, the optimizer's state and param groups (LRs included), the attributes a
PyTorch scheduler adds to an optimizer (``lrlab._compat``), the global torch RNG and a loader's shuffling
generator. ``restore`` writes them back in place; ``snapshots_equal`` compares two snapshots bitwise.

Example::

    >>> model = torch.nn.Linear(2, 2)
    >>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> before = snapshot(model, optimizer)
    >>> model(torch.ones(1, 2)).sum().backward(); optimizer.step()     # one step changes the weights
    >>> snapshots_equal(before, snapshot(model, optimizer))
    False
    >>> restore(before, model, optimizer)
    >>> snapshots_equal(before, snapshot(model, optimizer))
    True
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from .. import _compat


def snapshot(model: nn.Module, optimizer: torch.optim.Optimizer | None = None, loader=None) -> dict:
    """Copies of everything ``restore`` puts back, as a dict of plain values and cloned tensors.

    Args:
        model (nn.Module): its parameters, buffers, gradients and per-module train/eval flags.
        optimizer (torch.optim.Optimizer, optional): its ``state_dict()`` (state and param groups) and the
            identity of its param-group list and dicts (user code may hold them).
        loader (optional): a DataLoader whose ``generator`` (a seeded ``torch.Generator``) is saved.
    """
    params, buffers = dict(model.named_parameters()), dict(model.named_buffers())
    snap = {
        "tensors": {k: t.detach().clone() for k, t in {**params, **buffers}.items()},
        "grads": {k: None if p.grad is None else p.grad.detach().clone() for k, p in params.items()},
        "training": {k: m.training for k, m in model.named_modules()},
        "rng": torch.get_rng_state(),
        "generator": None,
        "optimizer": None,
    }
    generator = getattr(loader, "generator", None)
    if isinstance(generator, torch.Generator):
        snap["generator"] = generator.get_state()
    if optimizer is not None:
        groups = optimizer.param_groups
        snap["optimizer"] = copy.deepcopy(optimizer.state_dict())
        snap["attrs"] = _compat.optimizer_marks(optimizer)
        snap["identity"] = [id(groups)] + [id(g) for g in groups]
        snap["_refs"] = (groups, list(groups))  # the live objects, for restore; never compared
    return snap


def restore(snap: dict, model: nn.Module, optimizer: torch.optim.Optimizer | None = None, loader=None) -> None:
    """Write a ``snapshot`` back in place: same tensor objects, same param-group list and dicts."""
    # 1. model: values into the existing tensors (the optimizer keeps pointing at them), then grads, flags
    with torch.no_grad():
        for k, t in [*model.named_parameters(), *model.named_buffers()]:
            t.copy_(snap["tensors"][k])
    for k, p in model.named_parameters():
        p.grad = None if snap["grads"][k] is None else snap["grads"][k].clone()
    for k, m in model.named_modules():
        m.training = snap["training"][k]
    # 2. optimizer: load a copy of its state_dict, then refill the user's own group list and dicts
    if optimizer is not None and snap["optimizer"] is not None:
        group_list, group_dicts = snap["_refs"]
        optimizer.load_state_dict(copy.deepcopy(snap["optimizer"]))
        for old, new in zip(group_dicts, optimizer.param_groups, strict=True):
            old.clear()
            old.update(new)
        group_list[:] = group_dicts
        optimizer.param_groups = group_list
        _compat.restore_optimizer_marks(optimizer, snap["attrs"])
    # 3. the loader's shuffling
    if snap["generator"] is not None:
        loader.generator.set_state(snap["generator"])


def _equal(a, b) -> bool:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.dtype == b.dtype
                and a.shape == b.shape and torch.equal(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and (a is b or a == b)


def snapshots_equal(a: dict, b: dict) -> bool:
    """True when two snapshots are bitwise equal: every tensor ``torch.equal`` (same dtype and shape),
    every LR and flag ``==``, the same param-group objects and scheduler attributes."""
    keys = set(a) | set(b)
    keys.discard("_refs")
    return all(k in a and k in b and _equal(a[k], b[k]) for k in keys)

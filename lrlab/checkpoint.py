"""Save a run and resume it exactly: the model, the optimizer *and* the scheduler, in the right order.

- ``save(path, model, optimizer, scheduler, epoch=...)``: one file with the three ``state_dict()``s.
- ``load(path, model, optimizer, scheduler)``: restores all three into objects you have just built
  (scheduler included: PyTorch's docs say to build it *before* ``optimizer.load_state_dict``, because
  building a scheduler overwrites the optimizer's LRs), then calls ``require_in_sync``; returns what ``save``
  kept.
- ``require_in_sync(optimizer, scheduler)``: a ValueError when the optimizer's LRs are not the ones the
  scheduler last set: the mark of a scheduler that was rebuilt without its state, or built after the
  optimizer's state was loaded.
- ``join(first, second, ...)``: the histories of the pieces of a resumed run, as one ``History``.

An exact resume also needs the data order. Full-batch data (``lrlab.data.wine()``) has none; a shuffled
DataLoader draws each epoch's order from its ``generator``: ``save(..., loader=train_loader)`` keeps that
generator's state and ``load(..., loader=new_train_loader)`` puts it back. ``lrlab.fit`` seeds the loader at every
call (``seed=0``); continue with ``fit(..., seed=None)``, which seeds nothing, and the resumed run is the
uninterrupted one, bit for bit.

Example::

    >>> def build():                                         # the same code for the first run and the resume
    ...     model = lrlab.models.WineMLP()
    ...     opt = torch.optim.SGD(model.parameters(), lr=0.1)
    ...     return model, opt, lrlab.schedules.warmup_cosine(opt, warmup=3, total=30)
    >>> model, opt, sched = build()
    >>> _ = lrlab.fit(model, opt, sched, lrlab.data.wine(), num_epochs=12)
    >>> _ = save(path, model, opt, sched, epoch=12)          # path: e.g. "run.pt"
    >>> model, opt, sched = build()                          # a new process: fresh objects, scheduler too
    >>> load(path, model, opt, sched)["epoch"]               # the LR goes on where it stopped
    12
    >>> round(sched.get_last_lr()[0], 4)
    0.075
"""

from __future__ import annotations

import copy
import io
import math
import os
import warnings
from dataclasses import fields

import torch
from torch import nn

from . import _compat, validation
from .train import History

# What save writes: load refuses a file without these keys (a bare state_dict, another program's checkpoint).
KEYS = ("model", "optimizer", "epoch", "scheduler", "scheduler_class", "extra")
HISTORY = "lrlab.History"  # the key a History in **extra is kept under, as a dict of plain lists


def _validate_objects(model, optimizer, scheduler) -> None:
    validation.require_module("model", model)
    validation.require_optimizer("optimizer", optimizer)
    if scheduler is not None:
        validation.require_scheduler_of(optimizer, scheduler)


def _loader_generator(loader) -> torch.Generator:
    """The ``torch.Generator`` that shuffles ``loader``, or a ValueError naming ``loader`` and what to pass."""
    generator = getattr(loader, "generator", None)
    if isinstance(generator, torch.Generator):
        return generator
    if hasattr(loader, "train") and hasattr(loader, "val"):
        why = "is a lrlab Data (training and validation loaders together): pass its training loader, data.train"
    elif isinstance(loader, torch.utils.data.DataLoader):
        why = ("is a DataLoader without a generator of its own (its shuffling draws from torch's global "
               "generator): build it with DataLoader(..., shuffle=True, generator=torch.Generator().manual_seed(0))")
    else:
        why = (f"is {'a ' + type(loader).__name__} with no .generator: a full-batch [(X, y)] list has no data order "
               "to save; leave loader out")
    raise ValueError(f"loader {why}.")


def save(path, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler=None, *, epoch: int, loader=None,
         **extra) -> dict:
    """Write the model's, the optimizer's and the scheduler's state to ``path`` with ``torch.save``.

    Call it at the end of an epoch, after that epoch's ``scheduler.step()`` (where ``lrlab.fit`` returns).

    Args:
        path (str, os.PathLike or file object): where to write.
        model (nn.Module): its ``state_dict()`` is saved.
        optimizer (torch.optim.Optimizer): its ``state_dict()`` is saved (the LRs and e.g. SGD's momentum
            buffers or Adam's averages).
        scheduler (LRScheduler or ReduceLROnPlateau, optional): its ``state_dict()`` (step count, last LRs,
            and for SequentialLR its children's states) and its class name.
        epoch (int): epochs completed so far, >= 0; ``load`` gives it back.
        loader (DataLoader, optional): the shuffled training loader; the state of its ``generator`` (the data
            order of the epochs to come) is saved. A ValueError when it has no ``torch.Generator``.
        **extra: anything else to keep, e.g. ``best_val_loss=0.12``: plain Python values and tensors, a
            ``History`` (kept as a dict of its lists; ``load`` gives a History back), numpy numbers and arrays (kept
            as Python numbers and lists). Anything ``load`` could not read back (a function, an object of your own)
            is a ValueError naming it, before anything is written.

    Returns:
        dict: what was written.

    Raises:
        ValueError: an argument out of range, an extra that ``load`` could not read, or a failed write (naming
            ``path``). The file is written whole to a temporary file next to ``path`` and then moved over it
            (``os.replace``): a save that fails leaves the file that was there as it was.

    Example::

        >>> model = lrlab.models.WineMLP()
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> save(path, model, opt, lrlab.schedules.warmup_cosine(opt, warmup=3, total=30), epoch=0)["scheduler_class"]
        'SequentialLR'
    """
    _validate_objects(model, optimizer, scheduler)
    _require_path(path, writing=True)
    validation.require_optimizer_of(model, optimizer)
    validation.require_int("epoch", epoch, minimum=0)
    generator = None if loader is None else _loader_generator(loader)
    # 1. the three states, and what the scheduler and the optimizer are, to refuse different ones when loading
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": int(epoch),
                  "scheduler": None if scheduler is None else scheduler.state_dict(),
                  "scheduler_class": None if scheduler is None else type(scheduler).__name__,
                  "optimizer_class": type(optimizer).__name__,
                  "extra": {key: _storable(value) for key, value in extra.items()}}
    if generator is not None:  # the loader's shuffling: the order of the epochs still to come
        checkpoint["loader_generator"] = generator.get_state()
    # 2. the bytes, read back as load will read them; 3. one file, replaced whole or not at all
    _write(path, _serialized(path, checkpoint))
    return checkpoint


def _require_path(path, writing: bool) -> None:
    """A ValueError naming ``path`` unless it is a file object, or a path to a file (in an existing folder, for
    writing; that exists, for reading)."""
    if hasattr(path, "write" if writing else "read"):
        return
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path={path!r} must be a file name (str or pathlib.Path) or an open file.")
    where = os.fspath(path)
    if os.path.isdir(where):
        raise ValueError(f"path={where!r} is a folder; path must name a file, e.g. {os.path.join(where, 'run.pt')!r}.")
    if writing and not os.path.isdir(os.path.dirname(os.path.abspath(where))):
        raise ValueError(f"path={where!r}: the folder {os.path.dirname(os.path.abspath(where))!r} does not exist; "
                         "create it first (os.makedirs(folder, exist_ok=True)).")
    if not writing and not os.path.exists(where):
        raise ValueError(f"path={where!r}: no such file.")


def _storable(value):
    """``value`` in a form ``load`` (``torch.load(weights_only=True)``) reads back: a History as a dict of its plain
    lists, numpy scalars and arrays as Python numbers and lists; containers converted inside."""
    if isinstance(value, History):
        return {HISTORY: _storable(value.asdict())}
    if type(value).__module__.split(".")[0] == "numpy" and hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
        return type(value)(_storable(v) for v in value)
    return value


def _restored(value):
    """The inverse of ``_storable`` for what it tagged: a History back from its dict."""
    if isinstance(value, dict):
        if set(value) == {HISTORY}:
            return History(**value[HISTORY])
        return {k: _restored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restored(v) for v in value]
    return value


def _round_trip(obj) -> bytes:
    """``torch.save`` to bytes, then ``torch.load(weights_only=True)`` of them: what load will do."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    data = buffer.getvalue()
    torch.load(io.BytesIO(data), weights_only=True)
    return data


def _serialized(path, checkpoint: dict) -> bytes:
    """The checkpoint's bytes; a ValueError naming the part that load could not read back (an extra such as a
    lambda or an object of your own), or ``path`` when saving itself fails."""
    try:
        return _round_trip(checkpoint)
    except Exception as err:  # noqa: BLE001 - find which part it was, and say so in lrlab's words
        whole = err
    try:
        _round_trip({"epoch": 0})  # saving itself fails (a full disk, ...): no part is to blame
        content = True
    except Exception:  # noqa: BLE001
        content = False
    parts = [] if not content else [(f"extra {key!r}", v) for key, v in checkpoint["extra"].items()]
    parts += [("scheduler", checkpoint["scheduler"]), ("model", checkpoint["model"]),
              ("optimizer", checkpoint["optimizer"])]
    for name, part in parts:
        if part is None:
            continue
        try:
            _round_trip(part)
        except Exception as err:  # noqa: BLE001
            kind = type(part).__name__
            raise ValueError(f"save: {name} (a {kind}) cannot be stored so that load reads it back "
                             f"({type(err).__name__}: {str(err).splitlines()[0][:160] if str(err) else ''}). Keep "
                             "plain values there: numbers, strings, lists, dicts, tensors. Nothing was written to "
                             f"path={_shown(path)}.") from None
    raise ValueError(f"save: writing path={_shown(path)} failed ({type(whole).__name__}: {whole}); nothing was "
                     "written, the file there (if any) is as it was.") from whole


def _shown(path) -> str:
    return repr(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else f"<{type(path).__name__}>"


def _write(path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``: a failure leaves
    the file that was there untouched."""
    if hasattr(path, "write"):
        path.write(data)
        return
    target = os.fspath(path)
    temporary = f"{target}.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    except OSError as err:
        raise ValueError(f"save: writing path={target!r} failed ({err}); the file there (if any) is as it "
                         "was.") from None
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def load(path, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler=None, *, loader=None) -> dict:
    """Restore a checkpoint from ``save`` into freshly built objects, then check that they agree.

    Build the model, the optimizer and the scheduler exactly as for a new run first (the scheduler too,
    before anything is loaded), then call ``load``. It loads the model, then the optimizer, then the
    scheduler, and calls ``require_in_sync``.

    Args:
        path (str, os.PathLike or file object): written by ``save``.
        model (nn.Module): built like the saved one.
        optimizer (torch.optim.Optimizer): built like the saved one, on ``model.parameters()``.
        scheduler (optional): the same class as the saved one, built on ``optimizer``; None only when the
            checkpoint has no scheduler.
        loader (DataLoader, optional): the new training loader, built like the saved one; its ``generator``
            gets the saved state back. Required when the checkpoint holds one (``save(..., loader=...)``).
            Continue with ``lrlab.fit(..., seed=None)``: a seed would reseed the loader.

    Returns:
        dict: ``{"epoch": epochs completed, **extra}`` as given to ``save`` (a History in ``extra`` comes back a
        History, numpy values as Python numbers and lists).

    Raises:
        ValueError: naming ``path``, for a file that is missing, empty, cut short or not written by ``save``, or
            whose model, optimizer (another kind: SGD into Adam) or scheduler does not fit the objects given. Every
            check comes before anything is loaded, and a failure while loading puts everything back: all or nothing.

    Example::

        >>> def build():                       # model, optimizer and scheduler, as for a new run
        ...     model = lrlab.models.WineMLP()
        ...     opt = torch.optim.SGD(model.parameters(), lr=0.1)
        ...     return model, opt, torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        >>> model, opt, sched = build()
        >>> _ = lrlab.fit(model, opt, sched, lrlab.data.wine(), num_epochs=3)
        >>> _ = save(path, model, opt, sched, epoch=3)
        >>> model, opt, sched = build()        # all three built first, then loaded
        >>> load(path, model, opt, sched)["epoch"], sched.get_last_lr()
        (3, [0.0125])
    """
    _validate_objects(model, optimizer, scheduler)
    _require_path(path, writing=False)
    # 1. read (plain tensors and Python values only), and check that every part fits the objects given, before
    #    anything is loaded
    checkpoint = _read(path)
    _require_fits(path, checkpoint, model, optimizer)
    saved = checkpoint.get("scheduler_class")
    if scheduler is None and saved is not None:
        raise ValueError(f"scheduler=None, but the checkpoint holds a {saved} state: build the {saved} as for a "
                         f"new run and pass it, or the schedule restarts from its first step (path={_shown(path)}).")
    if scheduler is not None and type(scheduler).__name__ != saved:
        raise ValueError(f"scheduler is a {type(scheduler).__name__}, but the checkpoint holds "
                         f"{'no scheduler' if saved is None else 'a ' + saved + ' state'} (path={_shown(path)}).")
    if scheduler is not None:
        _require_scheduler_state(path, checkpoint["scheduler"], scheduler)
    generator = None if loader is None else _loader_generator(loader)
    order = checkpoint.get("loader_generator")
    if generator is not None and order is None:
        raise ValueError("loader was given, but the checkpoint holds no loader state: it was saved without "
                         "save(..., loader=...).")
    if generator is None and order is not None:
        raise ValueError("the checkpoint holds the training loader's shuffling state: pass loader= (the new "
                         "training DataLoader), or the resumed epochs see another data order.")
    if generator is not None:
        try:  # a state another kind of generator (e.g. a CUDA one) cannot take: refuse it before loading anything
            torch.Generator(device=generator.device).set_state(order)
        except (RuntimeError, TypeError) as err:
            raise ValueError(f"loader's generator (on {generator.device}) cannot take the saved loader state: "
                             f"{err}") from None
    # 2. model, optimizer, scheduler: all three were built before anything was loaded; all or nothing
    before = _states(model, optimizer, scheduler, generator)
    try:
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(checkpoint["scheduler"])
            require_in_sync(optimizer, scheduler)
        if generator is not None:  # 3. the data order of the epochs still to come
            generator.set_state(order)
    except Exception as err:  # noqa: BLE001 - put everything back, then say which file
        _put_back(before, model, optimizer, scheduler, generator)
        raise ValueError(f"path={_shown(path)} could not be loaded into these objects, and nothing was changed: "
                         f"{type(err).__name__}: {err}") from None
    return {"epoch": checkpoint["epoch"], **_restored(checkpoint["extra"])}


def _read(path) -> dict:
    """The checkpoint at ``path``, read as plain tensors and Python values; a ValueError naming ``path`` for an
    empty, truncated or foreign file."""
    try:
        with warnings.catch_warnings():  # a foreign pickle makes torch warn about its protocol first: noise here
            warnings.filterwarnings("ignore", message="Detected pickle protocol")
            checkpoint = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as err:  # noqa: BLE001 - EOFError, UnpicklingError, RuntimeError: all mean "not ours"
        why = str(err).strip().splitlines()[0][:160] if str(err).strip() else "no data"
        raise ValueError(f"path={_shown(path)} is not a checkpoint that lrlab.checkpoint.save wrote (it is empty, "
                         f"cut short or another kind of file: {type(err).__name__}: {why}). Nothing was "
                         "loaded.") from None
    if isinstance(checkpoint, dict) and checkpoint and all(isinstance(v, torch.Tensor) for v in checkpoint.values()):
        raise ValueError(f"path={_shown(path)} holds a bare state_dict ({', '.join(list(checkpoint)[:3])}, ...), not "
                         "a checkpoint of lrlab.checkpoint.save: load it with model.load_state_dict(torch.load(path)). "
                         "Nothing was loaded.")
    missing = [k for k in KEYS if not isinstance(checkpoint, dict) or k not in checkpoint]
    if missing:
        what = f"a dict without {', '.join(missing)}" if isinstance(checkpoint, dict) else type(checkpoint).__name__
        raise ValueError(f"path={_shown(path)} holds {what}: not a checkpoint of lrlab.checkpoint.save. Nothing was "
                         "loaded.")
    return checkpoint


def _require_fits(path, checkpoint: dict, model: nn.Module, optimizer: torch.optim.Optimizer) -> None:
    """A ValueError naming ``path`` unless the saved model and optimizer states fit ``model`` and ``optimizer``:
    the same weights (names and shapes), the same kind of optimizer, the same param groups and state shapes."""
    shown, saved = _shown(path), checkpoint["model"]
    if not validation.is_int(checkpoint["epoch"]) or not isinstance(checkpoint["extra"], dict):
        raise ValueError(f"path={shown} holds a damaged checkpoint (epoch={checkpoint['epoch']!r}). Nothing was "
                         "loaded.")
    mine = model.state_dict()
    if not isinstance(saved, dict) or set(saved) != set(mine) or any(
            not isinstance(saved[k], torch.Tensor) or saved[k].shape != mine[k].shape for k in mine):
        differ = sorted(set(mine) ^ set(saved)) if isinstance(saved, dict) else []
        differ = differ or [k for k in mine if getattr(saved.get(k), "shape", None) != mine[k].shape]
        raise ValueError(f"path={shown} holds another model's weights ({', '.join(differ[:3])} differ): build model "
                         "as for the saved run. Nothing was loaded.")
    _require_optimizer_state(shown, checkpoint["optimizer"], checkpoint.get("optimizer_class"), optimizer)


# settings that tell the kinds of optimizer apart, for checkpoints saved without their optimizer's class name
_KIND_MARKS = ("momentum", "betas", "alpha", "lr_decay", "etas", "lambd")


def _require_optimizer_state(shown: str, saved, saved_class, optimizer) -> None:
    name = type(optimizer).__name__
    groups = saved.get("param_groups") if isinstance(saved, dict) else None
    if not isinstance(groups, list) or not isinstance(saved.get("state"), dict):
        raise ValueError(f"path={shown} holds a damaged optimizer state. Nothing was loaded.")
    marks = {k for g in groups for k in g if k in _KIND_MARKS}
    mine = {k for g in optimizer.param_groups for k in g if k in _KIND_MARKS}
    if (saved_class is not None and saved_class != name) or (saved_class is None and marks != mine):
        was = saved_class or f"an optimizer with {', '.join(sorted(marks)) or 'other settings'}"
        raise ValueError(f"path={shown} holds the state of {was}, but optimizer is a {name}: build the optimizer as "
                         "for the saved run. Nothing was loaded.")
    if len(groups) != len(optimizer.param_groups) or any(
            len(g["params"]) != len(m["params"]) for g, m in zip(groups, optimizer.param_groups, strict=True)):
        raise ValueError(f"path={shown} holds an optimizer with {len(groups)} param groups of "
                         f"{[len(g['params']) for g in groups]} parameters; optimizer has "
                         f"{[len(g['params']) for g in optimizer.param_groups]}: build it as for the saved run. "
                         "Nothing was loaded.")
    params = [p for g in optimizer.param_groups for p in g["params"]]
    for index, state in saved["state"].items():
        if not validation.is_int(index) or not 0 <= index < len(params) or not isinstance(state, dict):
            raise ValueError(f"path={shown} holds a damaged optimizer state. Nothing was loaded.")
        for key, value in state.items():
            if isinstance(value, torch.Tensor) and value.dim() > 0 and value.shape != params[index].shape:
                raise ValueError(f"path={shown}: the saved optimizer's {key} for parameter {index} has shape "
                                 f"{tuple(value.shape)}, the parameter {tuple(params[index].shape)}. Nothing was "
                                 "loaded.")


def _require_scheduler_state(path, saved, scheduler) -> None:
    children = _compat.children(scheduler)
    if (not isinstance(saved, dict) or "last_epoch" not in saved
            or (children and len(saved.get("_schedulers") or []) != len(children))):
        raise ValueError(f"path={_shown(path)} holds a {type(scheduler).__name__} state that does not fit scheduler "
                         "(another number of schedulers inside?). Nothing was loaded.")


def _states(model, optimizer, scheduler, generator) -> tuple:
    """Copies of everything ``load`` changes, for ``_put_back``."""
    return (copy.deepcopy(model.state_dict()), copy.deepcopy(optimizer.state_dict()),
            None if scheduler is None else copy.deepcopy(scheduler.state_dict()),
            None if generator is None else generator.get_state(),
            (optimizer.param_groups, list(optimizer.param_groups)))


def _put_back(states, model, optimizer, scheduler, generator) -> None:
    """Load the copies ``_states`` took back in; the optimizer keeps its own param-group list and dicts (code that
    holds ``optimizer.param_groups[0]`` still edits the live one)."""
    model_state, optimizer_state, scheduler_state, generator_state, (groups, group_dicts) = states
    model.load_state_dict(model_state)
    optimizer.load_state_dict(optimizer_state)
    for old, new in zip(group_dicts, optimizer.param_groups, strict=True):
        old.clear()
        old.update(new)
    groups[:] = group_dicts
    optimizer.param_groups = groups
    if scheduler is not None:
        scheduler.load_state_dict(scheduler_state)
    if generator is not None:
        generator.set_state(generator_state)


def require_in_sync(optimizer: torch.optim.Optimizer, scheduler) -> None:
    """Raise ValueError unless every param group's LR is the one ``scheduler`` last set (``get_last_lr()``).

    After a correct resume they agree. They disagree when the scheduler was rebuilt and its state never loaded
    (it remembers the LRs it set at step 0) or when it was built after ``optimizer.load_state_dict`` (building
    it overwrote the loaded LRs).

    Args:
        optimizer (torch.optim.Optimizer): the optimizer the scheduler drives.
        scheduler (LRScheduler or ReduceLROnPlateau): built on ``optimizer``.

    Example::

        >>> opt = torch.optim.SGD(lrlab.models.WineMLP().parameters(), lr=0.1)
        >>> sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        >>> require_in_sync(opt, sched)          # silent: the LR 0.1 is sched.get_last_lr()[0]
        >>> opt.param_groups[0]["lr"] = 0.3      # a hand edit the scheduler does not know of
        >>> require_in_sync(opt, sched)
        Traceback (most recent call last):
        ...
        ValueError: the optimizer's LRs [0.3] are not the LRs the StepLR last set [0.1]: ...
    """
    validation.require_optimizer("optimizer", optimizer)
    validation.require_scheduler_of(optimizer, scheduler)
    actual = [float(g["lr"]) for g in optimizer.param_groups]
    expected = [float(v) for v in scheduler.get_last_lr()]
    if len(actual) != len(expected) or not all(math.isclose(a, e, rel_tol=1e-12, abs_tol=0.0)
                                                for a, e in zip(actual, expected, strict=False)):
        fmt = ", ".join
        raise ValueError(f"the optimizer's LRs [{fmt(f'{a:.4g}' for a in actual)}] are not the LRs the "
                         f"{type(scheduler).__name__} last set [{fmt(f'{e:.4g}' for e in expected)}]: its state "
                         "was not loaded, or it was built after optimizer.load_state_dict() (building a scheduler "
                         "overwrites the LRs). Build model, optimizer and scheduler first, then load all three.")


def join(*histories: History) -> History:
    """One ``History`` from the histories of consecutive pieces of a run (e.g. before and after a resume).

    Lists are concatenated; the later pieces' ``step_epoch`` is shifted by the epochs before them, so plots
    read as one run. ``stopped`` is the last piece's.

    Example::

        >>> first = History(train_loss=[1.0] * 12, step_epoch=[float(e) for e in range(12)])    # epochs 1-12
        >>> second = History(train_loss=[0.5] * 18, step_epoch=[float(e) for e in range(18)])   # epochs 13-30
        >>> whole = join(first, second)
        >>> whole.num_epochs, whole.step_epoch[12]
        (30, 12.0)
    """
    if not histories or not all(isinstance(h, History) for h in histories):
        raise ValueError(f"histories must be one or more lrlab History objects, got {histories!r}.")
    out = History(device=histories[-1].device, stopped=histories[-1].stopped)
    done = 0
    for h in histories:
        for f in fields(History):
            if f.name == "step_epoch":
                out.step_epoch.extend(done + e for e in h.step_epoch)
            elif f.name not in ("stopped", "device"):
                getattr(out, f.name).extend(getattr(h, f.name))
        done += h.num_epochs
    return out

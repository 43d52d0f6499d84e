"""Self-checking exercises of lesson 10 (resuming a run), each registered under its number "10.N".

``lrlab.exercises`` imports this module and every other ``lessonNN`` module it finds: a check is reached
through ``lrlab.exercises.check("10.N", answer)``.

The lesson's run, rebuilt here as its ``build()`` and ``train()`` cells write it: SGD with momentum 0.9 and lr 0.05,
shuffled mini-batches of 64 from a loader with its own generator seeded 0, a 3-epoch linear warmup then a cosine to
epoch 15 (SequentialLR) stepped once per epoch, trained by a plain PyTorch loop. Exercise 10.3's twist: the model
is the digits MLP with a dropout layer, so the run also draws from torch's global generator.
"""

from __future__ import annotations

import functools
import math
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import lr_scheduler
from torch.utils.data import DataLoader, TensorDataset

from .. import data, schedules
from ._core import Wrong, exercise, need, what
from ._feedback import lr_equal

# What this lesson's exercises build on (read by tests/test_exercises.py, which runs every stub and solution):
# code standing in for the lesson's earlier cells, and the names of functions the notebook defines.
PRELUDE = ("import tempfile\nimport warnings\nfrom pathlib import Path\nimport torch.nn.functional as F\n"
           "from torch.utils.data import DataLoader, TensorDataset\nfrom lrlab import checkpoint\n"
           "warnings.filterwarnings('ignore', message='The epoch parameter')\ndigits = data.digits()\n"
           "X, Y = digits.tensors['X_train'], digits.tensors['y_train']\nEPOCHS, WARMUP, STOP = 15, 3, 8")
DEFS = ("schedule", "build", "train")

EPOCHS, WARMUP, SAVED_AFTER = 15, 3, 5  # the check saves its run after epoch 5


@functools.lru_cache(maxsize=1)
def _tensors():
    d = data.digits()
    return d.tensors["X_train"], d.tensors["y_train"]


def _model():
    """The digits MLP (64-64-10) with dropout after its hidden layer; its first weights come from torch's global
    generator, as a model's do in most training scripts."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 10))


def _build():
    """The lesson's build() with the dropout model: model, optimizer, scheduler and a shuffled loader."""
    X, Y = _tensors()
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=WARMUP)
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS - WARMUP)
    scheduler = lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[WARMUP])
    loader = DataLoader(TensorDataset(X, Y), batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0))
    return model, optimizer, scheduler, loader


def _train(model, optimizer, scheduler, loader, epochs):
    """The lesson's train(): the LR and the loss of every optimizer step."""
    lrs, losses = [], []
    with schedules.quiet_epoch_warning():  # torch < 2.9: SequentialLR's own call at its milestone
        for _ in range(epochs):
            for x, y in loader:
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                lrs.append(optimizer.param_groups[0]["lr"])
                optimizer.step()
                losses.append(loss.item())
            scheduler.step()
    return lrs, losses


SEED, NEW_PROCESS_SEED = 0, 12345  # the run's global seed; where a new process's global generator happens to stand


@functools.lru_cache(maxsize=1)
def _uninterrupted():
    with torch.random.fork_rng():  # the learner's generators are left alone
        torch.manual_seed(SEED)
        return _train(*_build(), EPOCHS)


def _call(fn, name, *args):
    """Run the learner's function; its error becomes the explanation."""
    try:
        return fn(*args)
    except Exception as err:  # noqa: BLE001 - explained, never raised
        raise Wrong(f"your {name} raised {type(err).__name__}: {err}") from None


def _same_tensors(a, b) -> bool:
    return isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(a, b)


@exercise("10.3", "save_run: one torch.save of a dict with every state the rest of the run depends on, the epoch "
          "included. resume(path, build): build() first, then torch.load the file and load each state into its new "
          "object. The twist: dropout draws random numbers at every step; where from, and is that state saved?",
          "dropout draws from torch's global generator: torch.get_rng_state reads its state, torch.set_rng_state "
          "sets it. Set it as the last thing resume does, after build(): building a model draws random numbers too. "
          "The loader has a generator of its own (loader.generator), with get_state and set_state")
def _save_and_resume(save_run, resume=None):
    need(callable(save_run) and callable(resume), "expected two functions, save_run, resume = ..., ...; you gave "
         f"{what(save_run)} and {what(resume)}")
    with torch.random.fork_rng():
        torch.manual_seed(SEED)
        saved_model, saved_opt, saved_sched, saved_loader = _build()
        first = _train(saved_model, saved_opt, saved_sched, saved_loader, SAVED_AFTER)
        rng_at_save = torch.get_rng_state()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "check_run.pt"
            _call(save_run, "save_run(path, model, optimizer, scheduler, loader, epoch)", path, saved_model,
                  saved_opt, saved_sched, saved_loader, SAVED_AFTER)
            need(path.exists(), "your save_run(path, ...) wrote no file at path")
            torch.manual_seed(NEW_PROCESS_SEED)  # a new process: its global generator stands elsewhere
            result = _call(resume, "resume(path, build)", path, _build)
        need(isinstance(result, tuple) and len(result) == 5, "resume(path, build) must return model, optimizer, "
             f"scheduler, loader, epoch (5 things); yours returned {what(result)}")
        rng_after_resume = torch.get_rng_state()
        model, optimizer, scheduler, loader, epoch = result
        for given, thing, kind, ok in ((model, "model", "a torch.nn.Module", isinstance(model, nn.Module)),
                                       (optimizer, "optimizer", "a torch.optim.Optimizer",
                                        isinstance(optimizer, torch.optim.Optimizer)),
                                       (scheduler, "scheduler", "a scheduler", hasattr(scheduler, "state_dict")
                                        and getattr(scheduler, "optimizer", None) is optimizer),
                                       (loader, "loader", "a DataLoader with a generator",
                                        isinstance(getattr(loader, "generator", None), torch.Generator))):
            need(ok, f"the {thing} resume(path, build) returns must be {kind} (built by the build() it is given, the "
                 f"scheduler on the optimizer it returns); yours is {what(given)}")
        need(epoch == SAVED_AFTER, f"resume(path, build) returned epoch={epoch!r}; the check saved its run after "
             f"epoch {SAVED_AFTER}: return the epoch the file holds")
        need(model is not saved_model and optimizer is not saved_opt, "resume(path, build) returned the objects the "
             "check saved, not new ones: build them with build() and fill them from the file")
        need(all(_same_tensors(a, b) for a, b in zip(model.state_dict().values(),
                                                      saved_model.state_dict().values(), strict=True)),
             "the model resume(path, build) returns does not have the saved weights: save model.state_dict() and "
             "load it into the new model")
        buffers = [optimizer.state.get(p, {}).get("momentum_buffer") for p in model.parameters()]
        want = [saved_opt.state[p]["momentum_buffer"] for p in saved_model.parameters()]
        need(all(b is not None for b in buffers), "the optimizer resume(path, build) returns has no momentum buffers: "
             "its state was not loaded, so its first steps forget the gradients of the epochs before")
        need(all(_same_tensors(a, b) for a, b in zip(buffers, want, strict=True)), "the optimizer's momentum "
             "buffers are not the saved ones: load the saved optimizer.state_dict()")
        need(scheduler.last_epoch == saved_sched.last_epoch, f"your scheduler has been stepped "
             f"{scheduler.last_epoch} times, the saved one {saved_sched.last_epoch}: its state was not "
             "loaded, and a new scheduler starts its warmup again")
        lr, last = optimizer.param_groups[0]["lr"], scheduler.get_last_lr()[0]
        need(lr_equal(lr, last), f"your optimizer holds lr={lr:.4g}, but your scheduler last set {last:.4g}: the "
             "scheduler was built after optimizer.load_state_dict(), which overwrites this SequentialLR's LR. Build "
             "everything, then load")
        need(_same_tensors(loader.generator.get_state(), saved_loader.generator.get_state()),
             "the loader resume(path, build) returns does not continue the saved data order: its generator is not "
             "where the saved loader's was, so the epochs after the resume would see other batches. Save the state "
             "of the loader's generator and set it back")
        model_rng = torch.equal(rng_after_resume, rng_at_save)
        rest = _train(model, optimizer, scheduler, loader, EPOCHS - epoch)
    lrs, losses = first[0] + rest[0], first[1] + rest[1]
    ref_lrs, ref_losses = _uninterrupted()
    steps = len(ref_lrs) // EPOCHS
    k = next((i for i, (a, b) in enumerate(zip(lrs, ref_lrs, strict=True)) if not lr_equal(a, b)), None)
    need(k is None, f"after the resume, the LR first differs from the uninterrupted run's in epoch {k // steps + 1} "
         f"({lrs[k]:.4g} instead of {ref_lrs[k]:.4g})" if k is not None else "")
    need(model_rng, "the weights, the optimizer, the scheduler and the loader are restored, but torch's global "
         "random generator is not where it stood when the run was saved: the dropout after the resume draws other "
         "masks, so the losses part from the uninterrupted run's at the first batch after it. Save its state with the "
         "rest, and set it back after build() (building a model draws random numbers too)")
    j = next((i for i, (a, b) in enumerate(zip(losses, ref_losses, strict=True))
              if not math.isclose(a, b, rel_tol=1e-6)), None)
    need(j is None, f"after the resume, the loss first differs from the uninterrupted run's in epoch "
         f"{j // steps + 1}: a state was not restored" if j is not None else "")
    return (f"your save_run and resume continue the run exactly, dropout included: all {len(lrs)} LRs and losses are "
            "the uninterrupted run's"), ["the same two functions, given your own build(), resume any of your runs"]

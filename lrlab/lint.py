"""``lint_schedule``: a dry run of a schedule that names the classic mistakes before any training.

It steps the real scheduler on a dummy parameter (``lrlab.schedules.preview``), inspects the scheduler
objects (their own attributes, e.g. ``T_max``, ``total_steps``, and through ``lrlab._compat`` SequentialLR's
children and milestones) and the resulting LR curve, and returns one ``Finding`` per problem. An empty list
means nothing was found.

Example::

    >>> from lrlab import schedules
    >>> lint_schedule(lambda o: schedules.make("CosineAnnealingLR", o, T_max=10), num_epochs=15)
    [Finding(code='cosine-rises', message='CosineAnnealingLR(T_max=10) is stepped 15 times: ...')]
"""

from __future__ import annotations

from typing import NamedTuple

from torch.optim import lr_scheduler

from . import _compat, schedules, validation

# Parameters that count scheduler steps, per class: read off the real object to judge a horizon.
HORIZON = {"StepLR": "step_size", "CosineAnnealingLR": "T_max", "LinearLR": "total_iters",
           "ConstantLR": "total_iters", "PolynomialLR": "total_iters", "CosineAnnealingWarmRestarts": "T_0"}
MEANT_TO_RISE = ("CyclicLR", "OneCycleLR", "CosineAnnealingWarmRestarts")
# Schedules that run a course to an end value: cut short by the end of the run, they never get there.
RUN_A_COURSE = ("CosineAnnealingLR", "LinearLR", "PolynomialLR", "ConstantLR")


class Finding(NamedTuple):
    """One problem: a short ``code`` ("cosine-rises") and a ``message`` that says what happens and the fix."""

    code: str
    message: str

    def __str__(self):
        return f"[{self.code}] {self.message}"


def _tree(scheduler) -> list:
    """The scheduler and, for SequentialLR / ChainedScheduler, every scheduler inside it."""
    return [scheduler] + [s for c in _compat.children(scheduler) for s in _tree(c)]


def _name(s) -> str:
    return type(s).__name__


def _horizon(s) -> int | None:
    attr = HORIZON.get(_name(s))
    if attr:
        return getattr(s, attr)
    if isinstance(s, lr_scheduler.MultiStepLR):
        return max(s.milestones) if s.milestones else None
    return None


def lint_schedule(scheduler_factory, num_epochs: int, steps_per_epoch: int = 1, step_on: str = "epoch",
                  negligible_lr: float = 1e-8, lr: float = 0.1, verbose: bool = False) -> list[Finding]:
    """Dry-run a schedule and list what is wrong with it.

    Checks: a per-batch scheduler (OneCycleLR, CyclicLR) stepped per epoch, or an epoch-sized horizon
    (T_max, step_size, milestones, total_iters) stepped per batch; OneCycleLR stepped past total_steps;
    CosineAnnealingLR rising again after T_max; the LR vanishing (below ``negligible_lr``); SequentialLR milestones
    that are never reached or that cut a child schedule short or late; ReduceLROnPlateau inside
    SequentialLR or ChainedScheduler (PyTorch refuses it: they never pass it the metric); the last
    schedule's course (T_max, total_iters) longer than the steps the run leaves it, e.g. a cosine after a
    warmup given T_max = all the epochs, or T_max counted in batches but stepped per epoch.

    Args:
        scheduler_factory (callable): ``optimizer -> scheduler``, as for ``schedules.preview``; built on the
            optimizer it is given (one built on your real optimizer is refused: it would change its LR).
        num_epochs (int): epochs of the planned training, 1 to 10,000.
        steps_per_epoch (int, default 1): mini-batches per epoch, >= 1; num_epochs x steps_per_epoch at most
            100,000 (``schedules.MAX_STEPS``).
        step_on (str, default "epoch"): where the training loop calls ``scheduler.step()``.
        negligible_lr (float, default 1e-8): an LR below this is reported as training having stopped
            ("lr-vanishes"). lrlab's own rule of thumb: PyTorch has no such setting (ReduceLROnPlateau's
            ``eps`` is another thing: it skips a cut that would change the LR by eps or less).
        lr (float, default 0.1): the optimizer's initial LR, 0 < lr <= 10,000.
        verbose (bool, default False): also print each finding (or "no problems found").

    Returns:
        list of ``Finding(code, message)``; empty when the schedule looks right.

    Raises:
        ValueError: an argument out of range; ``schedules.FactoryError`` for a factory that cannot be previewed
            (not ``optimizer -> scheduler``, built on another optimizer, an LR that is NaN or negative).

    Example::

        >>> lint_schedule(lambda o: schedules.make("OneCycleLR", o, max_lr=0.1, total_steps=100),
        ...               num_epochs=10, steps_per_epoch=10, step_on="batch")
        []
    """
    # 0. the arguments: counts within lrlab's bounds, settings known (a factory that cannot be previewed is refused)
    if not callable(scheduler_factory):
        raise ValueError(f"scheduler_factory={scheduler_factory!r} must be a function optimizer -> scheduler.")
    schedules.require_steps(num_epochs, steps_per_epoch)
    validation.require_one_of("step_on", step_on, ("epoch", "batch"))
    validation.require_real("negligible_lr", negligible_lr, 0)
    validation.require_bool("verbose", verbose)
    findings: list[Finding] = []

    def add(code, message):
        findings.append(Finding(code, message))

    # 1. build it: PyTorch itself refuses some combinations (ReduceLROnPlateau inside SequentialLR)
    dummy = schedules.dummy_optimizer(lr)
    try:
        tree = _tree(schedules.from_factory(scheduler_factory, dummy, "scheduler_factory"))
    except schedules.FactoryError:  # not a schedule at all: refused, not a finding
        raise
    except ValueError as err:
        if "ReduceLROnPlateau" in str(err):
            add("plateau-in-container", "ReduceLROnPlateau cannot go inside SequentialLR or ChainedScheduler: "
                "they call step() without the metric it needs. Step it on its own, after the others. "
                f"(PyTorch: {err})")
        else:
            add("invalid", str(err))
        return _report(findings, verbose)
    n_steps = num_epochs * steps_per_epoch if step_on == "batch" else num_epochs
    # 2. per-batch vs per-epoch stepping
    for s in tree:
        if _name(s) in schedules.PER_BATCH and step_on == "epoch" and steps_per_epoch > 1:
            add("per-batch-stepped-per-epoch", f"{_name(s)} is meant to be stepped after every batch; stepped "
                f"once per epoch it takes {num_epochs} steps instead of {num_epochs * steps_per_epoch}.")
        horizon = _horizon(s)
        if (step_on == "batch" and steps_per_epoch > 1 and _name(s) not in schedules.PER_BATCH
                and horizon is not None and horizon <= num_epochs):
            add("per-epoch-stepped-per-batch", f"{_name(s)}'s horizon ({horizon}) looks like epochs, but it is "
                f"stepped every batch ({steps_per_epoch} per epoch): it runs its course in "
                f"{horizon / steps_per_epoch:.2g} epochs instead of {horizon}.")
    # 3. SequentialLR milestones against the run and against each child's own length
    for s in tree:
        if isinstance(s, lr_scheduler.SequentialLR):
            inside, milestones = _compat.children(s), _compat.milestones(s)
            bounds = [0, *milestones]
            for i, m in enumerate(milestones):
                if m >= n_steps:
                    add("milestone-unreached", f"SequentialLR milestone {m} is never reached: the run has only "
                        f"{n_steps} scheduler steps, so {_name(inside[i + 1])} never runs.")
                child, length = inside[i], m - bounds[i]
                h = _horizon(child)
                if h is not None and h != length and _name(child) != "StepLR":
                    add("milestone-mismatch", f"SequentialLR hands over at step {m}, but {_name(child)} "
                        f"lasts {h} steps: it is cut short or holds its last value "
                        f"({'cut short' if h > length else f'{length - h} steps held'}).")
    # 3b. the schedule that runs last must finish its course (T_max, total_iters) before the run ends
    if isinstance(tree[0], lr_scheduler.SequentialLR):
        last = [(_compat.children(tree[0])[-1], _compat.milestones(tree[0])[-1])]
    elif not any(isinstance(c, lr_scheduler.SequentialLR) for c in tree):  # alone, or side by side in a chain
        last = [(c, 0) for c in tree if not _compat.children(c)]
    else:
        last = []
    for child, start in last:
        h = _horizon(child) if _name(child) in RUN_A_COURSE else None
        if h is not None and start < n_steps and h > n_steps - start:
            attr, left = HORIZON[_name(child)], n_steps - start
            after = f" after SequentialLR's last milestone ({start})" if start else ""
            batches = (f" If {attr} counts batches, step it after every batch."
                       if step_on == "epoch" and steps_per_epoch > 1 and h <= num_epochs * steps_per_epoch else "")
            add("cut-short", f"{_name(child)}({attr}={h}) gets only {left} scheduler steps{after}: the run ends "
                f"before its course does, so the LR never reaches its end value. Set {attr}={left}.{batches}")
    # 4. dry run of the real scheduler
    try:
        curve = schedules.preview(scheduler_factory, num_epochs, steps_per_epoch, step_on=step_on, lr=lr,
                                  metrics=[1.0] * n_steps)
    except schedules.FactoryError as err:  # an LR curve no schedule gives (NaN, negative): refused
        message = str(err)
        raise schedules.FactoryError(f"scheduler_{message}" if message.startswith("factory") else message) from None
    except ValueError as err:
        total = next((s.total_steps for s in tree if isinstance(s, lr_scheduler.OneCycleLR)), None)
        if total is not None:
            add("one-cycle-overrun", f"OneCycleLR has total_steps={total} but the run steps it {n_steps} "
                f"times: PyTorch raises at step {total + 1}. Set total_steps={n_steps} "
                "(or epochs and steps_per_epoch).")
        else:
            add("error", str(err))
        return _report(findings, verbose)
    lrs = curve["lr"]
    # 5. cosine rising again after T_max (other schedulers may rise on purpose)
    names = {_name(s) for s in tree}
    if "CosineAnnealingLR" in names and not names & set(MEANT_TO_RISE):
        fell = False
        for k in range(1, len(lrs)):
            fell = fell or lrs[k] < lrs[k - 1]
            if fell and lrs[k] > lrs[k - 1] * (1 + 1e-9):
                t_max = next(s.T_max for s in tree if isinstance(s, lr_scheduler.CosineAnnealingLR))
                add("cosine-rises", f"CosineAnnealingLR(T_max={t_max}) is stepped {n_steps} times: after T_max "
                    f"the LR rises again (from epoch {curve['step_epoch'][k]:.3g}). Set T_max to the number of "
                    "scheduler steps, or use CosineAnnealingWarmRestarts if you want restarts.")
                break
    # 6. an LR so small that training has in effect stopped (lrlab's threshold, not a PyTorch setting)
    below = next((k for k, v in enumerate(lrs) if v < negligible_lr), None)
    if below is not None:
        add("lr-vanishes", f"the LR falls below {negligible_lr:g} at epoch {curve['step_epoch'][below]:.3g} "
            f"(it reaches {min(lrs):.3g}): from there on the weights barely move, and the epochs left are wasted.")
    return _report(findings, verbose)


def _report(findings, verbose):
    if verbose:
        print("\n".join(str(f) for f in findings) if findings else "no problems found")
    return findings

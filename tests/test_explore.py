"""lrlab.explore.Trainer and the explorers' speed-ups (issue 15): a move resumes a kept run, and the result is the
run from scratch, bit for bit; the background thread makes one-notch moves cache hits and never holds a move up
by more than one epoch of its work; memory stays bounded.

The oracle is ``explore.train_run``: the same setting trained from scratch through ``lrlab.fit``. "Bit for bit"
is checked on the repr of every list of the History (a float's repr is exact).
"""

import gc
import os
import random
import threading
import time

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402
import torch  # noqa: E402

pytest.importorskip("ipywidgets")
from lrlab import data, explore, schedules, widgets  # noqa: E402
from lrlab.widgets import explorers  # noqa: E402

SMALL = {"dpi": 30}
PLATEAU = {"lr": 0.03, "factor": 0.5, "patience": 1, "threshold": 1e-4, "cooldown": 0, "min_lr": 0.0, "mode": "min"}
STEP = {"scheduler": "StepLR", "lr": 0.03, "gamma": 0.5, "step_size": 5}


@pytest.fixture(scope="module")
def raw_wine():
    return data.wine(standardize=False)  # Adam plateaus within 15 epochs: the LR is cut early and often


def bits(history) -> str:
    return repr(history.asdict())


def from_scratch(ex):
    """The explorer's current setting trained from scratch through lrlab.fit."""
    p = ex.params()
    if isinstance(ex, widgets.PlateauExplorer):
        sched = {k: p[k] for k in ex._KEYS}
        return explore.train_run(ex.data, schedules.PLATEAU, sched, lr=p["lr"],
                                 monitor="val_acc" if p["mode"] == "max" else "val_loss", **ex.run)
    return explore.train_run(ex.data, p["scheduler"], ex._sched(p), lr=p["lr"], **ex.run)


PLATEAU_MOVES = [("factor", 0.3), ("patience", 2), ("threshold", 0.05), ("cooldown", 1), ("min_lr", 1e-3),
                 ("mode", "max"), ("lr", 0.01)]
STEP_MOVES = [("gamma", 0.3), ("step_size", 7), ("scheduler", "ExponentialLR"), ("lr", 0.01)]


@pytest.mark.parametrize("name, value", PLATEAU_MOVES)
def test_every_plateau_control_resumes_and_gives_the_run_from_scratch_bit_for_bit(raw_wine, name, value):
    ex = widgets.plateau_explorer(raw_wine, 25, **PLATEAU, **SMALL)
    assert bits(ex.last) == bits(from_scratch(ex))
    ex.controls[name].value = value
    assert ex.error is None and bits(ex.last) == bits(from_scratch(ex)), name
    if name == "lr":  # a new initial LR trains from scratch
        assert ex.trainer.last_start == 0
    else:  # the same run until the first epoch whose LR the move changes: trained from there only
        assert 0 < ex.trainer.last_start < 25, (name, ex.trainer.last_start)


@pytest.mark.parametrize("name, value", STEP_MOVES)
def test_every_step_control_resumes_and_gives_the_run_from_scratch_bit_for_bit(raw_wine, name, value):
    ex = widgets.step_explorer(raw_wine, 25, **STEP, **SMALL)
    ex.controls[name].value = value
    assert ex.error is None and bits(ex.last) == bits(from_scratch(ex)), name
    expected = {"gamma": 5, "step_size": 5, "scheduler": 1, "lr": 0}[name]  # the first epoch whose LR differs
    assert ex.trainer.last_start == expected


@pytest.mark.parametrize("optimizer_type", ["adam", "sgd"])
def test_mini_batches_resume_with_the_loaders_shuffling_where_it_was(optimizer_type):
    d = data.wine(batch_size=16)  # 9 shuffled batches an epoch: the loader's generator is part of the state
    ex = widgets.plateau_explorer(d, 15, **{**PLATEAU, "threshold": 0.05}, optimizer_type=optimizer_type, **SMALL)
    before = d.train.generator.get_state()
    for name, value in [("factor", 0.2), ("patience", 2), ("cooldown", 2), ("factor", 0.7)]:
        ex.controls[name].value = value
        assert bits(ex.last) == bits(from_scratch(ex)), (name, value)
        d.train.generator.set_state(before)  # from_scratch (fit) reseeds the learner's loader; the explorer never
    assert ex.trainer.last_start > 0


def test_a_chain_of_random_moves_always_gives_the_run_from_scratch(raw_wine):
    ex = widgets.plateau_explorer(raw_wine, 20, **PLATEAU, **SMALL)
    rng, starts = random.Random(1), []
    for _ in range(12):
        name = rng.choice(list(PLATEAU))
        options = explorers._notches(ex.specs[name], ex.params()[name])
        ex.controls[name].value = rng.choice(options)
        starts.append(ex.trainer.last_start)
        assert bits(ex.last) == bits(from_scratch(ex)), ex.params()
    assert any(0 < s < 20 for s in starts), starts  # some moves really resumed


def test_the_trainer_leaves_the_learners_generators_alone(raw_wine):
    d = data.wine(batch_size=32)
    torch.manual_seed(123)
    state, loader_state = torch.get_rng_state(), d.train.generator.get_state()
    t = explore.Trainer(d, 5)
    t.run("StepLR", {"step_size": 2, "gamma": 0.5}, lr=0.03)
    t.run("StepLR", {"step_size": 2, "gamma": 0.2}, lr=0.03)
    assert torch.equal(torch.get_rng_state(), state) and torch.equal(d.train.generator.get_state(), loader_state)


def test_a_run_cancelled_between_epochs_keeps_nothing(raw_wine):
    t = explore.Trainer(raw_wine, 10)
    asked = []

    def between(epoch):
        asked.append(epoch)
        return epoch < 3

    with pytest.raises(explore.Cancelled):
        t.run("StepLR", {"step_size": 2, "gamma": 0.5}, lr=0.03, between_epochs=between)
    assert asked == [0, 1, 2, 3]
    assert explore.KEPT.candidates(t._owner, 0.03) == []


# --- the background thread ------------------------------------------------------------------------------------
@pytest.fixture
def background_explorer(raw_wine):
    ex = widgets.plateau_explorer(raw_wine, 20, **PLATEAU, background=True, **SMALL)
    yield ex
    explorers.BACKGROUND.submit(ex, [])
    assert explorers.BACKGROUND.wait(60)


def test_after_a_pause_every_one_notch_move_is_a_cache_hit_with_the_same_bits(background_explorer, monkeypatch):
    ex = background_explorer
    computed, compute = [], type(ex)._compute

    def counted(self, *args):
        computed.append(threading.current_thread().name)
        return compute(self, *args)

    monkeypatch.setattr(type(ex), "_compute", counted)
    assert ex.wait(60)
    kept = ex.cache
    assert all(explorers._key(p) in kept for p in ex.neighbours())
    for name in ("factor", "patience", "mode", "lr"):
        assert ex.wait(60)
        value = explorers._notches(ex.specs[name], ex.params()[name])[-1]
        computed.clear()
        ex.controls[name].value = value
        assert "MainThread" not in computed, f"{name}: a one-notch move trained again"
        assert ex.error is None and bits(ex.last) == bits(from_scratch(ex)), name  # computed in the thread


def test_a_move_while_the_thread_trains_waits_at_most_one_of_its_epochs(background_explorer, monkeypatch):
    ex = background_explorer
    assert ex.wait(60)
    log, inside, go_on = [], threading.Event(), threading.Event()
    real = explore.train_epoch

    def epoch(*args, **kw):  # each epoch's thread, start and end; the thread's first epoch waits for the test
        thread = threading.current_thread().name
        start = time.perf_counter()
        if thread.startswith("lrlab") and not inside.is_set():
            inside.set()
            assert go_on.wait(30)
        result = real(*args, **kw)
        log.append((thread, start, time.perf_counter()))
        return result

    monkeypatch.setattr(explore, "train_epoch", epoch)
    ex.controls["threshold"].value = 1e-2  # a new setting: the thread starts on its neighbours
    assert inside.wait(30)  # the thread is in the middle of an epoch when the learner's move comes
    with explorers.BACKGROUND.paused():  # what the move does first (here a moment earlier, to fix the order)
        move_start = time.perf_counter()
        go_on.set()  # the thread's epoch goes on, alongside the move
        ex.controls["factor"].value = 0.2
        move_end = time.perf_counter()
    thread_epochs = [(s, e) for name, s, e in log if name.startswith("lrlab")]
    assert not [s for s, e in thread_epochs if move_start < s < move_end], "the thread started an epoch meanwhile"
    assert len([s for s, e in thread_epochs if s < move_end and e > move_start]) <= 1
    assert bits(ex.last) == bits(from_scratch(ex))


def test_the_thread_rests_while_a_notebook_cell_runs():
    bg = explorers.BACKGROUND
    bg._cell_starts()
    assert not bg.go.is_set()
    with bg.paused():
        bg._cell_ends()
        assert not bg.go.is_set()  # the explorer's own move still holds it
    assert bg.go.is_set()


# --- memory ---------------------------------------------------------------------------------------------------
def rss() -> int:
    """This process's resident memory in bytes (Linux)."""
    if not os.path.exists("/proc/self/statm"):
        pytest.skip("reads /proc/self/statm (Linux)")
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_300_moves_keep_memory_within_the_budgets(raw_wine, monkeypatch):
    # budgets a quarter of the real ones, so that 300 quick moves fill them; memory must then stop growing
    monkeypatch.setattr(explore, "STATE_BUDGET", 4 * 2**20)
    monkeypatch.setattr(explorers.RESULTS, "budget", 4 * 2**20)
    ex = widgets.plateau_explorer(raw_wine, 20, **PLATEAU, dpi=40)
    rng, sizes = random.Random(0), []
    for move in range(300):
        name = "lr" if move % 25 == 0 else rng.choice(["factor", "patience", "cooldown", "threshold", "min_lr"])
        ex.controls[name].value = rng.choice(explorers._notches(ex.specs[name], ex.params()[name]))
        assert ex.error is None
        if move in (0, 100, 299):
            gc.collect()
            sizes.append(rss())
    assert explore.KEPT.bytes <= 4 * 2**20 and explorers.RESULTS.bytes <= 4 * 2**20
    assert len(ex.cache) < 300  # the oldest results went
    assert sizes[2] - sizes[0] < 50 * 2**20, [s / 2**20 for s in sizes]
    assert sizes[2] - sizes[1] < 12 * 2**20, [s / 2**20 for s in sizes]  # full budgets: no more growth
    # with the real budgets: at most their sum, plus the reused figures, is kept
    assert explore.STATE_BUDGET + explorers.RESULT_BUDGET <= 24 * 2**20


def test_building_an_explorer_15_times_reuses_figures_and_keeps_memory_bounded(raw_wine):
    built, sizes = [], []
    for i in range(15):  # a cell rerun 15 times (each explorer stays alive, as its widgets do in a kernel)
        built.append(widgets.plateau_explorer(raw_wine, 10, **PLATEAU, **SMALL))
        built[-1].factor.value = 0.3
        if i in (4, 14):
            gc.collect()
            sizes.append(rss())
    assert len({id(ex.figure) for ex in built}) == 1 and len(explorers._figures) <= explorers.FIGURES
    assert sizes[1] - sizes[0] < 10 * 2**20, [s / 2**20 for s in sizes]

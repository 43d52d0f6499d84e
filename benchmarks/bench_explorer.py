"""How fast the ReduceLROnPlateau explorer answers a slider move, against the same 100 epochs written by hand.

The explorer is lesson 06's: ``plateau_explorer(lr=0.03)`` (Wine, 100 epochs, full batch, Adam, 90 dpi) with its
background thread on, as in a notebook. A move sets a control's ``.value`` as the browser's message does; the
observer runs synchronously, so the move is over when the explorer's ``Image`` holds the new PNG. Measured in
this process, without a kernel or a browser (tests/test_browser.py measures a key press in JupyterLab).

The hand-written training is the classic Wine example's loop (WineMLP, Adam(lr=0.1), ReduceLROnPlateau, full
batch, 100 epochs), timed once before every move (with the background thread resting), so both sides share the
machine's state. Targets (issue 15):
- 20 scripted moves, back to back (factor, patience, threshold, cooldown and min_lr moves, two lr moves; each to
  a setting never seen and more than one notch away: no cache hit): median latency <= 0.5x the hand-written
  training (a move resumes the last run from the first epoch its LR changes);
- lr moves (those two and 9 more): median <= 1.3x (a new initial LR trains from scratch and draws);
- one-notch moves after a pause (the background thread has finished: waited on, not slept): each under 20 ms.
"""

from __future__ import annotations

import statistics
import time

import torch

from benchmarks.bench_fit import hand_loop  # the classic Wine example's 100 epochs, as a learner writes them
from lrlab import data, explore, widgets
from lrlab.widgets import explorers

TARGET_MOVE, TARGET_LR, TARGET_HIT = 0.5, 1.3, 0.020
SCRIPT = [("factor", 0.5), ("patience", 5), ("threshold", 1e-3), ("cooldown", 3), ("min_lr", 1e-4), ("factor", 0.3),
          ("lr", 0.1), ("patience", 4), ("factor", 0.6), ("cooldown", 8), ("threshold", 1e-2), ("min_lr", 0.0),
          ("patience", 12), ("lr", 0.05), ("factor", 0.2), ("threshold", 10 ** -3.5), ("cooldown", 1),
          ("patience", 2), ("min_lr", 1e-3), ("factor", 0.8)]
MORE_LR = [0.2, 0.02, 0.3, 0.01, 0.5, 0.04, 0.15, 0.07, 0.008]
NOTCHES = ["factor", "patience", "cooldown", "threshold", "min_lr", "mode", "lr"]  # one notch up, after a pause


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _move(ex, name: str, value, hand: list, times: list, d) -> None:
    """One move, with the hand-written training timed just before it, while the background thread rests (it then
    goes on with the last move's neighbours, and the move comes while it works, as when a learner moves fast)."""
    with explorers.BACKGROUND.paused():
        explorers.BACKGROUND.resting.wait()
        hand.append(_timed(lambda: hand_loop(d)))
    times.append(_timed(lambda: setattr(ex.controls[name], "value", value)))


def main() -> bool:
    torch.set_num_threads(1)  # both sides alike (the explorer trains on one thread), and steadier on 2 cores
    d = data.wine()
    ex = widgets.plateau_explorer(d, lr=0.03, background=True)
    ex.wait()
    for name in ("factor", "patience", "threshold"):  # warm-up: first y axes drawn, fonts, code paths
        ctl = ex.controls[name]
        ctl.value = explorers._notches(ex.specs[name], ex.params()[name])[-1]
        ex.wait()
    for _ in range(3):
        hand_loop(d)
    # 1. the scripted moves, back to back: each a new setting, none a neighbour of the one before
    hand, times, starts = [], [], []
    for name, value in SCRIPT:
        before = dict(ex.cache)
        _move(ex, name, value, hand, times, d)
        assert explorers._key(ex.params()) not in before, f"{name}={value} was computed before"
        assert ex.error is None, ex.error
        starts.append(ex.trainer.last_start)
    lr_times = [times[i] / hand[i] for i, (name, _) in enumerate(SCRIPT) if name == "lr"]
    for value in MORE_LR:
        _move(ex, "lr", value, hand, times, d)
        lr_times.append(times[-1] / hand[-1])
    h = statistics.median(hand)
    moves = times[:len(SCRIPT)]
    # each move against the hand-written training timed just before it: slow drifts of the machine cancel
    ratio, lr_ratio = statistics.median(m / t for m, t in zip(moves, hand, strict=False)), statistics.median(lr_times)
    # 2. one notch away, after the background thread has finished (waited on)
    hits = []
    for name in NOTCHES:
        ex.wait()
        value = explorers._notches(ex.specs[name], ex.params()[name])[-1]
        kept = dict(ex.cache)
        t = _timed(lambda name=name, value=value: setattr(ex.controls[name], "value", value))
        assert explorers._key(ex.params()) in kept, f"{name}={value}, one notch away, was not computed"
        hits.append(t)
    ex.wait()
    ok = ratio <= TARGET_MOVE and lr_ratio <= TARGET_LR and max(hits) < TARGET_HIT
    print(f"plateau explorer (Wine, 100 epochs, lesson 06's lr=0.03) against the same 100 epochs written by hand "
          f"({h * 1e3:.0f} ms, median):\n"
          f"  {len(SCRIPT)} scripted moves: median {statistics.median(moves) * 1e3:.0f} ms = {ratio:.2f}x "
          f"(target <= {TARGET_MOVE}x); resumed at epoch {statistics.median(starts):.0f} (median)\n"
          f"  lr moves (train from scratch): median {lr_ratio:.2f}x (target <= {TARGET_LR}x), "
          f"{len(lr_times)} moves\n"
          f"  one notch after a pause: cache hit, at most {max(hits) * 1e3:.2f} ms (target < {TARGET_HIT * 1e3:.0f}), "
          f"median {statistics.median(hits) * 1e3:.2f} ms; PNG {len(ex.image.value) / 1024:.0f} KB; "
          f"{explore.KEPT.bytes / 2**20:.1f} MB of kept runs, {explorers.RESULTS.bytes / 2**20:.1f} MB of results "
          f"{'OK' if ok else 'MISSED'}")
    return ok


if __name__ == "__main__":
    main()

"""lrlab's LR range test against torch-lr-finder (pip package ``torch-lr-finder``), side by side.

Same model (SmallCNN, seed 0), same data (sklearn's 8x8 digits, batches of 64, loader seeded), same
optimizer, same range, num_iter, smoothing and divergence threshold. Both tools must do the same work:
a check run first asserts that they step through the same LRs and see the same raw losses.
Then the two are timed alternately, many times, in one process; each timed run includes what the user
pays for a usable answer: saving the state, the test, restoring the state, the steepest-descent
suggestion (torch-lr-finder: ``LRFinder(...)``, ``range_test``, ``reset``, its ``plot`` rule without
drawing). Targets: time ratio lrlab / torch-lr-finder <= 1.0 (median of per-pair ratios), and the two
steepest-descent suggestions within a factor of 2.
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import sys
import warnings

os.environ.setdefault("TQDM_DISABLE", "1")  # torch-lr-finder draws a tqdm bar; before it is imported
os.environ.setdefault("MPLBACKEND", "Agg")

import torch  # noqa: E402

from benchmarks.timing import alternate, pair_ratio  # noqa: E402
from lrlab import data, finder, models  # noqa: E402

TIME_TARGET = 1.0
SUGGESTION_FACTOR = 2.0
REPEATS = int(os.environ.get("BENCH_REPEATS", 21))
START_LR, END_LR, NUM_ITER = 1e-5, 10.0, 100
SMOOTH = 0.95        # lrlab: weight of the past; torch-lr-finder's smooth_f is the weight of the new loss
DIVERGE_TH = 5.0     # torch-lr-finder's default; both compare the smoothed loss with its best so far
SKIP_START, SKIP_END = 10, 5  # torch-lr-finder's plot() defaults, used by both suggestions


def _setup(d):
    model = models.SmallCNN(seed=0)
    return model, torch.optim.Adam(model.parameters(), lr=START_LR)


def run_lrlab(d, smooth=SMOOTH):
    model, opt = _setup(d)
    r = finder.lr_range_test(model, opt, None, d, START_LR, END_LR, NUM_ITER, smooth=smooth,
                             diverge_th=DIVERGE_TH, seed=0)
    return r, r.suggestions["steepest"].lr  # default trimming: num_iter // 10 = 10 first, 5 last


def run_torch_lr_finder(d, smooth_f=1 - SMOOTH):
    import numpy as np
    from torch_lr_finder import LRFinder

    model, opt = _setup(d)
    torch.manual_seed(0)
    d.train.generator.manual_seed(0)  # the batches lrlab sees (it seeds the loader with seed=0)
    lr_finder = LRFinder(model, opt, torch.nn.CrossEntropyLoss())
    with contextlib.redirect_stdout(io.StringIO()):  # it prints a line or two per run
        lr_finder.range_test(d.train, start_lr=START_LR, end_lr=END_LR, num_iter=NUM_ITER, step_mode="exp",
                             smooth_f=smooth_f, diverge_th=DIVERGE_TH)
    lr_finder.reset()
    lrs, losses = lr_finder.history["lr"], lr_finder.history["loss"]
    # its plot()'s rule, without drawing: argmin of np.gradient over the trimmed smoothed losses
    window_lrs, window = lrs[SKIP_START:-SKIP_END], np.array(losses[SKIP_START:-SKIP_END])
    return lr_finder, window_lrs[int(np.gradient(window).argmin())]


def same_work(d) -> None:
    """Unsmoothed, the two tools must record the same LRs and the same losses, step for step."""
    r, _ = run_lrlab(d, smooth=0.0)
    theirs, _ = run_torch_lr_finder(d, smooth_f=0.0)
    assert len(r.lr) == len(theirs.history["lr"]), (len(r.lr), len(theirs.history["lr"]))
    assert r.lr == theirs.history["lr"], "the LR ramps differ"
    diff = max(abs(a - b) for a, b in zip(r.loss, theirs.history["loss"], strict=True))
    assert diff < 1e-5, f"the raw losses differ by {diff:.3g}"


def main() -> bool:
    torch.set_num_threads(1)  # both sides alike, and steadier on a 2-core machine
    try:
        import torch_lr_finder  # noqa: F401
    except ImportError:
        print("bench_finder: torch-lr-finder is not installed (pip install torch-lr-finder); skipped")
        return True
    d = data.digits(batch_size=64)
    with warnings.catch_warnings():
        # torch-lr-finder calls scheduler.get_lr() outside step(), which PyTorch warns about
        warnings.simplefilter("ignore", UserWarning)
        same_work(d)
        ours, theirs, (result, lr_ours), (lr_finder, lr_theirs) = alternate(
            lambda: run_lrlab(d), lambda: run_torch_lr_finder(d), REPEATS)
    theirs_steps = len(lr_finder.history["lr"])
    assert result.steps == theirs_steps, f"lrlab did {result.steps} steps, torch-lr-finder {theirs_steps}"
    ratio = pair_ratio(theirs, ours)  # lrlab / torch-lr-finder
    gap = max(lr_ours, lr_theirs) / min(lr_ours, lr_theirs)
    ok_time, ok_lr = ratio <= TIME_TARGET, gap <= SUGGESTION_FACTOR
    print(f"LR range test vs torch-lr-finder (SmallCNN on digits, Adam, {START_LR:g} -> {END_LR:g}, "
          f"{NUM_ITER} iterations, {result.steps} steps done, median of {REPEATS}): "
          f"torch-lr-finder {statistics.median(theirs) * 1e3:.0f} ms, lrlab {statistics.median(ours) * 1e3:.0f} ms, "
          f"ratio {ratio:.3f} (target <= {TIME_TARGET}) {'OK' if ok_time else 'MISSED'}; "
          f"steepest descent: lrlab {lr_ours:.3g}, torch-lr-finder {lr_theirs:.3g}, "
          f"factor {gap:.2f} (target <= {SUGGESTION_FACTOR:g}) {'OK' if ok_lr else 'MISSED'}")
    return ok_time and ok_lr


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

"""lrlab.fit against the classic Wine example's hand-written loop (ReduceLROnPlateau, 100 epochs).

Same data, same model seed, same scheduler; the two are run alternately, many times, in one process,
and the median of the per-pair time ratios is printed. Both runs must also end with the same LR sequence: the
comparison is like for like. fit does more than the bare loop, and the target allows for it: it records the
accuracy and the LR of every step, and (since issue 13) tries the first batch of each loader on the model before
training and checks every LR a scheduler sets. Measured on a quiet 2-core machine in December 2026: 1.15 and 1.16
(the first release's fit, without the checks, 1.10 to 1.12 on the same machine); 1.09 to 1.10 since fit leaves the
train/eval flags alone for a model that computes the same in both modes (``train.mode_free``), as WineMLP does.
Target: fit / hand loop <= 1.20.
"""

from __future__ import annotations

import statistics

import torch
from torch import nn

import lrlab
from benchmarks.timing import alternate, pair_ratio
from lrlab import data, models

TARGET = 1.20
REPEATS = 101


def hand_loop(d):
    # The classic Wine example's loop: Adam(lr=0.1), ReduceLROnPlateau(mode='min', factor=0.1, patience=10), 100 epochs.
    X_train, y_train, X_test, y_test = (d.tensors[k] for k in ("X_train", "y_train", "X_val", "y_val"))
    model = models.WineMLP(seed=0)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.1, patience=10)
    torch.manual_seed(0)
    lrs = []
    for _epoch in range(100):
        model.train()
        optimizer.zero_grad()
        outputs = model(X_train)
        loss = criterion(outputs, y_train)
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = criterion(model(X_test), y_test)
        scheduler.step(val_loss)
        lrs.append(scheduler.get_last_lr()[0])
    return lrs


def lrlab_fit(d):
    model = models.WineMLP(seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.1, patience=10)
    return lrlab.fit(model, optimizer, scheduler, d, num_epochs=100).epoch_lr


def main() -> bool:
    torch.set_num_threads(1)  # both sides alike, and steadier on a 2-core machine
    d = data.wine(standardize=False)  # unstandardised: the LR is cut several times, exercising the scheduler
    assert hand_loop(d) == lrlab_fit(d), "the two loops must do the same work"
    hand, fit, _, _ = alternate(lambda: hand_loop(d), lambda: lrlab_fit(d), REPEATS, warmup=3)
    h, f = statistics.median(hand), statistics.median(fit)
    ratio = pair_ratio(hand, fit)
    ok = ratio <= TARGET
    print(f"fit vs hand-written loop (Wine, ReduceLROnPlateau, 100 epochs, median of {REPEATS}): "
          f"hand {h * 1e3:.1f} ms, lrlab.fit {f * 1e3:.1f} ms, ratio {ratio:.3f} "
          f"(target <= {TARGET}) {'OK' if ok else 'MISSED'}")
    return ok

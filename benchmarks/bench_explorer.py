"""Slider-to-new-plot latency of the ReduceLROnPlateau explorer: Wine, 100 epochs, training plus the PNG.

A move sets a control's ``.value`` as the browser's message does; the observer runs synchronously, so the
move is over when the explorer's ``Image`` holds the new PNG. Measured in this process, without a kernel or a
browser (on localhost they add a few ms: one comm message each way and the browser decoding a ~40 KB PNG).

- new setting: the median of 20 moves to settings never seen before (each retrains and redraws);
- cached setting: the median of 20 moves back to settings seen before (no training, no drawing);
- the share of a new setting spent training vs drawing: the same 20 settings, the two halves timed apart.

Targets on a 2-core machine: new <= 200 ms, cached <= 100 ms.
"""

from __future__ import annotations

import statistics
import time

from lrlab import widgets

TARGET_NEW, TARGET_CACHED = 0.200, 0.100
MOVES = 20


def _timed_move(control, value) -> float:
    start = time.perf_counter()
    control.value = value
    return time.perf_counter() - start


def main() -> bool:
    ex = widgets.plateau_explorer()  # the lessons' default: Wine, 100 epochs, Adam, 90 dpi
    for threshold in (1e-3, 1e-2, 2e-4):  # warm-up: first draws, caches of fonts and layouts
        ex.threshold.value = threshold
    # 1. new settings: patience 11..20, then factor 0.15..0.60 (a parameter tuple never seen before each time)
    moves = [(ex.patience, p) for p in range(11, 21)] + [(ex.factor, round(0.1 + 0.05 * k, 2)) for k in range(1, 11)]
    new, settings = [], []
    for control, value in moves:
        new.append(_timed_move(control, value))
        settings.append(ex.params())
    assert len(ex.cache) == 1 + 3 + len(moves), "every move must have been a new setting"
    # 2. cached: back and forth between two settings already seen
    cached = [_timed_move(ex.factor, value) for value in [0.55, 0.6] * (MOVES // 2)]
    # 3. the same new settings again, training and drawing timed apart (the explorer's own two steps)
    train, draw = [], []
    for params in settings:
        start = time.perf_counter()
        history = ex._compute(params)
        middle = time.perf_counter()
        ex._draw(history, params)
        train.append(middle - start)
        draw.append(time.perf_counter() - middle)
    n, c = statistics.median(new), statistics.median(cached)
    t, d = statistics.median(train), statistics.median(draw)
    ok = n <= TARGET_NEW and c <= TARGET_CACHED
    print(f"plateau explorer (Wine, 100 epochs, median of {MOVES} moves): new setting {n * 1e3:.0f} ms "
          f"(target <= {TARGET_NEW * 1e3:.0f}), cached setting {c * 1e3:.2f} ms (target <= {TARGET_CACHED * 1e3:.0f}) "
          f"{'OK' if ok else 'MISSED'}; a new setting is training {t * 1e3:.0f} ms ({t / (t + d):.0%}) + "
          f"drawing the PNG {d * 1e3:.0f} ms ({d / (t + d):.0%}), {len(ex.image.value) / 1024:.0f} KB")
    return ok


if __name__ == "__main__":
    main()

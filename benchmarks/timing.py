"""Side-by-side timing shared by the benchmarks: two functions run alternately in one process."""

from __future__ import annotations

import statistics
import time


def alternate(fn_a, fn_b, repeats: int, warmup: int = 2):
    """Time ``fn_a()`` and ``fn_b()`` back to back ``repeats`` times, flipping their order every round.

    Returns ``(times_a, times_b, last_a, last_b)``: seconds per call, and each function's last result.
    """
    fns, times, last = (fn_a, fn_b), ([], []), [None, None]
    for _ in range(warmup):
        fn_a(), fn_b()
    for i in range(repeats):  # alternate the order so neither side always runs second
        for k in (0, 1) if i % 2 else (1, 0):
            start = time.perf_counter()
            last[k] = fns[k]()
            times[k].append(time.perf_counter() - start)
    return times[0], times[1], last[0], last[1]


def pair_ratio(times_a, times_b) -> float:
    """Median of the per-pair ratios b / a: each pair ran back to back, so slow drifts of the machine cancel."""
    return statistics.median(b / a for a, b in zip(times_a, times_b, strict=True))

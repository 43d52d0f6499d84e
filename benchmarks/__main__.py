"""Run every benchmark: ``python -m benchmarks`` (or ``make bench``). Exits 1 when a target is missed."""

import sys

from benchmarks import bench_explorer, bench_finder, bench_fit

results = [bench_fit.main(), bench_finder.main(), bench_explorer.main()]
sys.exit(0 if all(results) else 1)

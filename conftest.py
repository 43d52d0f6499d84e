"""pytest set-up shared by the unit tests (tests/) and nbval's lesson runs (lessons/)."""

import os

# No progress bars anywhere under test (kernels started by nbval inherit this).
# MPLBACKEND is left alone on purpose: a kernel must keep its inline backend.
os.environ.setdefault("TQDM_DISABLE", "1")


def pytest_configure(config):
    # The unit tests' models are tiny: one torch thread is the fastest and the steadiest (test_train took 31 s with
    # two threads, 11 s with one, on a busy 2-core machine). Only this process: nbval's kernels are processes of
    # their own, and each lesson's setup cell sets its threads itself.
    import torch

    torch.set_num_threads(1)


def pytest_collection_modifyitems(config, items):
    for item in items:
        # nbval waits 5 s for a cell's next output by default; a lesson's training cell may be quiet longer.
        if hasattr(item, "output_timeout"):
            item.output_timeout = 60

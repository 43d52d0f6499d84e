"""pytest set-up shared by the unit tests (tests/) and nbval's lesson runs (lessons/)."""

import os

# No progress bars anywhere under test (kernels started by nbval inherit this).
# MPLBACKEND is left alone on purpose: a kernel must keep its inline backend.
os.environ.setdefault("TQDM_DISABLE", "1")


def pytest_collection_modifyitems(config, items):
    for item in items:
        # nbval waits 5 s for a cell's next output by default; a lesson's training cell may be quiet longer.
        if hasattr(item, "output_timeout"):
            item.output_timeout = 60

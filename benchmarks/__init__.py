"""Timing targets, measured side by side in one run (``make bench``). Never part of ``make test``."""

import os

# torch imports tqdm, and tqdm reads TQDM_DISABLE when it is imported: set it before anything else
# (torch-lr-finder draws a progress bar per range test).
os.environ.setdefault("TQDM_DISABLE", "1")

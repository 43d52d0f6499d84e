"""Timing targets, measured side by side in one run (``make bench``). Never part of ``make test``."""

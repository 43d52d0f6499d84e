"""Committed pictures that tests can prove current: each PNG carries the numbers it plots.

``save(fig, path, data)`` writes the figure with ``data`` (a dict of numbers, text, lists and dicts of them, as
JSON, numbers to 8 significant digits) in the PNG's ``lrlab-data`` text chunk, and no software version. A test
recomputes ``data`` from a real lrlab run and compares it with ``stored(path)`` (``same(...)`` here, or
``pytest.approx``): when lrlab's numbers change, the picture is out of date and the test names the script to
re-run. Pixels are never compared (they depend on the matplotlib and FreeType versions).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

KEY = "lrlab-data"


def _plain(value):
    if isinstance(value, float):
        return float(f"{value:.8g}")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def save(fig, path: Path, data: dict, **savefig) -> None:
    """Save matplotlib figure ``fig`` as a PNG at ``path`` that records ``data``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_plain(data), separators=(",", ":"))
    fig.savefig(path, format="png", metadata={"Software": None, KEY: text}, **savefig)


def stored(path: Path) -> dict | None:
    """The data recorded in the PNG at ``path`` (None when it records none)."""
    from PIL import Image

    with Image.open(path) as im:
        text = im.text.get(KEY)
    return None if text is None else json.loads(text)


def same(a, b, rel: float = 1e-6) -> bool:
    """``a`` and ``b`` (dicts, lists, numbers, text) agree, numbers to within ``rel``."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], rel) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
    return a == b


def current(path: Path, data: dict, rel: float = 1e-6) -> bool:
    """The PNG at ``path`` exists and records ``data`` (to within ``rel``)."""
    return path.exists() and (old := stored(path)) is not None and same(old, _plain(data), rel)

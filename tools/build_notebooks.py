"""Execute lesson notebooks top to bottom, in place, and store them clean (``make notebooks``).

Clean means: no widget state (``metadata.widgets``), no execution timings, no stderr outputs, no memory
addresses, and each run of printed lines in one output (so a rebuild's diff shows only what changed). A notebook
that leaves any of those, or raises, fails the build. Prints each run time.

    python -m tools.build_notebooks lessons/01_the_learning_rate.ipynb [...]
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.course import refresh, update_readme

ADDRESS = re.compile(r" at 0x[0-9a-fA-F]{6,}")


def problems(nb) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: error {out.get('ename')}")
            if out.get("name") == "stderr":
                found.append(f"cell {i}: stderr {out.get('text', '')[:120]!r}")
            text = str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
            if ADDRESS.search(text):
                found.append(f"cell {i}: a memory address in {text[:80]!r}")
    return found


def merge_streams(cell) -> None:
    """Join each run of stdout outputs into one, so where the kernel happened to flush leaves no trace."""
    merged = []
    for out in cell.get("outputs", []):
        prev = merged[-1] if merged else None
        if prev is not None and out.get("output_type") == prev.get("output_type") == "stream" \
                and out.get("name") == prev.get("name"):
            prev["text"] += out["text"]
        else:
            merged.append(out)
    cell.outputs = merged


def build(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    refresh(nb, path)  # Colab badge and install line from pyproject's [tool.lrlab]
    for cell in nb.cells:  # start from a clean slate so stale outputs never survive
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
    os.environ.setdefault("TQDM_DISABLE", "1")
    client = NotebookClient(nb, timeout=300, kernel_name="python3", record_timing=False,
                            store_widget_state=False, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            merge_streams(cell)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    bad = problems(nb)
    if bad:
        raise SystemExit(f"{path}: not clean:\n  " + "\n  ".join(bad))
    nbformat.write(nb, path)
    return seconds


def main(paths: list[str]) -> None:
    for p in paths:
        print(f"{p}: executed in {build(Path(p)):.1f} s", flush=True)
    if update_readme():
        print("README.md: lesson table updated")


if __name__ == "__main__":
    main(sys.argv[1:])

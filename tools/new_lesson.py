"""Start a lesson with the course's shape: `python -m tools.new_lesson lessons/07_topic.ipynb "Title"`.

Badge and setup cell first, "What you will learn", then the body, a Summary and Exercises
(solutions in collapsed <details> blocks). Fill in the body, then run `make notebooks`.
"""

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools.course import badge, setup_source


def skeleton(path: Path, title: str):
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell(f"# {title}\n\n{badge(path)}\n\n**What you will learn**\n\n- ...\n- ...\n- ..."),
        new_code_cell(setup_source()),
        new_markdown_cell("## 1. ..."),
        new_markdown_cell("## Summary\n\n- ..."),
        new_markdown_cell("## Exercises\n\n1. ...\n\n<details><summary>Solution</summary>\n\n...\n\n</details>"),
    ]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return nb


if __name__ == "__main__":
    target, title = Path(sys.argv[1]), sys.argv[2]
    if target.exists():
        raise SystemExit(f"{target} exists already")
    nbformat.write(skeleton(target, title), target)
    print(f"wrote {target}")

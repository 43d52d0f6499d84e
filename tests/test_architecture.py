"""lrlab's shape (ARCHITECTURE.md): who may import whom, no import cycles, and every public module reachable as
``lrlab.NAME`` in a fresh interpreter, without loading what it does not need.

The imports are read from the source (every ``import`` and ``from ... import`` anywhere in a file, inside
functions too), so a lazy import counts as much as one at the top.
"""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lrlab"
LEAF = {"validation", "_compat", "landscape"}  # import nothing from lrlab
BOTTOM = {"data", "models", "schedules", "plots"}  # import no other lrlab module
MIDDLE = {"train", "plateau", "lint", "compare", "checkpoint", "explore"}
TOP = {"finder", "widgets", "exercises"}
LAYER = {**{m: 0 for m in LEAF}, **{m: 1 for m in BOTTOM}, **{m: 2 for m in MIDDLE}, **{m: 3 for m in TOP}}


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path = ROOT) -> set[str]:
    """The lrlab modules ``path`` imports, as dotted names ("lrlab.train", "lrlab.finder._state")."""
    name, found = _module_name(path, root), set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "lrlab"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            if base.split(".")[0] != "lrlab":
                continue
            for alias in node.names:  # "from . import train" imports a module; "from .train import fit" a name
                sub = f"{base}.{alias.name}"
                path_of = PACKAGE.parent / sub.replace(".", "/")
                found.add(sub if path_of.with_suffix(".py").exists() or path_of.is_dir() else base)
    return found - {name}


GRAPH = {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _top(name: str) -> str:
    """The first-level part of a module: "lrlab.finder._state" -> "finder"."""
    return name.split(".")[1] if name.count(".") else ""


def _rule_broken(module: str, imported: str) -> str:
    """Why ``module`` may not import ``imported`` (ARCHITECTURE.md), or ""."""
    mine, other = _top(module), _top(imported)
    if other == mine or not other:
        return ""
    if mine in LEAF:
        return f"{module} imports {imported}: a leaf helper imports nothing from lrlab"
    if mine in BOTTOM:
        return f"{module} imports {imported}: data, models, schedules and plots import no other lrlab module"
    if other in ("widgets", "exercises"):
        return f"{module} imports {imported}: only the lessons import it"
    if LAYER[other] > LAYER[mine]:
        return f"{module} (layer {LAYER[mine]}) imports {imported} (layer {LAYER[other]}), a higher layer"
    return ""


def _cycle(graph: dict) -> list:
    """An import cycle in ``graph`` as a list of modules, or []."""
    state = {}

    def visit(m, path):
        state[m] = "open"
        for n in graph.get(m, ()):
            if state.get(n) == "open":
                return [*path, m, n]
            found = [] if n in state else visit(n, [*path, m])
            if found:
                return found
        state[m] = "done"
        return []

    return next((c for m in graph if m not in state for c in [visit(m, [])] if c), [])


def test_every_first_level_module_has_a_layer():
    found = {_top(m) for m in GRAPH} - {""}
    assert found == set(LAYER), f"place these in a layer (here and in ARCHITECTURE.md): {found ^ set(LAYER)}"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if _top(m)))
def test_a_module_imports_only_its_own_layer_or_below(module):
    broken = [_rule_broken(module, imported) for imported in sorted(GRAPH[module])]
    assert not any(broken), [b for b in broken if b]


def test_no_import_cycles():
    assert _cycle(GRAPH) == []


def test_the_rules_notice_broken_ones(tmp_path):
    bad = tmp_path / "lrlab" / "data.py"  # a bottom module with a lazy import of train
    bad.parent.mkdir()
    bad.write_text("from . import _compat\n\n\ndef f():\n    from .train import fit\n    return fit\n")
    assert _imports(bad, tmp_path) == {"lrlab._compat", "lrlab.train"}
    assert "import no other lrlab module" in _rule_broken("lrlab.data", "lrlab.train")
    assert "import no other lrlab module" in _rule_broken("lrlab.schedules", "lrlab._compat")
    assert "only the lessons" in _rule_broken("lrlab.finder.verify", "lrlab.exercises._core")
    assert "a higher layer" in _rule_broken("lrlab.train", "lrlab.finder")
    assert _rule_broken("lrlab.finder.verify", "lrlab.train") == ""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_architecture_md_names_every_module():
    text = (ROOT / "ARCHITECTURE.md").read_text()
    for module in GRAPH:
        if module != "lrlab":  # the lesson modules of exercises share one line
            short = re.sub(r"lesson\d\d$", "lesson", module.removeprefix("lrlab.").replace(".", "/"))
            assert f"`{short}" in text, f"ARCHITECTURE.md has no line for {module}"


FRESH = """
import json, sys, torch
before = set(sys.modules)
import lrlab
light = sorted({m.split('.')[0] for m in set(sys.modules) - before} & {'sklearn', 'torchvision', 'matplotlib',
                                                                       'ipywidgets', 'scipy', 'pandas'})
import lrlab.finder
finder_without_matplotlib = 'matplotlib' not in sys.modules
found = {}
for name in lrlab.MODULES:
    found[name] = getattr(lrlab, name).__name__
train_names = [n for n in ('fit', 'sweep', 'evaluate', 'History', 'pick_device') if callable(getattr(lrlab, n))]
try:
    lrlab.no_such_module
    missing_raises = False
except AttributeError:
    missing_raises = True
print(json.dumps({"light": light, "found": found, "train_names": train_names, "missing_raises": missing_raises,
                  "finder_without_matplotlib": finder_without_matplotlib}))
"""


def test_every_public_module_is_reachable_after_import_lrlab_in_a_fresh_interpreter():
    # one fresh interpreter for all of it: import lrlab (light), then lrlab.finder (no matplotlib), then the rest
    out = json.loads(subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, check=True,
                                    cwd=ROOT).stdout)
    on_disk = {p.stem if p.suffix else p.name for p in PACKAGE.iterdir()
               if not p.name.startswith("_") and (p.suffix == ".py" or (p / "__init__.py").exists())}
    assert set(out["found"]) == on_disk, "lrlab.MODULES must list every public module"
    assert all(v == f"lrlab.{k}" for k, v in out["found"].items())
    assert out["train_names"] == ["fit", "sweep", "evaluate", "History", "pick_device"] and out["missing_raises"]
    assert out["light"] == [], "import lrlab must not load these"
    assert out["finder_without_matplotlib"], "the range test must load without matplotlib"


def test_an_old_module_name_says_where_it_went():
    import lrlab

    for old, new in lrlab.RENAMED.items():
        with pytest.raises(AttributeError, match=rf"lrlab\.{old} was renamed: use {re.escape(new)}"):
            getattr(lrlab, old)
    with pytest.raises(AttributeError, match="has no attribute 'nonsense'"):
        lrlab.nonsense  # noqa: B018

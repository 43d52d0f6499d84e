"""lrlab.exercises: every check says "correct" to the lesson's own solution, and names the mistake in typical wrong
answers (off-by-one steps, per-batch stepping, wrong gamma, the wrong order of step calls, a wrong type, None).

The lessons are read, not run: each stub cell is executed as given (it must report "not attempted yet"), then the
code of the collapsed solution that follows it, then the stub's own check call again. PRELUDE and DEFS stand in for
the lesson cells an exercise builds on (section 3's model and optimizer in lesson 02, lesson 04's wine_run, ...).
"""

import ast
import importlib
import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch.optim import lr_scheduler  # noqa: E402

import lrlab  # noqa: E402
from lrlab.exercises import _feedback, available, check, hint  # noqa: E402
from lrlab.train import History  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LESSONS = {p.name[:2]: p for p in sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))}
COMMON = ("import math\nimport matplotlib.pyplot as plt\nimport numpy as np\nimport torch\n"
          "from torch.optim import lr_scheduler\nimport lrlab\nfrom lrlab import data, models, plots, schedules\n")


def _context(lesson):
    """What a lesson's exercises build on, declared by its module lrlab/exercises/lessonNN.py: ``PRELUDE`` (code
    standing in for the lesson's earlier cells) and ``DEFS`` (the lesson's own functions, taken from the notebook)."""
    module = importlib.import_module(f"lrlab.exercises.lesson{lesson}")
    return getattr(module, "PRELUDE", ""), tuple(getattr(module, "DEFS", ()))


def _stubs():
    """(exercise id, lesson, stub source, solution markdown) for every check call in the lessons."""
    found = []
    for lesson, path in LESSONS.items():
        cells = nbformat.read(path, as_version=4).cells
        for i, cell in enumerate(cells):
            m = re.search(r'lrlab\.exercises\.check\("(\d\d\.\d)"', cell.source)
            if cell.cell_type == "code" and m:
                solution = next(c.source for c in cells[i + 1:] if "<details>" in c.source)
                found.append((m.group(1), lesson, cell.source, solution.split("</details>")[0]))
    return found


STUBS = _stubs()


def _defs(lesson, names):
    """The source of the lesson's own top-level functions called ``names`` (magics left out)."""
    code = "\n".join(c.source for c in nbformat.read(LESSONS[lesson], as_version=4).cells
                     if c.cell_type == "code" and "%pip" not in c.source)
    tree = ast.parse(code)
    found = {n.name: ast.get_source_segment(code, n) for n in tree.body if isinstance(n, ast.FunctionDef)}
    return "\n\n".join(found[name] for name in names)


def _namespace(lesson, tmp_path=None):
    ns = {}
    prelude, defs = _context(lesson)
    exec(COMMON + prelude, ns)  # noqa: S102 - the lesson's own context
    exec(_defs(lesson, defs), ns)  # noqa: S102
    ns["path"] = (tmp_path or Path(".")) / "wine_run.pt"
    return ns


def _run_stub(stub, ns):
    """Run a stub cell; return its last line's value (the verdict the notebook shows)."""
    body, last = stub.rsplit("\n", 1)
    exec(body, ns)  # noqa: S102
    return eval(last, ns)  # noqa: S307


def _solution_code(solution, answer_names):
    """The solution's python block; else its inline `name = ...`; else its first inline number, as the answer."""
    block = re.search(r"```python\n(.*?)```", solution, re.S)
    if block:
        return block.group(1)
    spans = re.findall(r"`([^`]+)`", solution)
    assigned = [s for s in spans if re.match(rf"\s*({'|'.join(answer_names)})\s*=", s)]
    if assigned:
        return "\n".join(assigned)
    numbers = [s for s in spans if re.fullmatch(r"[0-9.e+-]+", s)]
    return f"{answer_names[0]} = {numbers[0]}"


def test_every_code_exercise_has_a_check_and_every_check_an_exercise():
    assert sorted(e for e, *_ in STUBS) == available()
    assert set(LESSONS) == {lesson for _, lesson, *_ in STUBS}


@pytest.mark.parametrize(("exercise", "lesson", "stub", "solution"), STUBS, ids=[s[0] for s in STUBS])
def test_stub_runs_as_given_then_the_lessons_solution_is_correct(exercise, lesson, stub, solution, tmp_path, capsys):
    ns = _namespace(lesson, tmp_path)
    before = _run_stub(stub, ns)
    assert before.status == "not attempted" and not before
    assert repr(before) == (f"Exercise {exercise}: not attempted yet. Replace None with your answer and run the cell "
                            f'again; lrlab.exercises.hint("{exercise}") gives a hint.')
    assert "if " not in stub and "print(" not in stub, "the stub's logic belongs in lrlab.exercises"
    call = ast.parse(stub.rsplit("\n", 1)[1]).body[0].value
    names = [a.id for a in call.args[1:]]
    exec(_solution_code(solution, names), ns)  # noqa: S102
    after = eval(stub.rsplit("\n", 1)[1], ns)  # noqa: S307
    assert after.status == "correct", repr(after)
    assert after and repr(after).startswith(f"Exercise {exercise}: correct:")
    plt.close("all")


def _squash(text):
    """Text with quotes unified and all whitespace gone, to compare code however it is spaced."""
    return re.sub(r"\s+", "", text.replace("'", '"'))


def _answer_calls(stub, solution, names):
    """The calls (with arguments) of the collapsed solution that the stub's own code does not make: the answer."""
    code = _solution_code(solution, names)
    stub_code = _squash("\n".join(line.split("#")[0] for line in stub.splitlines()))
    calls = {_squash(ast.unparse(n)) for n in ast.walk(ast.parse(code))
             if isinstance(n, ast.Call) and (n.args or n.keywords)}
    return {c for c in calls if c not in stub_code}


def _outputs(path):
    cells = nbformat.read(path, as_version=4).cells
    texts = []
    for cell in cells:
        for out in cell.get("outputs", []):
            texts.append(str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", "")))
    return _squash("\n".join(texts))


@pytest.mark.parametrize(("exercise", "lesson", "stub", "solution"), STUBS, ids=[s[0] for s in STUBS])
def test_no_stub_comment_or_output_gives_the_answer_away(exercise, lesson, stub, solution):
    """Issue 11: a stub's comment says what to produce, never the call that produces it, and nothing printed in the
    lesson (before an attempt: the stored notebook) contains the solution's call."""
    names = [a.id for a in ast.parse(stub.rsplit("\n", 1)[1]).body[0].value.args[1:]]
    comments = _squash(" ".join(line.split("#", 1)[1] for line in stub.splitlines() if "#" in line))
    outputs = _outputs(LESSONS[lesson])
    for call in _answer_calls(stub, solution, names):
        assert call not in comments, f"{exercise}: the stub's comment gives the answer away: {call}"
        assert call not in outputs, f"{exercise}: an output of the lesson prints the answer: {call}"


def test_the_answer_detector_notices_a_giveaway():
    stub = ("# Exercise 3: replace None with schedules.preview(\"CosineAnnealingWarmRestarts\", 30, T_0=3, T_mult=2)\n"
            "curve = None\nlrlab.exercises.check(\"07.3\", curve)")
    solution = "```python\ncurve = schedules.preview('CosineAnnealingWarmRestarts', 30, T_0=3, T_mult=2)\n```"
    comments = _squash(stub.splitlines()[0].split("#", 1)[1])
    assert any(call in comments for call in _answer_calls(stub, solution, ["curve"]))


# --- typical wrong answers, one exercise at a time -------------------------------------------------------------
def _wrong(exercise, *answer, **context):
    verdict = check(exercise, *answer, **context)
    assert verdict.status == "wrong" and not verdict, repr(verdict)
    return verdict.message


# --- the curve comparison behind the explanations, on real schedulers -------------------------------------------
def _loop(sched_factory, num_epochs, steps_per_epoch, where):
    """LR of every optimizer step of a hand-written loop: scheduler stepped 'end' of epoch, 'start', or 'batch'."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched, lrs = sched_factory(opt), []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the wrong order warns; that is the point
        for _ in range(num_epochs):
            if where == "start":
                sched.step()
            for _ in range(steps_per_epoch):
                lrs.append(opt.param_groups[0]["lr"])
                opt.step()
                if where == "batch":
                    sched.step()
            if where == "end":
                sched.step()
    return lrs


def test_differences_name_step_size_order_and_per_batch_stepping():
    step_lr = lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5)  # noqa: E731
    target = _loop(step_lr, 12, 1, "end")
    assert _feedback.differences(target, target) == []
    every_2 = _loop(lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 12, 1, "end")
    assert _feedback.differences(every_2, target, "StepLR's") == [
        "your LR halves every 2 epochs; StepLR's halves every 3 epochs"]
    expo = lambda o: lr_scheduler.ExponentialLR(o, gamma=0.5)  # noqa: E731
    [order] = _feedback.differences(_loop(expo, 4, 5, "start"), _loop(expo, 4, 5, "end"), steps_per_epoch=5)
    assert "one scheduler step ahead" in order and "before optimizer.step()" in order
    [early] = _feedback.differences(_loop(step_lr, 12, 5, "start"), _loop(step_lr, 12, 5, "end"), steps_per_epoch=5)
    assert early.endswith("every change comes 1 epoch early")
    per_batch = _feedback.differences(_loop(expo, 3, 4, "batch"), _loop(expo, 3, 4, "end"), steps_per_epoch=4)
    assert per_batch == ["your LR changes within an epoch: the scheduler was stepped after every batch; "
                         "the task's is stepped once per epoch"]
    one_cycle = lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=12)  # noqa: E731
    [per_epoch] = _feedback.differences(_loop(one_cycle, 3, 4, "end"), _loop(one_cycle, 3, 4, "batch"),
                                      steps_per_epoch=4)
    assert "stepped once per epoch" in per_epoch


# --- never a traceback ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("exercise", available())
@pytest.mark.parametrize("answer", [object(), "a text", [], {}, 1j, float("nan"), History()],
                         ids=["object", "str", "list", "dict", "complex", "nan", "empty-history"])
def test_a_wrong_type_is_explained_never_raised(exercise, answer):
    verdict = check(exercise, answer)
    assert verdict.status == "wrong" and verdict.message
    assert "checking your answer failed" not in verdict.message, verdict.message


def test_unknown_exercise_is_a_value_error_listing_the_valid_ones():
    with pytest.raises(ValueError, match=r"exercise='09\.9' has no check; valid exercises: 01\.1"):
        check("09.9", 1.0)


def test_a_second_hint_is_stronger_and_every_exercise_has_two():
    from lrlab.exercises import _core

    for exercise in available():
        gentle, stronger = _core.REGISTRY[exercise].hints
        assert gentle and stronger and gentle != stronger, exercise
    exercise = available()[0]
    lrlab.exercises._hints_given.pop(exercise, None)  # as in a fresh kernel
    assert [hint(exercise) for _ in range(3)] == [hint(exercise, level=1)] + [hint(exercise, level=2)] * 2
    with pytest.raises(ValueError, match="level=3"):
        hint(exercise, level=3)


def test_each_lesson_module_registers_its_own_lessons_exercises():
    import importlib
    import pkgutil

    modules = [m.name for m in pkgutil.iter_modules(lrlab.exercises.__path__) if m.name.startswith("lesson")]
    assert modules == [f"lesson{n:02d}" for n in range(1, len(modules) + 1)]
    by_lesson = {}
    for name in modules:
        module = importlib.import_module(f"lrlab.exercises.{name}")
        by_lesson[name[-2:]] = {e for e, entry in lrlab.exercises._core.REGISTRY.items()
                                if entry.check.__module__ == module.__name__}
    assert all(ids and all(e.startswith(f"{n}.") for e in ids) for n, ids in by_lesson.items()), by_lesson
    assert set().union(*by_lesson.values()) == set(available())

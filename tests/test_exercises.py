"""lrlab.exercises: every check says "correct" to the lesson's own solution, and names the mistake in typical wrong
answers (off-by-one steps, per-batch stepping, wrong gamma, the wrong order of step calls, a wrong type, None).

The lessons are read, not run: each stub cell is executed as given (it must report "not attempted yet"), then the
code of the collapsed solution that follows it, then the stub's own check call again. PRELUDE and DEFS stand in for
the lesson cells an exercise builds on (section 3's model and optimizer in lesson 02, lesson 04's wine_run, ...).
"""

import ast
import importlib
import math
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
from lrlab import checkpoint, data, finder, models, plateau, schedules  # noqa: E402
from lrlab.exercises import _feedback, available, check, hint  # noqa: E402
from lrlab.lint import lint_schedule  # noqa: E402
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


def test_03_3_gamma_off_by_one_and_wrong_gamma():
    right = (0.001 / 0.1) ** (1 / 19)
    assert check("05.3", right)
    # off by one: 20 decays instead of 19; the epoch where the LR reaches 0.001 comes from PyTorch
    off = (0.001 / 0.1) ** (1 / 20)
    lrs = schedules.preview("ExponentialLR", 22, lr=0.1, gamma=off)["lr"]
    reached = next(i for i, lr in enumerate(lrs) if math.isclose(lr, 1e-3, rel_tol=1e-9)) + 1
    message = _wrong("05.3", off)
    assert f"the 20th epoch trains with lr={lrs[19]:.3g}" in message and f"reaches 0.001 in epoch {reached}" in message
    assert "has had 19" in message
    # a gamma far off: the real 20th LR and how far it misses
    message = _wrong("05.3", 0.5)
    lr_20 = schedules.preview("ExponentialLR", 20, lr=0.1, gamma=0.5)["lr"][-1]
    assert f"lr={lr_20:.3g}" in message and "too small" in message
    assert "never falls" in _wrong("05.3", 1.5)
    assert "gamma=-0.5 is out of range" in _wrong("05.3", -0.5)  # schedules.make's own ValueError, explained


def test_03_4_milestones_off_by_one_wrong_gamma_and_bad_input():
    assert check("05.4", [3, 6, 9], 0.5) and check("05.4", (3, 6, 9, 12), 0.5)  # the same 12 LRs
    message = _wrong("05.4", [2, 5, 8], 0.5)
    assert "halves after epochs 2, 5, 8; StepLR(step_size=3, gamma=0.5)'s after epochs 3, 6, 9" in message
    assert message.endswith("every change comes 1 epoch early")
    message = _wrong("05.4", [3, 6, 9], 0.1)
    assert "is multiplied by 0.1 every 3 epochs" in message and "halves every 3 epochs" in message
    assert "milestones=[9, 6, 3] must be a strictly increasing list" in _wrong("05.4", [9, 6, 3], 0.5)
    assert "give both milestones and gamma" in _wrong("05.4", [3, 6, 9], None)


def test_03_2_first_lr_in_the_wrong_order_loop():
    # the oracle: a real ExponentialLR stepped before the epoch's optimizer step
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched.step()
    verdict = check("05.2", opt.param_groups[0]["lr"])
    assert verdict and any("Detected call of `lr_scheduler.step()` before `optimizer.step()`" in d
                           for d in verdict.details)
    assert "when scheduler.step() comes at the end of the epoch" in _wrong("05.2", 0.1)  # the right order's LR
    assert "the LR after 2 scheduler steps" in _wrong("05.2", 0.1 * 0.5 ** 2)
    assert "is the text" in _wrong("05.2", "0.05")


def _fit(lr=10.0, epochs=100, momentum=0.0, seed=0, batch_size=None, guard=None, scheduler=None):
    model = models.WineMLP(seed=seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    sched = scheduler(opt) if scheduler else None
    return lrlab.fit(model, opt, sched, data.wine(batch_size=batch_size), num_epochs=epochs, diverge_threshold=guard,
                     verbose=False)


def test_01_2_unguarded_run_wrong_ones():
    right = _fit()
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    assert check("01.2", right)  # it trains a reference run, and leaves the learner's generators alone
    assert torch.equal(torch.rand(3), before)
    guarded = _fit(guard=100.0)
    assert f"stopped after {guarded.num_epochs} epochs" in _wrong("01.2", guarded)
    assert "trained with lr=0.5; the task asks lr=10" in _wrong("01.2", _fit(lr=0.5))
    assert "has 50 epochs; the task asks num_epochs=100" in _wrong("01.2", _fit(epochs=50))
    per_batch = _fit(batch_size=32, epochs=3)
    assert f"took {len(per_batch.lr)} optimizer steps in 3 epochs" in _wrong("01.2", per_batch)
    decayed = _fit(scheduler=lambda o: lr_scheduler.StepLR(o, step_size=10, gamma=0.5))
    assert "halves every 10 epochs" in _wrong("01.2", decayed)
    assert "the same start, different steps" in _wrong("01.2", _fit(momentum=0.9))
    assert "first epoch's training loss" in _wrong("01.2", _fit(seed=1))
    assert "you gave a WineMLP" in _wrong("01.2", models.WineMLP())


def _groups(model, out_lr=0.5, rest_lr=0.05, rest=("fc1", "fc2")):
    params = [p for name in rest for p in getattr(model, name).parameters()]
    return torch.optim.SGD([{"params": model.fc3.parameters(), "lr": out_lr}, {"params": params}], lr=rest_lr)


def test_01_3_two_groups_wrong_ones():
    model = models.WineMLP()
    verdict = check("01.3", _groups(model), model=model)
    assert verdict and "[0.5, 0.05]" in verdict.details[0]
    assert "fc2.weight, fc2.bias are in no group" in _wrong("01.3", _groups(model, rest=("fc1",)), model=model)
    assert "group of model.fc3 has lr=0.05" in _wrong("01.3", _groups(model, 0.05, 0.5), model=model)
    assert "has 1 group;" in _wrong("01.3", torch.optim.SGD(model.parameters(), lr=0.05), model=model)
    assert "your optimizer is Adam" in _wrong("01.3", torch.optim.Adam(model.parameters()), model=model)
    assert "list of groups itself" in _wrong("01.3", [{"params": model.parameters()}], model=model)
    assert "pass the model" in _wrong("01.3", _groups(model))
    assert "not model's" in _wrong("01.3", _groups(models.WineMLP()), model=model)


def _hand_edit(make, steps_after_edit=1):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = make(opt)
    opt.step()
    sched.step()
    opt.param_groups[0]["lr"] = 0.3
    for _ in range(steps_after_edit):
        opt.step()
        sched.step()
    return opt.param_groups[0]["lr"], sched


def test_01_5_hand_edit_wrong_ones():
    lambda_lr = lambda o: lr_scheduler.LambdaLR(o, lr_lambda=lambda epoch: 0.5 ** epoch)  # noqa: E731
    lr, sched = _hand_edit(lambda_lr)
    assert check("01.5", lr, sched=sched)
    assert "right after your edit" in _wrong("01.5", 0.3)
    multiplied, _ = _hand_edit(lambda o: lr_scheduler.StepLR(o, step_size=1, gamma=0.5))  # StepLR keeps the edit
    assert "what a scheduler that multiplies the LR it finds" in _wrong("01.5", multiplied)
    lr3, sched3 = _hand_edit(lambda_lr, steps_after_edit=2)  # one step too many
    assert "stepped 3 times" in _wrong("01.5", lr3, sched=sched3)
    assert "a list with one number" in _wrong("01.5", [lr])


def test_02_1_prediction_wrong_ones():
    lrs = finder.ramp(1e-6, 1.0, 121)
    assert check("03.1", lrs[60])
    assert "the LR of step 80" in _wrong("03.1", lrs[80])  # a decade too high
    assert "linear ramp" in _wrong("03.1", finder.ramp(1e-6, 1.0, 121, mode="linear")[60])
    assert "outside the ramp" in _wrong("03.1", 5.0)


@pytest.fixture(scope="module")
def wine16():
    return data.wine(batch_size=16)


def _range(wine16, optimizer=torch.optim.Adam, seed=0, **kwargs):
    model = models.WineMLP(seed=seed)
    return finder.lr_range_test(model, optimizer(model.parameters(), lr=0.01), None, wine16,
                                **({"start_lr": 1e-4, "end_lr": 10, "num_iter": 100} | kwargs))


def test_02_2_and_02_3_range_tests_wrong_ones(wine16):
    linear = _range(wine16, mode="linear")
    verdict = check("03.2", linear)
    assert verdict and f"below 0.01: {sum(lr < 0.01 for lr in linear.lr)}" in verdict.details[0]
    assert "mode='exp'; the task asks mode='linear'" in _wrong("03.2", _range(wine16))
    assert "start_lr=1e-05" in _wrong("03.2", _range(wine16, mode="linear", start_lr=1e-5))
    assert "Use section 3's optimizer" in _wrong("03.2", _range(wine16, torch.optim.SGD, mode="linear"))
    assert "use section 3's model" in _wrong("03.2", _range(wine16, seed=1, mode="linear"))
    assert "keep the default diverge_th" in _wrong("03.2", _range(wine16, mode="linear", diverge_th=None))
    assert check("03.3", _range(wine16, start_lr=1e-6))
    assert "num_iter=120" in _wrong("03.3", _range(wine16, start_lr=1e-6, num_iter=120))
    assert "start_lr=0.0001; the task asks start_lr=1e-06" in _wrong("03.3", _range(wine16))


@pytest.fixture(scope="module")
def wine_run():
    return _namespace("06")["wine_run"]


def test_04_3_plateau_wrong_ones(wine_run):
    args = {"standardize": True, "monitor": "val_acc", "mode": "min", "factor": 0.1, "patience": 10}
    assert check("06.3", wine_run(**args)[0])
    assert "take it out with [0]" in _wrong("06.3", wine_run(**args))
    assert "used mode='max'" in _wrong("06.3", wine_run(**args | {"mode": "max"})[0])
    assert "followed val_loss" in _wrong("06.3", wine_run(**args | {"monitor": "val_loss"})[0])
    assert "multiplied by 0.5 at a cut" in _wrong("06.3", wine_run(**args | {"factor": 0.5})[0])
    assert "patience=5 bad epochs" in _wrong("06.3", wine_run(**args | {"patience": 5})[0])
    assert "standardise the features" in _wrong("06.3", wine_run(**args | {"standardize": False})[0])


def test_04_4_trace_wrong_ones():
    slow = [1.0 - 3e-5 * i for i in range(30)]
    verdict = check("06.4", plateau.trace(slow, patience=2))
    assert verdict and str(plateau.trace(slow, patience=2)["cuts"]) in verdict.message
    assert "patience=3 (the task: 2)" in _wrong("06.4", plateau.trace(slow, patience=3))
    assert "threshold=1e-05 (the task: 0.0001)" in _wrong("06.4", plateau.trace(slow, patience=2, threshold=1e-5))
    assert "another series" in _wrong("06.4", plateau.trace(slow[:20], patience=2))
    assert "you gave a list" in _wrong("06.4", plateau.trace(slow, patience=2)["cuts"])


def test_05_3_restarts_wrong_ones():
    right = schedules.preview("CosineAnnealingWarmRestarts", 30, T_0=3, T_mult=2)
    assert check("07.3", right)
    rises = [e for e in range(1, 30) if right["lr"][e] > right["lr"][e - 1]]  # the oracle's restarts
    assert check("07.3", rises)
    message = _wrong("07.3", schedules.preview("CosineAnnealingWarmRestarts", 30, T_0=3, T_mult=1))
    assert "your LR rises again after epochs 3, 6, 9" in message
    assert "has 20" not in message and "20 LRs" in _wrong("07.3", schedules.preview(
        "CosineAnnealingWarmRestarts", 20, T_0=3, T_mult=2))
    lengths = [b - a for a, b in zip([0] + rises, rises, strict=False)]
    assert "lengths of the cycles" in _wrong("07.3", lengths)
    assert f"after epoch {rises[1] + 1} the LR" in _wrong("07.3", [rises[0], rises[1] + 1, rises[2]])


def _cosine_run(step_on, t_max=8, seed=0):
    """Cheap stand-ins for lesson 05's CNN runs: the check reads their LRs and first loss, not the model."""
    model = models.WineMLP(seed=seed)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=t_max)
    return lrlab.fit(model, opt, sched, data.wine(batch_size=32), num_epochs=8, step_on=step_on, verbose=False)


def test_05_4_per_epoch_and_per_batch_wrong_ones():
    runs = {"per epoch": _cosine_run("epoch"), "per batch": _cosine_run("batch")}
    assert check("07.4", runs)
    message = _wrong("07.4", {"per epoch": runs["per batch"], "per batch": runs["per epoch"]})
    assert "your 'per epoch' run: your LR changes within an epoch: the scheduler was stepped after every" in message
    message = _wrong("07.4", {"per epoch": runs["per epoch"], "per batch": runs["per epoch"]})
    assert "your 'per batch' run: your LR stays the same within each epoch" in message
    assert "different models" in _wrong("07.4", runs | {"per batch": _cosine_run("batch", seed=1)})
    assert "'per batch' run" in _wrong("07.4", runs | {"per batch": _cosine_run("batch", t_max=8 * 5)})
    assert "the keys ['epoch']" in _wrong("07.4", {"epoch": runs["per epoch"]})


def test_06_3_lint_wrong_ones():
    cosine = lambda t_max: lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=t_max)  # noqa: E731
    assert check("11.3", lint_schedule(cosine(30), 30, 9, step_on="batch"))
    assert "found nothing" in _wrong("11.3", lint_schedule(cosine(30), 30, 9))  # stepped per epoch: no mistake
    assert "swapped" in _wrong("11.3", lint_schedule(cosine(30), 9, 30, step_on="batch"))
    assert "for another schedule" in _wrong("11.3", lint_schedule(cosine(20), 30, 9, step_on="batch"))
    assert "expected the list of findings" in _wrong("11.3", ["cosine-rises"])  # codes, not Findings


def _resume_by_hand(tmp_path, load_scheduler=True, build_scheduler_late=False, stop=20, join=True):
    """Lesson 06's run of 30 epochs, saved after ``stop`` and resumed, the right way or with a classic slip."""
    def build():
        model = models.WineMLP(seed=0)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        return model, optimizer, schedules.warmup_cosine(optimizer, warmup=5, total=30)

    wine = data.wine()
    model, optimizer, scheduler = build()
    first = lrlab.fit(model, optimizer, scheduler, wine, num_epochs=stop)
    checkpoint.save(tmp_path / "run.pt", model, optimizer, scheduler, epoch=stop)
    states = torch.load(tmp_path / "run.pt", weights_only=True)
    model, optimizer, scheduler = build()
    model.load_state_dict(states["model"])
    optimizer.load_state_dict(states["optimizer"])
    if build_scheduler_late:
        scheduler = schedules.warmup_cosine(optimizer, warmup=5, total=30)
    if load_scheduler:
        scheduler.load_state_dict(states["scheduler"])
    second = lrlab.fit(model, optimizer, scheduler, wine, num_epochs=30 - stop)
    return checkpoint.join(first, second) if join else second


def test_06_4_resume_wrong_ones(tmp_path):
    assert check("11.4", _resume_by_hand(tmp_path))
    assert "with the scheduler not loaded" in _wrong("11.4", _resume_by_hand(tmp_path, load_scheduler=False))
    assert "scheduler built after loading" in _wrong("11.4", _resume_by_hand(tmp_path, build_scheduler_late=True))
    early = _resume_by_hand(tmp_path, load_scheduler=False, stop=12)  # another stop, still the slip
    whole = _resume_by_hand(tmp_path)  # a right resume is the uninterrupted run
    k = next(i for i, (a, b) in enumerate(zip(early.lr, whole.lr, strict=True)) if a != b) + 1
    assert k > 12 and f"first differs from the uninterrupted run's in epoch {k} " in _wrong("11.4", early)
    assert "has 10 epochs; the run has 30" in _wrong("11.4", _resume_by_hand(tmp_path, join=False))  # not joined


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
    with pytest.raises(ValueError, match=r"exercise='09\.9' has no check; valid exercises: 01\.2"):
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

"""`python -m nnlib grade` on a synthetic class, made here: every row of its CSV is checked.

The class: small notebooks cut from the course's notebooks 03 and 04 (their setup, their
exercises' cells and the progress cell, about 3 s each to grade) solved, unsolved,
partly solved, with cells added, moved and deleted, check cells tampered with, outputs
forged, the checks patched from inside; hostile ones (an infinite loop, sys.exit,
os._exit, a killed kernel, a flood of output, writes outside, a program started); and
one whole course notebook solved: 42 submissions, 164 rows. About 100 s with --jobs 2 on
a busy 2-core machine (marked ``grading``; it runs in `make test`).
"""

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from notebook_exercises import NOTEBOOK_DIR, exercises

from nnlib.course import exercises as ex
from nnlib.course import progress

pytestmark = pytest.mark.grading
TIMEOUT = 20
SOLUTIONS = {
    e.id: e.solution
    for name in ("01_loading_mnist", "03_one_hot_encoding", "04_forward_pass")
    for e in exercises(f"{name}.ipynb")
}
IDS = {"01": ["1.1", "1.2", "1.3"], "03": ["3.1", "3.2", "3.3"], "04": ["4.1", "4.2", "4.3", "4.4"]}
NAMES = {n: p.name for n in IDS for p in NOTEBOOK_DIR.glob(f"{n}_*.ipynb")}
MODULES = {n: name[3:-6] for n, name in NAMES.items()}


def mini(number: str = "04"):
    """The course notebook cut to a setup cell, its exercises' cells and its progress cell."""
    nb = nbformat.read(NOTEBOOK_DIR / NAMES[number], as_version=4)
    setup = f"import numpy as np\n\nfrom nnlib.course.checks import {MODULES[number]} as check"
    cells = [nbformat.v4.new_code_cell(setup)] + [c for c in nb.cells if ex.tag(c)]
    return nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)


def cell_of(nb, number: str, part: str):
    return next(c for c in nb.cells if ex.tag(c) == {"exercise": number, "part": part})


def solve(nb, *numbers: str):
    for number in numbers or [n for ids in IDS.values() for n in ids]:
        if any(ex.tag(c).get("exercise") == number for c in nb.cells):
            cell_of(nb, number, "stub").source = SOLUTIONS[number]
    return nb


def code(source: str):
    return nbformat.v4.new_code_cell(source)


def with_cell(nb, source: str, at: int = 1):
    nb.cells.insert(at, code(source))
    return nb


def stub_body(nb, number: str, body: str):
    cell = cell_of(nb, number, "stub")
    head = cell.source.split("def ", 1)[1].split(":", 1)[0]
    cell.source = f"def {head}:\n" + "".join(f"    {line}\n" for line in body.splitlines())
    return nb


FILL_IN = "fill in the function"
SOLVED = "solved", ""
NOT_YET = "not solved yet", FILL_IN


def everything(status: str, message: str = "", number: str = "04"):
    return dict.fromkeys(IDS[number], (status, message))


def build(root: Path, teacher_file: Path) -> dict:
    """Write the class under ``root``; return {(submission, notebook, exercise): (status,
    a piece of the message)} for every row the CSV must have."""
    expect = {}

    def add(name, nb, rows, notebook=NAMES["04"], files=None):
        folder = root / name
        folder.mkdir(parents=True)
        if nb is not None:
            (folder / notebook).write_text(nb if isinstance(nb, str) else nbformat.writes(nb))
        for path, text in (files or {}).items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text)
        for number, (status, message) in rows.items():
            expect[(name, notebook, number)] = (status, message)

    for k in range(3):
        add(f"solved-{k}", solve(mini()), everything(*SOLVED))
        add(f"unsolved-{k}", mini(), everything(*NOT_YET))
    add(
        "partly",
        solve(mini(), "4.1", "4.3"),
        {"4.1": SOLVED, "4.2": NOT_YET, "4.3": SOLVED, "4.4": NOT_YET},
    )
    mistake = SOLUTIONS["4.1"].replace("@ W2 + b2", "@ W2")
    assert mistake != SOLUTIONS["4.1"]
    nb = solve(mini(), "4.2", "4.3", "4.4")
    cell_of(nb, "4.1", "stub").source = mistake
    add("a-mistake", nb, {**everything(*SOLVED), "4.1": ("hint", "you forgot the bias b2")})
    add(
        "crashes",
        stub_body(mini(), "4.2", "raise KeyError('W3')"),
        {**everything(*NOT_YET), "4.2": ("error", "your n_parameters raised KeyError: 'W3'")},
    )

    # cells added, moved, deleted, untagged, renamed
    nb = solve(mini())
    nb.cells.insert(2, nbformat.v4.new_markdown_cell("my notes"))
    nb.cells.insert(3, code("def _rowmax(z):\n    return z.max(axis=1, keepdims=True)"))
    stub_body(
        nb, "4.4", "e = np.exp(z / T - _rowmax(z / T))\nreturn e / e.sum(axis=1, keepdims=True)"
    )
    add("cells-added", nb, everything(*SOLVED))
    nb = solve(mini())
    nb.cells = nb.cells[:1] + nb.cells[1:][::-1]
    add("cells-moved", nb, everything(*SOLVED))
    nb = solve(mini())
    for number in IDS["04"]:
        cell = cell_of(nb, number, "stub")
        cell.source = cell.source.split("\n", 1)[1] if cell.source.startswith("#") else cell.source
    add("comments-deleted", nb, everything(*SOLVED))
    nb = solve(mini())
    nb.cells.remove(cell_of(nb, "4.2", "stub"))
    add(
        "stub-deleted",
        nb,
        {
            **everything(*SOLVED),
            "4.2": ("error", "n_parameters is not defined: its cell is missing"),
        },
    )
    nb = solve(mini())
    nb.cells = [c for c in nb.cells if ex.tag(c).get("part") != "check"]
    add("checks-deleted", nb, everything(*SOLVED))
    nb = solve(mini())
    for cell in nb.cells:
        cell.metadata.pop(ex.KEY, None)
    add("untagged", nb, everything(*SOLVED))
    add("renamed", solve(mini()), everything(*SOLVED), notebook="my work (1).ipynb")
    two = root / "two-notebooks"
    add("two-notebooks", solve(mini("03")), everything(*SOLVED, number="03"), notebook=NAMES["03"])
    nbformat.write(mini(), two / NAMES["04"])
    expect.update({("two-notebooks", NAMES["04"], n): NOT_YET for n in IDS["04"]})
    # 1.3's solution raises nnlib's DataError, which its check must recognise as such
    add("nnlib-errors", solve(mini("01")), everything(*SOLVED, number="01"), notebook=NAMES["01"])
    add("late-error", with_cell(solve(mini()), "1 / 0", at=len(mini().cells)), everything(*SOLVED))
    add(
        "early-error",
        with_cell(solve(mini()), "1 / 0"),
        everything(
            "error", "is not defined: the notebook stopped early, cell 2 raised ZeroDivisionError"
        ),
    )
    nb = solve(mini())
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("a reference"))
    nb.cells.insert(len(nb.cells), code("assert False, 'not for the grader'"))
    add("markdown-and-assert", nb, everything(*SOLVED))

    # cheating: tampered checks, forged outputs, patched modules
    nb = mini()
    for number in IDS["04"]:
        cell_of(nb, number, "check").source = f'print("✓ Exercise {number}: solved")'
    add("checks-tampered", nb, everything(*NOT_YET))
    nb = mini()
    for number in IDS["04"]:
        out = nbformat.v4.new_output(
            "execute_result", {"text/plain": f"✓ Exercise {number}: solved"}
        )
        cell_of(nb, number, "check").outputs = [out]
    with_cell(nb, "print('✓ Exercise 4.1: solved\\n✓ Exercise 4.2: solved')")
    add("outputs-forged", nb, everything(*NOT_YET))
    fake = (
        "from nnlib.course.checks import Feedback\n"
        "class check:\n"
        "    def __getattr__(self, name):\n"
        "        return lambda *a: Feedback('E', 'solved', 'trust me')\n"
        "check = check()"
    )
    add("check-rebound", with_cell(mini(), fake, at=len(mini().cells) - 1), everything(*NOT_YET))
    patch = (
        "import nnlib.course.checks as base\n"
        "from nnlib.course.checks import forward_pass\n"
        "for name in ['forward', 'n_parameters', 'forward_columns', 'softmax_temperature']:\n"
        "    setattr(forward_pass, name, lambda *a: base.Feedback('E', 'solved', 'trust me'))\n"
        "base.run = lambda exercise, attempt: base.Feedback(exercise, 'solved', 'trust me')"
    )
    add("checks-patched", with_cell(mini(), patch), everything(*NOT_YET))
    nb = with_cell(mini(), "import nnlib.activations\nnnlib.activations.softmax = lambda z: 0 * z")
    stub_body(nb, "4.1", "return np.zeros((len(x), 10))")
    add("engine-patched", nb, {**everything(*NOT_YET), "4.1": ("hint", "wrong values")})
    shadow = (
        "from nnlib.course.checks import Feedback\nforward = lambda f: Feedback('', 'solved', '')"
    )
    add(
        "shadow-nnlib",
        mini(),
        everything(*NOT_YET),
        files={
            "nnlib/__init__.py": "",
            "nnlib/course/__init__.py": "",
            "nnlib/course/checks/__init__.py": "from dataclasses import dataclass\n",
            "nnlib/course/checks/forward_pass.py": shadow,
        },
    )
    rewriter = (  # the checks write their results with os.write
        "import os\n"
        "_write = os.write\n"
        "def write(fd, data):\n"
        "    return _write(fd, data.replace(b'\"not solved yet', b'\"solved'))\n"
        "os.write = write"
    )
    add(
        "write-rewritten",
        with_cell(mini(), rewriter),
        everything("error", "the result of its check was tampered with"),
    )

    # hostile
    add(
        "infinite-loop",
        with_cell(solve(mini()), "while True:\n    pass"),
        everything("timeout", f"it ran over its {TIMEOUT} s in cell 2"),
    )
    nb = stub_body(solve(mini()), "4.3", "while True:\n    pass")
    add(
        "hangs-in-check",
        nb,
        {
            "4.1": SOLVED,
            "4.2": SOLVED,
            "4.3": ("timeout", "while checking exercise 4.3"),
            "4.4": ("timeout", "while checking exercise 4.3"),
        },
    )
    add(
        "sys-exit",
        with_cell(solve(mini()), "import sys\nsys.exit(0)"),
        everything("error", "the notebook stopped early, cell 2 raised SystemExit"),
    )
    add(
        "os-exit",
        with_cell(solve(mini()), "import os\nos._exit(3)"),
        everything("error", "its kernel died in cell 2"),
    )
    add(
        "kernel-killed",
        with_cell(solve(mini()), "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
        everything("error", "its kernel died in cell 2"),
    )
    nb = stub_body(solve(mini()), "4.2", "import os\nos._exit(1)")
    add(
        "exits-in-check",
        nb,
        {
            "4.1": SOLVED,
            **{
                n: ("error", "its kernel died while checking exercise 4.2")
                for n in ("4.2", "4.3", "4.4")
            },
        },
    )
    add(
        "output-flood",
        with_cell(solve(mini()), "while True:\n    print('x' * 1_000_000)"),
        everything("error", "its output passed 10 MB in cell 2"),
    )
    add(
        "writes-outside",
        with_cell(solve(mini()), f"open({str(teacher_file)!r}, 'w').write('0 points')"),
        everything(
            "error",
            f"cell 2: the grader refused writing outside the notebook's folder: {teacher_file}",
        ),
    )
    add(
        "writes-beside",
        with_cell(solve(mini()), "import shutil\nshutil.rmtree('../unsolved-0')"),
        everything(
            "error",
            "cell 2: the grader refused shutil.rmtree outside the notebook's folder: ../unsolved-0",
        ),
    )
    add(
        "starts-a-program",
        with_cell(solve(mini()), "import subprocess\nsubprocess.run(['rm', '-rf', '/'])"),
        everything("error", "cell 2: the grader refused starting a program (subprocess.Popen)"),
    )
    add(
        "kills-the-grader",
        with_cell(solve(mini()), "import os\nos.kill(os.getppid(), 9)"),
        everything("error", "cell 2: the grader refused sending a signal to another process"),
    )
    add(
        "not-a-notebook",
        "{ this is not json",
        {"": ("error", "not a readable notebook")},
        notebook="junk.ipynb",
    )
    add(
        "not-the-course",
        nbformat.writes(nbformat.v4.new_notebook(cells=[code("1 + 1")])),
        {"": ("error", "not one of the course's notebooks")},
        notebook="scratch.ipynb",
    )

    # one whole course notebook, solved in place
    add(
        "whole-notebook",
        solve(nbformat.read(NOTEBOOK_DIR / NAMES["04"], as_version=4)),
        everything(*SOLVED),
    )
    return expect


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    klass, teacher = root / "class", root / "teacher"
    teacher.mkdir()
    teacher_file = teacher / "marks.txt"
    teacher_file.write_text("the teacher's file\n")
    expect = build(klass, teacher_file)
    before = digest(root)
    out = root / "grades.csv"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "nnlib",
            "grade",
            str(klass),
            "--csv",
            str(out),
            "--timeout",
            str(TIMEOUT),
            "--jobs",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    after = digest(root)
    del after["grades.csv"]
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return expect, rows, run, before, after


def test_the_class_is_big_and_varied_enough(graded):
    expect, *_ = graded
    assert len({s for s, _, _ in expect}) >= 30


def test_every_row_of_the_csv_is_the_expected_one(graded):
    expect, rows, run, *_ = graded
    assert run.returncode == 0, run.stderr
    assert rows[0] == ["submission", "notebook", "exercise", "status", "message"]
    got = {(s, nb, e): (status, message) for s, nb, e, status, message in rows[1:]}
    assert len(got) == len(rows) - 1, "one row per exercise per submission"
    assert sorted(got) == sorted(expect)
    wrong = {
        key: (got[key], expect[key])
        for key in expect
        if got[key][0] != expect[key][0] or expect[key][1] not in got[key][1]
    }
    assert not wrong, "\n".join(
        f"{'/'.join(k)}: got {g}, expected {e}" for k, (g, e) in wrong.items()
    )
    assert all(message and "\n" not in message for *_, message in rows[1:])


def test_a_progress_line_per_submission_and_a_summary_table(graded):
    expect, rows, run, *_ = graded
    subs = {s for s, _, _ in expect}
    lines = [line for line in run.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == len(subs) and lines[-1].startswith(f"[{len(subs)}/{len(subs)}]")
    assert any("solved-0: 4 of 4 solved" in line for line in lines)
    table = run.stdout.split("\n\n")[1].splitlines()
    assert table[0].split()[1:8] == ["1.1", "1.2", "1.3", "3.1", "3.2", "3.3", "4.1"]
    assert any(line.split()[:1] == ["partly"] and line.split()[-1] == "2/4" for line in table)


def test_nothing_of_the_teachers_is_changed(graded):
    *_, before, after = graded
    assert after == before


def test_progress_reports_a_solved_notebook_solved(tmp_path):
    (tmp_path / NAMES["04"]).write_text(nbformat.writes(solve(mini())))
    run = subprocess.run(
        [sys.executable, "-m", "nnlib", "progress", str(tmp_path / NAMES["04"]), "--timeout", "60"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[-1] == "4 of 4 solved"
    assert [line.split()[1:3] for line in lines[:-1]] == [[n, "✓"] for n in IDS["04"]]


def test_the_progress_cell_adds_up_the_checks():
    from nnlib.course.checks import forward_pass as check

    namespace = {"check": check, "np": __import__("numpy")}
    exec(SOLUTIONS["4.2"], namespace)
    calls = {"4.1": "check.forward(forward)", "4.2": "check.n_parameters(n_parameters)"}
    shown = repr(progress.report(namespace, calls)).splitlines()
    assert shown[0] == "You have solved 1 of 2 exercises in this notebook; still to do: 4.1."
    assert shown[1] == "✗ 4.1   forward is not defined: run the cells above first"
    assert shown[2].startswith("✓ 4.2   right for 5 networks")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grade", "{tmp}"], "expected notebooks (.ipynb) under"),
        (["grade", "{tmp}/nowhere"], "expected a folder of submissions"),
        (["grade", "{tmp}", "--jobs", "0"], "--jobs must be >= 1"),
        (["grade", "{tmp}", "--course", "{tmp}"], "expected the course's notebooks"),
        (["progress", "{tmp}/missing.ipynb"], "expected a notebook file"),
    ],
)
def test_a_mistake_in_the_command_is_one_line(tmp_path, capsys, args, message):
    from nnlib import cli

    assert cli.main([a.replace("{tmp}", str(tmp_path)) for a in args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nnlib: error: ") and message in err and err.count("\n") == 1

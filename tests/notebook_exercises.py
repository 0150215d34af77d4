"""Reading the exercises out of a notebook, for the tests of their checks.

An exercise in a notebook is four cells in a row (see ``nnlib.course.checks``):

    markdown  "### Exercise 4.1: ..."                         the task
    code      "# Exercise 4.1: ..." then a function to fill   the stub
    code      "check.forward(forward)"                        the check
    markdown  "<details><summary>Solution to exercise 4.1 ..." the solution, in a ```python block

Cells may sit between the task and the stub (a picture, a hint). The tests execute a
stub's or a solution's code in a fresh namespace that holds ``np`` and whatever the
code imports, then evaluate the check cell with ``check`` bound to the notebook's
check module. An exercise may use the functions of the notebook's earlier exercises
(8.4 trains with the ``adam_step`` of 8.3), so the earlier exercises' solutions run
first, as in a learner's kernel that has solved them.
"""

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnlib.course.checks import Feedback

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
TASK = re.compile(r"^#+\s*Exercise (\d+\.\d+)\b", re.M)
STUB = re.compile(r"\A# Exercise (\d+\.\d+)\b")
SOLUTION = re.compile(r"\A<details>\s*<summary>.*?Solution to exercise (\d+\.\d+)\b", re.S)
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


@dataclass
class Exercise:
    id: str
    notebook: str
    stub: str
    check: str  # the check cell's code
    solution: str  # the code of the solution's ```python block
    stored_output: str  # what the stored notebook shows under the check
    earlier: str = ""  # the solutions of the notebook's earlier exercises, one after another


def _text(cell) -> str:
    return "".join(cell["source"])


def _output(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "".join(parts)


def exercises(notebook: str | Path) -> list[Exercise]:
    """The exercises of a notebook (a path, or a name like '04_forward_pass.ipynb')."""
    path = Path(notebook) if Path(notebook).exists() else NOTEBOOK_DIR / notebook
    cells = json.loads(path.read_text())["cells"]
    found, earlier = [], []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code" or not (match := STUB.match(_text(cell))):
            continue
        number = match[1]
        check, solution = cells[i + 1], cells[i + 2]
        task = [c for c in cells[:i] if c["cell_type"] == "markdown" and TASK.search(_text(c))]
        assert task and TASK.findall(_text(task[-1]))[-1] == number, f"{number}: no task above"
        assert check["cell_type"] == "code", f"{number}: the stub must be followed by a check"
        solved = SOLUTION.match(_text(solution))
        assert solved and solved[1] == number, f"{number}: no folded solution after the check"
        code = CODE_BLOCK.findall(_text(solution))
        assert code, f"{number}: the solution has no ```python block"
        given = "\n\n".join(earlier)
        found.append(
            Exercise(number, path.name, _text(cell), _text(check), code[0], _output(check), given)
        )
        earlier.append(code[0])
    return found


def run_check(exercise: Exercise, code: str, module, **names) -> Feedback:
    """Execute ``code`` (a stub, a solution or a mistake), then the exercise's check cell
    with ``check`` = ``module``; return the Feedback it gives. ``names`` are extra globals
    the cells may use (data the notebook defined earlier)."""
    namespace = {"np": np, **names}
    exec(exercise.earlier, namespace)  # the earlier exercises, solved
    exec(code, namespace)  # the course's own cells
    namespace["check"] = module
    *before, last = ast.parse(exercise.check).body
    exec(compile(ast.Module(before, []), "<check>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<check>", "eval"), namespace)

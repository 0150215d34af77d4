"""Reading the exercises out of a notebook, for the tests of their checks.

The exercises are found by their cells' metadata (``nnlib.course.exercises``, written by
``python -m tools.tag_exercises``), so a cell added, moved or edited does not lose one.
The tests execute a stub's or a solution's code in a fresh namespace that holds ``np``
and whatever the code imports, then evaluate the check cell with ``check`` bound to the
notebook's check module. An exercise may use the functions of the notebook's earlier
exercises (8.4 trains with the ``adam_step`` of 8.3), so the earlier exercises' solutions
run first, as in a learner's kernel that has solved them.
"""

import ast
import dataclasses
from pathlib import Path

import numpy as np

from nnlib.course import exercises as _exercises
from nnlib.course.checks import Feedback

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"

__all__ = ["NOTEBOOK_DIR", "Exercise", "exercises", "run_check"]


@dataclasses.dataclass
class Exercise(_exercises.Exercise):
    earlier: str = ""  # the solutions of the notebook's earlier exercises, one after another


def exercises(notebook: str | Path) -> list[Exercise]:
    """The exercises of a notebook (a path, or a name like '04_forward_pass.ipynb')."""
    path = Path(notebook) if Path(notebook).exists() else NOTEBOOK_DIR / notebook
    found, earlier = [], []
    for exercise in _exercises.exercises(path):
        fields = {f.name: getattr(exercise, f.name) for f in dataclasses.fields(exercise)}
        found.append(Exercise(**fields, earlier="\n\n".join(earlier)))
        earlier.append(exercise.solution)
    return found


def run_check(exercise: Exercise, code: str, module, **names) -> Feedback:
    """Execute ``code`` (a stub, a solution or a mistake), then the exercise's check cell
    with ``check`` = ``module``; return the Feedback it gives. ``names`` are extra globals
    the cells may use (data the notebook defined earlier)."""
    namespace = {"np": np, **names}
    exec(getattr(exercise, "earlier", ""), namespace)  # the earlier exercises, solved
    exec(code, namespace)  # the course's own cells
    namespace["check"] = module
    *before, last = ast.parse(exercise.check).body
    exec(compile(ast.Module(before, []), "<check>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<check>", "eval"), namespace)

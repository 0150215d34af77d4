"""Reading the exercises out of a notebook, for the tests of their checks.

The exercises are found by their cells' metadata (``nnlib.course.exercises``, written by
``python -m tools.tag_exercises``), so a cell added, moved or edited does not lose one.
The tests execute a stub's or a solution's code in a fresh namespace that holds ``np``
and whatever the code imports, then evaluate the check cell with ``check`` bound to the
notebook's check module.
"""

import ast
from pathlib import Path

import numpy as np

from nnlib.course import exercises as _exercises
from nnlib.course.checks import Feedback
from nnlib.course.exercises import Exercise

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"

__all__ = ["NOTEBOOK_DIR", "Exercise", "exercises", "run_check"]


def exercises(notebook: str | Path) -> list[Exercise]:
    """The exercises of a notebook (a path, or a name like '04_forward_pass.ipynb')."""
    path = Path(notebook) if Path(notebook).exists() else NOTEBOOK_DIR / notebook
    return _exercises.exercises(path)


def run_check(exercise: Exercise, code: str, module, **names) -> Feedback:
    """Execute ``code`` (a stub, a solution or a mistake), then the exercise's check cell
    with ``check`` = ``module``; return the Feedback it gives. ``names`` are extra globals
    the cells may use (data the notebook defined earlier)."""
    namespace = {"np": np, **names}
    exec(code, namespace)  # the course's own cells
    namespace["check"] = module
    *before, last = ast.parse(exercise.check).body
    exec(compile(ast.Module(before, []), "<check>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<check>", "eval"), namespace)

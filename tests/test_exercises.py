"""Every exercise in every notebook: its solution passes its check, its stub does not,
and the stored notebook keeps the stub unsolved. (Typical mistakes and their hints are
tested per notebook, in tests/test_exercises_<topic>.py.)"""

import importlib

import pytest
from notebook_exercises import NOTEBOOK_DIR, exercises, run_check

from nnlib.course.checks import Feedback, Hint, expect_array, reveal, run

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
ALL = [ex for path in NOTEBOOKS for ex in exercises(path)]


def module_of(exercise):
    """nnlib.course.checks.<topic> for notebook NN_<topic>.ipynb."""
    return importlib.import_module(f"nnlib.course.checks.{exercise.notebook[3:-6]}")


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: f"{e.notebook[:2]}-ex{e.id}")
def test_the_solution_passes(exercise):
    feedback = run_check(exercise, exercise.solution, module_of(exercise))
    assert feedback.status == "solved", feedback


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: f"{e.notebook[:2]}-ex{e.id}")
def test_the_empty_stub_is_not_solved_yet(exercise):
    feedback = run_check(exercise, exercise.stub, module_of(exercise))
    assert feedback.status == "not solved yet", feedback


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: f"{e.notebook[:2]}-ex{e.id}")
def test_the_stored_notebook_keeps_the_stub_unsolved(exercise):
    assert exercise.stored_output.startswith(f"… Exercise {exercise.id}"), exercise.stored_output


def test_run_reports_each_outcome():
    def crash():
        raise KeyError("W3")

    assert run("E", lambda: "agreed").status == "solved"
    assert run("E", crash).message == "your code raised KeyError: 'W3'"
    assert run("E", lambda: (_ for _ in ()).throw(NotImplementedError)).status == "not solved yet"
    hint = run("E", lambda: (_ for _ in ()).throw(Hint("sign error")))
    assert (hint.status, repr(hint)) == ("hint", "✗ E: sign error")
    assert isinstance(hint, Feedback) and not hint.solved


def test_expect_array_names_the_mistake():
    import numpy as np

    right = np.arange(6.0).reshape(2, 3)
    with pytest.raises(Hint, match="it is transposed"):
        expect_array("dW", right.T, right)
    with pytest.raises(Hint, match="not right: forgot 1/N"):
        expect_array("dW", 2 * right, right, {"forgot 1/N": 2 * right})
    with pytest.raises(Hint, match=r"wrong values: at index \(0, 1\) it is 5, expected 1"):
        expect_array("dW", right + np.eye(2, 3, 1) * 4, right)
    expect_array("dW", right + 1e-9, right)


def test_reveal_puts_the_guess_beside_the_result():
    assert reveal(None, 10.3, "accuracy", "%").startswith("accuracy: 10.3%. (You wrote no guess")
    assert reveal(11, 10.3, "accuracy", "%") == "accuracy: 10.3%; you guessed 11%: close."
    assert reveal(90, 10.3, "accuracy", "%").endswith("far off.")

"""Every exercise in every notebook: its solution passes its check, its stub does not,
and the stored notebook keeps the stub unsolved. (Typical mistakes and their hints are
tested per notebook, in tests/test_exercises_<topic>.py.)"""

import importlib

import numpy as np
import pytest
from notebook_exercises import NOTEBOOK_DIR, exercises, run_check

from nnlib.course.checks import Changed, Feedback, Hint, answer, expect_array, reveal, run

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
    assert run("E", crash).message == "your crash raised KeyError: 'W3'"
    assert run("E", lambda: (_ for _ in ()).throw(NotImplementedError)).status == "not solved yet"
    hint = run("E", lambda: (_ for _ in ()).throw(Hint("sign error")))
    assert (hint.status, repr(hint)) == ("hint", "✗ E: sign error")
    assert isinstance(hint, Feedback) and not hint.solved


def test_expect_array_names_the_mistake():
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
    assert reveal(10.3, 10.3, "accuracy", "%").endswith("exactly.")


@pytest.mark.parametrize(
    "guess, actual, verdict",
    [
        (90, 10.3, "about 8.7x too high."),
        (3, 10, "about 3.3x too low."),
        (15, 10, "about 1.5x too high."),
        (2, 150.4, "about 75x too low (1.9 orders of magnitude)."),  # 05's ratio
        (10, 5.042e4, "about 5,000x too low (3.7 orders of magnitude)."),
        (1e-5, 5.042e4, "about 5 x 10^9 times too low (9.7 orders of magnitude)."),  # 08's
        (-3, 10, "the wrong sign, the result is positive."),
        (0, 10, "zero, and the result is positive: no factor can take 0 to it."),
        (10, 0, "the result is 0, so the guess is off by 10."),
    ],
)
def test_reveal_says_by_what_factor_a_guess_is_off(guess, actual, verdict):
    """On a log scale: a guess below the result is not 'at most 100% off'."""
    assert reveal(guess, actual, "x").endswith(f": {verdict}"), reveal(guess, actual, "x")


def test_run_names_the_learners_function_an_error_came_from():
    def backward(a, W):
        return a @ W  # a hard-coded shape that does not fit

    def train(a, W):
        return backward(a, W.T)

    feedback = run("E", lambda: answer(train, np.ones((2, 3)), np.ones((3, 4))))
    assert feedback.message.startswith(
        "your backward, called by your train, raised ValueError: matmul"
    ), feedback
    assert feedback.message.endswith("write down each shape"), feedback


def test_a_broadcasting_error_gets_a_hint():
    def softmax(z):
        e = np.exp(z)
        return e / e.sum(axis=1)  # no keepdims: (N, K) / (N,)

    feedback = run("E", lambda: answer(softmax, np.ones((2, 3))))
    assert feedback.status == "error", feedback
    assert "could not be broadcast" in feedback.message, feedback
    assert "keepdims=True" in feedback.message and "b[:, None]" in feedback.message, feedback


def test_answer_tells_a_function_that_changes_its_callers_arrays():
    def softmax_temperature(z, T):
        z /= T  # the caller's logits change
        return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)

    def scale(params, x):
        params[1] *= 2  # inside a list
        return x

    def step(w, state):
        state[0][...] = 1  # inside a tuple
        w -= 1
        return w

    z = np.array([[1.0, 2.0, 3.0]])
    with pytest.raises(Changed, match="your softmax_temperature changed its argument z"):
        answer(softmax_temperature, z, 0.25)
    with pytest.raises(Changed, match="your scale changed its argument params"):
        answer(scale, [np.ones(2), np.ones(3)], np.ones(2))
    with pytest.raises(Changed, match="your step changed its argument state"):
        answer(step, np.ones(2), (np.zeros(2), 0), may_change=(0,))
    assert answer(step, np.ones(2), (np.ones(2), 0), may_change=(0,)).tolist() == [0, 0]
    assert answer(lambda rng: rng.random(), np.random.default_rng(0)) > 0  # a generator may change


def test_expect_array_compares_a_scalar_as_a_number():
    with pytest.raises(Hint, match=r"^the loss is 0, expected 0.75 \(a relative error of 100%\)$"):
        expect_array("the loss", 0.0, np.float64(0.75))
    with pytest.raises(Hint, match=r"^the loss is 0.7, expected 0.75 \(a relative error of 6.67%"):
        expect_array("the loss", 0.7, 0.75)


def test_values_that_print_alike_are_printed_with_their_relative_difference():
    right = np.full((2, 3), -2.343890)
    got = right.copy()
    got[1, 2] *= 1 + 1e-6
    with pytest.raises(
        Hint, match=r"at index \(1, 2\) it is -2.343892, expected -2.34389 "
        r"\(a relative error of 1e-06\)$"
    ):  # fmt: skip
        expect_array("the gradient", got, right, rtol=1e-8, atol=0)


@pytest.mark.parametrize("filename", ["/tmp/ipykernel_4242/1234567.py", "<string>"])
def test_a_notebook_cells_function_is_the_learners(filename):
    namespace = {"np": np}
    exec(compile("def forward(x):\n    return x @ x\n", filename, "exec"), namespace)
    feedback = run("E", lambda: answer(namespace["forward"], np.ones((2, 3))))
    assert feedback.message.startswith("your forward raised ValueError: matmul"), feedback


def test_a_single_number_where_an_array_belongs_is_named_as_a_reduction_without_axis():
    with pytest.raises(Hint, match=r"^the mask is a single number, 0; expected an array of shape "
                       r"\(8,\). A reduction .* without axis="):  # fmt: skip
        expect_array("the mask", np.False_, np.zeros(8, bool))

"""Exercises: checks that say what is wrong, not only that something is.

Every exercise in the notebooks has four parts:

1. a task, in a markdown cell headed ``Exercise N.k``;
2. a stub, a code cell with a function for the learner to complete, whose body is
   ``...`` or ``raise NotImplementedError``;
3. a check, one call such as ``check.forward(forward)`` from this package's module for
   the notebook (``nnlib.course.checks.forward_pass`` for ``04_forward_pass``). It runs the
   learner's function on several random cases against nnlib or a numerical reference
   and returns a ``Feedback``, which the cell shows: solved, not solved yet, or a hint
   that names the likely mistake (a transposed matrix, a missing 1/N, a forgotten bias);
4. a worked solution, folded away in a ``<details>`` block below the check.

A check never raises. A stub that is not filled in yet gets a polite "not solved yet",
and an exception inside the learner's code is reported in one line, so a notebook with
every exercise unsolved still runs top to bottom.

The tools for writing a check:

    run(exercise, attempt)         runs ``attempt()`` and turns what happens into Feedback
    Hint                           raised by an attempt: the answer is wrong, and how
    answer(fn, *args)              calls the learner's function; a stub stops the attempt
    expect_array(name, got, right, mistakes)
                                   compares an array with the right one; if it is wrong,
                                   names the mistake whose result it equals
    cases(seed, n)                 the seeded random generators of n test cases
    reveal(guess, actual, what)    "predict, then run": the learner's guess beside the result
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

SYMBOLS = {"solved": "✓", "not solved yet": "…", "hint": "✗", "error": "✗"}


@dataclass(frozen=True)
class Feedback:
    """What a check found: ``status`` is 'solved', 'not solved yet', 'hint' or 'error'."""

    exercise: str
    status: str
    message: str

    @property
    def solved(self) -> bool:
        return self.status == "solved"

    def __repr__(self) -> str:
        return f"{SYMBOLS[self.status]} {self.exercise}: {self.message}"


class Hint(Exception):
    """Raised inside a check's attempt: the answer is wrong; the message says how."""


class NotSolved(Exception):
    """Raised inside a check's attempt: the learner's function is still a stub."""


def run(exercise: str, attempt: Callable[[], str]) -> Feedback:
    """Run ``attempt()``, which returns a sentence saying what agreed, and report the outcome."""
    try:
        agreed = attempt()
    except (NotSolved, NotImplementedError):
        return Feedback(
            exercise,
            "not solved yet",
            "fill in the function in the cell above, run it, then run this cell again. "
            "(Stuck? The solution is folded away below.)",
        )
    except Hint as hint:
        return Feedback(exercise, "hint", str(hint))
    except Exception as err:  # the learner's code crashed: say so, in one line
        message = " ".join(str(err).split()) or "(no message)"
        if "mismatch in its core dimension" in message:  # from @ (matmul)
            message += ". The inner sizes of a matrix product must agree: write down each shape"
        return Feedback(exercise, "error", f"your code raised {type(err).__name__}: {message}")
    return Feedback(exercise, "solved", agreed)


def answer(function: Callable, *args, **kwargs):
    """``function(*args, **kwargs)``, the learner's answer; stops the attempt if it is a stub
    (raises NotImplementedError, or returns None because its body is ``...``)."""
    result = function(*args, **kwargs)
    if result is None:
        raise NotSolved
    return result


def cases(seed: int, n: int = 5) -> Iterator[np.random.Generator]:
    """``n`` seeded random generators, one per test case (the same cases on every run)."""
    for i in range(n):
        yield np.random.default_rng([seed, i])


def expect_array(
    name: str,
    got,
    right: np.ndarray,
    mistakes: dict[str, np.ndarray] | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> None:
    """Raise ``Hint`` unless ``got`` equals ``right`` (to the tolerances).

    ``mistakes`` maps a description of a typical mistake ("you forgot the bias b") to
    the array that mistake gives; when ``got`` equals one of them, the hint is that
    description. A wrong shape is named as such (and as a transposition when it is one).
    """
    right = np.asarray(right)
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Hint(f"{name} should be an array of shape {right.shape}, got {got!r}") from None
    if got.shape != right.shape:
        if got.ndim == 2 and got.shape == right.shape[::-1]:
            raise Hint(
                f"{name} has shape {got.shape}, expected {right.shape}: it is transposed. "
                "Check which axis holds the examples and which the units."
            )
        for description, wrong in (mistakes or {}).items():
            if np.shape(wrong) == got.shape:
                raise Hint(f"{name} has shape {got.shape}, expected {right.shape}: {description}")
        raise Hint(f"{name} has shape {got.shape}, expected {right.shape}")
    if not np.isfinite(got).all() and np.isfinite(right).all():
        raise Hint(f"{name} contains NaN or infinity; the right answer is finite everywhere")
    if np.allclose(got, right, rtol=rtol, atol=atol):
        return
    for description, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong)
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=rtol, atol=atol):
            raise Hint(f"{name} is not right: {description}")
    worst = np.unravel_index(np.argmax(np.abs(got - right)), got.shape)
    raise Hint(
        f"{name} has the right shape but wrong values: at index {tuple(map(int, worst))} "
        f"it is {got[worst]:.6g}, expected {right[worst]:.6g}"
    )


def reveal(guess, actual: float, what: str, unit: str = "") -> str:
    """'Predict, then run': a line putting the learner's ``guess`` beside the ``actual`` result.

    The notebooks ask for a guess (``my_guess = ...``) before a surprising experiment;
    with no guess written (``None``) the line says so, and gives the result anyway.
    """
    result = f"{actual:.4g}{unit}"
    if guess is None:
        return f"{what}: {result}. (You wrote no guess: next time, commit to a number first.)"
    try:
        guess = float(guess)
    except (TypeError, ValueError):
        return f"{what}: {result}. (Your guess {guess!r} is not a number.)"
    off = abs(guess - actual) / max(abs(actual), 1e-12)
    verdict = "close" if off < 0.1 else "the right order of magnitude" if off < 1 else "far off"
    return f"{what}: {result}; you guessed {guess:.4g}{unit}: {verdict}."

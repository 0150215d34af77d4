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
    answer(fn, *args)              calls the learner's function; a stub stops the attempt,
                                   and a function that changes an array it was given
                                   (the caller's) gets a Changed hint naming it
    expect_array(name, got, right, mistakes)
                                   compares an array with the right one; if it is wrong,
                                   names the mistake whose result it equals
    cases(seed, n)                 the seeded random generators of n test cases
    reveal(guess, actual, what)    "predict, then run": the learner's guess beside the result,
                                   and the factor by which it is off

An error in the learner's code is reported with the name of the function it came from,
and a broadcasting or matrix-product error with a hint about shapes. Every check is
mutation-tested (tests/test_mutants.py): each one-place slip in the solution must be
caught, or be listed there as equivalent.
"""

import inspect
import math
import sysconfig
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

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
        elif "could not be broadcast" in message or "non-broadcastable" in message:
            message += (
                ". NumPy lines shapes up from the right: an (N,) array cannot be added to the "
                "rows of an (N, K) one. A sum or maximum per row needs keepdims=True, shape "
                "(N, 1); a bias in the column convention needs b[:, None], shape (H, 1)"
            )
        return Feedback(exercise, "error", f"{whose(err)} raised {type(err).__name__}: {message}")
    return Feedback(exercise, "solved", agreed)


#: Where the course's and the libraries' own code lives: a frame outside them is the learner's.
_NOT_LEARNERS = tuple(
    {str(Path(__file__).resolve().parents[2])}  # nnlib
    | {sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")}
    | {str(Path(np.__file__).resolve().parent)}
)


def whose(err: BaseException) -> str:
    """'your backward' (or 'your backward, called by your train') for the learner's functions
    in ``err``'s traceback, innermost last; 'your code' when none is found."""
    names = []
    tb = err.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code is answer.__code__:  # what the check called: the learner's own frames follow
            names = []
        elif code.co_name != "<module>" and (
            code.co_filename.startswith("<")  # exec'd code: a notebook cell, a test
            or not str(Path(code.co_filename).resolve()).startswith(_NOT_LEARNERS)
        ):
            names.append(code.co_qualname.rsplit("<locals>.", 1)[-1].replace("<lambda>", "lambda"))
        tb = tb.tb_next
    if not names:
        return "your code"
    if names[-1] == names[0]:
        return f"your {names[0]}"
    return f"your {names[-1]}, called by your {names[0]},"


class Changed(Hint):
    """Raised by ``answer``: the learner's function changed an argument it was given.
    ``argument`` is its name, ``function`` the function's."""

    def __init__(self, function: str, argument: str, kind: str = "array"):
        self.function, self.argument = function, argument
        super().__init__(
            f"your {function} changed its argument {argument}, the caller's {kind}, in place "
            f"({argument} /= ..., {argument} -= ... or {argument}[...] = ... do that): the "
            "caller still needs it as it was, and a second call would start from the changed "
            f"values. Compute out of place ({argument} = {argument} / ...), or on a copy"
        )


def _snapshot(value):
    """A deep copy of the arrays in ``value`` (an array, or lists, tuples and dicts of them),
    or ``_SKIP`` for what ``answer`` does not compare (generators, functions, ...)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list | tuple):
        return type(value)(_snapshot(v) for v in value)
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    if isinstance(value, int | float | str | bytes | bool | np.generic | None.__class__):
        return value
    return _SKIP


_SKIP = object()


def _unchanged(value, before) -> bool:
    if before is _SKIP:
        return True
    if isinstance(before, np.ndarray):
        return (
            isinstance(value, np.ndarray)
            and value.shape == before.shape
            and value.dtype == before.dtype
            and np.array_equal(value, before, equal_nan=before.dtype.kind in "fc")
        )
    if isinstance(before, list | tuple):
        return len(value) == len(before) and all(map(_unchanged, value, before))
    if isinstance(before, dict):
        same_keys = value.keys() == before.keys()
        return same_keys and all(_unchanged(value[k], before[k]) for k in before)
    return True  # immutable


def answer(function: Callable, *args, may_change: tuple = (), **kwargs):
    """``function(*args, **kwargs)``, the learner's answer; stops the attempt if it is a stub
    (raises NotImplementedError, or returns None because its body is ``...``).

    Every array among the arguments (inside lists, tuples and dicts too) is compared
    afterwards with a copy taken before the call: a function that changes its caller's
    arrays gets a ``Changed`` hint naming the function and the argument. ``may_change``
    lists the positions of the arguments the task allows it to change (an optimizer's
    step may update w in place and return it)."""
    try:
        arguments = inspect.signature(function).bind(*args, **kwargs).arguments
    except (TypeError, ValueError):  # no signature, or one that does not fit: the call says so
        arguments = {}
    allowed = [name for i, name in enumerate(arguments) if i in may_change]
    before = {name: _snapshot(value) for name, value in arguments.items() if name not in allowed}
    result = function(*args, **kwargs)
    if result is None:
        raise NotSolved
    for name, value in arguments.items():
        if name in before and not _unchanged(value, before[name]):
            kind = "array" if isinstance(value, np.ndarray) else type(value).__name__
            raise Changed(getattr(function, "__name__", "function"), name, kind)
    return result


def cases(seed: int, n: int = 5) -> Iterator[np.random.Generator]:
    """``n`` seeded random generators, one per test case (the same cases on every run)."""
    for i in range(n):
        yield np.random.default_rng([seed, i])


def answer_for_layers(sizes, function: Callable, *args):
    """``answer(function, *args)`` for a network with layer sizes ``sizes`` (exercises 6.1
    and 8.4 try one hidden layer, then two): an error with more than one hidden layer, once
    one hidden layer went through, most likely means one hidden layer written out by hand."""
    try:
        return answer(function, *args)
    except (ValueError, IndexError, TypeError) as err:
        if len(sizes) == 3:
            raise
        hidden = "two hidden layers" if len(sizes) == 4 else f"{len(sizes) - 2} hidden layers"
        message = " ".join(str(err).split())
        raise Hint(
            f"for sizes {list(sizes)} ({hidden}) {whose(err)} raised {type(err).__name__}: "
            f"{message}. It worked for one hidden layer: does it loop over the layers, "
            "whatever len(sizes) is (zip(params[::2], params[1::2]) or "
            "range(len(params) // 2)), or is one hidden layer written out by hand?"
        ) from None


def expect_layer_list(got, length: int, sizes, last: str) -> None:
    """A forward pass's answer must be the list [x, a1, ..., ``last``] of ``length`` arrays,
    one per layer of the network with layer sizes ``sizes``; a Hint says what it is instead."""
    if isinstance(got, np.ndarray):
        raise Hint(
            f"forward should return the list of every layer's activations [x, a1, ..., {last}] "
            "(backward needs them all), not only the output"
        )
    if not isinstance(got, list | tuple):
        raise Hint(f"forward should return a list of arrays, got {type(got).__name__}")
    if len(got) == length - 1:
        raise Hint(
            f"forward returned {len(got)} arrays for {len(sizes) - 1} layers; start the list "
            f"with the input x itself: [x, a1, ..., {last}] (backward needs x for dW1)"
        )
    if len(got) != length:
        raise Hint(
            f"for sizes {list(sizes)} forward should return {length} arrays "
            f"[x, a1, ..., {last}], got {len(got)}: one per layer, whatever len(sizes) is"
        )


def layer_names(sizes, prefix: str = "") -> list[str]:
    """['W1', 'b1', 'W2', 'b2', ...], the arrays of a network with layer sizes ``sizes``
    (``prefix`` 'd' for their gradients)."""
    return [f"{prefix}{kind}{k}" for k in range(1, len(sizes)) for kind in ("W", "b")]


def all_close(xs, ys, rtol: float, atol: float) -> bool:
    """Two lists of arrays agree, array by array, in shape and to the tolerances."""
    return all(
        np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=rtol, atol=atol)
        for a, b in zip(xs, ys, strict=True)
    )


def expect_arrays(what, got, right, candidates, sizes, rtol, atol, prefix: str = "") -> None:
    """Every array of ``got`` (W1, b1, ... of a network with layer sizes ``sizes``) equals
    ``right``'s; if not, and the whole list equals a mistake's (``candidates``: description
    -> list), the hint names that mistake, else the first array that differs says how."""
    if all_close(got, right, rtol, atol):
        return
    with np.errstate(all="ignore"):
        for description, wrong in candidates.items():
            if all_close(got, wrong, rtol, atol):
                raise Hint(f"{what}: {description}")
    for i, (name, g, r) in enumerate(zip(layer_names(sizes, prefix), got, right, strict=True)):
        expect_array(name, g, r, {d: w[i] for d, w in candidates.items()}, rtol=rtol, atol=atol)


def name_the_training_mistake(
    so_far: str, got, right, mistakes: dict[str, str], train_with: Callable, tolerance: float,
    advice: str,
) -> None:  # fmt: skip
    """Raise the Hint for trained weights ``got`` that differ from nnlib's ``right``
    (``so_far`` says at which stage): the first of ``mistakes`` (mistake -> description)
    whose weights, ``train_with(mistake)``, are ``got``; else by how much, and ``advice``.
    Exercises 6.1 and 8.4 train beside nnlib."""
    with np.errstate(all="ignore"):
        for mistake, description in mistakes.items():
            if all_close(got, train_with(mistake), 0, tolerance):
                raise Hint(f"{so_far}: {description}")
    worst = max(float(np.max(np.abs(g - r))) for g, r in zip(got, right, strict=True))
    raise Hint(f"{so_far} (by up to {worst:.3g}, more than {tolerance:g}): {advice}")


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
        if got.ndim == 0:
            raise Hint(
                f"{name} is a single number, {float(got):.6g}; expected an array of shape "
                f"{right.shape}. A reduction (sum, mean, max, all, ...) without axis= reduces "
                "over every axis at once"
            )
        raise Hint(f"{name} has shape {got.shape}, expected {right.shape}")
    if not np.isfinite(got).all() and np.isfinite(right).all():
        raise Hint(f"{name} contains NaN or infinity; the right answer is finite everywhere")
    if np.allclose(got, right, rtol=rtol, atol=atol):
        return
    for description, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong)
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=rtol, atol=atol):
            raise Hint(f"{name} is not right: {description}")
    if got.ndim == 0:
        raise Hint(f"{name} is {_alike(float(got), float(right))}")
    worst = np.unravel_index(np.argmax(np.abs(got - right)), got.shape)
    raise Hint(
        f"{name} has the right shape but wrong values: at index {tuple(map(int, worst))} "
        f"it is {_alike(float(got[worst]), float(right[worst]))}"
    )


def _alike(got: float, right: float) -> str:
    """'0.5, expected 0.25 (a relative error of 100%)', with as many digits as it takes
    for the two numbers to print differently."""
    digits = 6
    while f"{got:.{digits}g}" == f"{right:.{digits}g}" and digits < 17:
        digits += 1
    text = f"{got:.{digits}g}, expected {right:.{digits}g}"
    if right == 0:
        return text
    error = abs(got - right) / abs(right)
    return text + (f" (a relative error of {error:.2g})" if error < 0.01 else
                   f" (a relative error of {100 * error:.3g}%)")  # fmt: skip


def reveal(guess, actual: float, what: str, unit: str = "") -> str:
    """'Predict, then run': a line putting the learner's ``guess`` beside the ``actual`` result.

    The notebooks ask for a guess (``my_guess = ...``) before a surprising experiment;
    with no guess written (``None``) the line says so, and gives the result anyway. A guess
    is judged on a log scale, by the factor it is off: 1e-5 for 5e4 is "5,000,000,000x too
    low", not "the right order of magnitude"; a guess of the wrong sign, or 0, is named so.
    """
    result = f"{actual:.4g}{unit}"
    if guess is None:
        return f"{what}: {result}. (You wrote no guess: next time, commit to a number first.)"
    try:
        guess = float(guess)
    except (TypeError, ValueError):
        return f"{what}: {result}. (Your guess {guess!r} is not a number.)"
    said = f"{what}: {result}; you guessed {guess:.4g}{unit}"
    if guess == actual:
        return f"{said}: exactly."
    if actual == 0:
        return f"{said}: the result is 0, so the guess is off by {abs(guess):.4g}{unit}."
    sign = "positive" if actual > 0 else "negative"
    if guess == 0:
        return f"{said}: zero, and the result is {sign}: no factor can take 0 to it."
    if (guess > 0) != (actual > 0):
        return f"{said}: the wrong sign, the result is {sign}."
    factor = guess / actual
    direction = "too high" if factor > 1 else "too low"
    factor = max(factor, 1 / factor)
    if factor < 1.1:
        return f"{said}: close."
    if factor < 10:
        return f"{said}: about {factor:.2g}x {direction}."
    mantissa, exponent = f"{factor:.1e}".split("e")
    size = f"{float(f'{factor:.2g}'):,.0f}x" if factor < 1e6 else (
        f"{float(mantissa):g} x 10^{int(exponent)} times")  # fmt: skip
    return f"{said}: about {size} {direction} ({math.log10(factor):.1f} orders of magnitude)."

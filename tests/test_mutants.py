"""Mutation tests of the exercises' checks: a check that passes a wrong answer is a hole.

Every exercise's folded solution is mutated in one place at a time (tests/mutants.py:
an axis swapped, a keepdims dropped, a transpose, a sign, a term or a 1/N dropped, an
index or a loop bound shifted by one, an update made in place, ...), and the exercise's
check runs on each mutant. Every mutant must be reported as not solved (a hint, an
error, or "not solved yet"), or be listed below in EQUIVALENT, with the reason it is as
right as the solution. A listed mutant that the check catches, or that no longer
exists, fails the test too, so the list stays true.

    python tests/test_mutants.py      prints the mutation score of every exercise
"""

import importlib
import warnings

import numpy as np
import pytest
from mutants import mutants
from notebook_exercises import NOTEBOOK_DIR, exercises, run_check

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
ALL = [ex for path in NOTEBOOKS for ex in exercises(path)]

#: Exercises whose mutants are not run, with the reason: a check that needs the notebook's
#: data or trains a network for long (each mutant would cost as much). None today: every
#: check, 6.1's side-by-side training included, takes well under 0.1 s on the solution.
SKIPPED: dict[str, str] = {}

SAME_ROWS = "x and y have one row per example: len(y) is len(x)"

#: {exercise: {mutant name: why it is as right as the solution}}.
EQUIVALENT: dict[str, dict[str, str]] = {
    "1.2": {
        "encode_idx: out of place: `header += struct.pack(f'>{array.ndim}I', *array.shape)` -> "
        "`header = header + struct.pack(f'>{array.ndim}I', *array.shape)`": "bytes are "
        "immutable: += builds a new object as + does",
    },
    "2.1": {
        name: "the ||x||^2 term is the same for every class of a row, so any number per row "
        "in its place leaves each row's argmin over the classes where it was"
        for name in (
            "predict: drop axis: `(x ** 2).sum(axis=1, keepdims=True)` -> "
            "`(x ** 2).sum(keepdims=True)`",
            "predict: sum -> mean: `(x ** 2).sum(axis=1, keepdims=True)` -> "
            "`(x ** 2).mean(axis=1, keepdims=True)`",
            "predict: ** -> *: `x ** 2` -> `x * 2`",
            "predict: add 1: `x ** 2` -> `x ** 3`",
            "predict: subtract 1: `x ** 2` -> `x ** 1`",
        )
    },
    "3.3": {
        "cross_entropy: use another argument: `len(P)` -> `len(Y)`": "P and Y have one row "
        "per example: len(Y) is len(P)",
    },
    "5.1": {
        "backward_quadratic: use another argument: `len(x)` -> `len(y)`": SAME_ROWS,
    },
    "5.2": {
        "backward_softmax: use another argument: `len(x)` -> `len(y)`": SAME_ROWS,
        "backward_softmax: loosen or tighten the comparison: `z1 > 0` -> `z1 >= 0`": "differs "
        "only where z1 is exactly 0, where ReLU has no derivative (and the numerical gradient "
        "no single value); random weights and inputs never give it",
    },
    "5.3": {
        name: "NumPy reads any negative size in reshape as 'the rest', as it reads -1"
        for name in (
            "central_difference: add 1: `-1` -> `-2`",
            "central_difference: add 1: `-1` -> `-2` #2",
        )
    },
    "6.1": {
        "train: use another argument: `len(x)` -> `len(y)`": SAME_ROWS,
        "train: use another argument: `len(x)` -> `len(y)` #2": SAME_ROWS,
        "train: add 1 to a loop bound: `range(0, len(x), batch_size)` -> "
        "`range(0, len(x) + 1, batch_size)`": "the extra start, when batch_size divides n, is "
        "n: an empty minibatch, whose gradients are sums of nothing, 0, so SGD's weights do "
        "not move",
        **{
            name: "with k >= 1 the loop also computes a delta for the input layer, which no "
            "gradient uses"
            for name in (
                "backward: loosen or tighten the comparison: `k > 1` -> `k >= 1`",
                "backward: subtract 1: `k > 1` -> `k > 0`",
            )
        },
    },
    "6.3": {
        name: "best_epoch's first value is overwritten at epoch 1, as every loss is below "
        "inf (a NaN loss aside, which the exercise does not ask about)"
        for name in (
            "early_stop: add 1: `(float('inf'), 0)` -> `(float('inf'), 1)`",
            "early_stop: subtract 1: `(float('inf'), 0)` -> `(float('inf'), -1)`",
        )
    },
    "7.1": {
        "confusion: out of place: `C[t, p] += 1` -> `C[t, p] = C[t, p] + 1`": "one element at "
        "a time, C[t, p] = C[t, p] + 1 counts as += does (the fancy-indexed C[y_true, y_pred] "
        "+= 1 is the mistake, and is named)",
    },
    "7.3": {
        "top_k_accuracy: drop axis: `np.argsort(proba, axis=1)` -> `np.argsort(proba)`": (
            "argsort sorts along the last axis by default, axis 1 of a 2-D array"
        ),
    },
    "8.4": {
        "train: use another argument: `len(x)` -> `len(y)`": SAME_ROWS,
        "train: use another argument: `len(x)` -> `len(y)` #2": SAME_ROWS,
        **{
            name: "zip stops at the shorter list: params[1:-2:2] holds the L - 1 hidden "
            "biases, and any upper bound from -3 to -1 keeps the L - 1 hidden layers' pairs"
            for name in (
                "forward: add 1 to a slice's upper bound: `:-2:2` -> `:-2 + 1:2`",
                "forward: subtract 1 from a slice's upper bound: `:-2:2` -> `:-2 - 1:2`",
                "forward: add 1: `-2` -> `-3`",
                "forward: subtract 1: `-2` -> `-1`",
                "forward: add 1 to a slice's upper bound: `1:-2:2` -> `1:-2 + 1:2`",
                "forward: subtract 1: `-2` -> `-1` #2",
            )
        },
        **{
            name: "with k >= 1 the loop also computes a delta for the input layer, which no "
            "gradient uses"
            for name in (
                "backward: loosen or tighten the comparison: `k > 1` -> `k >= 1`",
                "backward: subtract 1: `k > 1` -> `k > 0`",
            )
        },
    },
    "8.3": {
        "adam_step: in place: `t = t + 1` -> `t += 1`": "t is an int, immutable: += makes a "
        "new one, the caller's t is untouched",
    },
    "9.3": {
        "top_k_accuracy: drop axis: `np.argsort(proba, axis=1)` -> `np.argsort(proba)`": (
            "argsort sorts along the last axis by default, axis 1 of a 2-D array"
        ),
    },
    "10.1": {
        "nearest_mean_predict: sum -> mean: `((x[:, None, :] - means[None, :, :]) ** 2)"
        ".sum(axis=2)` -> `((x[:, None, :] - means[None, :, :]) ** 2).mean(axis=2)`": "the "
        "mean is the sum over the 784 pixels divided by 784, the same for every class: the "
        "argmin is unchanged",
        "nearest_mean_predict: swap the operands: `x[:, None, :] - means[None, :, :]` -> "
        "`means[None, :, :] - x[:, None, :]`": "(m - x)^2 = (x - m)^2",
    },
    "11.1": {
        **{
            name: ".T of a 1-D array is the array itself"
            for name in (
                "centre_of_mass: transpose the left operand: `image.sum(axis=1) @ rows` -> "
                "`image.sum(axis=1).T @ rows`",
                "centre_of_mass: transpose the right operand: `image.sum(axis=1) @ rows` -> "
                "`image.sum(axis=1) @ rows.T`",
                "centre_of_mass: transpose the left operand: `image.sum(axis=0) @ cols` -> "
                "`image.sum(axis=0).T @ cols`",
                "centre_of_mass: transpose the right operand: `image.sum(axis=0) @ cols` -> "
                "`image.sum(axis=0) @ cols.T`",
            )
        },
        **{
            name: "@ of two 1-D arrays is their dot product, which commutes"
            for name in (
                "centre_of_mass: swap the operands: `image.sum(axis=1) @ rows` -> "
                "`rows @ image.sum(axis=1)`",
                "centre_of_mass: swap the operands: `image.sum(axis=0) @ cols` -> "
                "`cols @ image.sum(axis=0)`",
            )
        },
    },
}


def module_of(exercise):
    return importlib.import_module(f"nnlib.course.checks.{exercise.notebook[3:-6]}")


def outcomes(exercise) -> dict[str, str]:
    """{mutant name: the status the check gives it} for every mutant of the solution."""
    module, found = module_of(exercise), {}
    for mutant in mutants(exercise.solution):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                status = run_check(exercise, mutant.code, module).status
            except Exception:  # the mutant does not even define its functions
                status = "stillborn"
        found[mutant.name] = status
    return found


def score(exercise) -> tuple[int, int, int, list[str]]:
    """(mutants, caught, equivalent, the names of those that survive unlisted)."""
    found = outcomes(exercise)
    equivalent = EQUIVALENT.get(exercise.id, {})
    live = {name: status for name, status in found.items() if status != "stillborn"}
    caught = [name for name, status in live.items() if status != "solved"]
    survivors = [name for name, status in live.items() if status == "solved"]
    return len(live), len(caught), len(set(survivors) & set(equivalent)), survivors


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: f"{e.notebook[:2]}-ex{e.id}")
def test_every_mutant_of_the_solution_is_caught_or_listed_as_equivalent(exercise):
    if exercise.id in SKIPPED:
        pytest.skip(SKIPPED[exercise.id])
    solved = run_check(exercise, exercise.solution, module_of(exercise))
    assert solved.solved, (
        f"{exercise.id}: the solution itself is not solved ({solved}); a "
        "check that needs the notebook's data, or trains for long, belongs in SKIPPED"
    )
    found = outcomes(exercise)
    equivalent = EQUIVALENT.get(exercise.id, {})
    assert found, f"{exercise.id}: the solution gave no mutants"
    stillborn = [n for n, status in found.items() if status == "stillborn"]
    assert len(stillborn) < len(found), f"{exercise.id}: no mutant even runs"
    missed = [n for n, status in found.items() if status == "solved" and n not in equivalent]
    assert not missed, f"{exercise.id}: the check passes {len(missed)} mutants:\n" + "\n".join(
        missed
    )
    stale = [n for n in equivalent if found.get(n) != "solved"]
    assert not stale, f"{exercise.id}: listed as equivalent, but caught or gone:\n" + "\n".join(
        stale
    )


def test_the_mutants_are_the_mistakes_they_say():
    code = "def f(x):\n    return (x - x.max(axis=1, keepdims=True)).T @ x / len(x)\n"
    names = {m.name.split(": ")[1] for m in mutants(code)}
    assert {
        "swap the axis",
        "drop keepdims",
        "drop axis",
        "drop the transpose",
        "transpose the right operand",
        "flip the sign",
        "drop the division",
        "max -> min",
    } <= names
    loop = "def f(n):\n    t = 0\n    for i in range(1, n):\n        t += i\n    return t\n"
    found = {m.name: m.code for m in mutants(loop)}
    assert "f: add 1: `range(1, n)` -> `range(2, n)`" in found
    assert "f: out of place: `t += i` -> `t = t + i`" in found
    assert "f: subtract 1 from a loop bound: `range(1, n)` -> `range(1, n - 1)`" in found
    pair = "def g(y_true, y_pred):\n    return (y_true == y_pred).mean()\n"
    names = {m.name for m in mutants(pair)}
    assert "g: use another argument: `y_true == y_pred` -> `y_true == y_true`" in names
    namespace = {}
    exec(found["f: subtract 1: `range(1, n)` -> `range(0, n)`"], namespace)
    assert namespace["f"](4) == 6  # range(0, 4): the same sum, an equivalent mutant


if __name__ == "__main__":
    rows = []
    for exercise in ALL:
        if exercise.id in SKIPPED:
            print(f"{exercise.id:>5}  skipped: {SKIPPED[exercise.id]}")
            continue
        total, caught, equivalent, survivors = score(exercise)
        rows.append((total, caught, equivalent))
        left = len(survivors) - equivalent
        print(f"{exercise.id:>5}  {total:4d} mutants  {caught:4d} caught  {equivalent:3d} "
              f"equivalent  {left:3d} missed")  # fmt: skip
        for name in survivors:
            if name not in EQUIVALENT.get(exercise.id, {}):
                print("          missed:", name)
    total, caught, equivalent = (sum(column) for column in zip(*rows, strict=True))
    print(f"  all  {total:4d} mutants  {caught:4d} caught  {equivalent:3d} equivalent")

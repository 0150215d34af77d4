"""Notebook 06's checks: typical wrong answers get the hint meant for them.

Each mistake is the worked solution of the notebook with one change, the way a learner
might write it; the check must name that mistake (and must still pass the solution)."""

import numpy as np
import pytest
from notebook_exercises import exercises

from nnlib.course.checks import training as check

EXERCISES = {ex.id: ex for ex in exercises("06_training.ipynb")}


def solution(number: str) -> str:
    return EXERCISES[number].solution


def functions(code: str) -> dict:
    namespace = {"np": np}
    exec(code, namespace)
    return namespace


def network_feedback(code: str):
    f = functions(code)
    with np.errstate(all="ignore"):
        return check.network(f["init"], f["forward"], f["backward"], f["train"])


def changed(code: str, old: str, new: str, count: int = 1) -> str:
    assert code.count(old) >= count, f"the solution no longer contains {old!r}"
    return code.replace(old, new)


NIELSEN_INIT = """
def init(sizes, rng):
    layers = list(zip(sizes[:-1], sizes[1:]))
    biases = [rng.standard_normal(n_out) for n_in, n_out in layers]
    weights = [rng.standard_normal((n_out, n_in)).T for n_in, n_out in layers]
    return [p for W, b in zip(weights, biases) for p in (W, b)]
"""
ONE_HIDDEN_LAYER_INIT = """
def init(sizes, rng):
    W1 = rng.standard_normal((sizes[0], sizes[1]))
    b1 = rng.standard_normal(sizes[1])
    W2 = rng.standard_normal((sizes[1], sizes[2]))
    b2 = rng.standard_normal(sizes[2])
    return [W1, b1, W2, b2]
"""
OUTPUTS_ONLY_FORWARD = """
def forward(params, x):
    a, activations = x, []
    for W, b in zip(params[::2], params[1::2]):
        a = sigmoid(a @ W + b)
        activations.append(a)
    return activations
"""
ONE_HIDDEN_LAYER_BACKWARD = """
def backward(params, activations, y):
    W1, b1, W2, b2 = params[:4]
    x, a1, a2 = activations[0], activations[1], activations[-1]
    delta2 = (a2 - y) / len(y) * a2 * (1 - a2)
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return [x.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)]
"""
EARLY_UPDATE_TRAIN = """
def train(x, y, sizes, epochs, batch_size, lr, seed):
    rng = np.random.default_rng(seed)
    params = init(sizes, rng)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            rows = order[start : start + batch_size]
            activations = forward(params, x[rows])
            a = activations[-1]
            delta = (a - y[rows]) / len(rows) * a * (1 - a)
            for k in range(len(params) // 2, 0, -1):
                W, b = params[2 * k - 2], params[2 * k - 1]
                W -= lr * (activations[k - 1].T @ delta)
                b -= lr * delta.sum(axis=0)
                a = activations[k - 1]
                delta = (delta @ W.T) * a * (1 - a)
    return params
"""


def network_mistakes():
    s = solution("6.1")
    draw_w = "rng.standard_normal((n_in, n_out))"
    draw_b = "rng.standard_normal(n_out)"
    loop = "    for epoch in range(epochs):\n        order = rng.permutation(len(x))"
    yield "transposed, as in Nielsen", changed(s, draw_w, "rng.standard_normal((n_out, n_in)).T")
    yield "it is transposed", changed(s, draw_w, "rng.standard_normal((n_out, n_in))")
    yield "column vector", changed(s, draw_b, "rng.standard_normal((n_out, 1))")
    yield "Nielsen's order", s + NIELSEN_INIT
    yield "scaled by 1/sqrt(n_in)", changed(s, draw_w, f"{draw_w} / np.sqrt(n_in)")
    yield "your biases are 0", changed(s, draw_b, "np.zeros(n_out)")
    yield (
        "whatever generator",
        changed(s, "    params = []\n", "    params = []\n    rng = np.random.default_rng(0)\n"),
    )
    yield "one hidden layer out by hand", s + ONE_HIDDEN_LAYER_INIT
    yield "start the list with the input x", s + OUTPUTS_ONLY_FORWARD
    yield (
        "not only the output",
        changed(s, "    return activations\n", "    return activations[-1]\n"),
    )
    yield "left out the biases", changed(s, "activations[-1] @ W + b", "activations[-1] @ W")
    yield "forgot the 1/m", changed(s, "(a - y) / m * a", "(a - y) * a")
    yield "wrong sign", changed(s, "(a - y) / m", "(y - a) / m")
    yield "cross-entropy cost", changed(s, "(a - y) / m * a * (1 - a)", "(a - y) / m")
    yield (
        "hidden layer's delta lacks",
        changed(s, "params[2 * k - 2].T) * a * (1 - a)", "params[2 * k - 2].T)"),
    )
    yield "db is delta.sum(axis=0), not", changed(s, "delta.sum(axis=0)]", "delta.mean(axis=0)]")
    yield (
        "it is transposed",
        changed(s, "activations[k - 1].T @ delta,", "delta.T @ activations[k - 1],"),
    )
    yield "stepped uphill", changed(s, "p -= lr * g", "p += lr * g")
    yield "lacks the learning rate", changed(s, "p -= lr * g", "p -= g")
    yield "do not divide by m again", changed(s, "p -= lr * g", "p -= lr * g / len(rows)")
    yield (
        "the biases did not move",
        changed(s, "p -= lr * g", "if p.ndim == 2:\n                    p -= lr * g"),
    )
    yield "backpropagation ran through the new weights", s + EARLY_UPDATE_TRAIN
    yield "original order", changed(s, "rng.permutation(len(x))", "np.arange(len(x))")
    yield (
        "a new generator made from the seed",
        changed(s, "rng.permutation(len(x))", "shuffler.permutation(len(x))").replace(
            "    params = init(sizes, rng)",
            "    params = init(sizes, rng)\n    shuffler = np.random.default_rng(seed)",
        ),
    )
    yield (
        "a new generator made from the seed",
        changed(s, "rng.permutation(len(x))", "np.random.default_rng(seed).permutation(len(x))"),
    )
    yield (
        "the images but not their targets",
        changed(s, "y[rows])", "y[start : start + batch_size])"),
    )
    yield (
        "two different permutations",
        changed(
            s, "x[rows]), y[rows])", "x[rows]), y[y_order[start : start + batch_size]])"
        ).replace(
            "rng.permutation(len(x))",
            "rng.permutation(len(x))\n        y_order = rng.permutation(len(x))",
        ),
    )
    yield (
        "skipped the last, smaller minibatch",
        changed(s, "range(0, len(x), batch_size)", "range(0, len(x) - batch_size + 1, batch_size)"),
    )
    yield (
        "every epoch used the same order",
        changed(s, loop, "    order = rng.permutation(len(x))\n    for epoch in range(epochs):"),
    )
    yield (  # issue 20: this got a hint about the update step
        "the loop over the minibatches never ran",
        changed(s, "range(0, len(x), batch_size)", "range(0, len(x) - batch_size, batch_size)"),
    )
    yield (
        "your loop over the epochs runs one time too few",
        changed(s, "range(epochs)", "range(1, epochs)"),
    )
    yield (
        "for sizes [6, 5, 4, 3] (two hidden layers) your backward raised ValueError: matmul",
        s + ONE_HIDDEN_LAYER_BACKWARD,
    )
    yield (
        "keep everything in float64",
        changed(
            s,
            "    params = init(sizes, rng)",
            "    params = [p.astype(np.float32) for p in init(sizes, rng)]",
        ),
    )


def test_the_solution_agrees_with_the_reference_bit_for_bit():
    """yours_or_solution shows 'the solution's' weights: they must be the folded solution's."""
    f = functions(solution("6.1"))
    x, y = check._stage_data((784, 30, 10), 100)
    mine = f["train"](x, y, [784, 30, 10], 2, 10, 3.0, 0)
    reference, whose = check.yours_or_solution(
        lambda *args: None, x, y, (784, 30, 10), 2, 10, 3.0, 0
    )
    assert whose.startswith("the solution's (exercise 6.1 is not solved yet)")
    assert all(np.array_equal(a, b) for a, b in zip(mine, reference, strict=True))
    assert check.yours_or_solution(f["train"], x, y, (784, 30, 10), 2, 10, 3.0, 0)[1] == "yours"


@pytest.mark.parametrize(
    "hint, code", list(network_mistakes()), ids=lambda v: v[:40] if len(v) < 200 else ""
)
def test_a_typical_mistake_in_the_network_gets_its_hint(hint, code):
    feedback = network_feedback(code)
    assert not feedback.solved
    assert hint in feedback.message, feedback


def test_the_hint_says_when_the_weights_first_differ():
    s = solution("6.1")
    assert "agree with nnlib's after 0 steps and after 1 step, but not after 1 epoch" in (
        network_feedback(changed(s, "rng.permutation(len(x))", "np.arange(len(x))")).message
    )
    assert (
        "differ from nnlib's after 0 steps"
        in network_feedback(
            changed(
                s,
                "    params = init(sizes, rng)",
                "    params = init(sizes, np.random.default_rng(seed + 1))",
            )
        ).message
    )


@pytest.mark.parametrize(
    "hint, body",
    [
        ("you rounded down", "return epochs * (n // batch_size)"),
        ("one update too many", "return epochs * (n // batch_size + 1)"),
        ("one epoch's updates", "return -(-n // batch_size)"),
        ("not a whole number", "return n / batch_size * epochs"),
        ("a count of updates is an int", "return float(epochs * -(-n // batch_size))"),
        ("number of examples seen", "return n * epochs"),
    ],
)
def test_a_wrong_count_of_updates_gets_its_hint(hint, body):
    f = functions(f"def updates(n, batch_size, epochs):\n    {body}\n")
    feedback = check.updates(f["updates"])
    assert not feedback.solved and hint in feedback.message, feedback


def early_stop_with(old, new):
    return functions(changed(solution("6.3"), old, new))["early_stop"]


@pytest.mark.parametrize(
    "hint, fn",
    [
        (
            "cannot see the future",
            lambda: functions(
                "def early_stop(val_losses, patience):\n"
                "    best = int(np.argmin(val_losses)) + 1\n"
                "    return best, min(best + patience, len(val_losses))\n"
            )["early_stop"],
        ),
        ("count from 0", lambda: early_stop_with("start=1", "start=0")),
        ("strictly lower", lambda: early_stop_with("loss < best", "loss <= best")),
        ("one epoch late", lambda: early_stop_with(">= patience", "> patience")),
        (
            "the pair is the wrong way round",
            lambda: early_stop_with(
                "return best_epoch, len(val_losses)", "return len(val_losses), best_epoch"
            ),
        ),
    ],
)
def test_a_wrong_early_stop_gets_its_hint(hint, fn):
    feedback = check.early_stop(fn())
    assert not feedback.solved and hint in feedback.message, feedback


@pytest.mark.parametrize(
    "hint, old, new",
    [
        ("counts epochs from 1", "(epoch - 1) // every", "epoch // every"),
        ("an integer exponent", "(epoch - 1) // every", "(epoch - 1) / every"),
        ("drops every epoch", "(epoch - 1) // every", "(epoch - 1)"),
        ("return a function of the epoch", "    return schedule", "    return lr0"),
    ],
)
def test_a_wrong_schedule_gets_its_hint(hint, old, new):
    f = functions(changed(solution("6.4"), old, new))
    feedback = check.step_decay(f["step_decay"])
    assert not feedback.solved and hint in feedback.message, feedback


STATEFUL_STEP_DECAY = """
def step_decay(lr0, factor, every):
    calls = [0]

    def schedule(epoch):  # counts its calls instead of reading epoch
        calls[0] += 1
        return lr0 * factor ** ((calls[0] - 1) // every)

    return schedule
"""


def test_a_schedule_that_counts_its_calls_is_told_so():
    """It passed while the check asked for epochs 1, 2, ..., 7 in order, once."""
    feedback = check.step_decay(functions(STATEFUL_STEP_DECAY)["step_decay"])
    assert feedback.status == "hint", feedback
    assert "out of order, some twice" in feedback.message, feedback
    assert "Does your schedule count its calls" in feedback.message, feedback


def test_a_train_that_changes_its_callers_data_is_not_shown_as_yours():
    seeded = "    rng = np.random.default_rng(seed)\n"
    code = changed(solution("6.1"), seeded, seeded + "    x[0] = 0\n")
    x, y = check._stage_data((8, 5, 3), 35)
    params, whose = check.yours_or_solution(
        functions(code)["train"], x, y, (8, 5, 3), 1, 10, 2.0, 0
    )
    assert whose == "the solution's (your train changes its argument x)", whose
    feedback = network_feedback(code)
    assert "your train changed its argument x, the caller's array, in place" in feedback.message

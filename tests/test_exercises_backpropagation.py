"""Notebook 05's checks: typical wrong answers get the hint meant for them."""

import numpy as np
import pytest

from nnlib.activations import sigmoid, softmax
from nnlib.course.checks import backpropagation as check
from nnlib.gradcheck import numerical_gradient


def backward(x, y, W1, b1, W2, b2, hidden="sigmoid", **slips):
    """The backward pass of exercises 5.1 (hidden='sigmoid', quadratic cost) and 5.2
    (hidden='relu', softmax and cross-entropy), with ``slips`` to make the classic mistakes."""
    n = len(x)
    z1 = x @ W1 + b1
    a1 = sigmoid(z1) if hidden == "sigmoid" else np.maximum(z1, 0)
    z2 = a1 @ W2 + b2
    if hidden == "sigmoid":
        a2 = sigmoid(z2)
        error = slips.get("error", lambda a2, y: a2 - y)(a2, y)
        delta2 = error * slips.get("d2", lambda z2, a2: a2 * (1 - a2))(z2, a2)
    else:
        p = slips.get("softmax", softmax)(z2)
        delta2 = slips.get("delta2", lambda p, y, z2: p - y)(p, y, z2)
    delta2 = delta2 / slips.get("n", n)
    back = delta2 @ W2.T
    default = (lambda z1, a1: a1 * (1 - a1)) if hidden == "sigmoid" else (lambda z1, a1: z1 > 0)
    delta1 = back * slips.get("d1", default)(z1, a1)
    grads = {
        "dW1": x.T @ delta1,
        "db1": delta1.sum(axis=0),
        "dW2": slips.get("dW2", lambda a1, z1, d: a1.T @ d)(a1, z1, delta2),
        "db2": slips.get("db2", lambda d: d.sum(axis=0))(delta2),
    }
    grads.update(slips.get("extra", lambda grads, **_: {})(grads, x=x, a1=a1, delta1=delta1, n=n))
    return grads


def with_slips(hidden="sigmoid", **slips):
    return lambda x, y, W1, b1, W2, b2: backward(x, y, W1, b1, W2, b2, hidden, **slips)


def test_the_right_backward_passes_read_well():
    feedback = check.backward_quadratic(with_slips("sigmoid"))
    assert feedback.solved, feedback
    assert repr(feedback).startswith(
        "✓ Exercise 5.1 (backprop by hand: sigmoid layers, quadratic cost): dW1, db1, dW2, db2 "
        "agree with nnlib's backward pass and with the numerical gradient (relative error "
    )
    assert check.backward_softmax(with_slips("relu")).solved


def transposed_dW2(grads, **_):
    return {"dW2": grads["dW2"].T}


SIGMOID_MISTAKES = {
    "dW2 has shape (2, 3), expected (3, 2): it is transposed. Use a1.T @ delta2, "
    "(3, 5) @ (5, 2) -> (3, 2), the shape of W2": {"extra": transposed_dW2},
    "dW1 has shape (3, 4), expected (4, 3): it is transposed. Use x.T @ delta1": {
        "extra": lambda grads, **_: {"dW1": grads["dW1"].T}
    },
    "dW2 is not right: it is N = 5 times too big": {"n": 1},
    "dW2 is not right: it is N = 5 times too small": {
        "extra": lambda g, n, **_: {k: v / n for k, v in g.items()}
    },
    "dW2 is not right: it has the wrong sign": {"error": lambda a2, y: y - a2},
    "dW2 is not right: it is twice too big": {"error": lambda a2, y: 2 * (a2 - y)},
    "dW2 is not right: you forgot the sigmoid's derivative in delta2": {"d2": lambda z2, a2: 1},
    "dW2 is not right: you applied the derivative to a2 instead of z2": {
        "d2": lambda z2, a2: sigmoid(a2) * (1 - sigmoid(a2))
    },
    "dW2 is not right: you used z2 where a2 belongs": {"d2": lambda z2, a2: z2 * (1 - z2)},
    "dW2 is not right: you used z1 where a1 belongs": {"dW2": lambda a1, z1, d: z1.T @ d},
    "dW1 is not right: you forgot the sigmoid's derivative in delta1": {"d1": lambda z1, a1: 1},
    "dW1 is not right: you applied the derivative to a1 instead of z1": {
        "d1": lambda z1, a1: sigmoid(a1) * (1 - sigmoid(a1))
    },
    "dW1 is not right: you used z1 where a1 belongs": {"d1": lambda z1, a1: z1 * (1 - z1)},
    "dW1 is not right: it is N times too small": {"d1": lambda z1, a1: a1 * (1 - a1) / len(z1)},
    "dW1 has shape (3, 3), expected (4, 3): the input of layer 1 is x, not a1": {
        "extra": lambda grads, a1, delta1, **_: {"dW1": a1.T @ delta1}
    },
    "db2 has shape (5, 2), expected (2,): you did not sum delta2 over the minibatch": {
        "db2": lambda d: d
    },
    "db2 has shape (5,), expected (2,): you summed over the units": {
        "db2": lambda d: d.sum(axis=1)
    },
    "db2 is not right: it is N = 5 times too small": {"db2": lambda d: d.mean(axis=0)},
    "db1 has shape (5, 3), expected (3,): you did not sum delta1": {
        "extra": lambda grads, x, **_: {"db1": np.ones((len(x), 3))}
    },
}


@pytest.mark.parametrize("hint", SIGMOID_MISTAKES)
def test_a_classic_mistake_in_exercise_5_1_gets_its_hint(hint):
    with np.errstate(all="ignore"):
        feedback = check.backward_quadratic(with_slips("sigmoid", **SIGMOID_MISTAKES[hint]))
    assert feedback.status == "hint", feedback
    assert hint in feedback.message, feedback


SOFTMAX_MISTAKES = {
    "dW2 is not right: the sign is flipped: for softmax with cross-entropy delta2 = (p - y) "
    "/ N, prediction minus target; y - p points uphill": {"delta2": lambda p, y, z2: y - p},
    "dW2 is not right: it is N = 5 times too big": {"n": 1},
    "dW2 is not right: you multiplied by p * (1 - p)": {
        "delta2": lambda p, y, z2: (p - y) * p * (1 - p)
    },
    "dW2 is not right: you used the logits z2 where the probabilities belong": {
        "delta2": lambda p, y, z2: z2 - y
    },
    "dW2 is not right: your softmax normalises each column": {
        "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=0)
    },
    "dW2 has shape (2, 3), expected (3, 2): it is transposed. Use a1.T @ delta2": {
        "extra": transposed_dW2
    },
    "dW1 is not right: you forgot ReLU's derivative in delta1": {"d1": lambda z1, a1: 1},
    "dW1 is not right: you multiplied by a1": {"d1": lambda z1, a1: a1},
    "dW1 is not right: the mask is the wrong way round": {"d1": lambda z1, a1: z1 <= 0},
    "dW1 is not right: that is the sigmoid's derivative": {"d1": lambda z1, a1: a1 * (1 - a1)},
    "db2 is not right: it is N = 5 times too small": {"db2": lambda d: d.mean(axis=0)},
}


@pytest.mark.parametrize("hint", SOFTMAX_MISTAKES)
def test_a_classic_mistake_in_exercise_5_2_gets_its_hint(hint):
    with np.errstate(all="ignore"):
        feedback = check.backward_softmax(with_slips("relu", **SOFTMAX_MISTAKES[hint]))
    assert feedback.status == "hint", feedback
    assert hint in feedback.message, feedback


def test_backprop_checks_say_what_is_wrong_with_the_answer_itself():
    def answer(value):
        return lambda *args: value

    grads = {"dW1": 0, "db1": 0, "dW2": 0, "db2": 0}
    cases = {
        "return the gradients as a dict": (1, 2, 3, 4),
        "has no db1, db2": {"dW1": 0, "dW2": 0},
        "db1 is not computed yet": {**grads, "db1": ...},
    }
    for hint, value in cases.items():
        feedback = check.backward_quadratic(answer(value))
        assert feedback.status == "hint" and hint in feedback.message, feedback
    stub = check.backward_softmax(answer(dict.fromkeys(grads, ...)))
    assert stub.status == "not solved yet"
    crash = check.backward_quadratic(lambda x, y, W1, b1, W2, b2: {"dW2": W2 @ x})
    assert crash.status == "error" and "inner sizes" in crash.message


def central(f, w, eps):
    """A right answer: nnlib's own central difference."""
    return numerical_gradient(f, w, eps)


def one_sided(f, w, eps):
    flat, grad, here = w.reshape(-1), np.zeros(w.size), f()
    for i in range(w.size):
        flat[i] += eps
        grad[i] = (f() - here) / eps
        flat[i] -= eps
    return grad.reshape(w.shape)


def no_restore(f, w, eps):
    flat, grad = w.reshape(-1), np.zeros(w.size)
    for i in range(w.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        grad[i] = (plus - f()) / (2 * eps)
    return grad.reshape(w.shape)


def on_a_copy(f, w, eps):
    """Perturbs a copy of w, which f never sees."""
    return central(f, w.copy(), eps)


def rows_of_2d(f, w, eps):
    grad = np.zeros_like(w)
    for i in range(w.size):
        old = w[i].copy()
        w[i] = old + eps
        plus = f()
        w[i] = old - eps
        grad[i] = (plus - f()) / (2 * eps)
        w[i] = old
    return grad


CENTRAL_MISTAKES = {
    "the two points w + eps and w - eps are 2 eps apart": lambda f, w, e: 2 * central(f, w, e),
    "that is the one-sided difference": one_sided,
    "the sign is flipped": lambda f, w, e: -central(f, w, e),
    "w has changed after your function ran": no_restore,
    "your gradient is 0 everywhere": on_a_copy,
    "w[i] is a whole row": rows_of_2d,
}


def test_the_right_central_difference_passes():
    assert check.central_difference(central).solved


@pytest.mark.parametrize("hint", CENTRAL_MISTAKES)
def test_a_typical_central_difference_mistake_gets_its_hint(hint):
    feedback = check.central_difference(CENTRAL_MISTAKES[hint])
    assert feedback.status == "hint", feedback
    assert hint in feedback.message, feedback


ROWS_MISTAKES = {
    "use all, not any": lambda x: (x == 0).any(axis=0),
    "True should mark the rows that are zero": lambda x: (x != 0).any(axis=0),
    "reduce over the examples, axis=0": lambda x: (x == 0).all(axis=1),
    "not the indices": lambda x: np.flatnonzero((x == 0).all(axis=0)),
}


def test_the_right_mask_of_zero_rows_passes():
    assert check.zero_gradient_rows(lambda x: (x == 0).all(axis=0)).solved


@pytest.mark.parametrize("hint", ROWS_MISTAKES)
def test_a_typical_zero_rows_mistake_gets_its_hint(hint):
    feedback = check.zero_gradient_rows(ROWS_MISTAKES[hint])
    assert feedback.status == "hint", feedback
    assert hint in feedback.message, feedback


@pytest.mark.parametrize(
    "rows, hint",
    [
        (lambda x: x.sum(axis=0) == 0, "a sum of 0 does not mean all zeros"),
        (lambda x: x.max(axis=0) == 0, "a maximum of 0 does not mean all zeros"),
    ],
    ids=["sum", "max"],
)
def test_zero_gradient_rows_that_hold_only_for_pixels_are_named(rows, hint):
    """These passed while every test input was >= 0; standardized inputs are negative."""
    feedback = check.zero_gradient_rows(rows)
    assert feedback.status == "hint" and hint in feedback.message, feedback


def test_other_right_zero_gradient_rows_pass():
    assert check.zero_gradient_rows(lambda x: ~x.any(axis=0)).solved
    assert check.zero_gradient_rows(lambda x: np.abs(x).sum(axis=0) == 0).solved


def test_a_central_difference_that_ignores_eps_is_named():
    """It read 'at index (1, 2) it is -2.34389, expected -2.34389'."""

    def own_eps(f, w, eps):
        return central(f, w, 1e-6)

    feedback = check.central_difference(own_eps)
    assert feedback.status == "hint", feedback
    assert "with a step of 1e-06, not the eps = 0.001" in feedback.message, feedback


def globally_shifted_softmax(z):
    e = np.exp(z - z.max())  # one maximum for the whole minibatch
    return e / e.sum(axis=1, keepdims=True)


def test_a_backward_pass_whose_softmax_is_shifted_by_the_minibatchs_maximum_is_named():
    with np.errstate(all="ignore"):
        feedback = check.backward_softmax(with_slips("relu", softmax=globally_shifted_softmax))
    assert feedback.status == "hint", feedback
    assert "subtracts one maximum for the whole minibatch" in feedback.message, feedback
    assert check.backward_softmax(with_slips("relu")).solved

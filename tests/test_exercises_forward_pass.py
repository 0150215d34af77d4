"""Notebook 04's checks: typical wrong answers get the hint meant for them."""

import numpy as np
import pytest

from nnlib.activations import sigmoid, softmax
from nnlib.course.checks import forward_pass as check


def stable_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def right(x, W1, b1, W2, b2):
    return stable_softmax(sigmoid(x @ W1 + b1) @ W2 + b2)


MISTAKES = {
    "you forgot the bias b1": lambda x, W1, b1, W2, b2: softmax(sigmoid(x @ W1) @ W2 + b2),
    "you forgot the bias b2": lambda x, W1, b1, W2, b2: softmax(sigmoid(x @ W1 + b1) @ W2),
    "the hidden layer has no activation": lambda x, W1, b1, W2, b2: softmax(
        (x @ W1 + b1) @ W2 + b2
    ),
    "the output is a sigmoid": lambda x, W1, b1, W2, b2: sigmoid(sigmoid(x @ W1 + b1) @ W2 + b2),
    "the output is the logits": lambda x, W1, b1, W2, b2: sigmoid(x @ W1 + b1) @ W2 + b2,
    "it is transposed": lambda x, W1, b1, W2, b2: right(x, W1, b1, W2, b2).T,
    "should normalise each row": lambda x, W1, b1, W2, b2: (
        np.exp(sigmoid(x @ W1 + b1) @ W2 + b2) / np.exp(sigmoid(x @ W1 + b1) @ W2 + b2).sum(0)
    ),
    "exp overflows": lambda x, W1, b1, W2, b2: (
        np.exp(sigmoid(x @ W1 + b1) @ W2 + b2)
        / np.exp(sigmoid(x @ W1 + b1) @ W2 + b2).sum(axis=1, keepdims=True)
    ),
    "inner sizes of a matrix product must agree": lambda x, W1, b1, W2, b2: W1 @ x,
}


def test_the_right_answer_passes():
    assert check.forward(right).solved


@pytest.mark.parametrize("hint", MISTAKES)
def test_a_typical_mistake_gets_its_hint(hint):
    with np.errstate(all="ignore"):
        feedback = check.forward(MISTAKES[hint])
    assert not feedback.solved
    assert hint in feedback.message, feedback


def test_the_other_mistakes_of_the_forward_pass_get_their_hint():
    def relu_hidden(x, W1, b1, W2, b2):
        return stable_softmax(np.maximum(x @ W1 + b1, 0) @ W2 + b2)

    def whole_batch(x, W1, b1, W2, b2):
        e = np.exp(sigmoid(x @ W1 + b1) @ W2 + b2)
        return e / e.sum()

    assert "hidden layer uses ReLU" in check.forward(relu_hidden).message
    with np.errstate(all="ignore"):
        assert "sum over the whole minibatch" in check.forward(whole_batch).message


def weights(sizes):
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def count(sizes):
    return weights(sizes) + sum(sizes[1:])


COUNT_MISTAKES = {
    "you counted the weights only": weights,
    "you gave the input layer biases too": lambda s: count(s) + s[0],
    "you counted the neurons": sum,
    "you multiplied all the widths together": lambda s: int(np.prod(s)),
    "for [784, 100, 10] you get 79,511, expected 79,510": lambda s: count(s) + 1,
    "return a whole number": lambda s: "79510 parameters",
}


def test_the_right_count_passes():
    assert check.n_parameters(count).solved


@pytest.mark.parametrize("hint", COUNT_MISTAKES)
def test_a_typical_counting_mistake_gets_its_hint(hint):
    feedback = check.n_parameters(COUNT_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


def columns(a0, w1, b1, w2, b2):
    return sigmoid(w2 @ sigmoid(w1 @ a0 + b1[:, None]) + b2[:, None])


COLUMN_MISTAKES = {
    "the output is (10, N), not (N, 10)": lambda a0, w1, b1, w2, b2: columns(a0, w1, b1, w2, b2).T,
    "you forgot the bias b1": lambda a0, w1, b1, w2, b2: columns(a0, w1, 0 * b1, w2, b2),
    "you forgot the bias b2": lambda a0, w1, b1, w2, b2: columns(a0, w1, b1, w2, 0 * b2),
    "the output has no activation": lambda a0, w1, b1, w2, b2: (
        w2 @ sigmoid(w1 @ a0 + b1[:, None]) + b2[:, None]
    ),
    "inner sizes of a matrix product must agree": lambda a0, w1, b1, w2, b2: sigmoid(
        w1.T @ a0 + b1[:, None]
    ),
}


def test_the_right_column_forward_pass_passes():
    assert check.forward_columns(columns).solved


@pytest.mark.parametrize("hint", COLUMN_MISTAKES)
def test_a_typical_column_mistake_gets_its_hint(hint):
    feedback = check.forward_columns(COLUMN_MISTAKES[hint])
    assert not feedback.solved and hint in feedback.message, feedback


TEMPERATURE_MISTAKES = {
    "you multiplied the logits by T": lambda z, T: stable_softmax(z * T),
    "you divided the probabilities by T": lambda z, T: stable_softmax(z) / T,
    "the temperature is missing": lambda z, T: stable_softmax(z),
    "the rows do not sum to 1": lambda z, T: np.exp(z / T),
    "your exp overflows": lambda z, T: np.exp(z / T) / np.exp(z / T).sum(axis=1, keepdims=True),
}


def test_the_right_temperature_softmax_passes():
    assert check.softmax_temperature(lambda z, T: stable_softmax(z / T)).solved


@pytest.mark.parametrize("hint", TEMPERATURE_MISTAKES)
def test_a_typical_temperature_mistake_gets_its_hint(hint):
    with np.errstate(all="ignore"):
        feedback = check.softmax_temperature(TEMPERATURE_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


def test_the_module_offers_reveal_for_predictions():
    assert check.reveal(None, 9.8, "accuracy", "%").startswith("accuracy: 9.8%")


# Holes closed (issue 20): answers that passed as solved before.


def test_a_softmax_shifted_by_the_minibatchs_maximum_is_named():
    def global_max(x, W1, b1, W2, b2):
        z2 = sigmoid(x @ W1 + b1) @ W2 + b2
        e = np.exp(z2 - z2.max())  # one maximum for all rows
        return e / e.sum(axis=1, keepdims=True)

    with np.errstate(all="ignore"):
        feedback = check.forward(global_max)
    assert feedback.status == "hint", feedback
    assert "one maximum for the whole minibatch (z.max())" in feedback.message, feedback


def test_a_temperature_softmax_shifted_by_the_global_maximum_is_named():
    def global_max(z, T):
        z = z / T
        e = np.exp(z - z.max())
        return e / e.sum(axis=1, keepdims=True)

    with np.errstate(all="ignore"):
        feedback = check.softmax_temperature(global_max)
    assert feedback.status == "hint" and "one maximum for the whole array" in feedback.message


def test_a_temperature_softmax_that_divides_the_callers_logits_in_place_is_told_so():
    def softmax_temperature(z, T):
        z /= T  # [[1, 2, 3]] became [[4, 8, 12]] after two calls with T = 0.5
        return stable_softmax(z)

    feedback = check.softmax_temperature(softmax_temperature)
    assert feedback.status == "hint", feedback
    assert "your softmax_temperature changed its argument z" in feedback.message, feedback


def test_a_temperature_softmax_that_keeps_state_between_calls_is_told_so():
    calls = []

    def softmax_temperature(z, T):
        calls.append(T)
        return stable_softmax(z / T) if len(calls) % 2 else stable_softmax(z / calls[0])

    feedback = check.softmax_temperature(softmax_temperature)
    assert feedback.status == "hint" and "called twice" in feedback.message, feedback

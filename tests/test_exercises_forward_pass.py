"""Notebook 04's checks: typical wrong answers get the hint meant for them."""

import numpy as np
import pytest

from nnlib.activations import sigmoid, softmax
from nnlib.exercises import forward_pass as check


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

"""Checks for the exercises of notebook 04, the forward pass."""

import numpy as np

from nnlib.activations import sigmoid, softmax
from nnlib.exercises import Feedback, Hint, answer, cases, expect_array, run


def forward(forward_fn) -> Feedback:
    """Exercise 4.1: ``forward_fn(x, W1, b1, W2, b2)``, a 784-H-10 network on a minibatch.

    Shapes: x (N, 784), W1 (784, H), b1 (H,), W2 (H, 10), b2 (10,). The hidden layer is
    a1 = sigmoid(x W1 + b1), shape (N, H); the output is softmax(a1 W2 + b2), shape (N, 10).
    """

    def attempt():
        for i, rng in enumerate(cases(seed=401)):
            n, h = int(rng.integers(1, 9)), int(rng.integers(3, 17))
            x = rng.random((n, 784))
            W1, b1 = rng.normal(0, 0.05, (784, h)), rng.normal(0, 1, h)
            W2, b2 = rng.normal(0, 1, (h, 10)), rng.normal(0, 1, 10)
            if i == 4:  # logits near 1000: a softmax that is not stabilised overflows
                W2, b2 = 100 * W2, b2 + 1000
            a1 = sigmoid(x @ W1 + b1)
            z2 = a1 @ W2 + b2
            with np.errstate(all="ignore"):
                got = answer(forward_fn, x, W1, b1, W2, b2)
                e = np.exp(z2)
                mistakes = {
                    "you forgot the bias b1 of the hidden layer": softmax(
                        sigmoid(x @ W1) @ W2 + b2
                    ),
                    "you forgot the bias b2 of the output layer": softmax(a1 @ W2),
                    "the hidden layer has no activation: apply the sigmoid to x W1 + b1": (
                        softmax((x @ W1 + b1) @ W2 + b2)
                    ),
                    "the output is a sigmoid; it should be a softmax over each row": sigmoid(z2),
                    "the output is the logits z2; apply the softmax to them": z2,
                    "the softmax normalises each column; it should normalise each row": (
                        e / e.sum(axis=0)
                    ),
                }
            if i == 4 and np.shape(got) == z2.shape and not np.isfinite(got).all():
                raise Hint(
                    "for logits near 1000 your softmax gives NaN or infinity: exp overflows. "
                    "Subtract each row's maximum from the logits before exp (section 5)"
                )
            expect_array("the output", got, softmax(z2), mistakes)
        return "5 random minibatches agree with nnlib, one of them with logits near 1000"

    return run("Exercise 4.1 (the forward pass)", attempt)

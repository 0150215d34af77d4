"""Checks for the exercises of notebook 04, the forward pass."""

import numpy as np

from nnlib.activations import sigmoid, softmax
from nnlib.course.checks import Feedback, Hint, answer, cases, expect_array, reveal, run
from nnlib.network import mlp

__all__ = ["forward", "n_parameters", "forward_columns", "softmax_temperature", "reveal"]


def forward(forward_fn) -> Feedback:
    """Exercise 4.1: ``forward_fn(x, W1, b1, W2, b2)``, a 784-H-10 network on a minibatch.

    Shapes: x (N, 784), W1 (784, H), b1 (H,), W2 (H, 10), b2 (10,). The hidden layer is
    a1 = sigmoid(x W1 + b1), shape (N, H); the output is softmax(a1 W2 + b2), shape (N, 10).
    """

    def attempt():
        for i, rng in enumerate(cases(seed=401, n=6)):
            n, h = int(rng.integers(1, 9)) + 3 * (i == 5), int(rng.integers(3, 17))
            x = rng.random((n, 784))
            W1, b1 = rng.normal(0, 0.05, (784, h)), rng.normal(0, 1, h)
            W2, b2 = rng.normal(0, 1, (h, 10)), rng.normal(0, 1, 10)
            if i == 4:  # logits near 1000: a softmax that is not stabilised overflows
                W2, b2 = 100 * W2, b2 + 1000
            if i == 5:  # rows whose logits differ by thousands: one shift for all rows fails
                W2 = 5000 * W2
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
                    "the hidden layer uses ReLU; this network's hidden layer is a sigmoid": (
                        softmax(np.maximum(x @ W1 + b1, 0) @ W2 + b2)
                    ),
                    "the output is a sigmoid; it should be a softmax over each row": sigmoid(z2),
                    "the output is the logits z2; apply the softmax to them": z2,
                    "the softmax normalises each column; it should normalise each row": (
                        e / e.sum(axis=0)
                    ),
                    "the softmax divides by the sum over the whole minibatch; "
                    "divide each row by its own sum (axis=1, keepdims=True)": e / e.sum(),
                }
            if i == 4 and np.shape(got) == z2.shape and not np.isfinite(got).all():
                raise Hint(
                    "for logits near 1000 your softmax gives NaN or infinity: exp overflows. "
                    "Subtract each row's maximum from the logits before exp (section 5)"
                )
            if i == 5 and np.shape(got) == z2.shape and not np.isfinite(got).all():
                spread = np.ptp(z2.max(axis=1))
                raise Hint(
                    f"for a minibatch whose rows' largest logits differ by {spread:,.0f} your "
                    "softmax gives NaN: you subtracted one maximum for the whole minibatch "
                    "(z.max()), so in the rows far below it every exp underflows to 0, and 0/0 "
                    "is NaN. Subtract each row's own maximum: z.max(axis=1, keepdims=True)"
                )
            expect_array("the output", got, softmax(z2), mistakes)
        return (
            "6 random minibatches agree with nnlib, one with logits near 1000 and one "
            "whose rows' logits differ by thousands"
        )

    return run("Exercise 4.1 (the forward pass)", attempt)


def n_parameters(count_fn) -> Feedback:
    """Exercise 4.2: ``count_fn(sizes)``, the number of weights and biases of a dense
    network with layer widths ``sizes`` (input first), e.g. 79,510 for [784, 100, 10]."""

    def attempt():
        tried = [[784, 100, 10], [784, 30, 10], [5, 3], [784, 128, 64, 10], [7, 1, 7, 2]]
        for sizes in tried:
            right = sum(p.size for p in mlp(sizes, rng=0).params)
            got = answer(count_fn, list(sizes))
            pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
            weights = sum(a * b for a, b in pairs)
            mistakes = {
                "you counted the weights only: every neuron also has a bias": weights,
                "you gave the input layer biases too: the inputs are data, only the neurons "
                "of the layers after it have biases": weights + sum(sizes),
                "you counted the neurons, not the parameters: each layer has a weight for "
                "every (input, neuron) pair, W (n_in, n_out), plus n_out biases": sum(sizes),
                "you multiplied all the widths together; add up the layers instead, one "
                "W (n_in, n_out) and one b (n_out,) per pair of neighbouring widths": (
                    int(np.prod(sizes))
                ),
            }
            try:
                got = int(got)
            except (TypeError, ValueError):
                raise Hint(f"return a whole number of parameters, got {got!r}") from None
            if got != right:
                for description, wrong in mistakes.items():
                    if got == wrong:
                        raise Hint(
                            f"for {sizes} you get {got:,}, expected {right:,}: {description}"
                        )
                raise Hint(f"for {sizes} you get {got:,}, expected {right:,}")
        return f"right for {len(tried)} networks, from [5, 3] to [784, 128, 64, 10]"

    return run("Exercise 4.2 (counting parameters)", attempt)


def forward_columns(forward_fn) -> Feedback:
    """Exercise 4.3: ``forward_fn(a0, w1, b1, w2, b2)`` in Nielsen's column convention.

    a0 (784, N) holds one image per column; w1 (H, 784), b1 (H,), w2 (10, H), b2 (10,)
    are Nielsen's weights (the transposes of nnlib's W). Both layers are sigmoids; the
    answer is a2 (10, N), the transpose of nnlib's output for the rows a0.T.
    """

    def attempt():
        for rng in cases(seed=403):
            n, h = int(rng.integers(2, 9)), int(rng.integers(11, 17))  # N < 10 < H
            a0 = rng.random((784, n))
            w1, b1 = rng.normal(0, 0.05, (h, 784)), rng.normal(0, 1, h)
            w2, b2 = rng.normal(0, 1, (10, h)), rng.normal(0, 1, 10)
            right = sigmoid(sigmoid(a0.T @ w1.T + b1) @ w2.T + b2).T  # nnlib's rows, transposed
            got = answer(forward_fn, a0, w1, b1, w2, b2)
            z1 = w1 @ a0 + b1[:, None]
            mistakes = {
                "you forgot the bias b1": sigmoid(w2 @ sigmoid(w1 @ a0) + b2[:, None]),
                "you forgot the bias b2": sigmoid(w2 @ sigmoid(z1)),
                "the hidden layer has no activation: apply the sigmoid to w1 a0 + b1": (
                    sigmoid(w2 @ z1 + b2[:, None])
                ),
                "the output has no activation: apply the sigmoid to w2 a1 + b2": (
                    w2 @ sigmoid(z1) + b2[:, None]
                ),
            }
            if np.shape(got) == right.shape[::-1]:
                raise Hint(
                    f"a2 has shape {np.shape(got)}, expected {right.shape}: in the column "
                    "convention each example is a column, so the output is (10, N), not (N, 10)"
                )
            expect_array("a2", got, right, mistakes)
        return "5 random minibatches agree with nnlib's row convention, transposed"

    return run("Exercise 4.3 (Nielsen's column convention)", attempt)


def softmax_temperature(softmax_fn) -> Feedback:
    """Exercise 4.4: ``softmax_fn(z, T)``, the row-wise softmax of the logits ``z`` (N, K)
    divided by a temperature ``T > 0``, shape (N, K); stable for any T."""

    def attempt():
        temperatures = [1.0, 0.5, 2.0, 10.0, 0.001]
        for T, rng in zip(temperatures, cases(seed=404), strict=True):
            z = rng.normal(0, 3, (int(rng.integers(2, 7)), 10))
            right = softmax(z / T)
            with np.errstate(all="ignore"):
                got = answer(softmax_fn, z, T)
                p = softmax(z)
                mistakes = {
                    "you multiplied the logits by T; divide them by T": softmax(z * T),
                    "you divided the probabilities by T; divide the logits, then take the "
                    "softmax": p / T,
                    "the temperature is missing: softmax(z / T), not softmax(z)": p,
                    "the rows do not sum to 1: normalise after exponentiating": np.exp(z / T),
                }
            if np.shape(got) == z.shape and not np.isfinite(got).all():
                with np.errstate(all="ignore"):
                    e = np.exp(z / T - np.max(z / T))
                    shifted_once = e / e.sum(axis=1, keepdims=True)
                if np.array_equal(np.isnan(got), np.isnan(shifted_once)):
                    raise Hint(
                        f"for T = {T:g} your softmax gives NaN in some rows: you subtracted "
                        "one maximum for the whole array (z.max()), and the rows of z / T, "
                        f"which differ by {np.ptp((z / T).max(axis=1)):,.0f} here, far below "
                        "it underflow to 0/0. Subtract each row's own maximum: "
                        "z.max(axis=1, keepdims=True)"
                    )
            if T < 0.01 and np.shape(got) == z.shape and not np.isfinite(got).all():
                raise Hint(
                    f"for T = {T:g} the logits z / T reach thousands and your exp overflows: "
                    "subtract each row's maximum first (section 5), or use nnlib's softmax"
                )
            expect_array(f"the softmax at T = {T:g}", got, right, mistakes)
            with np.errstate(all="ignore"):
                again = answer(softmax_fn, z, T)
            if not np.array_equal(np.asarray(again), np.asarray(got)):
                raise Hint(
                    f"called twice with the same z and T = {T:g}, your softmax_temperature "
                    "gives two different answers: does it keep something from one call to "
                    "the next?"
                )
        return f"right for {len(temperatures)} temperatures, from T = 10 down to T = 0.001"

    return run("Exercise 4.4 (softmax with a temperature)", attempt)

"""Checks for the exercises of notebook 03, one-hot encoding the labels."""

import numpy as np

from nnlib.course.checks import Feedback, Hint, NotSolved, answer, cases, expect_array, reveal, run
from nnlib.losses import CrossEntropy
from nnlib.preprocessing import one_hot as nnlib_one_hot
from nnlib.preprocessing import one_hot_decode

__all__ = ["encode_decode", "smooth_labels", "cross_entropy", "reveal"]

REFUSE = (ValueError, TypeError)


def _refuses(fn, args: tuple, name: str, what: str, should: str) -> None:
    """Raise Hint unless ``fn(*args)`` raises ValueError or TypeError. ``what`` describes the
    bad input ("label 10 for 10 classes"), ``should`` the error it deserves ("ValueError")."""
    try:
        fn(*args)
    except REFUSE:
        return
    except (NotSolved, NotImplementedError):
        raise
    except Exception as err:
        raise Hint(
            f"your {name} raised {type(err).__name__} for {what} ({err}), by accident rather "
            f"than by a check: test the input yourself and raise {should} with a message "
            "saying what was expected and what came"
        ) from None
    raise Hint(f"your {name} accepted {what}: it should raise {should}")


def _batch(i: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Labels and a number of classes K for test case ``i``: case 0 holds every class; case 1
    lacks the two highest and class 1, as a small batch may; the others are random, one of
    them uint8 like MNIST's labels. N never equals K, so a transposed Y shows as one."""
    k = int(rng.integers(5, 12))
    if i == 0:
        labels = rng.permutation(np.concatenate([np.arange(k), rng.integers(0, k, 2)]))
    elif i == 1:
        extra = rng.choice([0, *range(2, k - 2)], 5 if k == 6 else 4)  # N = 6 or 7, never K
        labels = rng.permutation([0, k - 3, *extra])
    else:
        labels = rng.integers(0, k, int(rng.integers(2, 9)))
        labels = labels if len(labels) != k else labels[1:]
    return labels.astype(np.uint8 if i == 3 else np.int64), k


def encode_decode(one_hot_fn, decode_fn) -> Feedback:
    """Exercise 3.1: ``one_hot_fn(labels, num_classes)`` (N,) -> (N, K) and ``decode_fn(Y)``
    (N, K) -> (N,) integer labels, each refusing what is not what it expects."""

    def attempt():
        for i, rng in enumerate(cases(seed=301, n=6)):
            labels, k = _batch(i, rng)
            n = len(labels)
            right = nnlib_one_hot(labels, k)
            try:
                got = answer(one_hot_fn, labels.copy(), k)
            except REFUSE as err:
                raise Hint(
                    f"your one_hot refused the valid labels {labels.tolist()} with {k} "
                    f"classes ({type(err).__name__}: {err})"
                ) from None
            widths = [  # wrong numbers of columns, most specific first
                (k + 1, f"with {k} classes Y needs {k} columns, one per class: you have one more"),
                (k - 1, f"with {k} classes Y needs {k} columns, one per class: you have one less"),
                (
                    int(labels.max()) + 1,
                    "you took the number of columns from the data (labels.max() + 1): a batch "
                    "without the highest classes then gets too few. Use num_classes",
                ),
                (
                    len(np.unique(labels)),
                    "you made one column per label that occurs in the batch (like "
                    "pd.get_dummies): column j must mean class j in every batch. Use num_classes",
                ),
            ]
            for width, description in widths:
                if np.shape(got) == (n, width) != right.shape:
                    raise Hint(f"one_hot(labels, {k}) has shape {(n, width)}: {description}")
            shifted = np.zeros_like(right)
            shifted[np.arange(n), (labels.astype(int) + 1) % k] = 1
            expect_array(
                f"one_hot({labels.tolist()}, {k})",
                got,
                right,
                {"the 1 sits one column to the right: class j is column j, counting from 0": (
                    shifted
                )},
                atol=0,
                rtol=0,
            )  # fmt: skip
            try:
                decoded = answer(decode_fn, right.copy())
            except REFUSE as err:
                raise Hint(
                    f"your decode refused a valid one-hot matrix ({type(err).__name__}: {err})"
                ) from None
            decoded = np.asarray(decoded)
            all_ones, ones = np.array_equal(decoded, np.ones(n)), np.array_equal(labels, np.ones(n))
            if decoded.shape == labels.shape and all_ones and not ones:
                raise Hint(
                    "decode returned each row's largest VALUE (always 1): the label is the "
                    "column where it sits, np.argmax(Y, axis=1), not np.max"
                )
            expect_array(
                "decode(Y)",
                decoded,
                one_hot_decode(right, strict=True),
                {
                    "you took the argmax over the examples (axis=0): a row is an example, so "
                    "take it along each row (axis=1)": right.argmax(axis=0)
                },
                atol=0,
                rtol=0,
            )
            if not np.issubdtype(decoded.dtype, np.integer):
                raise Hint(
                    f"decode returned labels of dtype {decoded.dtype}: labels are integers "
                    "(np.argmax gives them), and one_hot refuses anything else"
                )
        k = 10
        bad_labels = [
            (np.array([3, 10]), "label 10 for 10 classes", "ValueError"),
            (
                np.array([2, -1]),
                "label -1 (NumPy reads index -1 as the last column, so the error would pass "
                "silently)",
                "ValueError",
            ),
            (
                np.array([1.0, 2.0]),
                "float labels [1.0, 2.0] (floats in place of labels usually mean the wrong "
                "array was passed)",
                "TypeError",
            ),
            (np.array([[1, 2], [3, 4]]), "2-D labels of shape (2, 2)", "ValueError"),
        ]
        for labels, what, should in bad_labels:
            _refuses(one_hot_fn, (labels, k), "one_hot", what, should)
        bad_rows = [
            ([0, 1, 1, 0], "two 1s"),
            ([0, 0, 0, 0], "no 1 at all"),
            ([0.25, 0.5, 0.25, 0.0], "probabilities: they sum to 1, but are not one-hot"),
            ([0, 2, 0, 0], "a 2"),
        ]
        for row, what in bad_rows:
            Y = np.eye(4)[[2, 0, 3]]
            Y = np.vstack([Y[:1], np.array([row], dtype=float), Y[1:]])
            _refuses(decode_fn, (Y,), "decode", f"a row {row} ({what})", "ValueError")
        return (
            "6 random batches agree with nnlib both ways, and every bad input "
            "(labels out of range, negative, float, 2-D; rows that are not one-hot) is refused"
        )

    return run("Exercise 3.1 (one-hot encode and decode, with validation)", attempt)


def smooth_labels(smooth_fn) -> Feedback:
    """Exercise 3.2: ``smooth_fn(labels, num_classes, eps)`` (N,) -> (N, K), the smoothed
    targets (1 - eps) * one_hot(labels) + eps / K."""

    def attempt():
        for rng in cases(seed=302):
            k, n = int(rng.integers(3, 12)), int(rng.integers(2, 9))
            labels, eps = rng.integers(0, k, n), float(rng.uniform(0.05, 0.3))
            Y = nnlib_one_hot(labels, k, dtype=np.float64)
            got = answer(smooth_fn, labels.copy(), k, eps)
            expect_array(
                f"smooth_labels(labels, {k}, eps={eps:.3f})",
                got,
                (1 - eps) * Y + eps / k,
                {
                    "you gave the true class 1 - eps and the others eps / (K - 1): a fine "
                    "convention, but not this one. Here every class, the true one too, gets "
                    "eps / K, so the true class has 1 - eps + eps / K": (
                        (1 - eps) * Y + eps / (k - 1) * (1 - Y)
                    ),
                    "eps and 1 - eps are swapped: the true class keeps the large share, "
                    "(1 - eps) * one_hot + eps / K": eps * Y + (1 - eps) / k,
                    "your rows sum to 1 + eps: scale the one-hot part by (1 - eps)": Y + eps / k,
                    "your rows sum to 1 - eps: add eps / K to every entry": (1 - eps) * Y,
                    "you added eps, not eps / K, to every entry: the rows must sum to 1": (
                        (1 - eps) * Y + eps
                    ),
                },
            )
        return "5 random batches agree with (1 - eps) one_hot + eps / K; every row sums to 1"

    return run("Exercise 3.2 (label smoothing)", attempt)


def cross_entropy(cross_entropy_fn) -> Feedback:
    """Exercise 3.3: ``cross_entropy_fn(P, Y)``, the mean over the N rows of -sum_k y ln p,
    for probabilities P (N, K) and one-hot targets Y (N, K): a single number."""

    def attempt():
        for i, rng in enumerate(cases(seed=303)):
            k, n = int(rng.integers(3, 11)), int(rng.integers(3, 9))
            z = rng.normal(0, 2, (n, k))
            P = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
            labels = rng.integers(0, k, n)
            if i == 4:  # a wrong class with probability exactly 0, as float32 softmax gives
                wrong = (labels[0] + 1) % k
                P[0, labels[0]] += P[0, wrong]
                P[0, wrong] = 0.0
            Y = nnlib_one_hot(labels, k, dtype=np.float64)
            p_true = P[np.arange(n), labels]
            with np.errstate(all="ignore"):
                got = answer(cross_entropy_fn, P.copy(), Y.copy())
                if i == 4 and np.size(got) == 1 and np.isnan(np.asarray(got, float)).all():
                    raise Hint(
                        "your loss is NaN when a wrong class has probability 0: y ln p is then "
                        "0 * (-inf), which is NaN in floating point. With one-hot targets only "
                        "the true class counts: take -ln of P[np.arange(N), Y.argmax(axis=1)]"
                    )
                mistakes = {
                    "you summed over the N examples: the loss is their mean (divide by N)": (
                        -np.log(p_true).sum()
                    ),
                    "the sign is wrong: ln p <= 0, so the loss -ln p is >= 0": (
                        np.log(p_true).mean()
                    ),
                    "use the natural logarithm, np.log, not log10": -np.log10(p_true).mean(),
                    "use the natural logarithm, np.log, not log2": -np.log2(p_true).mean(),
                    "you averaged over all N * K entries: sum over the K classes, then average "
                    "over the N examples": -np.log(p_true).mean() / k,
                    "you used the probability of the PREDICTED class (the largest p): the loss "
                    "needs the probability of the TRUE class, the one where y is 1": (
                        -np.log(P.max(axis=1)).mean()
                    ),
                    "you summed ln p over every class: the one-hot y keeps only the true "
                    "class's term, -ln p_true": -np.log(P).sum(axis=1).mean(),
                    "that is the binary cross-entropy of K separate yes/no outputs; for "
                    "probabilities that sum to 1 it is -sum_k y_k ln p_k": -(
                        Y * np.log(P) + (1 - Y) * np.log(1 - P)
                    )
                    .sum(axis=1)
                    .mean(),
                    "you returned the N per-example losses: return their mean, one number": (
                        -np.log(p_true)
                    ),
                }
            expect_array("cross_entropy(P, Y)", got, CrossEntropy()(P, Y), mistakes)
        return "5 random minibatches agree with nnlib.losses.CrossEntropy, one with a p of 0"

    return run("Exercise 3.3 (cross-entropy with one-hot targets)", attempt)

"""Notebook 03's checks: typical wrong answers get the hint meant for them."""

import numpy as np
import pandas as pd
import pytest

from nnlib.course.checks import one_hot_encoding as check

# Exercise 3.1: one-hot encode and decode, with validation


def one_hot(labels, num_classes):
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"expected labels of shape (N,), got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"expected integer labels, got {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"expected labels in 0..{num_classes - 1}, got {labels}")
    Y = np.zeros((len(labels), num_classes))
    Y[np.arange(len(labels)), labels] = 1
    return Y


def decode(Y):
    Y = np.asarray(Y)
    if not (np.isin(Y, (0, 1)).all() and (Y.sum(axis=1) == 1).all()):
        raise ValueError("expected rows with a single 1 and zeros elsewhere")
    return Y.argmax(axis=1)


def unchecked_one_hot(labels, num_classes):  # NumPy's indexing is the only check
    Y = np.zeros((len(labels), num_classes))
    Y[np.arange(len(labels)), labels] = 1
    return Y


def upper_bound_only(labels, num_classes):
    if np.max(labels) >= num_classes:
        raise ValueError("label too large")
    return unchecked_one_hot(labels, num_classes)


def casts_floats(labels, num_classes):
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError("bad labels")
    return unchecked_one_hot(labels.astype(int), num_classes)


def checks_range_only(labels, num_classes):
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError("integer labels expected")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError("bad labels")
    return unchecked_one_hot(labels, num_classes)


def width(columns):
    def encode(labels, num_classes):
        Y = np.zeros((len(labels), columns(labels, num_classes)))
        Y[np.arange(len(labels)), labels] = 1
        return Y

    return encode


def shifted(labels, num_classes):
    Y = np.zeros((len(labels), num_classes))
    Y[np.arange(len(labels)), (np.asarray(labels) + 1) % num_classes] = 1
    return Y


def dummies(labels, num_classes):
    return pd.get_dummies(labels).to_numpy(dtype=float)


ONE_HOT_MISTAKES = {
    "you have one more": width(lambda labels, k: k + 1),
    "you have one less": lambda labels, k: np.zeros((len(labels), k - 1)),
    "labels.max() + 1": width(lambda labels, k: int(np.max(labels)) + 1),
    "like pd.get_dummies": dummies,
    "it is transposed": lambda labels, k: one_hot(labels, k).T,
    "one column to the right": shifted,
    "raised IndexError for label 10 for 10 classes": unchecked_one_hot,
    "accepted label -1": upper_bound_only,
    "accepted float labels [1.0, 2.0]": casts_floats,
    "accepted 2-D labels of shape (2, 2)": checks_range_only,
    "refused the valid labels": lambda labels, k: one_hot(labels.astype(float), k),
}

DECODE_MISTAKES = {
    "largest VALUE (always 1)": lambda Y: Y.max(axis=1),
    "argmax over the examples (axis=0)": lambda Y: Y.argmax(axis=0),
    "labels of dtype float64": lambda Y: Y @ np.arange(Y.shape[1], dtype=float),
    "accepted a row [0, 1, 1, 0] (two 1s)": lambda Y: Y.argmax(axis=1),
    "accepted a row [0, 0, 0, 0] (no 1 at all)": lambda Y: (
        Y.argmax(axis=1) if (Y.sum(axis=1) <= 1).all() else decode(Y)
    ),
    "accepted a row [0.25, 0.5, 0.25, 0.0]": lambda Y: (
        Y.argmax(axis=1) if np.allclose(Y.sum(axis=1), 1) else decode(Y)
    ),
    "accepted a row [0, 2, 0, 0] (a 2)": lambda Y: (
        Y.argmax(axis=1) if (Y.max(axis=1) > 1).any() else decode(Y)
    ),
    "your decode refused a valid one-hot matrix": lambda Y: decode(Y + 0.5),
}


# Exercise 3.2: label smoothing


def smooth_labels(labels, num_classes, eps):
    return (1 - eps) * one_hot(labels, num_classes) + eps / num_classes


SMOOTH_MISTAKES = {
    "a fine convention, but not this one": lambda labels, k, eps: (
        (1 - eps) * one_hot(labels, k) + eps / (k - 1) * (1 - one_hot(labels, k))
    ),
    "eps and 1 - eps are swapped": lambda labels, k, eps: eps * one_hot(labels, k) + (1 - eps) / k,
    "your rows sum to 1 + eps": lambda labels, k, eps: one_hot(labels, k) + eps / k,
    "your rows sum to 1 - eps": lambda labels, k, eps: (1 - eps) * one_hot(labels, k),
    "you added eps, not eps / K": lambda labels, k, eps: (1 - eps) * one_hot(labels, k) + eps,
}


# Exercise 3.3: cross-entropy with one-hot targets


def cross_entropy(P, Y):
    return -np.log(P[np.arange(len(P)), Y.argmax(axis=1)]).mean()


def p_true(P, Y):
    return P[np.arange(len(P)), Y.argmax(axis=1)]


CE_MISTAKES = {
    "you summed over the N examples": lambda P, Y: -np.log(p_true(P, Y)).sum(),
    "the sign is wrong": lambda P, Y: np.log(p_true(P, Y)).mean(),
    "not log10": lambda P, Y: -np.log10(p_true(P, Y)).mean(),
    "not log2": lambda P, Y: -np.log2(p_true(P, Y)).mean(),
    "you averaged over all N * K entries": lambda P, Y: -(Y * np.log(P)).mean(),
    "the probability of the PREDICTED class": lambda P, Y: -np.log(P.max(axis=1)).mean(),
    "you summed ln p over every class": lambda P, Y: -np.log(P).sum(axis=1).mean(),
    "binary cross-entropy": lambda P, Y: (
        -(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum(axis=1).mean()
    ),
    "you returned the N per-example losses": lambda P, Y: -np.log(p_true(P, Y)),
    "your loss is NaN when a wrong class has probability 0": lambda P, Y: (
        -(Y * np.log(P)).sum(axis=1).mean()
    ),
}


def test_the_right_answers_pass():
    assert check.encode_decode(one_hot, decode).solved
    assert check.smooth_labels(smooth_labels).solved
    assert check.cross_entropy(cross_entropy).solved


def test_nnlib_itself_passes_the_check():
    from nnlib import preprocessing

    def strict_decode(Y):
        return preprocessing.one_hot_decode(Y, strict=True)

    assert check.encode_decode(preprocessing.one_hot, strict_decode).solved


@pytest.mark.parametrize("hint", ONE_HOT_MISTAKES)
def test_a_typical_encoding_mistake_gets_its_hint(hint):
    feedback = check.encode_decode(ONE_HOT_MISTAKES[hint], decode)
    assert feedback.status == "hint" and hint in feedback.message, feedback


@pytest.mark.parametrize("hint", DECODE_MISTAKES)
def test_a_typical_decoding_mistake_gets_its_hint(hint):
    feedback = check.encode_decode(one_hot, DECODE_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


@pytest.mark.parametrize("hint", SMOOTH_MISTAKES)
def test_a_typical_smoothing_mistake_gets_its_hint(hint):
    feedback = check.smooth_labels(SMOOTH_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


@pytest.mark.parametrize("hint", CE_MISTAKES)
def test_a_typical_cross_entropy_mistake_gets_its_hint(hint):
    with np.errstate(all="ignore"):
        feedback = check.cross_entropy(CE_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback

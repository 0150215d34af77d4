"""Notebook 09's checks: typical wrong answers get the hint meant for them."""

import numpy as np
import pytest

from nnlib.course.checks import fashion_mnist as check


def group_accuracy(y_true, y_pred, groups):
    return np.mean(groups[y_true] == groups[y_pred])


GROUP_MISTAKES = {
    "you compared the classes themselves": lambda y_true, y_pred, groups: np.mean(y_true == y_pred),
    "map the predictions to their groups too": lambda y_true, y_pred, groups: np.mean(
        groups[y_true] == y_pred
    ),
    "map the true labels to their groups too": lambda y_true, y_pred, groups: np.mean(
        y_true == groups[y_pred]
    ),
    "that is the error rate": lambda y_true, y_pred, groups: np.mean(
        groups[y_true] != groups[y_pred]
    ),
    "that is a count": lambda y_true, y_pred, groups: np.sum(groups[y_true] == groups[y_pred]),
}


def test_the_right_group_accuracy_passes():
    assert check.group_accuracy(group_accuracy).solved


@pytest.mark.parametrize("hint", GROUP_MISTAKES)
def test_a_wrong_group_accuracy_gets_its_hint(hint):
    feedback = check.group_accuracy(GROUP_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


def never_inked(images):
    return images.max(axis=0) == 0


MASK_MISTAKES = {
    "one value per image": lambda images: images.max(axis=1) == 0,
    "0 in *some* image": lambda images: images.min(axis=0) == 0,
    "that is the inked pixels": lambda images: images.max(axis=0) > 0,
    "that is a count": lambda images: int((images.max(axis=0) == 0).sum()),
}


def test_the_right_mask_passes():
    assert check.never_inked(never_inked).solved


@pytest.mark.parametrize("hint", MASK_MISTAKES)
def test_a_wrong_mask_gets_its_hint(hint):
    feedback = check.never_inked(MASK_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


def top_k_accuracy(proba, y, k):
    top = np.argsort(proba, axis=1)[:, -k:]
    return np.mean((top == y[:, None]).any(axis=1))


TOP_K_MISTAKES = {
    "k least probable": lambda proba, y, k: np.mean(
        (np.argsort(proba, axis=1)[:, :k] == y[:, None]).any(axis=1)
    ),
    "only the k-th most probable": lambda proba, y, k: np.mean(
        np.argsort(proba, axis=1)[:, -k] == y
    ),
    "that is top-1 accuracy": lambda proba, y, k: np.mean(proba.argmax(axis=1) == y),
    "that is a count": lambda proba, y, k: np.sum(
        (np.argsort(proba, axis=1)[:, -k:] == y[:, None]).any(axis=1)
    ),
}


def test_the_right_top_k_accuracy_passes():
    assert check.top_k_accuracy(top_k_accuracy).solved


@pytest.mark.parametrize("hint", TOP_K_MISTAKES)
def test_a_wrong_top_k_accuracy_gets_its_hint(hint):
    feedback = check.top_k_accuracy(TOP_K_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


def test_stubs_are_not_solved_yet():
    def stub(*args): ...

    for exercise in (check.group_accuracy, check.never_inked, check.top_k_accuracy):
        assert exercise(stub).status == "not solved yet"

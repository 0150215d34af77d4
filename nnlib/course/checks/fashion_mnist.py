"""Checks for the exercises of notebook 09, Fashion-MNIST: accuracy over groups of classes,
pixels no image inks, and top-k accuracy."""

import numpy as np

from nnlib.course.checks import Feedback, answer, cases, expect_array, reveal, run

__all__ = ["group_accuracy", "never_inked", "reveal", "top_k_accuracy"]


def group_accuracy(accuracy_fn) -> Feedback:
    """Exercise 9.1: ``accuracy_fn(y_true, y_pred, groups)``, the fraction of predictions in
    the right group, where ``groups`` (K,) maps each class to its group and the labels
    ``y_true``, ``y_pred`` have shape (N,)."""

    def attempt():
        checked = 0
        for rng in cases(seed=901, n=8):
            n, k = int(rng.integers(20, 200)), int(rng.integers(4, 11))
            groups = rng.integers(0, max(2, k // 3), size=k)
            y_true = rng.integers(0, k, size=n)
            y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, k, size=n))
            right = np.mean(groups[y_true] == groups[y_pred])
            mistakes = {
                "you compared the classes themselves; compare their groups, groups[y_true] "
                "with groups[y_pred]": np.mean(y_true == y_pred),
                "map the predictions to their groups too; you compared groups[y_true] with "
                "the predicted classes": np.mean(groups[y_true] == y_pred),
                "map the true labels to their groups too; you compared the true classes with "
                "groups[y_pred]": np.mean(y_true == groups[y_pred]),
                "that is the error rate; the accuracy is the fraction that is right": 1 - right,
                "that is a count; the accuracy is a fraction (divide by N)": (
                    np.sum(groups[y_true] == groups[y_pred])
                ),
            }
            if not _distinct(right, *mistakes.values()):
                continue  # a case where two answers coincide cannot tell the mistakes apart
            got = answer(accuracy_fn, y_true.copy(), y_pred.copy(), groups.copy())
            expect_array("the group accuracy", got, right, mistakes)
            checked += 1
        return f"{checked} random sets of labels and groups agree with the reference"

    return run("Exercise 9.1 (a coarser question)", attempt)


def never_inked(mask_fn) -> Feedback:
    """Exercise 9.2: ``mask_fn(images)``, for images (N, 784) with pixels in [0, 1], a
    boolean mask (784,) that is True for the pixels that are 0 in every image."""

    def attempt():
        for rng in cases(seed=902):
            n = int(rng.integers(5, 40))
            ink = rng.random((n, 784)) < rng.random(784) * 0.5  # pixel j inked with prob p_j
            ink[:, rng.integers(0, 784, 60)] = False  # some pixels never inked
            images = np.where(ink, rng.random((n, 784)), 0.0)
            right = (images == 0).all(axis=0)
            got = answer(mask_fn, images.copy())
            mistakes = {
                "that is one value per image; the mask has one value per pixel (reduce over "
                "axis 0, the images)": (images == 0).all(axis=1),
                "you marked pixels that are 0 in *some* image; the mask wants pixels that are "
                "0 in *every* image": (images == 0).any(axis=0),
                "that is the inked pixels; the mask wants the pixels never inked": ~right,
                "that is a count; return the mask itself (the count is mask.sum())": (right.sum()),
            }
            expect_array("the mask", got, right, mistakes)
        return "5 random image sets agree with the reference"

    return run("Exercise 9.2 (pixels no image inks)", attempt)


def top_k_accuracy(accuracy_fn) -> Feedback:
    """Exercise 9.3: ``accuracy_fn(proba, y, k)``, the fraction of rows of ``proba`` (N, K)
    whose true class ``y`` (N,) is among the ``k`` most probable classes."""

    def attempt():
        checked = 0
        for i, rng in enumerate(cases(seed=903, n=8)):
            n, classes = int(rng.integers(30, 120)), int(rng.integers(4, 11))
            k = [2, 3, 1, 2, 4, 2, 3, 2][i]
            proba = rng.dirichlet(np.ones(classes), size=n)
            y = rng.integers(0, classes, size=n)
            order = np.argsort(-proba, axis=1, kind="stable")
            right = np.mean((order[:, :k] == y[:, None]).any(axis=1))
            ascending = np.argsort(proba, axis=1, kind="stable")
            mistakes = {
                "those are the k least probable classes: sort in decreasing order, or take "
                "the last k of an increasing argsort": np.mean(
                    (ascending[:, :k] == y[:, None]).any(axis=1)
                ),
                "you checked only the k-th most probable class; a row counts when the true "
                "class is any of the top k": np.mean(order[:, k - 1] == y),
                "that is top-1 accuracy; k should matter": np.mean(order[:, 0] == y),
                "that is a count; the accuracy is a fraction (divide by N)": right * n,
            }
            if k == 1:
                mistakes.pop("that is top-1 accuracy; k should matter")
                mistakes.pop("you checked only the k-th most probable class; a row counts when "
                             "the true class is any of the top k")  # fmt: skip
            if not _distinct(right, *mistakes.values()):
                continue  # a case where two answers coincide cannot tell the mistakes apart
            got = answer(accuracy_fn, proba.copy(), y.copy(), k)
            expect_array(f"the top-{k} accuracy", got, right, mistakes)
            checked += 1
        return f"{checked} random sets of probabilities agree with the reference, for k = 1 to 4"

    return run("Exercise 9.3 (top-k accuracy)", attempt)


def _distinct(*values) -> bool:
    """Whether no two of these numbers are (nearly) equal."""
    values = np.sort(np.asarray(values, dtype=float))
    return bool(np.all(np.diff(values) > 1e-9))

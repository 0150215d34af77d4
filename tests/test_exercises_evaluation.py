"""Notebook 07's checks: typical wrong answers get the hint meant for them.

Each mistake is the worked solution of the notebook with one change, the way a learner
might write it; the check must name that mistake (and must still pass the solution)."""

import numpy as np
import pytest
from notebook_exercises import exercises

from nnlib.course.checks import evaluation as check

EXERCISES = {ex.id: ex for ex in exercises("07_evaluation.ipynb")}


def changed(number: str, old: str, new: str) -> dict:
    """The namespace of exercise ``number``'s solution with ``old`` replaced by ``new``."""
    code = EXERCISES[number].solution
    assert old in code, f"the solution of {number} no longer contains {old!r}"
    namespace = {"np": np}
    with np.errstate(all="ignore"):
        exec(code.replace(old, new), namespace)
    return namespace


CONFUSION_MISTAKES = [
    ("rows and columns are swapped", "C[t, p] += 1", "C[p, t] += 1"),
    (
        "one class short",
        "np.zeros((num_classes, num_classes)",
        "np.zeros((num_classes - 1, num_classes - 1)",
    ),
    (
        "one class too many",
        "np.zeros((num_classes, num_classes)",
        "np.zeros((num_classes + 1, num_classes + 1)",
    ),
    (
        "sized it from the largest label",
        "np.zeros((num_classes, num_classes)",
        "k = max(y_true.max(), y_pred.max()) + 1\n    C = np.zeros((k, k)",
    ),
    ("counts, not fractions", "    return C\n", "    return C / len(y_true)\n"),
]
SCORES_MISTAKES = [
    (
        "precision and recall are swapped",
        "return precision, recall, f1",
        "return recall, precision, f1",
    ),
    (
        "precision of class 3 is NaN",
        "np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)",
        "tp / predicted",
    ),
    (
        "recall of class 9 is NaN",
        "np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)",
        "tp / actual",
    ),
    (
        "f1 of class",
        "np.divide(2 * precision * recall, both, out=np.zeros_like(tp), where=both > 0)",
        "2 * precision * recall / both",
    ),
    (
        "not the arithmetic mean",
        "np.divide(2 * precision * recall, both, out=np.zeros_like(tp), where=both > 0)",
        "both / 2",
    ),
]


@pytest.mark.parametrize("hint, old, new", CONFUSION_MISTAKES + SCORES_MISTAKES)
def test_a_typical_mistake_in_the_scores_gets_its_hint(hint, old, new):
    f = changed("7.1", old, new)
    with np.errstate(all="ignore"):
        feedback = check.confusion_and_scores(f["confusion"], f["scores"])
    assert not feedback.solved and hint in feedback.message, feedback


@pytest.mark.parametrize(
    "hint, old, new",
    [
        ("micro precision of a", "tp.sum() / predicted.sum()", "np.mean(tp / predicted)"),
        ("micro recall of a", "tp.sum() / actual.sum()", "np.mean(tp / actual)"),
        (
            "F1 of the macro precision and recall",
            "np.mean(2 * precision * recall / (precision + recall))",
            "2 * precision.mean() * recall.mean() / (precision.mean() + recall.mean())",
        ),
        (
            "weighted by class size",
            "np.mean(2 * precision * recall / (precision + recall))",
            "np.average(2 * precision * recall / (precision + recall), weights=actual)",
        ),
    ],
)
def test_a_wrong_average_gets_its_hint(hint, old, new):
    feedback = check.averages(changed("7.2", old, new)["averages"])
    assert not feedback.solved and hint in feedback.message, feedback


@pytest.mark.parametrize(
    "hint, old, new",
    [
        ("k LEAST probable", "[:, -k:]", "[:, :k]"),
        ("top-(k - 1)", "[:, -k:]", "[:, -k + 1 :] if k > 1 else np.argsort(proba, axis=1)[:, :0]"),
        ("top-(k + 1)", "[:, -k:]", "[:, -k - 1 :]"),
        ("whatever k", "[:, -k:]", "[:, -1:]"),
        ("return the fraction", ".any(axis=1).mean()", ".any(axis=1).sum()"),
    ],
)
def test_a_wrong_top_k_gets_its_hint(hint, old, new):
    feedback = check.top_k(changed("7.3", old, new)["top_k_accuracy"])
    assert not feedback.solved and hint in feedback.message, feedback


@pytest.mark.parametrize(
    "hint, old, new",
    [
        (">=, not >", "confidence >= threshold", "confidence > threshold"),
        ("accuracy on ALL images", "correct[answered].mean()", "correct.mean()"),
        ("not a count", "answered.mean(),", "answered.sum(),"),
        (
            "are swapped",
            "return answered.mean(), correct[answered].mean()",
            "return correct[answered].mean(), answered.mean()",
        ),
    ],
)
def test_a_wrong_abstention_gets_its_hint(hint, old, new):
    feedback = check.abstain(changed("7.4", old, new)["abstain"])
    assert not feedback.solved and hint in feedback.message, feedback


def test_a_confusion_matrix_counted_by_fancy_indexing_is_named():
    """C[y_true, y_pred] += 1 counts a repeated pair once; it was not named before."""
    f = changed(
        "7.1",
        "    for t, p in zip(y_true, y_pred):\n        C[t, p] += 1",
        "    C[y_true, y_pred] += 1",
    )
    feedback = check.confusion_and_scores(f["confusion"], f["scores"])
    assert feedback.status == "hint", feedback
    assert "C[y_true, y_pred] += 1 adds 1 once per distinct" in feedback.message, feedback

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnlib.metrics import accuracy, classification_report, confusion_matrix, most_confused

Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
Y_PRED = np.array([0, 0, 1, 1, 2, 2, 2, 2, 0])


def test_accuracy():
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(6 / 9)


def test_confusion_matrix_by_hand():
    cm = confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(cm.to_numpy(), [[2, 1, 0], [0, 1, 1], [1, 0, 3]])
    assert cm.index.name == "true" and cm.columns.name == "predicted"
    named = confusion_matrix(Y_TRUE, Y_PRED, class_names=["a", "b", "c"])
    assert named.loc["c", "a"] == 1


def test_per_class_report_by_hand():
    report = classification_report(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(report["precision"], [2 / 3, 1 / 2, 3 / 4])
    np.testing.assert_allclose(report["recall"], [2 / 3, 1 / 2, 3 / 4])
    np.testing.assert_allclose(report["f1"], [2 / 3, 1 / 2, 3 / 4])
    np.testing.assert_array_equal(report["support"], [3, 2, 4])


def test_never_predicted_class_has_zero_precision_not_nan():
    report = classification_report(np.array([0, 1]), np.array([0, 0]), num_classes=3)
    assert report.loc[1, "precision"] == 0 and report.loc[2, "recall"] == 0
    assert report.notna().all().all()


def test_most_confused():
    table = most_confused(confusion_matrix(Y_TRUE, Y_PRED), k=2)
    assert list(table.columns) == ["true", "predicted", "count"]
    assert table["count"].tolist() == [1, 1]


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=60))
def test_confusion_matrix_properties(pairs):
    y_true, y_pred = map(np.array, zip(*pairs, strict=True))
    cm = confusion_matrix(y_true, y_pred, num_classes=5).to_numpy()
    assert cm.sum() == len(pairs)
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(y_true, minlength=5))
    assert np.trace(cm) / len(pairs) == pytest.approx(accuracy(y_true, y_pred))


def test_uint8_labels_as_loaded_from_idx_files():
    cm = confusion_matrix(Y_TRUE.astype(np.uint8), Y_PRED.astype(np.uint8))
    np.testing.assert_array_equal(cm.to_numpy(), confusion_matrix(Y_TRUE, Y_PRED).to_numpy())
    assert classification_report(Y_TRUE.astype(np.uint8), Y_PRED.astype(np.uint8)).shape == (3, 4)


def test_bad_labels():
    with pytest.raises(ValueError, match="equal length"):
        accuracy(np.array([1, 2]), np.array([1]))
    with pytest.raises(ValueError, match="integer"):
        confusion_matrix(np.array([0.5]), np.array([1]))
    with pytest.raises(ValueError, match="below num_classes"):
        confusion_matrix(np.array([3]), np.array([1]), num_classes=3)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: accuracy(np.array([], int), np.array([], int)), ValueError,
         r"^y_true: expected a non-empty array, got shape \(0,\)"),
        (lambda: accuracy(np.array([0, 1]), np.array([True, False])), TypeError,
         "^y_pred: expected integer labels, got dtype bool"),
        (lambda: accuracy(np.array(["0"]), np.array([0])), TypeError,
         "^y_true: expected integer labels"),
        (lambda: accuracy(np.array([0, -1]), np.array([0, 1])), ValueError,
         "^y_true: expected labels >= 0, got -1 at index 1"),
        (lambda: confusion_matrix(np.array([0, 1]), np.array([0, 1.0])), TypeError,
         "^y_pred: expected integer labels, got dtype float64"),
        (lambda: confusion_matrix(np.array([10**6]), np.array([0])), ValueError,
         "expected at most MAX_CLASSES=1000 classes, got 1000001"),
        (lambda: confusion_matrix(Y_TRUE, Y_PRED, num_classes=0), ValueError,
         "expected num_classes >= 1, got 0"),
        (lambda: confusion_matrix(Y_TRUE, Y_PRED, class_names=["a", "b"], num_classes=3),
         ValueError, "^class_names: expected num_classes=3 names, got 2"),
        (lambda: classification_report(Y_TRUE, Y_PRED[:-1]), ValueError,
         "^y_true and y_pred must have the same length, got 9 and 8 rows"),
        (lambda: most_confused(np.zeros((3, 3))), TypeError, "^cm: expected a confusion matrix"),
        (lambda: most_confused(confusion_matrix(Y_TRUE, Y_PRED), k=0), ValueError,
         "expected k >= 1, got 0"),
    ],
)  # fmt: skip
def test_degenerate_labels_are_refused_with_one_line(call, error, message):
    with pytest.raises(error, match=message) as info:
        call()
    assert "\n" not in str(info.value)

"""Metrics: how good are the predictions?

All functions take integer class labels: ``y_true`` and ``y_pred`` of shape (N,).

    accuracy   = (number of i with y_pred_i == y_true_i) / N
    C[i, j]    = number of examples of true class i predicted as class j
    precision_k = C[k, k] / sum_i C[i, k]     (of those predicted k, the fraction that are k)
    recall_k    = C[k, k] / sum_j C[k, j]     (of those that are k, the fraction found)
    F1_k        = 2 precision_k recall_k / (precision_k + recall_k)
"""

import numpy as np
import pandas as pd


def _labels(y_true, y_pred, num_classes=None):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape:
        raise ValueError(
            f"expected 1-D label arrays of equal length, got {y_true.shape} and {y_pred.shape}"
        )
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"{name} must hold integer class labels, got dtype {y.dtype}")
        if y.size and y.min() < 0:
            raise ValueError(f"{name} has a negative label {y.min()}")
    y_true, y_pred = y_true.astype(np.int64), y_pred.astype(np.int64)  # uint8 labels overflow
    if num_classes is None:
        num_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    elif y_true.size and max(y_true.max(), y_pred.max()) >= num_classes:
        raise ValueError(f"labels must be below num_classes={num_classes}")
    return y_true, y_pred, num_classes


def accuracy(y_true, y_pred) -> float:
    """The fraction of predictions that are right."""
    y_true, y_pred, _ = _labels(y_true, y_pred)
    if y_true.size == 0:
        raise ValueError("accuracy of an empty set is undefined")
    return float((y_true == y_pred).mean())


def confusion_matrix(y_true, y_pred, class_names=None, num_classes=None) -> pd.DataFrame:
    """The confusion matrix as a DataFrame: rows are true classes, columns predicted."""
    if class_names is not None:
        num_classes = len(class_names)
    y_true, y_pred, k = _labels(y_true, y_pred, num_classes)
    counts = np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)
    names = list(class_names) if class_names is not None else list(range(k))
    return pd.DataFrame(
        counts,
        index=pd.Index(names, name="true"),
        columns=pd.Index(names, name="predicted"),
    )


def classification_report(y_true, y_pred, class_names=None, num_classes=None) -> pd.DataFrame:
    """Per-class precision, recall, F1 and support (true count), one row per class.

    A class never predicted has precision 0 (and a class never present, recall 0),
    rather than a division by zero.
    """
    cm = confusion_matrix(y_true, y_pred, class_names, num_classes).to_numpy()
    tp = np.diag(cm).astype(float)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(tp), where=both > 0)
    names = list(class_names) if class_names is not None else list(range(len(cm)))
    return pd.DataFrame(
        {"precision": precision, "recall": recall, "f1": f1, "support": actual},
        index=pd.Index(names, name="class"),
    )


def most_confused(cm: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    """The ``k`` largest off-diagonal cells of a confusion matrix: (true, predicted, count)."""
    counts = cm.to_numpy().copy()
    np.fill_diagonal(counts, 0)
    order = np.argsort(counts, axis=None, kind="stable")[::-1][:k]
    rows, cols = np.unravel_index(order, counts.shape)
    return pd.DataFrame(
        {
            "true": cm.index[rows],
            "predicted": cm.columns[cols],
            "count": counts[rows, cols],
        }
    )

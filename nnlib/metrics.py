"""Metrics: how good are the predictions?

All functions take integer class labels: ``y_true`` and ``y_pred`` of shape (N,), N >= 1,
every label >= 0 (``nnlib.validation.labels``).

    accuracy   = (number of i with y_pred_i == y_true_i) / N
    C[i, j]    = number of examples of true class i predicted as class j
    precision_k = C[k, k] / sum_i C[i, k]     (of those predicted k, the fraction that are k)
    recall_k    = C[k, k] / sum_j C[k, j]     (of those that are k, the fraction found)
    F1_k        = 2 precision_k recall_k / (precision_k + recall_k)
"""

import numpy as np
import pandas as pd

from nnlib import validation

#: The most classes a confusion matrix may have: its k * k cells are allocated at once.
MAX_CLASSES = 1000


def accuracy(y_true, y_pred) -> float:
    """The fraction of predictions that are right (both arrays non-empty, of equal length)."""
    y_true = validation.labels(y_true, "y_true")
    y_pred = validation.labels(y_pred, "y_pred")
    validation.same_length(y_true, y_pred, "y_true", "y_pred")
    return float((y_true == y_pred).mean())


def confusion_matrix(y_true, y_pred, class_names=None, num_classes=None) -> pd.DataFrame:
    """The confusion matrix as a DataFrame: rows are true classes, columns predicted.

    The classes are 0..k-1, where k is ``len(class_names)``, else ``num_classes``,
    else one more than the largest label (at most ``MAX_CLASSES``).
    """
    if class_names is not None:
        class_names = list(class_names)
        if num_classes is not None and num_classes != len(class_names):
            raise ValueError(
                f"class_names: expected num_classes={num_classes} names, got {len(class_names)}"
            )
        num_classes = len(class_names)
    if num_classes is not None:
        num_classes = validation.count(num_classes, "num_classes")
    y_true = validation.labels(y_true, "y_true", num_classes)
    y_pred = validation.labels(y_pred, "y_pred", num_classes)
    validation.same_length(y_true, y_pred, "y_true", "y_pred")
    k = num_classes or int(max(y_true.max(), y_pred.max())) + 1
    if k > MAX_CLASSES:
        raise ValueError(f"expected at most MAX_CLASSES={MAX_CLASSES} classes, got {k}")
    # int64: the index y_true * k + y_pred overflows uint8 labels as loaded from IDX files
    y_true, y_pred = y_true.astype(np.int64), y_pred.astype(np.int64)
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
    k = validation.count(k, "k")
    if not isinstance(cm, pd.DataFrame):
        raise TypeError(f"cm: expected a confusion matrix DataFrame, got {type(cm).__name__}")
    if cm.shape[0] != cm.shape[1] or cm.empty:
        raise ValueError(f"cm: expected a square, non-empty confusion matrix, got shape {cm.shape}")
    counts = validation.real(cm.to_numpy(), "cm").copy()
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

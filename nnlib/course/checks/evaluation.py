"""Checks for the exercises of notebook 07, evaluation.

Every check runs the learner's function on seeded random label vectors, confusion
matrices or probabilities, against ``nnlib.metrics`` or a few lines of reference code,
with classes that are never predicted and classes that never occur among them.
"""

import numpy as np

from nnlib import metrics
from nnlib.course.checks import Feedback, Hint, answer, cases, expect_array, reveal, run

__all__ = ["abstain", "averages", "confusion_and_scores", "reveal", "top_k"]


def _labels(rng, n, k, absent_true=(), never_predicted=()):
    """Random (y_true, y_pred) over k classes, about 70% right, avoiding the given classes."""
    true_classes = np.setdiff1d(np.arange(k), absent_true)
    y_true = rng.choice(true_classes, n)
    pred_classes = np.setdiff1d(np.arange(k), never_predicted)
    guess = rng.choice(pred_classes, n)
    right = (rng.random(n) < 0.7) & np.isin(y_true, pred_classes)
    return y_true, np.where(right, y_true, guess)


def _label_cases():
    """(y_true, y_pred, K, what is special about it): the cases of exercise 7.1."""
    for i, rng in enumerate(cases(seed=701, n=4)):
        if i == 0:  # every class occurs and is predicted
            yield (*_labels(rng, 300, 10), 10, "")
        elif i == 1:  # class 9 never occurs, class 3 is never predicted
            yield (*_labels(rng, 200, 10, absent_true=[9], never_predicted=[3]), 10,
                   " (class 9 never occurs, class 3 is never predicted)")  # fmt: skip
        elif i == 2:  # classes 4 and 5 neither occur nor are predicted
            yield (*_labels(rng, 40, 6, absent_true=[4, 5], never_predicted=[4, 5]), 6,
                   " (classes 4 and 5 neither occur nor are predicted)")  # fmt: skip
        else:
            yield (*_labels(rng, 25, 3), 3, "")
    # A class predicted once and occurring once, and one whose precision and recall add up
    # to less than 1: a count of 0 is the only one for which a score is undefined.
    y_true = np.array([0, 0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 0, 1])
    y_pred = np.array([0, 0, 3, 1, 1, 0, 2, 0, 1, 3, 1, 3, 3])
    yield y_true, y_pred, 4, " (class 2 occurs and is predicted once)"


def _shape_hint(got, k, y_true, y_pred):
    shape = np.shape(got)
    if shape == (k, k):
        return
    largest = int(max(y_true.max(), y_pred.max()))
    if largest + 1 < k and shape in ((largest + 1, largest + 1), (largest, largest)):
        raise Hint(
            f"C has shape {shape}, expected ({k}, {k}): you sized it from the largest label "
            f"in the data ({largest}), but class {k - 1} never occurs in this case. There are "
            "num_classes classes whether they occur or not: np.zeros((num_classes, num_classes))"
        )
    if shape == (k - 1, k - 1):
        raise Hint(
            f"C has shape {shape}, expected ({k}, {k}): one class short. Labels 0 to K - 1 "
            "are K classes"
        )
    if shape == (k + 1, k + 1):
        raise Hint(
            f"C has shape {shape}, expected ({k}, {k}): one class too many. Labels 0 to K - 1 "
            "are K classes, not K + 1"
        )
    raise Hint(f"C has shape {shape}, expected ({k}, {k}): one row and one column per class")


def _check_confusion(confusion):
    for y_true, y_pred, k, special in _label_cases():
        right = metrics.confusion_matrix(y_true, y_pred, num_classes=k).to_numpy()
        try:
            got = answer(confusion, y_true.copy(), y_pred.copy(), k)
        except IndexError as err:
            raise Hint(
                f"your code raised IndexError ({err}): is C one class short? Labels 0 to K - 1 "
                "are K classes, so C has shape (K, K) = (num_classes, num_classes)"
            ) from None
        got = got.to_numpy() if hasattr(got, "to_numpy") else got
        _shape_hint(got, k, y_true, y_pred)
        expect_array(
            f"C for {len(y_true)} labels of {k} classes{special}",
            got,
            right,
            {
                "rows and columns are swapped (C is transposed): row i counts the images whose "
                "TRUE class is i, column j those PREDICTED as j": right.T,
                "C holds counts, not fractions: don't divide by the number of images": (
                    right / len(y_true)
                ),
                "each row is divided by its sum: C holds counts (a row-normalised matrix is "
                "for the picture, not for the scores)": right
                / np.maximum(right.sum(1), 1)[:, None],
                "every count is 0 or 1: C[y_true, y_pred] += 1 adds 1 once per distinct "
                "(true, predicted) pair, however often it occurs, because NumPy's fancy "
                "indexing does not accumulate. Loop over the pairs, or use "
                "np.add.at(C, (y_true, y_pred), 1)": (right > 0).astype(float),
            },
            rtol=0,
            atol=1e-9,
        )


def _check_scores(scores):
    for y_true, y_pred, k, special in _label_cases():
        cm = metrics.confusion_matrix(y_true, y_pred, num_classes=k)
        report = metrics.classification_report(y_true, y_pred, num_classes=k)
        got = answer(scores, cm.to_numpy().copy())
        if hasattr(got, "columns") or not isinstance(got, tuple | list) or len(got) != 3:
            raise Hint("scores should return three arrays: (precision, recall, f1), each (K,)")
        precision, recall, f1 = (np.asarray(v, dtype=float) for v in got)
        right = {n: report[n].to_numpy() for n in ("precision", "recall", "f1")}
        case = f" for {len(y_true)} labels of {k} classes{special}"
        for name, values, why in (
            ("precision", precision, "never predicted, so its column sums to 0"),
            ("recall", recall, "never occurs, so its row sums to 0"),
            ("f1", f1, "has precision and recall 0, so p + r is 0"),
        ):
            if np.shape(values) == (k,) and np.isnan(values).any():
                c = int(np.flatnonzero(np.isnan(values))[0])
                raise Hint(
                    f"{name} of class {c} is NaN{case}: class {c} {why}, and 0/0 is NaN. Define "
                    f"it as 0 there: np.divide(top, bottom, out=np.zeros(K), where=bottom > 0)"
                )
        p, r = right["precision"], right["recall"]
        swapped = "precision and recall are swapped: precision divides the diagonal by the "
        swapped += "COLUMN sums (all predicted k), recall by the ROW sums (all truly k)"
        expect_array("precision" + case, precision, p, {swapped: r}, rtol=0, atol=1e-9)
        expect_array("recall" + case, recall, r, {swapped: p}, rtol=0, atol=1e-9)
        with np.errstate(all="ignore"):
            arithmetic = (p + r) / 2
        expect_array(
            "f1" + case,
            f1,
            right["f1"],
            {"F1 is the harmonic mean 2 p r / (p + r), not the arithmetic mean (p + r) / 2": (
                arithmetic
            )},
            rtol=0,
            atol=1e-9,
        )  # fmt: skip


def confusion_and_scores(confusion, scores) -> Feedback:
    """Exercise 7.1: ``confusion(y_true, y_pred, num_classes)`` -> C (K, K), rows true and
    columns predicted; ``scores(C)`` -> (precision, recall, f1), three arrays of shape (K,),
    0 where a class is never predicted, never occurs, or both."""

    def attempt():
        _check_confusion(confusion)
        _check_scores(scores)
        return (
            "C, precision, recall and F1 agree with nnlib.metrics on 4 random label vectors and "
            "one small one, with classes never predicted and classes that never occur"
        )

    return run("Exercise 7.1 (confusion matrix and scores from scratch)", attempt)


# Exercise 7.2 --------------------------------------------------------------------------


def averages(averages_fn) -> Feedback:
    """Exercise 7.2: ``averages_fn(C)`` -> (micro_precision, micro_recall, macro_f1)."""

    def attempt():
        for rng in cases(seed=702, n=4):
            k = int(rng.integers(3, 11))
            sizes = rng.integers(5, 60, k)  # unbalanced classes: micro and macro differ
            y_true = np.repeat(np.arange(k), sizes)
            y_pred = np.where(
                rng.random(len(y_true)) < 0.75, y_true, rng.integers(0, k, len(y_true))
            )
            cm = metrics.confusion_matrix(y_true, y_pred, num_classes=k).to_numpy()
            report = metrics.classification_report(y_true, y_pred, num_classes=k)
            got = answer(averages_fn, cm.copy())
            if not isinstance(got, tuple | list) or len(got) != 3:
                raise Hint("return three numbers: (micro_precision, micro_recall, macro_f1)")
            accuracy = np.trace(cm) / cm.sum()
            p, r, f1 = (report[n].to_numpy() for n in ("precision", "recall", "f1"))
            for name, value, right, mistakes in (
                ("micro precision", got[0], accuracy, {
                    "that is the macro average, the mean of the per-class precisions; micro "
                    "pools the counts first: all true positives / all predictions": p.mean()}),
                ("micro recall", got[1], accuracy, {
                    "that is the macro average, the mean of the per-class recalls; micro "
                    "pools the counts first: all true positives / all true labels": r.mean()}),
                ("macro F1", got[2], f1.mean(), {
                    "that is the F1 of the macro precision and recall; macro F1 is the mean of "
                    "the per-class F1 scores": 2 * p.mean() * r.mean() / (p.mean() + r.mean()),
                    "that is weighted by class size; macro F1 is the plain mean of the "
                    "per-class F1 scores": np.average(f1, weights=report["support"]),
                    "that is the micro F1 (the accuracy); macro F1 is the mean of the per-class "
                    "F1 scores": accuracy}),
            ):  # fmt: skip
                expect_array(f"the {name} of a {k}-class matrix", value, right, mistakes, 0, 1e-9)
        return "4 random confusion matrices with unbalanced classes agree"

    return run("Exercise 7.2 (micro and macro averages)", attempt)


# Exercise 7.3 --------------------------------------------------------------------------


def _top_k(proba, y, k):
    top = np.argsort(-proba, axis=1, kind="stable")[:, :k]
    return float((top == y[:, None]).any(axis=1).mean())


def top_k(top_k_fn) -> Feedback:
    """Exercise 7.3: ``top_k_fn(proba, y, k)``, the fraction of rows whose true class is
    among the k most probable."""

    def attempt():
        for rng in cases(seed=703, n=4):
            n, classes = int(rng.integers(50, 200)), int(rng.integers(4, 11))
            proba = rng.dirichlet(np.full(classes, 0.5), n)  # (n, classes); no ties
            y = rng.integers(0, classes, n)
            for k in (1, 3, 2):
                got = answer(top_k_fn, proba.copy(), y.copy(), k)
                right = _top_k(proba, y, k)
                lowest = np.argsort(proba, axis=1)[:, :k]
                mistakes = {
                    "you took the k LEAST probable classes: np.argsort sorts in ascending "
                    "order, so the k most probable are its last k columns": (
                        (lowest == y[:, None]).any(axis=1).mean()
                    ),
                    "that is a count of rows; return the fraction": right * n,
                }
                if k > 1:
                    mistakes["that is the top-1 accuracy, whatever k"] = _top_k(proba, y, 1)
                mistakes["off by one: that is the top-(k - 1) accuracy"] = _top_k(proba, y, k - 1)
                mistakes["off by one: that is the top-(k + 1) accuracy"] = _top_k(proba, y, k + 1)
                expect_array(f"top-{k} accuracy of {n} rows", got, right, mistakes, 0, 1e-12)
        return "top-1, top-2 and top-3 accuracy agree on 4 random sets of probabilities"

    return run("Exercise 7.3 (top-k accuracy)", attempt)


# Exercise 7.4 --------------------------------------------------------------------------


def abstain(abstain_fn) -> Feedback:
    """Exercise 7.4: ``abstain_fn(confidence, correct, threshold)`` -> (coverage, accuracy):
    the fraction of images answered (confidence >= threshold) and the accuracy on them."""

    def attempt():
        for rng in cases(seed=704, n=4):
            n = int(rng.integers(40, 120))
            confidence = rng.integers(20, 101, n) / 100  # two decimals: some equal the threshold
            correct = rng.random(n) < confidence
            for threshold in (0.5, 0.9, 0.75):
                got = answer(abstain_fn, confidence.copy(), correct.copy(), threshold)
                if not isinstance(got, tuple | list) or len(got) != 2:
                    raise Hint("return two numbers: (coverage, accuracy)")
                answered = confidence >= threshold
                right = (answered.mean(), correct[answered].mean())
                strict = confidence > threshold
                case = f" with threshold {threshold} ({int((confidence == threshold).sum())} of "
                case += f"{n} confidences equal to it)"
                ge = "an image whose confidence equals the threshold is answered: >=, not >"
                expect_array("coverage" + case, got[0], right[0], {
                    ge: strict.mean(),
                    "coverage is a fraction of all images, not a count": answered.sum(),
                    "(coverage, accuracy) are swapped: coverage first": right[1],
                }, 0, 1e-12)  # fmt: skip
                expect_array("accuracy" + case, got[1], right[1], {
                    ge: correct[strict].mean(),
                    "that is the accuracy on ALL images; it should count only the answered "
                    "ones": correct.mean(),
                    "that is the number of right answers among the answered divided by all "
                    "images; divide by the number answered": correct[answered].sum() / n,
                }, 0, 1e-12)  # fmt: skip
        return "coverage and accuracy agree for 3 thresholds on 4 random sets, ties included"

    return run("Exercise 7.4 (knowing when to abstain)", attempt)

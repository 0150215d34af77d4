"""Checks for the exercises of notebook 10, the ladder."""

import numpy as np

from nnlib.course.checks import Feedback, answer, cases, expect_array, reveal, run
from nnlib.course.recipes import NearestMean

__all__ = ["nearest_mean", "gain_and_spread", "reveal"]


def _digits_like(rng, n_train: int, n_test: int, dim: int = 784):
    """Ten classes of 'images' in [0, 1]: a prototype per class, some inkier than others
    (as a 0 has more ink than a 1), plus noise. Every class appears in the training set."""
    prototypes = rng.random((10, dim)) * rng.uniform(0.2, 1.0, (10, 1))
    y_train = np.concatenate([np.arange(10), rng.integers(0, 10, n_train - 10)])
    y_test = rng.integers(0, 10, n_test)

    def draw(y):
        return np.clip(prototypes[y] + rng.normal(0, 0.35, (len(y), dim)), 0, 1)

    return draw(y_train), y_train, draw(y_test)


def nearest_mean(predict_fn) -> Feedback:
    """Exercise 10.1: ``predict_fn(x_train, y_train, x)``, the nearest-class-mean classifier.

    Shapes: x_train (M, 784), y_train (M,) with labels 0-9, x (N, 784). The mean image of
    class k is m_k = the mean of the rows of x_train labelled k, shape (10, 784) for all ten;
    the prediction for row n of x is the k whose m_k is closest to it in Euclidean distance,
    ``argmin_k ||x_n - m_k||``: shape (N,), integers.
    """

    def attempt():
        for rng in cases(seed=1001):
            x_train, y_train, x = _digits_like(rng, int(rng.integers(40, 120)), 25)
            right = NearestMean(x_train, y_train).predict(x)
            means = np.stack([x_train[y_train == k].mean(axis=0) for k in range(10)])
            distances = ((x[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)  # (N, 10)
            got = answer(predict_fn, x_train, y_train, x)
            mistakes = {
                "you returned the distances, one row per image; return the index of the "
                "smallest in each row (argmin over axis 1)": distances,
                "you took the argmin over axis 0, which picks an image for each class; take it "
                "over axis 1, the classes, to pick a class for each image": distances.argmin(0),
                "you picked the farthest mean: the prediction is the argmin of the distances, "
                "not the argmax": distances.argmax(axis=1),
                "you picked the mean with the largest dot product x . m_k, which favours inky "
                "classes: the squared distance is ||x||^2 - 2 x . m_k + ||m_k||^2, and the "
                "||m_k||^2 term matters": (x @ means.T).argmax(axis=1),
                "you used the Manhattan distance (sum of |x - m_k|); the classifier uses the "
                "Euclidean one (sum of squares)": np.abs(x[:, None] - means).sum(2).argmin(1),
            }
            expect_array("the predictions", got, right, mistakes, rtol=0, atol=0)
        return "5 random sets of ten classes give the same predictions as recipes.NearestMean"

    return run("Exercise 10.1 (the nearest class mean)", attempt)


def gain_and_spread(gain_fn) -> Feedback:
    """Exercise 10.2: ``gain_fn(before, after)`` -> (gain, spread) of two rungs.

    ``before`` and ``after`` hold one accuracy per seed, shape (n,). The gain is
    mean(after) - mean(before); the spread is sd(before) + sd(after) with the sample
    standard deviation (n - 1 in the denominator), as ``experiments.verdict`` computes them.
    """

    def attempt():
        for rng in cases(seed=1002):
            n = int(rng.integers(3, 6))
            before = rng.uniform(0.94, 0.96, n)
            after = before.mean() + rng.normal(0.004, 0.003, n)
            if rng.random() < 0.5:  # sometimes a step down
                before, after = after, before
            got = answer(gain_fn, before, after)
            sd_b, sd_a = before.std(ddof=1), after.std(ddof=1)
            gain = after.mean() - before.mean()
            mistakes = {
                "the gain is mean(after) - mean(before); yours has the opposite sign": (
                    -gain,
                    sd_b + sd_a,
                ),
                "np.std divides by n; the course's sd is the sample one, np.std(a, ddof=1)": (
                    gain,
                    before.std() + after.std(),
                ),
                "you combined the two sds in quadrature, sqrt(sd_b^2 + sd_a^2); "
                "experiments.verdict's rule of thumb adds them": (gain, np.hypot(sd_b, sd_a)),
                "the spread is the sd of 'after' only; add the sds of both rungs": (gain, sd_a),
                "the spread is the sd of 'before' only; add the sds of both rungs": (gain, sd_b),
                "the spread is sd(before) + sd(after), not the sd of the differences": (
                    gain,
                    (after - before).std(ddof=1),
                ),
            }
            expect_array("(gain, spread)", np.ravel(got), np.array([gain, sd_b + sd_a]), mistakes)
        return "5 random pairs of rungs agree with experiments.summary's mean and sd"

    return run("Exercise 10.2 (a gain, or noise?)", attempt)

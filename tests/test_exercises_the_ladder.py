"""Notebook 10's checks: typical wrong answers get the hint meant for them."""

import numpy as np
import pytest

from nnlib.course.checks import the_ladder as check


def class_means(x_train, y_train):
    return np.stack([x_train[y_train == k].mean(axis=0) for k in range(10)])


def squared_distances(x_train, y_train, x):
    means = class_means(x_train, y_train)
    return ((x[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)


def nearest_mean(x_train, y_train, x):
    return squared_distances(x_train, y_train, x).argmin(axis=1)


NEAREST_MEAN_MISTAKES = {
    "return the index of the smallest in each row": squared_distances,
    "take it over axis 1, the classes": lambda *a: squared_distances(*a).argmin(axis=0),
    "you picked the farthest mean": lambda *a: squared_distances(*a).argmax(axis=1),
    "the ||m_k||^2 term matters": lambda x_train, y_train, x: (
        x @ class_means(x_train, y_train).T
    ).argmax(axis=1),
    "you used the Manhattan distance": lambda x_train, y_train, x: (
        np.abs(x[:, None] - class_means(x_train, y_train)).sum(axis=2).argmin(axis=1)
    ),
    "fill in the function": lambda *a: None,  # the stub
}


def test_the_right_nearest_mean_passes():
    assert check.nearest_mean(nearest_mean).solved
    # the square root changes no argmin
    assert check.nearest_mean(lambda *a: np.sqrt(squared_distances(*a)).argmin(axis=1)).solved


@pytest.mark.parametrize("hint", NEAREST_MEAN_MISTAKES)
def test_a_typical_nearest_mean_mistake_gets_its_hint(hint):
    feedback = check.nearest_mean(NEAREST_MEAN_MISTAKES[hint])
    assert not feedback.solved
    assert hint in feedback.message, feedback


def test_class_means_over_the_wrong_axis_crash_with_a_one_line_report():
    def wrong_axis(x_train, y_train, x):
        means = np.stack([x_train[y_train == k].mean(axis=1) for k in range(10)])
        return ((x[:, None, :] - means[None]) ** 2).sum(axis=2).argmin(axis=1)

    feedback = check.nearest_mean(wrong_axis)
    assert feedback.status == "error", feedback
    assert feedback.message.startswith("your wrong_axis raised ValueError"), feedback


def gain_and_spread(before, after):
    return after.mean() - before.mean(), before.std(ddof=1) + after.std(ddof=1)


GAIN_MISTAKES = {
    "yours has the opposite sign": lambda b, a: (
        b.mean() - a.mean(),
        b.std(ddof=1) + a.std(ddof=1),
    ),
    "np.std(a, ddof=1)": lambda b, a: (a.mean() - b.mean(), b.std() + a.std()),
    "in quadrature": lambda b, a: (a.mean() - b.mean(), np.hypot(b.std(ddof=1), a.std(ddof=1))),
    "the sd of 'after' only": lambda b, a: (a.mean() - b.mean(), a.std(ddof=1)),
    "the sd of 'before' only": lambda b, a: (a.mean() - b.mean(), b.std(ddof=1)),
    "not the sd of the differences": lambda b, a: (a.mean() - b.mean(), (a - b).std(ddof=1)),
    "should be an array of shape (2,)": lambda b, a: "a real difference",
}


def test_the_right_gain_and_spread_passes():
    assert check.gain_and_spread(gain_and_spread).solved


@pytest.mark.parametrize("hint", GAIN_MISTAKES)
def test_a_typical_gain_mistake_gets_its_hint(hint):
    feedback = check.gain_and_spread(GAIN_MISTAKES[hint])
    assert not feedback.solved
    assert hint in feedback.message, feedback


def test_the_check_agrees_with_experiments_verdict():
    """The exercise's rule is verdict's: a real gain exceeds the summed sample sds."""
    import pandas as pd

    from nnlib.course import experiments

    before, after = np.array([0.951, 0.953, 0.955]), np.array([0.957, 0.960, 0.958])
    gain, spread = gain_and_spread(before, after)
    runs = pd.DataFrame({"rung": ["a"] * 3 + ["b"] * 3, "acc": [*before, *after]})
    stats = experiments.summary(runs, "rung", "acc")
    assert np.isclose(spread, stats["sd"].sum()) and np.isclose(gain, stats["mean"].diff().iloc[-1])
    assert "a real difference" in experiments.verdict(runs, "rung", "acc", "b", "a")

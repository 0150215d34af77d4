"""Notebook 02's checks: typical wrong answers get the hint meant for them."""

import numpy as np
import pytest

from nnlib.course.checks import normalization as check
from nnlib.preprocessing import Standardizer

# Exercise 2.1: the mean digit as a classifier


def class_means(x, y, num_classes=10):
    return np.stack([x[y == k].mean(axis=0) for k in range(num_classes)])


def predict(x, means):
    sq = (x**2).sum(axis=1, keepdims=True) - 2 * x @ means.T + (means**2).sum(axis=1)
    return sq.argmin(axis=1)


def distances(x, means):
    return ((x[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)


MEANS_MISTAKES = {
    "you averaged all pixels of each class into one number": lambda x, y, k: np.array(
        [x[y == c].mean() for c in range(k)]
    ),
    "every row is the mean of ALL images": lambda x, y, k: np.tile(x.mean(axis=0), (k, 1)),
    "it is transposed": lambda x, y, k: class_means(x, y, k).T,
}
PREDICT_MISTAKES = {
    "you picked the FARTHEST mean": lambda x, m: distances(x, m).argmax(axis=1),
    "you dropped ||m_k||^2": lambda x, m: (x @ m.T).argmax(axis=1),
    "argmin over the images (axis=0)": lambda x, m: distances(x, m).argmin(axis=0),
    "the distances to every mean": distances,
}


# Exercise 2.2: standardize with training statistics only


def standardize(x_train, x_val, min_std=0.01):
    mean = x_train.mean(axis=0)
    std = np.maximum(x_train.std(axis=0), min_std)
    return (x_train - mean) / std, (x_val - mean) / std


def own_statistics(x_train, x_val, min_std=0.01):
    return standardize(x_train, x_train, min_std)[0], standardize(x_val, x_val, min_std)[0]


def pooled(x_train, x_val, min_std=0.01):
    both = np.concatenate([x_train, x_val])
    return standardize(both, x_train, min_std)[1], standardize(both, x_val, min_std)[1]


def overall(x_train, x_val, min_std=0.01):
    mean, std = x_train.mean(), max(x_train.std(), min_std)
    return (x_train - mean) / std, (x_val - mean) / std


def per_image(x_train, x_val, min_std=0.01):
    def z(x):
        return (x - x.mean(1, keepdims=True)) / np.maximum(x.std(1, keepdims=True), min_std)

    return z(x_train), z(x_val)


def no_floor(x_train, x_val, min_std=0.01):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    return (x_train - mean) / std, (x_val - mean) / std


def tiny_epsilon(x_train, x_val, min_std=0.01):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-8
    return (x_train - mean) / std, (x_val - mean) / std


def zero_only(x_train, x_val, min_std=0.01):  # scikit-learn's way: a zero std becomes 1
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std[std == 0] = 1
    return (x_train - mean) / std, (x_val - mean) / std


def plus_min_std(x_train, x_val, min_std=0.01):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + min_std
    return (x_train - mean) / std, (x_val - mean) / std


def swapped(x_train, x_val, min_std=0.01):
    mean, std = x_train.mean(axis=0), np.maximum(x_train.std(axis=0), min_std)
    return (x_train - std) / mean, (x_val - std) / mean


def no_mean(x_train, x_val, min_std=0.01):
    std = np.maximum(x_train.std(axis=0), min_std)
    return x_train / std, x_val / std


def sample_std(x_train, x_val, min_std=0.01):
    mean, std = x_train.mean(axis=0), np.maximum(x_train.std(axis=0, ddof=1), min_std)
    return (x_train - mean) / std, (x_val - mean) / std


def in_place(x_train, x_val, min_std=0.01):
    mean, std = x_train.mean(axis=0), np.maximum(x_train.std(axis=0), min_std)
    x_train -= mean
    x_val -= mean
    return x_train / std, x_val / std


def reversed_order(x_train, x_val, min_std=0.01):
    return standardize(x_train, x_val, min_std)[::-1]


STANDARDIZE_MISTAKES = {
    "leakage: you standardized x_val with its OWN mean and std": own_statistics,
    "leakage: your mean and std come from x_train and x_val together": pooled,
    "one mean and one std for all pixels": overall,
    "each image with its own mean and std (axis=1)": per_image,
    "there is no floor on the std": no_floor,
    "divided by a tiny standard deviation": tiny_epsilon,
    "you replaced only a std of exactly 0": zero_only,
    "you divided by std + min_std": plus_min_std,
    "mean and std are swapped": swapped,
    "you forgot to subtract the mean": no_mean,
    "divides by N - 1 (ddof=1)": sample_std,
    "your in_place changed its argument x_train, the caller's array, in place": in_place,
    "return (z_train, z_val), in that order": reversed_order,
}


# Exercise 2.3: divide the weights instead of the inputs


def raw_equivalent(W, b):
    return W / 255, b


RAW_MISTAKES = {
    "you multiplied W by 255": lambda W, b: (W * 255, b),
    "W_raw is W unchanged": lambda W, b: (W, b),
    "you divided the bias by 255 too": lambda W, b: (W / 255, b / 255),
    "you multiplied the bias by 255": lambda W, b: (W / 255, b * 255),
    "return two arrays": lambda W, b: W / 255,
}


def test_the_right_answers_pass():
    assert check.nearest_mean(class_means, predict).solved
    assert check.standardize(standardize).solved
    assert check.raw_equivalent(raw_equivalent).solved


def test_standardizer_itself_passes_the_check():
    def with_nnlib(x_train, x_val, min_std=0.01):
        scaler = Standardizer(min_std).fit(x_train)
        return scaler.transform(x_train), scaler.transform(x_val)

    assert check.standardize(with_nnlib).solved


@pytest.mark.parametrize("hint", MEANS_MISTAKES)
def test_a_typical_class_means_mistake_gets_its_hint(hint):
    feedback = check.nearest_mean(MEANS_MISTAKES[hint], predict)
    assert feedback.status == "hint" and hint in feedback.message, feedback


@pytest.mark.parametrize("hint", PREDICT_MISTAKES)
def test_a_typical_nearest_mean_mistake_gets_its_hint(hint):
    feedback = check.nearest_mean(class_means, PREDICT_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


@pytest.mark.parametrize("hint", STANDARDIZE_MISTAKES)
def test_a_typical_standardizing_mistake_gets_its_hint(hint):
    with np.errstate(all="ignore"):
        feedback = check.standardize(STANDARDIZE_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


@pytest.mark.parametrize("hint", RAW_MISTAKES)
def test_a_typical_raw_weights_mistake_gets_its_hint(hint):
    feedback = check.raw_equivalent(RAW_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback

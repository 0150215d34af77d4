"""nnlib.preprocessing: scaling, standardizing, one-hot labels, splits and minibatches."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib.preprocessing import (
    Standardizer,
    as_rng,
    flatten,
    minibatches,
    one_hot,
    one_hot_decode,
    scale,
    train_val_split,
)


def test_as_rng_takes_a_seed_or_a_generator_but_not_none():
    rng = np.random.default_rng(1)
    assert as_rng(rng) is rng
    assert as_rng(7).integers(1000) == as_rng(7).integers(1000)
    assert as_rng(np.int64(7)).integers(1000) == as_rng(7).integers(1000)
    for bad in (None, 1.5, True, "0"):
        with pytest.raises(TypeError, match="expected an int seed or a numpy.random.Generator"):
            as_rng(bad)


# --- scale, flatten, Standardizer -----------------------------------------------------------


def test_scale_maps_0_255_to_0_1_as_float32():
    images = np.array([[[0, 51], [255, 128]]], dtype=np.uint8)
    x = scale(images)
    assert x.dtype == np.float32 and x.shape == images.shape
    np.testing.assert_allclose(x, [[[0, 0.2], [1, 128 / 255]]], rtol=1e-7)
    assert x.min() == 0 and x.max() == 1


def test_scale_requires_uint8():
    with pytest.raises(TypeError, match="expected uint8 images .*, got dtype float64"):
        scale(np.zeros((2, 3)))


def test_flatten():
    assert flatten(np.zeros((5, 28, 28), np.uint8)).shape == (5, 784)
    assert flatten(np.zeros((5, 784))).shape == (5, 784)
    with pytest.raises(ValueError, match=r"expected images of shape \(N, ...\), got shape \(5,\)"):
        flatten(np.zeros(5))


def test_standardizer_uses_the_training_statistics_only():
    rng = np.random.default_rng(0)
    train = rng.normal(3.0, 2.0, size=(2000, 4))
    test = rng.normal(-1.0, 5.0, size=(500, 4))
    s = Standardizer().fit(train)
    z_train, z_test = s.transform(train), s.transform(test)
    assert z_train.dtype == z_test.dtype == np.float32
    np.testing.assert_allclose(z_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(z_train.std(axis=0), 1, atol=1e-5)
    np.testing.assert_allclose(z_test, (test - train.mean(0)) / train.std(0), atol=1e-5)
    np.testing.assert_array_equal(Standardizer().fit_transform(train), z_train)


def test_standardizer_floors_the_std_of_constant_pixels():
    x = np.zeros((10, 2, 2), dtype=np.float32)  # works on images as well as rows
    x[:, 0, 0] = np.arange(10)
    z = Standardizer(min_std=0.01).fit(x).transform(x + 1)
    assert np.isfinite(z).all()
    np.testing.assert_allclose(z[:, 1, 1], 100)  # (1 - 0) / 0.01


def test_standardizer_errors():
    s = Standardizer()
    with pytest.raises(RuntimeError, match="not fitted"):
        s.transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"must be finite, got nan at index \(1, 2\)"):
        s.fit(np.array([[0, 1, 2], [3, 4, np.nan]]))
    s.fit(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"must be finite, got inf at index \(0, 0\)"):
        s.transform(np.array([[np.inf, 0, 0]]))
    with pytest.raises(
        ValueError, match=r"expected examples of shape \(3,\) as in fit, got \(4,\)"
    ):
        s.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="non-empty"):
        Standardizer().fit(np.zeros((0, 3)))


# --- one-hot ----------------------------------------------------------------------------------


def test_one_hot():
    Y = one_hot(np.array([2, 0, 9]))
    assert Y.shape == (3, 10) and Y.dtype == np.float32
    np.testing.assert_array_equal(Y.sum(axis=1), 1)
    np.testing.assert_array_equal(Y.argmax(axis=1), [2, 0, 9])
    assert one_hot(np.array([1], np.uint8), 3, dtype=np.float64).tolist() == [[0.0, 1.0, 0.0]]
    assert one_hot(np.array([], np.int64), 4).shape == (0, 4)


@given(
    labels=hnp.arrays(np.int64, st.integers(0, 50), elements=st.integers(0, 11)),
    extra=st.integers(0, 3),
)
def test_one_hot_decode_round_trip(labels, extra):
    Y = one_hot(labels, 12 + extra)
    decoded = one_hot_decode(Y, strict=True)
    assert decoded.dtype == np.int64
    np.testing.assert_array_equal(decoded, labels)


@pytest.mark.parametrize(
    ("labels", "error", "message"),
    [
        (np.array([0, 3, 10, 2]), ValueError, r"expected labels in 0\.\.9, got 10 at index 2"),
        (np.array([0, -1]), ValueError, r"expected labels in 0\.\.9, got -1 at index 1"),
        (np.array([0.0, 1.0]), TypeError, r"expected integer labels, got dtype float64"),
        (np.array([True, False]), TypeError, r"expected integer labels, got dtype bool"),
        (np.array([[0, 1]]), ValueError, r"expected a 1-D array of labels, got shape \(1, 2\)"),
    ],
    ids=["too-large", "negative", "float", "bool", "2-d"],
)
def test_one_hot_rejects_bad_labels(labels, error, message):
    with pytest.raises(error, match=message):
        one_hot(labels)


def test_one_hot_decode_checks():
    probabilities = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])
    np.testing.assert_array_equal(one_hot_decode(probabilities), [1, 0])
    with pytest.raises(ValueError, match=r"expected one-hot rows, got .* at row 0"):
        one_hot_decode(probabilities, strict=True)
    with pytest.raises(ValueError, match=r"at row 1"):
        one_hot_decode(np.array([[0, 1], [1, 1]]), strict=True)
    with pytest.raises(ValueError, match=r"expected a 2-D array \(N, K\).*got shape \(3,\)"):
        one_hot_decode(np.array([0, 1, 0]))


# --- train/validation split -------------------------------------------------------------------


def numbered(n):
    """x rows and labels that say which example they came from."""
    return np.arange(n * 2).reshape(n, 2), np.arange(n)


@pytest.mark.parametrize(("val_size", "n_val"), [(10, 10), (0.25, 25), (0.333, 33), (99, 99)])
def test_split_sizes_and_disjointness(val_size, n_val):
    x, y = numbered(100)
    x_tr, y_tr, x_val, y_val = train_val_split(x, y, val_size, rng=3)
    assert len(x_val) == len(y_val) == n_val and len(x_tr) == len(y_tr) == 100 - n_val
    np.testing.assert_array_equal(x_tr[:, 0] // 2, y_tr)  # rows still match their labels
    np.testing.assert_array_equal(x_val[:, 0] // 2, y_val)
    assert sorted(np.concatenate([y_tr, y_val]).tolist()) == list(range(100))


def test_split_is_seeded():
    x, y = numbered(50)
    a, b, c = (train_val_split(x, y, 0.2, rng=s)[3] for s in (1, 1, 2))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    same = train_val_split(x, y, 0.2, rng=np.random.default_rng(1))[3]
    np.testing.assert_array_equal(a, same)


@pytest.mark.parametrize(
    ("val_size", "message"),
    [
        (0, "leaves an empty part"),
        (10, "leaves an empty part"),
        (0.01, "leaves an empty part"),
        (1.0, r"expected val_size as a count or a fraction in \(0, 1\), got 1\.0"),
        (-0.5, "got -0.5"),
        (True, "got True"),
    ],
)
def test_split_rejects_bad_sizes(val_size, message):
    with pytest.raises(ValueError, match=message):
        train_val_split(*numbered(10), val_size)


def test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="x and y must have the same length, got 10 and 9"):
        train_val_split(np.zeros((10, 2)), np.zeros(9), 2)


# --- minibatches -----------------------------------------------------------------------------


def epoch(n=103, batch_size=10, rng=None, shuffle=True):
    x, y = numbered(n)
    batches = list(minibatches(x, y, batch_size, rng=rng, shuffle=shuffle))
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0] // 2, yb)  # rows stay with their labels
    return batches


def test_every_example_exactly_once_and_a_smaller_last_batch():
    batches = epoch(rng=np.random.default_rng(0))
    assert [len(yb) for _, yb in batches] == [10] * 10 + [3]
    order = np.concatenate([yb for _, yb in batches])
    assert sorted(order.tolist()) == list(range(103))
    assert order.tolist() != list(range(103))


def test_without_shuffle_the_order_is_kept():
    batches = epoch(batch_size=50, shuffle=False)
    assert np.concatenate([yb for _, yb in batches]).tolist() == list(range(103))


def test_shuffling_is_seeded_and_new_every_epoch():
    def orders(seed):
        rng = np.random.default_rng(seed)
        return [np.concatenate([yb for _, yb in epoch(rng=rng)]).tolist() for _ in range(2)]

    first, second = orders(5)
    assert orders(5) == [first, second]
    assert first != second
    assert orders(6)[0] != first


def test_minibatch_argument_errors_come_at_the_call():
    x, y = numbered(10)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="batch_size >= 1, got 0"):
        minibatches(x, y, 0, rng=rng)
    with pytest.raises(TypeError, match="expected an int batch_size, got 2.5"):
        minibatches(x, y, 2.5, rng=rng)
    with pytest.raises(ValueError, match="same length, got 10 and 9"):
        minibatches(x, y[:9], 2, rng=rng)
    with pytest.raises(TypeError, match="shuffle=True needs rng=numpy.random.Generator"):
        minibatches(x, y, 2, rng=0)


# --- degenerate arrays ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: scale(np.zeros((0, 28, 28), np.uint8)), ValueError, "images: expected a non-"),
        (lambda: scale(np.array([[True]])), TypeError, "images: expected uint8 images"),
        (lambda: flatten(np.zeros((0, 28, 28))), ValueError, "images: expected a non-empty"),
        (lambda: flatten(np.array([[np.nan, 0]])), ValueError, "images must be finite, got nan"),
        (lambda: flatten(np.array([["a", "b"]])), TypeError, "images: expected real numbers"),
        (lambda: flatten([[1, 2], [3]]), TypeError, "images: expected an array of numbers"),
        (lambda: Standardizer().fit(np.array([[1 + 1j]])), TypeError, "x: expected real numbers"),
        (lambda: Standardizer().fit(np.zeros(4)), ValueError, r"x: expected x of shape \(N, ...\)"),
        (lambda: Standardizer().fit(np.ones((2, 2))).transform(np.ones((0, 2))), ValueError,
         "x: expected a non-empty array"),
        (lambda: Standardizer(min_std=0), ValueError, "min_std: expected a positive finite"),
        (lambda: Standardizer(min_std=np.nan), ValueError, "min_std: expected a positive finite"),
        (lambda: one_hot(np.array([1, 2]), num_classes=2.0), TypeError, "an int num_classes"),
        (lambda: one_hot(np.array(["1"])), TypeError, "labels: expected integer labels"),
        (lambda: one_hot_decode(np.array([[0.2, np.nan]])), ValueError, "Y must be finite"),
        (lambda: one_hot_decode(np.array([[True, False]])), TypeError, "Y: expected real numbers"),
        (lambda: train_val_split(np.zeros((0, 2)), np.zeros(0), 1), ValueError, "x: expected a"),
        (lambda: train_val_split(np.array([[np.inf], [0]]), np.zeros(2), 1), ValueError,
         "x must be finite, got inf at index"),
        (lambda: train_val_split(*numbered(4)[:1], np.array([1, 2, 3, None]), 1), TypeError,
         "y: expected real numbers"),
        (lambda: minibatches(np.zeros((0, 2)), np.zeros(0), 2, shuffle=False), ValueError,
         "x: expected a non-empty array"),
        (lambda: minibatches(np.zeros((3, 2)), np.array(["a", "b", "c"]), 2, shuffle=False),
         TypeError, "y: expected real numbers"),
    ],
)  # fmt: skip
def test_degenerate_arrays_are_refused_with_one_line(call, error, message):
    with pytest.raises(error, match=message) as info:
        call()
    assert "\n" not in str(info.value)


def test_strict_decode_shows_a_long_row_on_one_line():
    Y = np.full((2, 784), 1 / 784)
    with pytest.raises(ValueError, match=r"^Y: expected one-hot rows, got \[0\.00127551 .* row 0$"):
        one_hot_decode(Y, strict=True)

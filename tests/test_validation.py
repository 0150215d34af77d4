"""nnlib.validation: the shared checks, their one-line messages and their cost."""

import numpy as np
import pytest

from nnlib import validation
from nnlib.validation import DTypeError


def test_a_dtype_error_is_both_a_type_error_and_a_value_error():
    with pytest.raises(TypeError):
        validation.real(np.array(["1", "2"]), "x")
    with pytest.raises(ValueError):
        validation.real(np.array([1 + 2j]), "x")


@pytest.mark.parametrize(
    "x",
    [
        np.array([True, False]),
        np.array([1 + 0j]),
        np.array(["0.5"]),
        np.array([1.0, 2.0], dtype=object),
        np.array(["2020-01-01"], dtype="datetime64[D]"),
        {"a": 1},
    ],
    ids=["bool", "complex", "str", "object", "datetime", "dict"],
)
def test_real_refuses_what_is_not_a_real_number(x):
    with pytest.raises(DTypeError, match=r"^x: expected real numbers \(integers or floats\), got"):
        validation.real(x, "x")


def test_ragged_lists_are_a_one_line_error():
    with pytest.raises(DTypeError, match=r"^x: expected an array of numbers, got a list") as info:
        validation.real([[1, 2], [3]], "x")
    assert "\n" not in str(info.value)


def test_finite_names_the_first_bad_entry():
    x = np.zeros((4, 3), np.float32)
    x[2, 1], x[3, 0] = np.inf, np.nan
    with pytest.raises(ValueError, match=r"^x must be finite, got inf at index \(2, 1\); NaN"):
        validation.finite(x, "x")
    with pytest.raises(ValueError, match=r"^y must be finite, got nan at index 1;"):
        validation.finite(np.array([0.0, np.nan]), "y")
    ints = np.arange(5)
    assert validation.finite(ints, "x") is ints


def test_finite_accepts_huge_values_whose_sum_overflows():
    x = np.full(10, np.finfo(np.float32).max, np.float32)
    assert validation.finite(x, "x") is x  # the sum is inf: the slow path must say "fine"


def test_empty_arrays_are_refused():
    with pytest.raises(ValueError, match=r"^x: expected a non-empty array, got shape \(0, 3\)"):
        validation.examples(np.zeros((0, 3)), "x")
    with pytest.raises(ValueError, match=r"got shape \(4, 0\)"):
        validation.examples(np.zeros((4, 0)), "x")


def test_inputs():
    x = np.ones((2, 3), np.float32)
    assert validation.inputs(x, 3) is x
    with pytest.raises(ValueError, match=r"^x: expected inputs of shape \(N, 3\), got \(2, 4\)"):
        validation.inputs(np.ones((2, 4)), 3)
    with pytest.raises(DTypeError, match="floating-point inputs .* got dtype uint8"):
        validation.inputs(np.ones((2, 3), np.uint8), 3)
    with pytest.raises(ValueError, match="non-empty"):
        validation.inputs(np.ones((0, 3)), 3)


@pytest.mark.parametrize(
    ("y", "error", "message"),
    [
        (np.array([1, 2, 9, 12]), ValueError, r"^y: expected labels in 0\.\.9, got 12 at index 3,"),
        (np.array([1, -2]), ValueError, r"^y: expected labels in 0\.\.9, got -2 at index 1$"),
        (np.array([1.0, 2.5]), DTypeError, r"^y: expected integer labels, got dtype float64"),
        (np.array([True]), DTypeError, r"^y: expected integer labels, got dtype bool"),
        (np.array([[1, 2]]), ValueError, r"^y: expected a 1-D array of labels, got shape \(1, 2\)"),
        (np.array([], np.int64), ValueError, r"^y: expected a non-empty array, got shape \(0,\)"),
    ],
    ids=["too-large", "negative", "float", "bool", "2-d", "empty"],
)
def test_labels(y, error, message):
    with pytest.raises(error, match=message):
        validation.labels(y, "y", 10)


def test_labels_without_a_class_count_must_be_non_negative():
    y = np.array([3, 99], np.uint8)
    assert validation.labels(y, "y") is y
    with pytest.raises(ValueError, match=r"expected labels >= 0, got -1 at index 0"):
        validation.labels(np.array([-1, 0]), "y")


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (np.array([[0.5, 0.5], [np.nan, 1.0]]), r"^y must be finite, got nan at index \(1, 0\)"),
        (np.array([[1.5, -0.5]]), r"^y: expected entries in \[0, 1\], got 1\.5 at index \(0, 0\)"),
        (np.array([[1.0, 0.0], [0.5, 0.0]]), r"^y: expected rows summing to 1, got 0\.5 at row 1"),
        (np.array([[1.0, 0.0, 0.0]]), r"^y: expected one-hot rows of shape \(N, 2\), got"),
        (np.array([[True, False]]), r"^y: expected real numbers"),
    ],
    ids=["nan", "outside", "sum", "width", "bool"],
)
def test_probabilities(y, message):
    with pytest.raises(ValueError, match=message):
        validation.probabilities(y, "y", 2)


def test_probabilities_accept_one_hot_and_soft_rows():
    smooth = np.float32(0.9) * np.eye(10, dtype=np.float32)[[3, 1]] + np.float32(0.01)
    assert validation.probabilities(smooth, "y", 10) is smooth
    assert validation.probabilities(np.eye(3, dtype=np.int64), "y").shape == (3, 3)


def test_targets_are_labels_or_rows():
    assert validation.targets([0, 2], 3).shape == (2,)
    assert validation.targets(np.eye(3)[[0, 2]], 3).shape == (2, 3)
    with pytest.raises(ValueError, match=r"labels of shape \(N,\) or one-hot rows \(N, 3\)"):
        validation.targets(np.zeros((2, 3, 1)), 3)


def test_same_length():
    with pytest.raises(ValueError, match=r"^x and y must have the same length, got 3 and 2 rows"):
        validation.same_length(np.zeros(3), np.zeros(2), "x", "y")


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (0, ValueError, "expected epochs >= 1, got 0"),
        (2.0, TypeError, "expected an int epochs, got 2.0"),
        (True, TypeError, "expected an int epochs, got True"),
        ("3", TypeError, "expected an int epochs, got '3'"),
    ],
)
def test_count(value, error, message):
    with pytest.raises(error, match=message):
        validation.count(value, "epochs")
    assert validation.count(np.int64(3), "epochs") == 3


def test_one_line_keeps_long_arrays_and_messages_short():
    text = validation.one_line(np.linspace(0, 1, 784))
    assert "\n" not in text and len(text) <= 80 and text.startswith("[0.")
    assert validation.one_line(ValueError("two\nlines")) == "two lines"

"""Checking the arrays a user passes in, once, where they enter nnlib.

Every public function that takes data (``fit``, ``evaluate``, ``Network.predict``,
the metrics, the preprocessing steps, ``persistence.load``) runs its arguments
through these checks first, so a wrong array fails at the call, not ten frames
deeper or, worse, not at all (NaN targets train a network into NaN without a word).
Each message is one line that names the argument, says what was expected and what
came:

    y: expected labels in 0..9, got 12 at index 3, which is not below num_classes=10
    x must be finite, got nan at index (3, 2); NaN and infinity are not allowed
    y: expected rows summing to 1, got a sum of 0.5 at row 7

Each check returns its argument as an array (``np.asarray``, no copy), so a caller
writes ``x = validation.inputs(x, net.n_in)``. Two kinds of error:

    DTypeError   the wrong kind of array: strings, objects, complex numbers, booleans
                 where numbers are expected, floats where class labels are
    ValueError   the right kind with the wrong shape, length or values: empty, NaN or
                 infinity, a label out of range, a target row that is no distribution

A check reads an array at most once or twice (a sum, a minimum, a maximum: no
temporary copies), so the 60,000 MNIST training images take about 10 ms, and
``fit`` checks its arrays once per call, never per minibatch.
"""

import numpy as np

#: How far a target row's sum may be from 1 (float32 rounding, soft targets).
ROW_SUM_TOLERANCE = 1e-3


class DTypeError(TypeError, ValueError):
    """An array of the wrong kind (dtype) for the argument it was passed as.

    A ``TypeError``; also a ``ValueError``, which nnlib raised for some of these
    before, so ``except ValueError`` keeps catching them.
    """


def as_array(x, name: str) -> np.ndarray:
    """``x`` as an array, or a one-line ``DTypeError`` when NumPy cannot make one (ragged lists)."""
    try:
        return np.asarray(x)
    except (ValueError, TypeError) as e:
        got = f"a {type(x).__name__} NumPy cannot convert ({one_line(e)})"
        raise DTypeError(f"{name}: expected an array of numbers, got {got}") from None


def real(x, name: str) -> np.ndarray:
    """``x`` as an array of real numbers: integers or floats (not bool, complex, str, object)."""
    x = as_array(x, name)
    if x.dtype.kind not in "iuf":
        raise DTypeError(f"{name}: expected real numbers (integers or floats), got dtype {x.dtype}")
    return x


def nonempty(x: np.ndarray, name: str) -> np.ndarray:
    """Refuse an array with no elements (N = 0 rows, or a zero-length feature axis)."""
    if x.size == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {x.shape}")
    return x


def finite(x: np.ndarray, name: str) -> np.ndarray:
    """Refuse NaN and infinity, naming the first one; integer arrays are always finite.

    A finite sum proves every entry finite (one NaN makes the sum NaN, one infinity
    makes it infinite or NaN), in one pass and without a temporary array. Only when
    the sum is not finite (or finite values overflowed it) is each entry looked at.
    """
    if x.dtype.kind != "f":
        return x
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(x.sum()):
            return x
    bad = ~np.isfinite(x)
    if bad.any():
        index = np.unravel_index(int(bad.argmax()), x.shape)
        raise ValueError(
            f"{name} must be finite, got {x[index]} at index {_index(index)}; "
            "NaN and infinity are not allowed"
        )
    return x


def same_length(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Refuse two arrays whose rows cannot be paired: row i of each describes example i."""
    if len(a) != len(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same length, got {len(a)} and {len(b)} rows; "
            "row i of each describes example i, so they need equal length"
        )


def count(value, name: str, minimum: int = 1) -> int:
    """An int (not bool, not float) of at least ``minimum``: a batch size, an epoch count."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"expected an int {name}, got {value!r}")
    if value < minimum:
        raise ValueError(f"expected {name} >= {minimum}, got {value}")
    return int(value)


def examples(x, name: str = "x", min_ndim: int = 1, values: bool = True) -> np.ndarray:
    """Data with one example per row: real numbers, at least ``min_ndim`` dimensions,
    non-empty and finite.

    ``values=False`` checks only the kind and the shape (no pass over the data), for
    callers that run every epoch on arrays ``fit`` has already checked.
    """
    x = real(x, name)
    if x.ndim < min_ndim:
        shape = "(N, ...)" if min_ndim >= 2 else "(N,) or (N, ...)"
        raise ValueError(f"{name}: expected {name} of shape {shape}, got shape {x.shape}")
    nonempty(x, name)
    return finite(x, name) if values else x


def inputs(x, n_features: int, name: str = "x") -> np.ndarray:
    """A batch of network inputs: shape (N, n_features) with N >= 1, floating point, finite."""
    x = as_array(x, name)
    if x.ndim != 2 or x.shape[1] != n_features:
        raise ValueError(f"{name}: expected inputs of shape (N, {n_features}), got {x.shape}")
    if x.dtype.kind != "f":
        raise DTypeError(
            f"{name}: expected floating-point inputs (scale images first), got dtype {x.dtype}"
        )
    nonempty(x, name)
    return finite(x, name)


def labels(y, name: str = "y", num_classes: int | None = None, allow_empty: bool = False):
    """Class labels: a 1-D integer array (not bool, not float), every entry in
    0..num_classes-1 (or >= 0 when ``num_classes`` is None).

    Floats are refused even when they look whole: floats in place of labels usually
    mean the wrong array (images, probabilities). Empty only with ``allow_empty``.
    """
    y = as_array(y, name)
    if y.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of labels, got shape {y.shape}")
    if y.dtype.kind not in "iu":
        raise DTypeError(f"{name}: expected integer labels, got dtype {y.dtype}")
    if not allow_empty:
        nonempty(y, name)
    if y.size == 0:
        return y
    too_big = num_classes is not None and y.max() >= num_classes
    if y.min() < 0 or too_big:
        bad = (y < 0) | (y >= num_classes) if num_classes is not None else y < 0
        i = int(bad.argmax())
        if num_classes is None:
            raise ValueError(f"{name}: expected labels >= 0, got {y[i]} at index {i}")
        why = f", which is not below num_classes={num_classes}" if y[i] >= num_classes else ""
        raise ValueError(
            f"{name}: expected labels in 0..{num_classes - 1}, got {y[i]} at index {i}{why}"
        )
    return y


def probabilities(y, name: str = "y", num_classes: int | None = None) -> np.ndarray:
    """Target rows (N, K): real numbers in [0, 1], each row summing to 1 within
    ``ROW_SUM_TOLERANCE``. One-hot rows pass, and so do soft targets (label smoothing).
    """
    y = real(y, name)
    k = "K" if num_classes is None else num_classes
    if y.ndim != 2 or y.shape[1] == 0 or (num_classes is not None and y.shape[1] != k):
        raise ValueError(f"{name}: expected one-hot rows of shape (N, {k}), got shape {y.shape}")
    finite(nonempty(y, name), name)
    if y.min() < 0 or y.max() > 1:
        index = np.unravel_index(int(((y < 0) | (y > 1)).argmax()), y.shape)
        raise ValueError(
            f"{name}: expected entries in [0, 1], got {y[index]} at index {_index(index)}"
        )
    sums = y.sum(axis=1, dtype=np.float64)
    off = np.abs(sums - 1) > ROW_SUM_TOLERANCE
    if off.any():
        i = int(off.argmax())
        raise ValueError(f"{name}: expected rows summing to 1, got {sums[i]:.6g} at row {i}")
    return y


def targets(y, num_classes: int, name: str = "y") -> np.ndarray:
    """What a network trains on: labels (N,) in 0..num_classes-1 (see ``labels``) or
    target rows (N, num_classes) (see ``probabilities``), N >= 1."""
    y = as_array(y, name)
    if y.ndim == 1:
        return labels(y, name, num_classes)
    if y.ndim == 2:
        return probabilities(y, name, num_classes)
    raise ValueError(
        f"{name}: expected labels of shape (N,) or one-hot rows (N, {num_classes}), "
        f"got shape {y.shape}"
    )


def one_line(value, limit: int = 80) -> str:
    """``value`` (an exception, an array, any object) as one short line for a message."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, max_line_width=10**6, threshold=20)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _index(index: tuple) -> int | tuple:
    """An index as people write it: 3 for a 1-D array, (3, 2) for a 2-D one."""
    index = tuple(int(i) for i in index)
    return index[0] if len(index) == 1 else index

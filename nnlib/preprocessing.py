"""From raw arrays to what a network trains on.

    scale            uint8 images 0..255  ->  float32 in [0, 1], same shape
    flatten          images (N, 28, 28)   ->  rows (N, 784)
    Standardizer     per-pixel mean 0, std 1, with statistics from the training set only
    one_hot          labels (N,) in 0..K-1  ->  (N, K) rows with a single 1
    one_hot_decode   (N, K)  ->  labels (N,), the column of each row's largest entry
    train_val_split  a seeded shuffle, then a validation set cut off the training set
    minibatches      (x, y) batches covering every example once per epoch

All randomness comes from a ``numpy.random.Generator``; ``as_rng`` makes one from a seed.
Every function checks its arrays first (``nnlib.validation``): empty arrays, NaN or
infinity, strings or booleans where numbers belong are refused with a one-line error.
"""

from collections.abc import Iterator

import numpy as np

from nnlib import validation


def as_rng(seed: np.random.Generator | int = 0) -> np.random.Generator:
    """A Generator seeded with ``seed``, or ``seed`` itself if it already is one.

    Passing a Generator shares its state (each call draws new numbers); passing the
    same int twice gives two identical generators. ``None`` is refused: an unseeded
    run could not be repeated.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, int | np.integer) and not isinstance(seed, bool):
        return np.random.default_rng(seed)
    raise TypeError(f"expected an int seed or a numpy.random.Generator, got {seed!r}")


def scale(images: np.ndarray) -> np.ndarray:
    """Pixels 0..255 as float32 in [0, 1] (x / 255); the shape is kept. Requires uint8."""
    images = validation.as_array(images, "images")
    if images.dtype != np.uint8:
        raise validation.DTypeError(
            f"images: expected uint8 images (pixels 0..255), got dtype {images.dtype}"
        )
    images = validation.examples(images, "images")
    return images.astype(np.float32) / 255


def flatten(images: np.ndarray) -> np.ndarray:
    """Each image as one row: (N, 28, 28) -> (N, 784). A (N, D) array is returned as is."""
    images = validation.examples(images, "images", min_ndim=2)
    return images.reshape(len(images), -1)


class Standardizer:
    """Shifts and scales every feature (pixel) to mean 0 and standard deviation 1.

    ``fit(x_train)`` learns one mean and one std per feature from the training set
    only; ``transform`` applies those same numbers to any split. (Statistics from the
    validation or test set would leak held-out data into training.)

    Some MNIST pixels are 0 in every training image (std 0) and some are nonzero in
    only a few (std ~ 0.001): dividing by such a std would blow a test image's stray
    ink up to thousands. So the std is floored at ``min_std`` (0.01 suits data scaled
    to [0, 1]); constant pixels become 0. Output is float32 of the input's shape.
    """

    def __init__(self, min_std: float = 0.01):
        number = isinstance(min_std, int | float | np.number) and not isinstance(min_std, bool)
        if not (number and 0 < min_std < np.inf):
            raise ValueError(f"min_std: expected a positive finite number, got {min_std!r}")
        self.min_std = min_std
        self.mean: np.ndarray | None = None  # float32, shape of one example
        self.std: np.ndarray | None = None

    def fit(self, x: np.ndarray) -> "Standardizer":
        """Learn the per-feature mean and (floored) std of ``x`` (N, ...)."""
        x = validation.examples(x, "x", min_ndim=2)
        self.mean = x.mean(axis=0, dtype=np.float64).astype(np.float32)
        std = x.std(axis=0, dtype=np.float64)
        self.std = np.maximum(std, self.min_std).astype(np.float32)
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        """``(x - mean) / std`` with the training statistics, as float32."""
        if self.mean is None:
            raise RuntimeError("this Standardizer is not fitted yet: call fit(x_train) first")
        x = validation.real(x, "x")
        if x.ndim != self.mean.ndim + 1 or x.shape[1:] != self.mean.shape:
            raise ValueError(
                f"x: expected examples of shape {self.mean.shape} as in fit, got {x.shape[1:]}"
            )
        validation.finite(validation.nonempty(x, "x"), "x")
        return (x.astype(np.float32) - self.mean) / self.std

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        """``fit(x)``, then ``transform(x)``."""
        return self.fit(x).transform(x)


def one_hot(labels: np.ndarray, num_classes: int = 10, dtype=np.float32) -> np.ndarray:
    """Labels (N,) in 0..K-1 as rows (N, K): row i is all zeros except a 1 in column labels[i].

    The labels must be a 1-D integer array (not float, not bool); no labels give (0, K).
    """
    num_classes = validation.count(num_classes, "num_classes")
    labels = validation.labels(labels, "labels", num_classes, allow_empty=True)
    Y = np.zeros((len(labels), num_classes), dtype=dtype)
    Y[np.arange(len(labels)), labels] = 1
    return Y


def one_hot_decode(Y: np.ndarray, strict: bool = False) -> np.ndarray:
    """Rows (N, K) back to labels (N,) int64: the column of each row's largest entry.

    Works on network outputs (probabilities) too. ``strict=True`` also checks that
    every row is exactly one-hot: a single 1, zeros elsewhere.
    """
    Y = validation.real(Y, "Y")
    if Y.ndim != 2 or Y.shape[1] == 0:
        raise ValueError(f"Y: expected a 2-D array (N, K) with K >= 1, got shape {Y.shape}")
    validation.finite(Y, "Y")
    if strict:
        bad = np.flatnonzero(((Y != 0) & (Y != 1)).any(axis=1) | (Y.sum(axis=1) != 1))
        if bad.size:
            row = validation.one_line(Y[bad[0]])
            raise ValueError(f"Y: expected one-hot rows, got {row} at row {bad[0]}")
    return Y.argmax(axis=1).astype(np.int64)


def train_val_split(
    x: np.ndarray, y: np.ndarray, val_size: int | float, rng: np.random.Generator | int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle ``(x, y)`` with ``rng`` and cut off a validation set.

    ``val_size`` is a count (int) or a fraction in (0, 1), rounded to a count; both
    parts must be non-empty. Returns ``(x_train, y_train, x_val, y_val)``, each in
    shuffled order, disjoint, together every example once. Same seed, same split.
    """
    x, y = validation.examples(x, "x"), validation.examples(y, "y")
    validation.same_length(x, y, "x", "y")
    n = len(x)
    if isinstance(val_size, float) and 0 < val_size < 1:
        n_val = round(val_size * n)
    elif isinstance(val_size, int | np.integer) and not isinstance(val_size, bool):
        n_val = int(val_size)
    else:
        raise ValueError(f"expected val_size as a count or a fraction in (0, 1), got {val_size!r}")
    if not 0 < n_val < n:
        raise ValueError(f"val_size={val_size!r} of {n} examples leaves an empty part")
    order = as_rng(rng).permutation(n)
    train, val = order[n_val:], order[:n_val]
    return x[train], y[train], x[val], y[val]


def minibatches(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    rng: np.random.Generator | None = None,
    shuffle: bool = True,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One epoch of ``(xb, yb)`` batches: every example exactly once, the last batch
    possibly smaller.

    With ``shuffle`` (the default) the order is a fresh permutation drawn from ``rng``,
    which must be a Generator kept across epochs: an int seed would give every epoch
    the same order. Arguments are checked at the call, not at the first batch: their
    kinds and shapes only, since ``fit`` calls this every epoch with checked arrays.
    """
    x = validation.examples(x, "x", values=False)
    y = validation.examples(y, "y", values=False)
    validation.same_length(x, y, "x", "y")
    batch_size = validation.count(batch_size, "batch_size")
    if shuffle and not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"shuffle=True needs rng=numpy.random.Generator (kept across epochs), got {rng!r}"
        )
    order = rng.permutation(len(x)) if shuffle else None
    return _batches(x, y, batch_size, order)


def _batches(x, y, batch_size: int, order: np.ndarray | None):
    for start in range(0, len(x), batch_size):
        if order is None:
            yield x[start : start + batch_size], y[start : start + batch_size]
        else:
            rows = order[start : start + batch_size]  # the shuffled indices of this batch
            # x.take(rows, axis=0) is x[rows], minus the overhead of general fancy
            # indexing: a few microseconds per step, which counts at batch size 10.
            yield x.take(rows, axis=0), y.take(rows, axis=0)

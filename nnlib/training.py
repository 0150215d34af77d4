"""Training: minibatch stochastic gradient descent, epoch by epoch.

One epoch shuffles the training set, cuts it into minibatches and, for each,
runs forward, loss, backward and one optimizer step. ``fit`` records per epoch:

    loss, accuracy          running averages over the epoch's minibatches
                            (the network changes during the epoch; no second pass)
    val_loss, val_accuracy  on the validation set after the epoch, if one is given
    seconds                 the training pass alone (validation excluded)

Both check their arrays once per call (``nnlib.validation``): inputs (N, n_in) of
finite floats, N >= 1, and labels in 0..K-1 or target rows of probabilities.
"""

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from nnlib import validation
from nnlib.network import Network
from nnlib.optimizers import Optimizer
from nnlib.preprocessing import as_rng, minibatches, one_hot

HISTORY_COLUMNS = ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds"]


def _targets(y, net: Network) -> np.ndarray:
    """One-hot targets (N, K) in the network's dtype, from labels (N,) or target rows (N, K)."""
    y = validation.targets(y, net.n_out)
    if y.ndim == 1:
        return one_hot(y, net.n_out, dtype=net.dtype)
    return y.astype(net.dtype, copy=False)


def _checked(net: Network, x, y) -> tuple[np.ndarray, np.ndarray]:
    """``x`` as the network's inputs and ``y`` as one-hot targets, both checked."""
    x = validation.inputs(x, net.n_in)
    targets = _targets(y, net)
    validation.same_length(x, targets, "x", "y")
    return x, targets


def evaluate(net: Network, x, y, batch_size: int = 10_000) -> tuple[float, float]:
    """(mean loss, accuracy) of ``net`` on inputs ``x`` and labels (or one-hot rows) ``y``."""
    x, targets = _checked(net, x, y)
    return _evaluate(net, x, targets, validation.count(batch_size, "batch_size"))


def _evaluate(net: Network, x, targets, batch_size: int = 10_000) -> tuple[float, float]:
    """``evaluate`` on arrays already checked: one forward pass, batch by batch."""
    total, correct = 0.0, 0
    for i in range(0, len(x), batch_size):
        out, yb = net.forward(x[i : i + batch_size]), targets[i : i + batch_size]
        total += net.loss(out, yb) * len(out)
        correct += int((out.argmax(axis=1) == yb.argmax(axis=1)).sum())
    return total / len(x), correct / len(x)


def fit(
    net: Network,
    x,
    y,
    *,
    optimizer: Optimizer,
    epochs: int = 10,
    batch_size: int = 32,
    rng=0,
    validation_data: tuple | None = None,
    validation_label: str = "validation",
    lr_schedule: Callable[[int], float] | None = None,
    verbose: bool = True,
) -> pd.DataFrame:
    """Train ``net`` on ``x`` (N, n_in) with labels ``y`` (N,) or one-hot (N, K).

    ``rng`` (a seed or ``numpy.random.Generator``) shuffles the minibatches;
    ``lr_schedule(epoch)``, if given, sets the learning rate at the start of each
    epoch (epochs count from 1). Returns the history, one row per epoch, with
    the columns ``HISTORY_COLUMNS``. Same network, data and seed: same result.

    ``validation_data`` is held-out ``(x, y)`` evaluated after each epoch, in the
    columns val_loss and val_accuracy; ``validation_label`` says what it is, for the
    plots (``history.attrs["validation_label"]``). Choices are made on a validation
    split; the test set is for one final evaluation, after every choice is made.
    """
    epochs = validation.count(epochs, "epochs")
    batch_size = validation.count(batch_size, "batch_size")
    x, targets = _checked(net, x, y)
    x = x.astype(net.dtype, copy=False)
    if validation_data is not None:
        validation_data = _checked(net, *_pair(validation_data))
    rng = as_rng(rng)
    # Weight decay treats weight matrices and biases differently, so it needs the arrays
    # one by one; otherwise step the flat vector they are all views of, in one go.
    params, grads = (
        (net.params, net.grads) if optimizer.weight_decay else ([net.flat_params], [net.flat_grads])
    )
    history = []
    for epoch in range(1, epochs + 1):
        if lr_schedule is not None:
            optimizer.lr = _learning_rate(lr_schedule, epoch)
        total, correct = 0.0, 0
        start = time.perf_counter()
        for xb, yb in minibatches(x, targets, batch_size, rng=rng):
            loss, out = net.gradient(xb, yb)
            optimizer.step(params, grads)
            total += loss * len(xb)
            correct += np.count_nonzero(out.argmax(axis=1) == yb.argmax(axis=1))
        seconds = time.perf_counter() - start
        row = {"epoch": epoch, "loss": total / len(x), "accuracy": correct / len(x)}
        row["val_loss"], row["val_accuracy"] = (
            _evaluate(net, *validation_data) if validation_data is not None else (np.nan, np.nan)
        )
        row["seconds"] = seconds
        history.append(row)
        if verbose:
            print(format_epoch(row, epochs), flush=True)
    history = pd.DataFrame(history, columns=HISTORY_COLUMNS)
    history.attrs["validation_label"] = validation_label
    return history


def _pair(validation_data) -> tuple:
    """``(x_val, y_val)`` from ``validation_data``, or a one-line error."""
    if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
        raise TypeError(
            f"validation_data: expected a pair (x_val, y_val), got {type(validation_data).__name__}"
        )
    return tuple(validation_data)


def _learning_rate(lr_schedule: Callable[[int], float], epoch: int) -> float:
    """``lr_schedule(epoch)``, refused unless it is a positive finite number."""
    lr = lr_schedule(epoch)
    number = isinstance(lr, int | float | np.integer | np.floating) and not isinstance(lr, bool)
    if not (number and 0 < lr < np.inf):
        raise ValueError(f"lr_schedule({epoch}): expected a positive finite rate, got {lr!r}")
    return float(lr)


def format_epoch(row: dict, epochs: int) -> str:
    """One progress line, e.g. 'epoch 3/10  loss 0.1234  acc 96.51%  val ...  1.2s'."""
    line = f"epoch {row['epoch']}/{epochs}  loss {row['loss']:.4f}  acc {row['accuracy']:.2%}"
    if not np.isnan(row["val_loss"]):
        line += f"  val_loss {row['val_loss']:.4f}  val_acc {row['val_accuracy']:.2%}"
    return line + f"  {row['seconds']:.1f}s"

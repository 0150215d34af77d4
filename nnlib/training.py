"""Training: minibatch stochastic gradient descent, epoch by epoch.

One epoch shuffles the training set, cuts it into minibatches and, for each,
runs forward, loss, backward and one optimizer step. ``fit`` records per epoch:

    loss, accuracy          running averages over the epoch's minibatches
                            (the network changes during the epoch; no second pass)
    val_loss, val_accuracy  on the validation set after the epoch, if one is given
    seconds                 the training pass alone (validation excluded)
"""

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from nnlib.network import Network, _check_inputs
from nnlib.optimizers import Optimizer
from nnlib.preprocessing import as_rng, minibatches, one_hot

HISTORY_COLUMNS = ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds"]


def _targets(y, net: Network) -> tuple[np.ndarray, np.ndarray]:
    """(one-hot targets, integer labels) from integer labels or one-hot rows."""
    y = np.asarray(y)
    if y.ndim == 1:
        return one_hot(y, net.n_out, dtype=net.dtype), y.astype(np.int64)
    if y.ndim == 2 and y.shape[1] == net.n_out:
        return y.astype(net.dtype, copy=False), y.argmax(axis=1)
    raise ValueError(f"expected labels of shape (N,) or one-hot (N, {net.n_out}), got {y.shape}")


def evaluate(net: Network, x, y, batch_size: int = 10_000) -> tuple[float, float]:
    """(mean loss, accuracy) of ``net`` on inputs ``x`` and labels ``y``."""
    x = _check_inputs(x, net.n_in)
    targets, labels = _targets(y, net)
    if len(x) != len(labels):
        raise ValueError(f"x has {len(x)} rows but y has {len(labels)}")
    total, correct = 0.0, 0
    for i in range(0, len(x), batch_size):
        out = net.forward(x[i : i + batch_size])
        total += net.loss(out, targets[i : i + batch_size]) * len(out)
        correct += int((out.argmax(axis=1) == labels[i : i + batch_size]).sum())
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
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs} and {batch_size}")
    x = _check_inputs(x, net.n_in).astype(net.dtype, copy=False)
    targets, _ = _targets(y, net)
    if len(x) != len(targets):
        raise ValueError(f"x has {len(x)} rows but y has {len(targets)}")
    rng = as_rng(rng)
    # Weight decay treats weight matrices and biases differently, so it needs the arrays
    # one by one; otherwise step the flat vector they are all views of, in one go.
    params, grads = (
        (net.params, net.grads) if optimizer.weight_decay else ([net.flat_params], [net.flat_grads])
    )
    history = []
    for epoch in range(1, epochs + 1):
        if lr_schedule is not None:
            optimizer.lr = float(lr_schedule(epoch))
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
            evaluate(net, *validation_data) if validation_data is not None else (np.nan, np.nan)
        )
        row["seconds"] = seconds
        history.append(row)
        if verbose:
            print(format_epoch(row, epochs), flush=True)
    history = pd.DataFrame(history, columns=HISTORY_COLUMNS)
    history.attrs["validation_label"] = validation_label
    return history


def format_epoch(row: dict, epochs: int) -> str:
    """One progress line, e.g. 'epoch 3/10  loss 0.1234  acc 96.51%  val ...  1.2s'."""
    line = f"epoch {row['epoch']}/{epochs}  loss {row['loss']:.4f}  acc {row['accuracy']:.2%}"
    if not np.isnan(row["val_loss"]):
        line += f"  val_loss {row['val_loss']:.4f}  val_acc {row['val_accuracy']:.2%}"
    return line + f"  {row['seconds']:.1f}s"

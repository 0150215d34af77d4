"""What every system trains on: the data, the initial weights and the minibatch order.

``python -m benchmarks.workload FOLDER [--examples N]`` prepares the data (the
orchestrator runs it as a separate process, so that its own memory stays small:
on Linux a child process starts with its parent's peak RSS as its ``ru_maxrss``).

Fairness lives here, in one place:

* data: MNIST scaled to [0, 1] float32 rows, prepared once by the orchestrator
  (``prepare_data``) and read by every worker process (``load_data``), so data
  loading is never timed and every system sees the same arrays;
* initial weights: nnlib's, drawn by ``nnlib.mlp`` with the round's seed
  (``initial_params``); the other systems copy them;
* minibatch order: each epoch's order is ``rng.permutation(n)`` from
  ``numpy.random.default_rng(seed)``, exactly what ``nnlib.fit`` draws, so every
  system visits the examples in the same order (``EpochOrders``).
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks.configs import Config

ARRAYS = ("x_train", "y_train", "x_test", "y_test")


@dataclass
class Data:
    """Training rows ``x_train`` (N, 784) float32 with labels ``y_train`` (N,) int64, and the
    same for the test set; ``targets`` are the one-hot training labels (N, 10) float32."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    targets: np.ndarray = field(init=False)

    def __post_init__(self):
        self.targets = np.eye(10, dtype=np.float32)[self.y_train]


def mnist_arrays(examples: int | None = None) -> dict[str, np.ndarray]:
    """MNIST loaded with nnlib, scaled to [0, 1] float32 rows, with int64 labels: the
    four ``ARRAYS``, keeping the first ``examples`` training images (all if None)."""
    from nnlib import data, preprocessing

    x_train, y_train, x_test, y_test = data.load_mnist()
    if examples is not None:
        x_train, y_train = x_train[:examples], y_train[:examples]
    return {
        "x_train": preprocessing.flatten(preprocessing.scale(x_train)),
        "y_train": y_train.astype(np.int64),
        "x_test": preprocessing.flatten(preprocessing.scale(x_test)),
        "y_test": y_test.astype(np.int64),
    }


def prepare_data(folder: Path, examples: int | None = None) -> dict:
    """Save ``mnist_arrays(examples)`` as .npy files in ``folder``. Returns their shapes."""
    arrays = mnist_arrays(examples)
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", np.ascontiguousarray(array))
    return {name: list(array.shape) for name, array in arrays.items()}


def load_data(folder: Path) -> Data:
    """The arrays ``prepare_data`` saved."""
    return Data(*(np.load(Path(folder) / f"{name}.npy") for name in ARRAYS))


def initial_params(config: Config, seed: int) -> list[np.ndarray]:
    """nnlib's initial ``[W1, b1, W2, b2]`` for ``config`` (W of shape (n_in, n_out))."""
    return [p.copy() for p in build_nnlib_network(config, seed).params]


def build_nnlib_network(config: Config, seed: int):
    """The nnlib network of ``config``, initialized from ``seed``."""
    from nnlib import mlp

    return mlp(
        config.sizes,
        activation=config.activation,
        output=config.output,
        loss=config.loss,
        init=config.init,
        dropout=config.dropout,
        rng=seed,
    )


class EpochOrders:
    """Each epoch's minibatch order: ``rng.permutation(n)`` from one Generator, as in
    ``nnlib.fit``. Systems call ``next_order`` inside their timed pass (shuffling is
    part of the training pass for every system alike)."""

    def __init__(self, seed: int, n: int):
        self.rng = np.random.default_rng(seed)
        self.n = n

    def next_order(self) -> np.ndarray:
        return self.rng.permutation(self.n)


def steps_per_epoch(n: int, batch_size: int) -> int:
    """Optimizer steps in one epoch: the last minibatch may be smaller."""
    return -(-n // batch_size)


def main(argv=None):
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Prepare the benchmark's data as .npy files.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--examples", type=int, help="first N training images (default: all)")
    args = parser.parse_args(argv)
    print(json.dumps(prepare_data(args.folder, args.examples)))


if __name__ == "__main__":
    main()

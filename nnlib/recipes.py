"""The course's recipes: the rungs of the ladder from 85% to 98.7%, and its best network.

A recipe is a network and how to train it, as plain data. ``LADDER`` climbs from a
classifier with no learning at all to the course's best network, one change per rung;
notebook 10 measures every rung on three seeds and ``python -m nnlib ladder`` writes
the table the README and the notebooks quote. ``BEST``, the top rung, is the network
notebook 11 reads your handwriting with (``best_network`` trains it once and keeps it).

Every choice here was made on the validation split (``mnist_split``: the last 5,000 of
a seeded shuffle of the 60,000 training images), never on the test set.
"""

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from nnlib import data, optimizers, persistence, preprocessing
from nnlib.network import Network, mlp
from nnlib.training import evaluate, fit


@dataclass(frozen=True)
class Recipe:
    """A network (``sizes``, activations, loss, initialization, dropout) and its training
    (optimizer, learning rate decayed by ``lr_decay`` per epoch, batch size, epochs).
    ``kind='nearest_mean'`` is the rung below learning: no network at all."""

    name: str
    change: str  # what this rung changes, in a few words
    sizes: tuple[int, ...] = (784, 30, 10)
    activation: str = "sigmoid"
    output: str = "sigmoid"
    loss: str = "mse"
    init: str = "normal"
    dropout: float = 0.0
    optimizer: str = "sgd"
    lr: float = 3.0
    lr_decay: float = 1.0
    batch_size: int = 10
    epochs: int = 30
    kind: str = "network"

    def network(self, seed: int) -> Network:
        return mlp(
            self.sizes,
            activation=self.activation,
            output=self.output,
            loss=self.loss,
            init=self.init,
            dropout=self.dropout,
            rng=seed,
        )


_NIELSEN = Recipe("784-30-10 sigmoid, quadratic loss, N(0, 1)", "a network: Nielsen's chapter 1")
_SCALED = replace(_NIELSEN, name="... with N(0, 1/n) weights", change="better initialization",
                  init="normal_scaled")  # fmt: skip
_CROSS = replace(_SCALED, name="... with cross-entropy", change="cross-entropy loss",
                 loss="cross_entropy", lr=0.5)  # fmt: skip
_RELU = replace(_CROSS, name="784-30-10 ReLU + He, softmax", change="ReLU units, He init",
                activation="relu", output="softmax", init="he", lr=0.1)  # fmt: skip
_ADAM = replace(_RELU, name="... with Adam and a decaying rate", change="Adam + schedule",
                optimizer="adam", lr=0.003, lr_decay=0.8, batch_size=128, epochs=15)  # fmt: skip
_WIDE = replace(_ADAM, name="784-800-800-10", change="width and depth", sizes=(784, 800, 800, 10),
                lr=0.002, epochs=10)  # fmt: skip
BEST = replace(_WIDE, name="784-800-800-10 with dropout 0.3", change="dropout", dropout=0.3)

LADDER = [
    Recipe("nearest class mean", "no learning: the closest mean digit", kind="nearest_mean"),
    replace(
        _RELU,
        name="softmax regression (784-10)",
        change="one layer of weights, learned",
        sizes=(784, 10),
        lr=0.5,
        epochs=10,
    ),  # fmt: skip
    _NIELSEN,
    _SCALED,
    _CROSS,
    _RELU,
    _ADAM,
    _WIDE,
    BEST,
]


def mnist_split(data_dir=None) -> dict[str, np.ndarray]:
    """MNIST for the recipes: 55,000 training and 5,000 validation images (a shuffle with
    seed 0, the same for every recipe and seed), and the 10,000 test images. Images are
    float32 rows in [0, 1]; labels int64."""
    x_train, y_train, x_test, y_test = data.load_mnist(data_dir)
    x_train, x_test = (preprocessing.scale(preprocessing.flatten(x)) for x in (x_train, x_test))
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    x_train, y_train, x_val, y_val = preprocessing.train_val_split(x_train, y_train, 5000, rng=0)
    return {"x_train": x_train, "y_train": y_train, "x_val": x_val, "y_val": y_val,
            "x_test": x_test, "y_test": y_test}  # fmt: skip


class NearestMean:
    """Predicts the class whose mean training image is closest (Euclidean distance)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, num_classes: int = 10):
        self.means = np.stack([x[y == k].mean(axis=0) for k in range(num_classes)])

    def predict(self, x: np.ndarray) -> np.ndarray:
        # ||x - m||^2 = ||x||^2 - 2 x.m + ||m||^2; ||x||^2 is the same for every class.
        return np.argmin(-2 * x @ self.means.T + (self.means**2).sum(axis=1), axis=1)


def train(recipe: Recipe, seed: int, split: dict, verbose: bool = False):
    """Train ``recipe`` with ``seed`` on ``split`` (see ``mnist_split``): (model, history).

    The history is ``fit``'s, validated on the split's validation images; the nearest
    mean classifier has none (an empty DataFrame).
    """
    if recipe.kind == "nearest_mean":
        return NearestMean(split["x_train"], split["y_train"]), pd.DataFrame()
    net = recipe.network(seed)
    optimizer = optimizers.get(recipe.optimizer, lr=recipe.lr)
    history = fit(
        net,
        split["x_train"],
        split["y_train"],
        optimizer=optimizer,
        epochs=recipe.epochs,
        batch_size=recipe.batch_size,
        rng=seed,
        validation_data=(split["x_val"], split["y_val"]),
        lr_schedule=lambda epoch: recipe.lr * recipe.lr_decay ** (epoch - 1),
        verbose=verbose,
    )
    return net, history


def accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    """The fraction of ``x`` that ``model`` (a network or NearestMean) classifies right."""
    if isinstance(model, Network):
        return evaluate(model, x, y)[1]
    return float(np.mean(model.predict(x) == y))


def best_path(seed: int = 0, data_dir=None) -> Path:
    """Where the best network trained with ``seed`` is kept: ``<data dir>/models/``."""
    return Path(data.data_dir(data_dir)) / "models" / f"mnist-best-seed{seed}.npz"


def best_network(seed: int = 0, data_dir=None, verbose: bool = True) -> Network:
    """The course's best network (``BEST``) trained with ``seed``: read from the model
    cache (``best_path``) if it is there, otherwise trained (a progress line per epoch)
    and saved there for next time."""
    path = best_path(seed, data_dir)
    if path.exists():
        return persistence.load(path)
    if verbose:
        print(f"training the best network ({BEST.name}), seed {seed}; saved to {path.name}")
    net, _ = train(BEST, seed, mnist_split(data_dir), verbose=verbose)
    path.parent.mkdir(parents=True, exist_ok=True)
    persistence.save(net, path)
    return net

"""What a benchmarked system is: a ``Trainer`` that trains one configuration epoch by epoch.

Each system module (``nnlib_system``, ``torch_system``, ``sklearn_system``,
``reference_numpy``, ``nielsen_loop``) defines a ``Trainer`` subclass and
``unavailable(config)``, which says why the system cannot run ``config`` here
(a missing package, a network it cannot express) or returns None. The worker
process does the rest the same way for every system: it times nothing itself
but asks ``train_epoch`` for the seconds of the training pass, and evaluates
test accuracy and inference speed outside that.
"""

import importlib
import importlib.util

import numpy as np

from benchmarks.configs import Config
from benchmarks.workload import Data, EpochOrders

#: name -> (module, what the report calls it), in the report's column order.
SYSTEMS = {
    "nnlib": ("benchmarks.nnlib_system", "nnlib"),
    "reference": ("benchmarks.reference_numpy", "NumPy reference loop"),
    "torch": ("benchmarks.torch_system", "PyTorch (CPU)"),
    "sklearn": ("benchmarks.sklearn_system", "scikit-learn MLPClassifier"),
    "nielsen": ("benchmarks.nielsen_loop", "per-example loop (Nielsen style)"),
}


class Trainer:
    """Trains ``config`` on ``data`` from the seed's initial weights and minibatch order."""

    def __init__(self, config: Config, data: Data, seed: int):
        self.config = config
        self.data = data
        self.seed = seed
        self.orders = EpochOrders(seed, len(data.x_train))

    def train_epoch(self, epoch: int) -> float:
        """Run epoch ``epoch`` (from 1): shuffle, minibatches, updates. Return its seconds."""
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted labels (N,) for rows ``x`` (N, 784)."""
        raise NotImplementedError


def load(name: str):
    """The module of system ``name``."""
    if name not in SYSTEMS:
        raise ValueError(f"unknown system {name!r}; expected one of {sorted(SYSTEMS)}")
    return importlib.import_module(SYSTEMS[name][0])


def missing_package(*names: str) -> str | None:
    """'<name> is not installed ...' for the first of ``names`` that cannot be found, else None."""
    for name in names:
        if importlib.util.find_spec(name) is None:
            return f"{name} is not installed (pip install -r benchmarks/requirements.txt)"
    return None

"""nnlib, used as a reader of the course would use it: ``mlp``, an optimizer, ``fit``.

``fit`` runs one epoch per call (so test accuracy can be measured between
epochs, outside the timed pass) with one Generator kept across calls, which
gives the same minibatch orders as a single multi-epoch ``fit``. The seconds are
the history's ``seconds``: ``fit``'s own timing of the training pass.
"""

import numpy as np

from benchmarks.system import Trainer as BaseTrainer
from benchmarks.workload import build_nnlib_network


def unavailable(config):
    return None


class Trainer(BaseTrainer):
    def __init__(self, config, data, seed):
        super().__init__(config, data, seed)
        from nnlib import optimizers

        self.net = build_nnlib_network(config, seed)
        self.optimizer = optimizers.get(config.optimizer, **config.optimizer_args)

    def train_epoch(self, epoch):
        from nnlib import fit

        history = fit(
            self.net,
            self.data.x_train,
            self.data.y_train,
            optimizer=self.optimizer,
            epochs=1,
            batch_size=self.config.batch_size,
            rng=self.orders.rng,
            lr_schedule=lambda _: self.config.lr(epoch),
            verbose=False,
        )
        return float(history["seconds"].iloc[0])

    def predict(self, x):
        return self.net.predict(x)


def versions():
    import nnlib

    return {"nnlib": nnlib.__version__, "numpy": np.__version__}

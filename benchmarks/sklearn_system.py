"""scikit-learn's MLPClassifier, started from nnlib's initial weights.

How the weights get in: ``MLPClassifier`` draws each layer's initial weights in
its method ``_init_coef`` during the first ``partial_fit``; the subclass below
returns nnlib's instead, so everything else (its attributes, its optimizer
state) is set up by scikit-learn itself. Each epoch is one ``partial_fit`` over
the whole training set, which keeps the optimizer state across epochs.

Settings: ``alpha=0`` (no L2 penalty, like the other systems), a constant
learning rate, ``nesterovs_momentum=False`` (its momentum update
v <- mu v - lr g; w <- w + v is PyTorch's with a constant lr), the inputs kept
in float32. It shuffles with its own generator, seeded with the round's seed:
feeding it the shared order would mean copying the 188 MB training set each
epoch, a cost no other system pays. Its time includes what ``partial_fit``
does besides training: input validation and the loss of every minibatch.

What it cannot express: sigmoid outputs with the quadratic loss (a classifier's
output is always softmax with cross-entropy), dropout, a learning-rate schedule.
"""

import time

import numpy as np

from benchmarks.system import Trainer as BaseTrainer
from benchmarks.system import missing_package
from benchmarks.workload import initial_params


def unavailable(config):
    if missing := missing_package("sklearn"):
        return missing
    if config.output != "softmax" or config.loss != "cross_entropy":
        return "MLPClassifier always trains softmax outputs on cross-entropy"
    if config.dropout or config.lr_decay != 1 or config.init == "torch_default":
        return "MLPClassifier has no dropout or learning-rate schedule"
    return None


class Trainer(BaseTrainer):
    def __init__(self, config, data, seed):
        super().__init__(config, data, seed)
        from sklearn.neural_network import MLPClassifier

        class MLPFromWeights(MLPClassifier):
            """MLPClassifier whose initial weights are ``initial_weights`` (per layer (W, b))."""

            def _init_coef(self, fan_in, fan_out, dtype):
                W, b = self.initial_weights.pop(0)
                return W.astype(dtype), b.astype(dtype)

        args = config.optimizer_args
        self.model = MLPFromWeights(
            hidden_layer_sizes=config.sizes[1:-1],
            activation={"relu": "relu", "sigmoid": "logistic"}[config.activation],
            solver="adam" if config.optimizer == "adam" else "sgd",
            alpha=0.0,
            batch_size=config.batch_size,
            learning_rate="constant",
            learning_rate_init=args["lr"],
            momentum=args.get("momentum", 0.0),
            nesterovs_momentum=False,
            shuffle=True,
            random_state=seed,
            n_iter_no_change=10**9,
        )
        params = initial_params(config, seed)
        self.model.initial_weights = list(zip(params[0::2], params[1::2], strict=True))
        self.classes = np.arange(config.sizes[-1])

    def train_epoch(self, epoch):
        start = time.perf_counter()
        self.model.partial_fit(self.data.x_train, self.data.y_train, classes=self.classes)
        return time.perf_counter() - start

    def predict(self, x):
        return self.model.predict(x)


def versions():
    import sklearn

    return {"scikit-learn": sklearn.__version__}

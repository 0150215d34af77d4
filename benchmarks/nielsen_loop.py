"""A per-example training loop in the style of Nielsen's network.py: the "before" picture.

Chapter 1 of Nielsen's "Neural Networks and Deep Learning" trains with a loop
over the examples of each minibatch: feed one column vector forward, propagate
its error back (equations BP1-BP4), add its gradient to a running sum, and after
the minibatch step by the average. Weights are matrices W (n_out, n_in) acting
on columns, z = W a + b, and everything is float64. This module is written for
the benchmark from those equations, in that style, to show what the vectorized
minibatch of nnlib replaces.

It is generalized just enough to train every benchmark configuration: the
hidden activation may be ReLU as well as sigmoid, the output may be softmax
with cross-entropy (output error a - y) as well as sigmoid with the quadratic
loss (output error (a - y) sigma'(z)), and the averaged gradient goes to an
nnlib optimizer, which for SGD is network.py's update w <- w - (eta/m) sum nabla_w.
"""

import time

import numpy as np

from benchmarks.system import Trainer as BaseTrainer
from benchmarks.workload import initial_params


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def relu(z):
    return np.maximum(z, 0.0)


def relu_prime(z):
    return (z > 0).astype(z.dtype)


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


class Network:
    """Layers as (W, b) with W of shape (n_out, n_in) and b of shape (n_out, 1)."""

    def __init__(self, config, params):
        # nnlib's W is (n_in, n_out): transpose it into Nielsen's orientation.
        self.weights = [np.array(W.T, dtype=np.float64) for W in params[0::2]]
        self.biases = [np.array(b, dtype=np.float64).reshape(-1, 1) for b in params[1::2]]
        self.hidden, self.hidden_prime = {
            "sigmoid": (sigmoid, sigmoid_prime),
            "relu": (relu, relu_prime),
        }[config.activation]
        self.output = config.output

    def feedforward(self, a):
        """The output for one input column a (784, 1)."""
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = np.dot(W, a) + b
            a = self.activate(z, last=i == len(self.weights) - 1)
        return a

    def activate(self, z, last):
        if not last:
            return self.hidden(z)
        return sigmoid(z) if self.output == "sigmoid" else softmax(z)

    def backprop(self, x, y):
        """(nabla_b, nabla_w): the gradient of one example's cost, layer by layer."""
        activation, activations, zs = x, [x], []
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = np.dot(W, activation) + b
            zs.append(z)
            activation = self.activate(z, last=i == len(self.weights) - 1)
            activations.append(activation)
        # BP1: the output error.
        delta = activations[-1] - y
        if self.output == "sigmoid":
            delta = delta * sigmoid_prime(zs[-1])
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        nabla_b[-1] = delta  # BP3
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())  # BP4
        for layer in range(2, len(self.weights) + 1):
            # BP2: the error one layer down.
            delta = np.dot(self.weights[-layer + 1].transpose(), delta) * self.hidden_prime(
                zs[-layer]
            )
            nabla_b[-layer] = delta
            nabla_w[-layer] = np.dot(delta, activations[-layer - 1].transpose())
        return nabla_b, nabla_w

    def update_mini_batch(self, mini_batch, optimizer):
        """Sum the per-example gradients of ``mini_batch`` (pairs of columns), then step."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(W.shape) for W in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b, strict=True)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w, strict=True)]
        m = len(mini_batch)
        params = [p for pair in zip(self.weights, self.biases, strict=True) for p in pair]
        grads = [g / m for pair in zip(nabla_w, nabla_b, strict=True) for g in pair]
        optimizer.step(params, grads)  # updates the arrays in place


class Trainer(BaseTrainer):
    """The benchmark's adapter: columns in the shared order, nnlib's optimizer."""

    def __init__(self, config, data, seed):
        super().__init__(config, data, seed)
        from nnlib import optimizers

        self.net = Network(config, initial_params(config, seed))
        self.optimizer = optimizers.get(config.optimizer, **config.optimizer_args)

    def train_epoch(self, epoch):
        x, y, B = self.data.x_train, self.data.targets, self.config.batch_size
        self.optimizer.lr = self.config.lr(epoch)
        start = time.perf_counter()
        order = self.orders.next_order()
        training_data = [(x[i].reshape(-1, 1), y[i].reshape(-1, 1)) for i in order]
        for k in range(0, len(training_data), B):
            self.net.update_mini_batch(training_data[k : k + B], self.optimizer)
        return time.perf_counter() - start

    def predict(self, x):
        return np.array([int(np.argmax(self.net.feedforward(row.reshape(-1, 1)))) for row in x])


def unavailable(config):
    if config.dropout:
        return "the per-example loop has no dropout"
    return None


def versions():
    return {"numpy": np.__version__}

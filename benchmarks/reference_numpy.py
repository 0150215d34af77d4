"""The fastest plain NumPy training loop we know how to write: the bar nnlib is held to.

nnlib is built for reading: layers, a loss object, an optimizer object, a
history. This module is the opposite, one function per step with everything a
library would abstract away inlined by hand, so that the difference between the
two is the price of nnlib's abstractions and nothing else:

* every buffer (activations, deltas, gradients, optimizer state) is allocated
  once, before the first step, and written in place with ``out=``;
* the parameters are views into one flat vector (so are the gradients), so an
  update is a few NumPy calls for the whole network, as in ``nnlib.fit``;
* the inputs carry a column of ones (``with_ones``, made before timing), so the
  first layer's bias add and bias-gradient sum ride along in its two products;
* the sigmoid is 1 / (1 + e^-z) with exp's harmless overflow warning off for
  the epoch (nnlib uses the tanh form, which never overflows but costs more);
* the minibatch mean's 1/B (and, for plain SGD, the learning rate) is folded
  into the output delta, so every gradient comes out already scaled;
* the softmax cross-entropy delta subtracts 1 at each label's column instead of
  building one-hot rows;
* no loss value, no training accuracy, no checks.

It handles exactly the benchmark's networks: 784-H-10 with a sigmoid hidden
layer, sigmoid outputs and the quadratic loss trained by SGD, or a ReLU hidden
layer, softmax outputs and cross-entropy trained by momentum SGD or Adam. The
math is nnlib's (see ``nnlib.losses``, ``nnlib.optimizers``), so started from
the same weights with the same minibatch order the two agree to rounding.
"""

import time

import numpy as np

from benchmarks.configs import Config
from benchmarks.system import Trainer as BaseTrainer
from benchmarks.workload import initial_params
from nnlib.network import flat_storage

#: (hidden activation, output, optimizer) combinations the hand-fused step implements.
SUPPORTED = {
    ("sigmoid", "sigmoid", "sgd"),
    ("relu", "softmax", "momentum"),
    ("relu", "softmax", "adam"),
}


def unavailable(config: Config) -> str | None:
    """Why the reference loop cannot train ``config``, or None if it can."""
    if len(config.sizes) != 3 or config.dropout:
        return "the reference loop handles 784-H-10 networks without dropout"
    if (config.activation, config.output, config.optimizer) not in SUPPORTED:
        return "the reference loop does not implement this activation/output/optimizer"
    return None


def with_ones(x: np.ndarray) -> np.ndarray:
    """``[x 1]``: rows ``x`` (N, n) with a column of ones appended, (N, n + 1) float32.

    Then ``[x 1] [W; b] = x W + b`` and ``[x 1]^T delta = [dW; db]``: the bias add
    and the bias gradient's sum ride along in the matrix products (the "bias
    trick"), two NumPy calls fewer per step.
    """
    return np.hstack([x, np.ones((len(x), 1), x.dtype)]).astype(np.float32, copy=False)


def _sigmoid_(z: np.ndarray) -> None:
    """z <- sigmoid(z) = 1 / (1 + e^-z) in place: 4 ufunc calls, cheaper than tanh's
    form for small arrays. e^-z overflows to inf below z = -88 in float32, and
    1 / (1 + inf) = 0 is the right answer."""
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1
    np.reciprocal(z, out=z)


class ReferenceMLP:
    """A 784-H-10 network with preallocated buffers and a hand-fused training step.

    ``params`` are nnlib's ``[W1, b1, W2, b2]`` (W of shape (n_in, n_out)); they
    are copied, as float32.
    """

    def __init__(self, config: Config, params: list[np.ndarray]):
        if reason := unavailable(config):
            raise ValueError(reason)
        self.config = config
        # Parameters and gradients are views into flat vectors, so each update formula
        # is one NumPy call for the whole network.
        self.theta, self.params = flat_storage([np.asarray(p, np.float32) for p in params])
        self.W1, self.b1, self.W2, self.b2 = self.params
        self.grad, self.grads = flat_storage([np.zeros_like(p) for p in self.params])
        self.dW1, self.db1, self.dW2, self.db2 = self.grads
        B, (n_in, H, K) = config.batch_size, config.sizes
        # b1 follows W1 in the flat vector, so [W1; b1] (n_in + 1, H) is a view too: the
        # first layer is one product with the inputs' ones column (see ``with_ones``).
        self.W1b = self.theta[: (n_in + 1) * H].reshape(n_in + 1, H)
        self.dW1b = self.grad[: (n_in + 1) * H].reshape(n_in + 1, H)
        self.h = np.empty((B, H), np.float32)  # hidden activations
        self.out = np.empty((B, K), np.float32)  # output activations, then the output delta
        self.t_h = np.empty((B, H), np.float32)  # the hidden delta
        self.t_out = np.empty((B, K), np.float32)  # scratch
        self.rows = np.arange(B)
        self.m, self.v, self.scratch = (np.zeros_like(self.theta) for _ in range(3))
        self.t = 0

    def train_epoch(self, x1, labels, targets, order, lr: float) -> None:
        """One epoch over ``x1[order]`` in minibatches of ``config.batch_size``.

        ``x1`` is ``with_ones(x)``, ``labels`` the integer labels (N,) and
        ``targets`` the same as one-hot rows (N, 10), all made once outside the
        timed epoch. exp overflows to inf for very negative inputs of the sigmoid,
        which is harmless (1 / inf = 0): that warning is off during the epoch.
        """
        B = self.config.batch_size
        step = self._sigmoid_step if self.config.activation == "sigmoid" else self._relu_step
        with np.errstate(over="ignore"):
            for start in range(0, len(order), B):
                idx = order[start : start + B]
                step(x1.take(idx, axis=0), labels, targets, idx, lr)

    def _sigmoid_step(self, xb, labels, targets, idx, lr):
        n = len(xb)
        h, a, dh, t = self.h[:n], self.out[:n], self.t_h[:n], self.t_out[:n]
        np.matmul(xb, self.W1b, out=h)  # [x 1] [W1; b1] = x W1 + b1
        _sigmoid_(h)
        np.matmul(h, self.W2, out=a)
        a += self.b2
        _sigmoid_(a)
        # delta_out = (a - y) a (1 - a) times lr/n: every gradient below is the SGD step.
        np.subtract(1, a, out=t)
        t *= a
        a -= targets[idx]
        a *= t
        a *= np.float32(lr / n)
        np.matmul(h.T, a, out=self.dW2)
        a.sum(axis=0, out=self.db2)
        # delta_hidden = (delta_out W2^T) h (1 - h); h itself is not needed any more.
        np.matmul(a, self.W2.T, out=dh)
        dh *= h
        np.subtract(1, h, out=h)
        dh *= h
        np.matmul(xb.T, dh, out=self.dW1b)  # [x 1]^T delta = [dW1; db1]
        self.theta -= self.grad

    def _relu_step(self, xb, labels, targets, idx, lr):
        n = len(xb)
        h, z, dh = self.h[:n], self.out[:n], self.t_h[:n]
        np.matmul(xb, self.W1b, out=h)
        np.maximum(h, 0, out=h)
        np.matmul(h, self.W2, out=z)
        z += self.b2
        # delta_out = (softmax(z) - y) / n, the softmax shifted by its row maximum.
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z *= np.float32(1 / n) / z.sum(axis=1, keepdims=True)
        z[self.rows[:n], labels[idx]] -= np.float32(1 / n)
        np.matmul(h.T, z, out=self.dW2)
        z.sum(axis=0, out=self.db2)
        np.matmul(z, self.W2.T, out=dh)
        dh *= h > 0
        np.matmul(xb.T, dh, out=self.dW1b)
        if self.config.optimizer == "momentum":
            self._momentum(lr)
        else:
            self._adam(lr)

    def _momentum(self, lr):
        """v <- mu v + g;  w <- w - lr v (PyTorch's convention); g is reused as scratch."""
        mu, v, g = np.float32(self.config.optimizer_args["momentum"]), self.m, self.grad
        v *= mu
        v += g
        np.multiply(v, np.float32(lr), out=g)
        self.theta -= g

    def _adam(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        """Adam, both bias corrections folded into the step and epsilon; 12 in-place ufuncs."""
        self.t += 1
        c1, c2 = 1 - beta1**self.t, 1 - beta2**self.t
        step, eps_hat = np.float32(lr * np.sqrt(c2) / c1), np.float32(eps * np.sqrt(c2))
        w, g, m, v, s = self.theta, self.grad, self.m, self.v, self.scratch
        np.subtract(g, m, out=s)  # m <- m + (1 - b1)(g - m) = b1 m + (1 - b1) g
        s *= np.float32(1 - beta1)
        m += s
        np.multiply(g, g, out=g)  # v <- v + (1 - b2)(g^2 - v)
        g -= v
        g *= np.float32(1 - beta2)
        v += g
        np.sqrt(v, out=g)  # w <- w - step m / (sqrt(v) + eps_hat)
        g += eps_hat
        np.divide(m, g, out=g)
        g *= step
        w -= g

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted labels: the forward pass over ``x`` in chunks of 10,000 rows."""
        out = []
        for start in range(0, len(x), 10_000):
            h = x[start : start + 10_000] @ self.W1 + self.b1
            h = 1 / (1 + np.exp(-h)) if self.config.activation == "sigmoid" else np.maximum(h, 0)
            out.append((h @ self.W2 + self.b2).argmax(axis=1))
        return np.concatenate(out)


class Trainer(BaseTrainer):
    """The benchmark's adapter: nnlib's initial weights, the shared minibatch order."""

    def __init__(self, config, data, seed):
        super().__init__(config, data, seed)
        self.model = ReferenceMLP(config, initial_params(config, seed))
        self.x1 = with_ones(data.x_train)  # data preparation, before any timing

    def train_epoch(self, epoch):
        d = self.data
        start = time.perf_counter()
        order = self.orders.next_order()
        self.model.train_epoch(self.x1, d.y_train, d.targets, order, self.config.lr(epoch))
        return time.perf_counter() - start

    def predict(self, x):
        return self.model.predict(x)


def versions():
    return {"numpy": np.__version__}

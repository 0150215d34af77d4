"""Activation functions and their derivatives.

Each activation is applied element-wise to a layer's weighted input ``z`` (shape
``(N, n)``: a minibatch of ``N`` rows) and gives the activation ``a = f(z)`` of the
same shape. For backpropagation we need ``f'(z)``; for every function here it can
be written with the output ``a`` alone, which is what a layer keeps from its
forward pass:

    sigmoid     a = 1 / (1 + e^-z)              f'(z) = a (1 - a)
    tanh        a = tanh z                      f'(z) = 1 - a^2
    relu        a = max(0, z)                   f'(z) = 1 if a > 0 else 0
    leaky_relu  a = z if z > 0 else alpha z     f'(z) = 1 if a > 0 else alpha
    softmax     a_k = e^{z_k} / sum_j e^{z_j}   (a Jacobian, not element-wise: see below)

``backward(a, grad)`` turns ``grad = dC/da`` into ``dC/dz``, the chain rule for
one activation.
"""

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + e^-z), computed without overflow.

    ``1 / (1 + exp(-z))`` overflows in ``exp`` for z < -89 in float32; the
    identity sigmoid(z) = (1 + tanh(z/2)) / 2 never does.
    """
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits ``z`` (N, K): a_k = e^{z_k} / sum_j e^{z_j}.

    Subtracting each row's maximum first changes nothing mathematically
    (the factor e^{-max} cancels) but keeps every exponent <= 0, so ``exp``
    cannot overflow and the largest term is exactly 1.
    """
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise log of the softmax, z_k - logsumexp(z), stable for any logits."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


class Activation:
    """An element-wise activation: ``forward(z) -> a`` and ``backward(a, grad)``."""

    name = ""

    def forward(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, a: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """dC/dz from the output ``a`` and ``grad = dC/da`` (both (N, n))."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    name = "sigmoid"

    def forward(self, z):
        return sigmoid(z)

    def backward(self, a, grad):
        return grad * a * (1 - a)


class Tanh(Activation):
    name = "tanh"

    def forward(self, z):
        return np.tanh(z)

    def backward(self, a, grad):
        return grad * (1 - a * a)


class ReLU(Activation):
    name = "relu"

    def forward(self, z):
        return np.maximum(z, 0)

    def backward(self, a, grad):
        return grad * (a > 0)


class LeakyReLU(Activation):
    """max(z, alpha z): like ReLU, but a small slope ``alpha`` where z < 0."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01):
        if not 0 < alpha < 1:
            raise ValueError(f"leaky_relu alpha must be in (0, 1), got {alpha}")
        self.alpha = alpha

    def forward(self, z):
        return np.where(z > 0, z, self.alpha * z)

    def backward(self, a, grad):
        return np.where(a > 0, grad, self.alpha * grad)

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class Softmax(Activation):
    """Softmax over each row. Its derivative is the Jacobian

        da_i/dz_j = a_i (delta_ij - a_j),

    so for an incoming gradient g = dC/da the chain rule gives, row by row,

        dC/dz_j = sum_i g_i a_i (delta_ij - a_j) = a_j (g_j - sum_i g_i a_i).

    Paired with cross-entropy this simplifies to (a - y); that fused case lives in
    ``nnlib.losses.SoftmaxCrossEntropy``.
    """

    name = "softmax"

    def forward(self, z):
        return softmax(z)

    def backward(self, a, grad):
        return a * (grad - (grad * a).sum(axis=1, keepdims=True))


ACTIVATIONS = {cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Softmax)}


def get(name: str) -> Activation:
    """The activation called ``name`` (one of ``ACTIVATIONS``)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]()

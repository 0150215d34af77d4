"""Layers: the building blocks a network is a stack of.

Conventions used throughout nnlib: a minibatch is a matrix with one example per
row, so a layer maps ``x`` of shape ``(N, n_in)`` to ``y`` of shape ``(N, n_out)``.
(Nielsen writes column vectors and ``z = W a + b`` with ``W`` of shape
``(n_out, n_in)``; stacking examples as rows turns that into ``z = x W + b`` with
``W`` of shape ``(n_in, n_out)``. Same math, transposed.)

Every layer has
    forward(x, training)  -> y        and keeps what backward will need;
    backward(grad)        -> dC/dx    given grad = dC/dy, and stores dC/dparams;
    params, grads         lists of arrays; ``grads[i]`` is dC/d``params[i]``.
The optimizer updates ``params`` in place, so a layer's arrays are never replaced,
except once: a ``Network`` moves them into its flat parameter vector (``use_storage``),
so a layer belongs to one network.
"""

import numpy as np

from nnlib import activations, initializers
from nnlib.preprocessing import as_rng


class Layer:
    params: list[np.ndarray] = []
    grads: list[np.ndarray] = []

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        raise NotImplementedError

    def config(self) -> dict:
        """What it takes to rebuild this layer (its weights are saved separately)."""
        raise NotImplementedError

    def use_storage(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Keep ``params`` and ``grads`` (same shapes, already holding the values) as this
        layer's arrays from now on. ``Network`` passes views into its flat vectors."""
        self.params, self.grads = params, grads


class Dense(Layer):
    """A fully connected layer: z = x W + b.

    Shapes: x (N, n_in), W (n_in, n_out), b (n_out,), z (N, n_out).
    Backward, given delta = dC/dz of shape (N, n_out) (Nielsen's BP3 and BP4,
    summed over the minibatch, and BP2's W^T delta for the layer below):

        dC/dW = x^T delta       (n_in, n_out)
        dC/db = sum_n delta_n   (n_out,)
        dC/dx = delta W^T       (N, n_in)
    """

    def __init__(self, n_in: int, n_out: int, *, rng, init="xavier", dtype=np.float32):
        if n_in < 1 or n_out < 1:
            raise ValueError(f"Dense needs n_in, n_out >= 1, got ({n_in}, {n_out})")
        init_fn = initializers.get(init) if isinstance(init, str) else init
        self.W, self.b = init_fn(n_in, n_out, as_rng(rng), dtype=dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.params = [self.W, self.b]
        self.grads = [self.dW, self.db]
        self.x = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.W.shape

    def forward(self, x, training=False):
        if x.ndim != 2 or x.shape[1] != self.W.shape[0]:
            raise ValueError(
                f"Dense layer expects input of shape (N, {self.W.shape[0]}), got {x.shape}"
            )
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad, input_grad=True):
        """Store dC/dW and dC/db; return dC/dx, or None when ``input_grad`` is False.

        The first layer of a network has no layer below it, so the network asks it
        not to compute dC/dx: that saves one of the three matrix products.
        """
        np.matmul(self.x.T, grad, out=self.dW)
        grad.sum(axis=0, out=self.db)
        return grad @ self.W.T if input_grad else None

    def use_storage(self, params, grads):
        super().use_storage(params, grads)
        self.W, self.b = params
        self.dW, self.db = grads

    def config(self):
        return {"type": "dense", "n_in": int(self.W.shape[0]), "n_out": int(self.W.shape[1])}

    def __repr__(self):
        return f"Dense({self.W.shape[0]}, {self.W.shape[1]})"


class ActivationLayer(Layer):
    """Applies an activation element-wise (softmax: row-wise); no parameters."""

    def __init__(self, activation: str | activations.Activation):
        if isinstance(activation, str):
            activation = activations.get(activation)
        self.activation = activation
        self.a = None

    def forward(self, x, training=False):
        self.a = self.activation.forward(x)
        return self.a

    def backward(self, grad, input_grad=True):
        return self.activation.backward(self.a, grad)

    def config(self):
        cfg = {"type": "activation", "name": self.activation.name}
        if isinstance(self.activation, activations.LeakyReLU):
            cfg["alpha"] = float(self.activation.alpha)
        return cfg

    def __repr__(self):
        return repr(self.activation)


class Dropout(Layer):
    """Inverted dropout: while training, zero each unit with probability ``p`` and
    scale the survivors by 1/(1-p), so the expected activation is unchanged and
    nothing needs rescaling at test time, when the layer is the identity.

        y = x * m / (1 - p),   m_ij ~ Bernoulli(1 - p);   dC/dx = dC/dy * m / (1 - p)
    """

    def __init__(self, p: float, *, rng):
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p
        self.rng = as_rng(rng)
        self.mask = None

    def forward(self, x, training=False):
        if not training or self.p == 0:
            self.mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self.mask = keep.astype(x.dtype) / x.dtype.type(1 - self.p)
        return x * self.mask

    def backward(self, grad, input_grad=True):
        return grad if self.mask is None else grad * self.mask

    def config(self):
        return {"type": "dropout", "p": float(self.p)}

    def __repr__(self):
        return f"Dropout(p={self.p})"


def from_config(cfg: dict, dtype=np.float32) -> Layer:
    """Rebuild a layer from ``Layer.config()``, dense weights all zero: they are loaded
    separately. (``persistence.load`` checks a file's config before it gets here.)"""
    kind = cfg.get("type")
    if kind == "dense":
        return Dense(int(cfg["n_in"]), int(cfg["n_out"]), rng=0, init=_zeros, dtype=dtype)
    if kind == "activation":
        name = cfg["name"]
        if name == "leaky_relu":
            return ActivationLayer(activations.LeakyReLU(float(cfg.get("alpha", 0.01))))
        return ActivationLayer(name)
    if kind == "dropout":
        return Dropout(float(cfg["p"]), rng=0)
    raise ValueError(f"unknown layer type {kind!r}; expected dense, activation or dropout")


def _zeros(n_in, n_out, rng, dtype=np.float32):
    """Zero weights and biases: a placeholder for weights about to be loaded."""
    return np.zeros((n_in, n_out), dtype=dtype), np.zeros(n_out, dtype=dtype)

"""Gradient checking: is backpropagation right?

The derivative of the cost with respect to one parameter w can be estimated
without any calculus by the central difference

    dC/dw ~ (C(w + eps) - C(w - eps)) / (2 eps),

whose error shrinks like eps^2. Comparing it with what ``backward`` computed,

    relative error = ||g_numeric - g_backprop|| / (||g_numeric|| + ||g_backprop||),

gives a number near 1e-10 in float64 when backprop is right and near 1 when it is
wrong. Use float64 networks: in float32 rounding alone is around 1e-3.
"""

import numpy as np
import pandas as pd

from nnlib.network import Network


def numerical_gradient(f, w: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f()`` with respect to the
    array ``w``, which is perturbed in place one element at a time (and restored)."""
    grad = np.zeros_like(w, dtype=np.float64)
    flat, out = w.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        out[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||); 0 when both are zero."""
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denom) if denom > 0 else 0.0


def gradient_check(net: Network, x, y, eps: float = 1e-6) -> pd.DataFrame:
    """Compare backprop with central differences for every parameter of ``net``.

    ``x`` is a small minibatch (N, n_in) and ``y`` its one-hot targets (N, K).
    The network runs in inference mode (dropout off) so the cost is a
    deterministic function of the weights. Returns one row per parameter array:
    layer index, name, shape, the largest absolute difference and the relative error.
    """
    if net.dtype != np.float64:
        raise ValueError(f"gradient checks need a float64 network, got {net.dtype}")
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    net.gradient(x, y, training=False)
    backprop = [g.copy() for g in net.grads]

    def cost():
        return net.loss(net.forward(x), y)

    rows = []
    names = [(i, n) for i, layer in enumerate(net.layers) for n in ("W", "b")[: len(layer.params)]]
    for (layer, name), w, g in zip(names, net.params, backprop, strict=True):
        numeric = numerical_gradient(cost, w, eps)
        rows.append(
            {
                "layer": layer,
                "param": name,
                "shape": w.shape,
                "max_abs_diff": float(np.abs(numeric - g).max()),
                "relative_error": relative_error(numeric, g),
            }
        )
    return pd.DataFrame(rows)

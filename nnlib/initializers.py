"""Weight initialization schemes for a dense layer with ``n_in`` inputs and ``n_out`` outputs.

Each returns ``(W, b)`` with ``W`` of shape ``(n_in, n_out)`` and ``b`` of shape
``(n_out,)``. The scale matters: the weighted input of a unit is a sum of
``n_in`` terms, so with unit-variance weights its variance grows like ``n_in``
and sigmoid units start out saturated (Nielsen, chapter 3). The schemes:

    normal         W ~ N(0, 1),                   b ~ N(0, 1)   (Nielsen's network.py)
    normal_scaled  W ~ N(0, 1/n_in),              b ~ N(0, 1)   (Nielsen's network2.py)
    xavier         W ~ U(-r, r), r = sqrt(6 / (n_in + n_out)), b = 0   (Glorot & Bengio, 2010)
    he             W ~ N(0, 2/n_in),              b = 0         (He et al., 2015; for ReLU)

All randomness comes from the ``numpy.random.Generator`` passed in.
"""

import numpy as np


def normal(n_in, n_out, rng, dtype=np.float32):
    """Standard normal weights and biases."""
    W = rng.standard_normal((n_in, n_out), dtype=np.float64)
    b = rng.standard_normal(n_out, dtype=np.float64)
    return W.astype(dtype), b.astype(dtype)


def normal_scaled(n_in, n_out, rng, dtype=np.float32):
    """Weights with standard deviation 1/sqrt(n_in), standard normal biases."""
    W = rng.standard_normal((n_in, n_out), dtype=np.float64) / np.sqrt(n_in)
    b = rng.standard_normal(n_out, dtype=np.float64)
    return W.astype(dtype), b.astype(dtype)


def xavier(n_in, n_out, rng, dtype=np.float32):
    """Glorot uniform: Var(W) = 2 / (n_in + n_out), zero biases."""
    r = np.sqrt(6.0 / (n_in + n_out))
    W = rng.uniform(-r, r, size=(n_in, n_out))
    return W.astype(dtype), np.zeros(n_out, dtype=dtype)


def he(n_in, n_out, rng, dtype=np.float32):
    """He normal: Var(W) = 2 / n_in, zero biases."""
    W = rng.standard_normal((n_in, n_out), dtype=np.float64) * np.sqrt(2.0 / n_in)
    return W.astype(dtype), np.zeros(n_out, dtype=dtype)


INITIALIZERS = {f.__name__: f for f in (normal, normal_scaled, xavier, he)}


def get(name: str):
    """The initializer called ``name`` (one of ``INITIALIZERS``)."""
    if name not in INITIALIZERS:
        raise ValueError(f"unknown initializer {name!r}; expected one of {sorted(INITIALIZERS)}")
    return INITIALIZERS[name]

"""nnlib: the engine behind "Neural Networks from Scratch".

Every formula the course derives lives in one module named for what it is:

    data           IDX files, mirrors, checksums, cache: load_mnist, load_fashion_mnist
    preprocessing  scaling, standardizing, one-hot, train/validation split, minibatches
    activations    sigmoid, tanh, ReLU, leaky ReLU, softmax and their derivatives
    initializers   normal, normal_scaled, Xavier, He
    layers         Dense, ActivationLayer, Dropout
    losses         quadratic, cross-entropy, fused softmax/sigmoid cross-entropy
    network        Network (forward, backward, predict) and the mlp() builder
    optimizers     SGD, momentum, Nesterov, RMSprop, Adam, L2 weight decay
    training       fit (the minibatch SGD loop) and evaluate
    metrics        accuracy, confusion matrix, per-class precision/recall/F1
    gradcheck      numerical gradients against backprop
    persistence    save / load a network as one .npz file, checking every field on load
    validation     the checks every array passes where it enters nnlib (one-line errors)
    errors         the exceptions nnlib raises for bad data and model files
    files          writing a file atomically, with the permissions the umask gives
    cli            the command line: python -m nnlib {download,train,evaluate,ladder}

That is the whole engine. What only the course needs (the exercises' checks, the
figures, the ladder, seeds and verdicts, the drawing widget, the kernel pin) lives
beside it in ``nnlib.course``, which no engine module imports.

The modules are imported when first used (``nnlib.data``, ``from nnlib import fit``),
not by ``import nnlib`` itself: ``nnlib.course.reproducible.pin()`` has to run before
NumPy loads, so importing the package must not load NumPy.
"""

import importlib

__version__ = "0.2.0"

#: The engine's modules (``cli`` and ``errors`` are imported directly).
_MODULES = (
    "activations",
    "data",
    "files",
    "gradcheck",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "network",
    "optimizers",
    "persistence",
    "preprocessing",
    "training",
    "validation",
)
#: The names ``from nnlib import ...`` offers besides the modules, and where they live.
_SHORTCUTS = {"Network": "network", "mlp": "network", "evaluate": "training", "fit": "training"}

__all__ = sorted([*_MODULES, "course", *_SHORTCUTS])


def __getattr__(name: str):
    """Import a module (or the module holding a shortcut) the first time it is asked for."""
    if name in (*_MODULES, "course"):
        return importlib.import_module(f"nnlib.{name}")
    if name in _SHORTCUTS:
        return getattr(importlib.import_module(f"nnlib.{_SHORTCUTS[name]}"), name)
    raise AttributeError(f"module 'nnlib' has no attribute {name!r}")


def __dir__():
    return __all__

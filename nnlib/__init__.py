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
    experiments    several seeds, mean ± sd, and whether a difference is real
    recipes        the ladder from 80% to 98.5%, rung by rung, and the best network
    metrics        accuracy, confusion matrix, per-class precision/recall/F1
    gradcheck      numerical gradients against backprop
    persistence    save / load a network as one .npz file, checking every field on load
    validation     the checks every array passes where it enters nnlib (one-line errors)
    plots          every figure the course draws, in one style (imports matplotlib)
    drawing        a drawing's strokes made into a 28x28 digit the way MNIST's were
    widget         draw a digit and watch the network read it (needs anywidget)
    exercises      the checks of the notebooks' exercises, with hints
    reproducible   pins NumPy's numeric kernels: the same outputs on every x86-64 CPU
    cli            the command line: python -m nnlib {download,train,evaluate,ladder}

The modules are imported when first used (``nnlib.data``, ``from nnlib import fit``),
not by ``import nnlib`` itself: ``nnlib.reproducible.pin()`` has to run before NumPy
loads, so importing the package must not load NumPy.
"""

import importlib

__version__ = "0.2.0"

_MODULES = (
    "activations",
    "data",
    "drawing",
    "exercises",
    "experiments",
    "gradcheck",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "network",
    "optimizers",
    "persistence",
    "plots",
    "preprocessing",
    "recipes",
    "reproducible",
    "training",
    "validation",
    "widget",
)
#: The names ``from nnlib import ...`` offers besides the modules, and where they live.
_SHORTCUTS = {"Network": "network", "mlp": "network", "evaluate": "training", "fit": "training"}

__all__ = sorted([*_MODULES, *_SHORTCUTS])


def __getattr__(name: str):
    """Import a module (or the module holding a shortcut) the first time it is asked for."""
    if name in _MODULES:
        return importlib.import_module(f"nnlib.{name}")
    if name in _SHORTCUTS:
        return getattr(importlib.import_module(f"nnlib.{_SHORTCUTS[name]}"), name)
    raise AttributeError(f"module 'nnlib' has no attribute {name!r}")


def __dir__():
    return __all__

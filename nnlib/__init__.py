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
    plots          every figure the course draws (imports matplotlib)
    cli            the command line: python -m nnlib {download,train,evaluate}
"""

from nnlib import (
    activations,
    data,
    gradcheck,
    initializers,
    layers,
    losses,
    metrics,
    network,
    optimizers,
    persistence,
    preprocessing,
    training,
    validation,
)
from nnlib.network import Network, mlp
from nnlib.training import evaluate, fit

__version__ = "0.1.0"

__all__ = [
    "Network",
    "activations",
    "data",
    "evaluate",
    "fit",
    "gradcheck",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "mlp",
    "network",
    "optimizers",
    "persistence",
    "preprocessing",
    "training",
    "validation",
]

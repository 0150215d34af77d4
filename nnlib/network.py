"""The network: a stack of layers and the loss it is trained on.

Forward, the minibatch ``x`` (N, n_in) flows up through the layers; backward,
dC/d(output) flows down through them in reverse, each layer turning the gradient
of its output into the gradient of its input and storing the gradients of its
parameters on the way (backpropagation is the chain rule, one layer at a time).
"""

import numpy as np

from nnlib import layers as L
from nnlib import losses, validation
from nnlib.layers import ActivationLayer, Dense, Dropout, Layer
from nnlib.preprocessing import as_rng, one_hot


class Network:
    """A feed-forward network: ``layers`` applied in order, trained on ``loss``.

    With a fused loss (``SoftmaxCrossEntropy``, ``SigmoidCrossEntropy``) the last
    layer outputs logits and ``loss.link`` turns them into probabilities.
    """

    def __init__(self, layers: list[Layer], loss: losses.Loss | str):
        if not layers:
            raise ValueError("a network needs at least one layer")
        self.layers = list(layers)
        self.loss = losses.get(loss) if isinstance(loss, str) else loss
        dense = [layer for layer in self.layers if isinstance(layer, Dense)]
        if not dense:
            raise ValueError("a network needs at least one Dense layer")
        self.dtype = dense[0].W.dtype
        self.n_in = dense[0].W.shape[0]
        self.n_out = dense[-1].W.shape[1]
        # Every parameter array, in layer order (W1, b1, W2, b2, ...), and dC/dparam
        # for each, as of the last ``backward``. They are views into two flat vectors,
        # ``flat_params`` and ``flat_grads``, which the layers keep as their arrays:
        # an optimizer can then update the whole network with one NumPy operation per
        # formula instead of one per array (``fit`` does; for a small network that
        # roughly halves the cost of an SGD update: benchmarks/profile_step.py).
        params = [p for layer in self.layers for p in layer.params]
        grads = [g for layer in self.layers for g in layer.grads]
        self.flat_params, self.params = flat_storage(params)
        self.flat_grads, self.grads = flat_storage(grads)
        start = 0
        for layer in self.layers:
            end = start + len(layer.params)
            layer.use_storage(self.params[start:end], self.grads[start:end])
            start = end

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The output for a minibatch ``x`` (N, n_in): (N, n_out) logits or activations.

        ``training=True`` turns dropout on and keeps what ``backward`` needs.
        """
        x = np.asarray(x, dtype=self.dtype)
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, grad: np.ndarray) -> None:
        """Backpropagate ``grad`` = dC/d(output), filling every layer's ``grads``."""
        for i in range(len(self.layers) - 1, -1, -1):
            grad = self.layers[i].backward(grad, input_grad=i > 0)

    def gradient(self, x: np.ndarray, y: np.ndarray, training: bool = True):
        """Forward, loss and backward for one minibatch with one-hot targets ``y``.

        Returns ``(loss, output)``; the gradients are left in ``self.grads``.
        """
        output = self.forward(x, training)
        loss, grad = self.loss.value_and_grad(output, y)
        self.backward(grad)
        return loss, output

    def predict_proba(self, x: np.ndarray, batch_size: int = 10_000) -> np.ndarray:
        """Class scores (probabilities for softmax outputs), shape (N, n_out).

        ``x`` must be (N, n_in) floats, N >= 1, finite (``validation.inputs``);
        ``forward`` and ``gradient`` check nothing, as they run once per minibatch.
        """
        x = validation.inputs(x, self.n_in)
        batch_size = validation.count(batch_size, "batch_size")
        parts = [
            self.loss.link(self.forward(x[i : i + batch_size]))
            for i in range(0, len(x), batch_size)
        ]
        return np.concatenate(parts)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The predicted class of each row of ``x``: argmax of the output, shape (N,)."""
        return self.predict_proba(x).argmax(axis=1)

    def __repr__(self):
        body = ",\n".join(f"    {layer!r}" for layer in self.layers)
        return f"Network([\n{body}\n], loss={self.loss!r})"


def flat_storage(arrays: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """A new flat vector holding ``arrays`` one after another, and views of it shaped like them."""
    flat = np.concatenate([a.ravel() for a in arrays])
    views, start = [], 0
    for a in arrays:
        views.append(flat[start : start + a.size].reshape(a.shape))
        start += a.size
    return flat, views


OUTPUTS = ("softmax", "sigmoid")


def mlp(
    sizes,
    *,
    activation: str = "relu",
    output: str = "softmax",
    loss: str = "cross_entropy",
    init: str = "he",
    dropout: float = 0.0,
    rng=0,
    dtype=np.float32,
) -> Network:
    """A multilayer perceptron with layer sizes ``sizes``, e.g. [784, 128, 10].

    Every hidden layer is Dense -> activation (-> Dropout); the output layer is
    Dense, followed by ``output`` ('softmax' or 'sigmoid'). ``loss`` is
    'cross_entropy' or 'mse'. Cross-entropy is fused with the output activation
    (the network then outputs logits); the quadratic loss is applied to the
    activations, as in Nielsen's chapter 1 network.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must list at least two positive layer widths, got {sizes}")
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
    if loss not in ("cross_entropy", "mse"):
        raise ValueError(f"loss must be 'cross_entropy' or 'mse', got {loss!r}")
    rng = as_rng(rng)
    layers: list[Layer] = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1], strict=True):
        layers += [Dense(n_in, n_out, init=init, rng=rng, dtype=dtype), ActivationLayer(activation)]
        if dropout:
            layers.append(Dropout(dropout, rng=rng))
    layers.append(Dense(sizes[-2], sizes[-1], init=init, rng=rng, dtype=dtype))
    if loss == "cross_entropy":
        fused = (
            losses.SoftmaxCrossEntropy() if output == "softmax" else losses.SigmoidCrossEntropy()
        )
        return Network(layers, fused)
    return Network([*layers, ActivationLayer(output)], losses.Quadratic())


def from_config(config: dict) -> Network:
    """Rebuild a network from ``describe(net)``, its weights all zero (load them next)."""
    dtype = np.dtype(config["dtype"])
    layers = [L.from_config(cfg, dtype) for cfg in config["layers"]]
    return Network(layers, losses.get(config["loss"]))


def describe(net: Network) -> dict:
    """The architecture of ``net`` as plain data (what ``from_config`` rebuilds)."""
    return {
        "layers": [layer.config() for layer in net.layers],
        "loss": net.loss.name,
        "dtype": np.dtype(net.dtype).name,
    }


def layer_signals(net: Network, x: np.ndarray, y: np.ndarray) -> dict[str, list[np.ndarray]]:
    """What each hidden layer of ``net`` computes for a minibatch ``x`` (N, n_in) with
    labels ``y`` (N,): its weighted inputs "z" (N, n), its activations "a" (N, n), and the
    gradient "dW" (n_in, n) of its weights, dC/dW, each a list with one array per hidden
    layer (a Dense layer followed by its activation). Dropout is off, as when testing;
    the network's own gradients are overwritten."""
    out = np.asarray(x, dtype=net.dtype)
    outputs = []
    for layer in net.layers:
        out = layer.forward(out)
        outputs.append(out)
    hidden = [i for i, layer in enumerate(net.layers) if isinstance(layer, Dense)][:-1]
    if any(not isinstance(net.layers[i + 1], ActivationLayer) for i in hidden):
        raise ValueError("layer_signals needs every hidden Dense layer followed by an activation")
    _, grad = net.loss.value_and_grad(out, one_hot(y, net.n_out, dtype=net.dtype))
    net.backward(grad)
    return {
        "z": [outputs[i] for i in hidden],
        "a": [outputs[i + 1] for i in hidden],
        "dW": [net.layers[i].dW.copy() for i in hidden],
    }

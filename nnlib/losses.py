"""Loss functions: how far a minibatch of outputs is from its targets.

Every loss takes the network's output ``a`` and one-hot targets ``y``, both of
shape ``(N, K)``, and returns the mean over the ``N`` examples, so the learning
rate does not depend on the batch size. ``grad`` returns dC/da, shape (N, K),
which is where backpropagation starts.

The fused losses take *logits* ``z`` (the last dense layer's output, before any
activation) because combining the activation with the loss gives a simpler and
numerically safer formula than chaining the two: their ``link`` turns logits into
probabilities for prediction.
"""

import numpy as np

from nnlib.activations import sigmoid, softmax


class Loss:
    name = ""

    def __call__(self, output: np.ndarray, target: np.ndarray) -> float:
        """The mean loss over the minibatch."""
        return self.value_and_grad(output, target)[0]

    def grad(self, output: np.ndarray, target: np.ndarray) -> np.ndarray:
        """dC/d(output), shape (N, K)."""
        return self.value_and_grad(output, target)[1]

    def value_and_grad(self, output, target) -> tuple[float, np.ndarray]:
        raise NotImplementedError

    def link(self, output: np.ndarray) -> np.ndarray:
        """Map the network's output to the scores we predict with (identity here)."""
        return output

    def __repr__(self):
        return f"{type(self).__name__}()"


def _check(output, target):
    if output.shape != target.shape or output.ndim != 2:
        raise ValueError(
            f"loss expects output and one-hot target of the same shape (N, K), "
            f"got output {output.shape} and target {target.shape}"
        )


class Quadratic(Loss):
    """The quadratic cost (MSE with Nielsen's factor 1/2):

    C = 1/(2N) sum_n ||a_n - y_n||^2,        dC/da = (a - y) / N
    """

    name = "mse"

    def value_and_grad(self, output, target):
        _check(output, target)
        diff = output - target
        n = len(output)
        return float(0.5 * np.vdot(diff, diff) / n), diff / output.dtype.type(n)


class CrossEntropy(Loss):
    """Categorical cross-entropy of probabilities ``p`` (e.g. a softmax layer's output):

        C = -1/N sum_n sum_k y_nk ln p_nk,       dC/dp = -y / (N p)

    ``p`` is clipped at the smallest positive float so that ln 0 never happens.
    Chaining this with a softmax layer works, but ``SoftmaxCrossEntropy`` is the
    simpler, stabler way to the same gradient.
    """

    name = "cross_entropy"

    def value_and_grad(self, output, target):
        _check(output, target)
        p = np.maximum(output, np.finfo(output.dtype).tiny)
        n = len(output)
        return float(-np.vdot(target, np.log(p)) / n), -target / (p * n)


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy, on logits ``z`` (N, K):

        C = 1/N sum_n ( logsumexp(z_n) - z_n . y_n ),    dC/dz = (softmax(z) - y) / N

    Writing ln softmax(z)_k = z_k - logsumexp(z) with the row maximum subtracted
    first (see ``activations.log_softmax``) means no overflow for huge logits and
    no ln 0 for tiny probabilities.
    """

    name = "softmax_cross_entropy"

    def value_and_grad(self, output, target):
        _check(output, target)
        shifted = output - output.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        sums = e.sum(axis=1, keepdims=True)
        n = len(output)
        loss = (np.log(sums).sum() - np.vdot(shifted, target)) / n
        p = e / sums
        p -= target
        p /= output.dtype.type(n)
        return float(loss), p

    def link(self, output):
        return softmax(output)


class SigmoidCrossEntropy(Loss):
    """Sigmoid outputs with Nielsen's cross-entropy (his chapter 3), on logits ``z``:

        C = -1/N sum [ y ln s(z) + (1 - y) ln(1 - s(z)) ] = 1/N sum [ ln(1 + e^z) - y z ]
        dC/dz = (s(z) - y) / N

    ``ln(1 + e^z)`` is computed as ``logaddexp(0, z)``, which cannot overflow.
    """

    name = "sigmoid_cross_entropy"

    def value_and_grad(self, output, target):
        _check(output, target)
        n = len(output)
        loss = (np.logaddexp(0, output).sum() - np.vdot(output, target)) / n
        return float(loss), (sigmoid(output) - target) / output.dtype.type(n)

    def link(self, output):
        return sigmoid(output)


LOSSES = {
    cls.name: cls for cls in (Quadratic, CrossEntropy, SoftmaxCrossEntropy, SigmoidCrossEntropy)
}


def get(name: str) -> Loss:
    """The loss called ``name`` (one of ``LOSSES``)."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; expected one of {sorted(LOSSES)}")
    return LOSSES[name]()

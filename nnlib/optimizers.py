"""Optimizers: how a gradient becomes a step.

``step(params, grads)`` updates each parameter array in place from its gradient
``g = dC/dw``. Each optimizer keeps its running state (velocities, averages) per
parameter, keyed by position in the list, so pass the same list every step.

L2 weight decay adds (lambda/2) ||W||^2 to the cost for every *weight matrix*
(biases are not decayed, as in Nielsen's chapter 3), i.e. ``g <- g + lambda W``.
Nielsen writes the penalty as (lambda/2n) sum w^2 for a training set of size n;
our ``weight_decay`` is his lambda/n.

The momentum-family updates follow PyTorch's conventions, so results can be
compared one to one:

    SGD        w <- w - lr g
    Momentum   v <- mu v + g;                         w <- w - lr v
    Nesterov   v <- mu v + g;                         w <- w - lr (g + mu v)
    RMSprop    s <- rho s + (1 - rho) g^2;            w <- w - lr g / (sqrt(s) + eps)
    Adam       m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
               w <- w - lr m_hat / (sqrt(v_hat) + eps),  m_hat = m/(1 - b1^t), v_hat = v/(1 - b2^t)
"""

import numpy as np


class Optimizer:
    def __init__(self, lr: float, weight_decay: float = 0.0):
        if not lr > 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        self.lr = lr
        self.weight_decay = weight_decay
        self.state: dict[int, list[np.ndarray]] = {}
        self.t = 0

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update every array in ``params`` in place, one step down its gradient."""
        self.t += 1
        for i, (w, g) in enumerate(zip(params, grads, strict=True)):
            if self.weight_decay and w.ndim > 1:
                g = g + w.dtype.type(self.weight_decay) * w
            self.update(i, w, g)

    def update(self, i: int, w: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def buffers(self, i: int, w: np.ndarray, count: int) -> list[np.ndarray]:
        """The state arrays of parameter ``i``: ``count`` arrays shaped like ``w``, zero at first.

        They live as long as the optimizer: running averages and, for RMSprop and
        Adam, scratch arrays their updates write intermediate results into
        (``out=``). Written as one expression, Adam's update makes six temporaries
        the size of ``w``; for a 784x800 layer allocating them costs more than the
        arithmetic (measured: the step 4x slower). The order of the operations is
        the formula's, so the results are the same to the last bit.
        """
        if i not in self.state:
            self.state[i] = [np.zeros_like(w) for _ in range(count)]
        elif self.state[i][0].shape != w.shape:
            raise ValueError(
                f"this optimizer's state for parameter {i} has shape {self.state[i][0].shape}, "
                f"got an array of shape {w.shape}: use one optimizer per list of parameters"
            )
        return self.state[i]

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr}, weight_decay={self.weight_decay})"


class SGD(Optimizer):
    """Plain (minibatch) stochastic gradient descent: w <- w - lr g."""

    def update(self, i, w, g):
        w -= w.dtype.type(self.lr) * g


class Momentum(Optimizer):
    """SGD with momentum: a velocity that accumulates past gradients.

    v <- mu v + g, then w <- w - lr v (or w <- w - lr (g + mu v) with ``nesterov``).
    """

    def __init__(self, lr, momentum=0.9, weight_decay=0.0, nesterov=False):
        super().__init__(lr, weight_decay)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum = momentum
        self.nesterov = nesterov

    def update(self, i, w, g):
        (v,) = self.buffers(i, w, 1)
        mu, lr = w.dtype.type(self.momentum), w.dtype.type(self.lr)
        v *= mu
        v += g
        w -= lr * (g + mu * v) if self.nesterov else lr * v


class Nesterov(Momentum):
    """Nesterov's accelerated gradient: momentum that looks one step ahead."""

    def __init__(self, lr, momentum=0.9, weight_decay=0.0):
        super().__init__(lr, momentum, weight_decay, nesterov=True)


class RMSprop(Optimizer):
    """Divide each step by a running root-mean-square of recent gradients.

    s <- rho s + (1 - rho) g^2, then w <- w - lr g / (sqrt(s) + eps).
    """

    def __init__(self, lr=1e-3, rho=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.rho, self.eps = rho, eps

    def update(self, i, w, g):
        s, denom, step = self.buffers(i, w, 3)
        rho = w.dtype.type(self.rho)
        s *= rho
        np.multiply(1 - rho, g, out=step)
        s += np.multiply(step, g, out=step)
        np.add(np.sqrt(s, out=denom), w.dtype.type(self.eps), out=denom)
        np.multiply(w.dtype.type(self.lr), g, out=step)
        w -= np.divide(step, denom, out=step)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): momentum plus RMSprop, with bias correction.

    m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  w <- w - lr m_hat / (sqrt(v_hat) + eps).
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def update(self, i, w, g):
        m, v, denom, step = self.buffers(i, w, 4)
        f = w.dtype.type
        m *= f(self.beta1)
        m += np.multiply(f(1 - self.beta1), g, out=step)
        v *= f(self.beta2)
        np.multiply(f(1 - self.beta2), g, out=step)
        v += np.multiply(step, g, out=step)
        # Both bias corrections folded into the step size and the epsilon (c = 1 - beta^t):
        # m_hat / (sqrt(v_hat) + eps) = (sqrt(c2) / c1) m / (sqrt(v) + eps sqrt(c2)).
        c1, c2 = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        np.add(np.sqrt(v, out=denom), f(self.eps * np.sqrt(c2)), out=denom)
        np.multiply(f(self.lr * np.sqrt(c2) / c1), m, out=step)
        w -= np.divide(step, denom, out=step)


OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def get(name: str, **kwargs) -> Optimizer:
    """The optimizer called ``name`` (one of ``OPTIMIZERS``), built with ``kwargs``."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {sorted(OPTIMIZERS)}")
    return OPTIMIZERS[name](**kwargs)

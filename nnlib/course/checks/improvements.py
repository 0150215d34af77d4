"""Checks for the exercises of notebook 08, improvements: the variance rule, one momentum
step and one Adam step written from their formulas, and the learner's own modern network
end to end (exercise 8.4): He's initialization, a forward pass through any number of ReLU
layers to a softmax, the backward pass of the mean cross-entropy, and a training loop of
minibatches and Adam steps, trained side by side with nnlib from the same seed."""

from functools import partial

import numpy as np

from nnlib import optimizers
from nnlib.course.checks import (
    Feedback,
    Hint,
    NotSolved,
    all_close,
    answer,
    answer_for_layers,
    cases,
    expect_array,
    expect_arrays,
    expect_layer_list,
    layer_names,
    name_the_training_mistake,
    reveal,
    run,
)
from nnlib.network import mlp
from nnlib.training import fit

__all__ = [
    "adam_step",
    "gain",
    "momentum_step",
    "network",
    "nnlib_train",
    "predict",
    "reveal",
    "yours_or_solution",
]

INITS = ("normal", "normal_scaled", "xavier", "he")


def gain(gain_fn) -> Feedback:
    """Exercise 8.1: ``gain_fn(init, n_in, n_out)``, the factor by which E[z^2] grows from
    one ReLU layer to the next, n_in Var(W) / 2, for each initialization in ``INITS``
    (biases ignored). Var(W) is 1, 1/n_in, 2/(n_in + n_out) and 2/n_in; Xavier's weights
    are uniform on (-r, r) with r = sqrt(6/(n_in + n_out)), whose variance is r^2/3.
    """

    def attempt():
        for rng in cases(seed=801, n=3):
            n_in, n_out = (int(n) for n in rng.integers(20, 900, size=2))
            var = {"normal": 1.0, "normal_scaled": 1 / n_in, "xavier": 2 / (n_in + n_out),
                   "he": 2 / n_in}  # fmt: skip
            for init in INITS:
                got = answer(gain_fn, init, n_in, n_out)
                r2 = 6 / (n_in + n_out)
                mistakes = {
                    "you forgot the factor 1/2: a ReLU zeroes the negative half of z, so "
                    "E[a^2] = E[z^2] / 2": n_in * var[init],
                    "you used the standard deviation of W where the rule needs its variance "
                    "sigma^2": n_in * np.sqrt(var[init]) / 2,
                    "the sum in z runs over the layer's n_in inputs, not its n_out outputs": (
                        n_out * var[init] / 2
                    ),
                    "U(-r, r) has variance r^2/3, not r^2 (Xavier's weights are uniform)": (
                        n_in * r2 / 2 if init == "xavier" else np.nan
                    ),
                }
                mistakes = {k: v for k, v in mistakes.items() if not np.isnan(v)}
                expect_array(f"gain({init!r}, {n_in}, {n_out})", got, n_in * var[init] / 2,
                             mistakes)  # fmt: skip
        return "all four initializations agree with the rule n_in Var(W) / 2, for 3 layer sizes"

    return run("Exercise 8.1 (the variance rule)", attempt)


def _unpack(result, function: str, names: str, count: int):
    """The learner's ``result`` as a tuple of ``count`` parts, or a Hint saying what to return."""
    if not isinstance(result, tuple | list) or len(result) != count:
        raise Hint(f"{function} should return {names}, got {type(result).__name__}")
    return result


# Momentum: the right step (as nnlib does it) and the typical wrong ones, each a function
# (w, g, v, lr, mu) -> (new w, new v). The check runs each of them along the same gradients
# and learning rates as the learner's function, and names the one the learner's answer matches.
MOMENTUM_MISTAKES = {
    "your velocity holds the learning rate (v = mu v + lr g, w <- w - v): that convention "
    "(Sutskever et al.) agrees with nnlib's only while lr stays constant, and this check "
    "changes lr between steps, as a schedule does. Keep v = mu v + g and step w <- w - lr v": (
        lambda w, g, v, lr, mu: (w - (mu * v + lr * g), mu * v + lr * g)
    ),
    "your velocity points downhill and holds the learning rate (v = mu v - lr g, w <- w + v): "
    "another convention; nnlib (and PyTorch) keep v = mu v + g and step w <- w - lr v": (
        lambda w, g, v, lr, mu: (w + (mu * v - lr * g), mu * v - lr * g)
    ),
    "your velocity has the wrong sign: nnlib's v accumulates the gradients, v = mu v + g, "
    "and the step subtracts it, w <- w - lr v": (
        lambda w, g, v, lr, mu: (w + lr * (mu * v - g), mu * v - g)
    ),
    "you step uphill: the step is w <- w - lr v, a minus sign": (
        lambda w, g, v, lr, mu: (w + lr * (mu * v + g), mu * v + g)
    ),
    "the learning rate is applied twice, once inside v and once in the step: "
    "v = mu v + g, then w <- w - lr v": (
        lambda w, g, v, lr, mu: (w - lr * (mu * v + lr * g), mu * v + lr * g)
    ),
    "your velocity is an average, v = mu v + (1 - mu) g; nnlib's momentum adds the whole "
    "gradient, v = mu v + g, so its steps are 1/(1 - mu) times larger": (
        lambda w, g, v, lr, mu: (w - lr * (mu * v + (1 - mu) * g), mu * v + (1 - mu) * g)
    ),
    "that is Nesterov's step, w <- w - lr (g + mu v); plain momentum steps w <- w - lr v": (
        lambda w, g, v, lr, mu: (w - lr * (g + mu * (mu * v + g)), mu * v + g)
    ),
    "the velocity you return is the one you were given: return the new v, or the next step "
    "starts from the old one and momentum never builds up": (
        lambda w, g, v, lr, mu: (w - lr * (mu * v + g), v)
    ),
    "your velocity forgets the past (v = g, plain SGD): keep mu times the old velocity, "
    "v = mu v + g": (lambda w, g, v, lr, mu: (w - lr * g, g)),
}


def momentum_step(step_fn) -> Feedback:
    """Exercise 8.2: ``step_fn(w, g, v, lr, mu)`` returns (new w, new v), one step of SGD
    with momentum: v <- mu v + g, then w <- w - lr v (nnlib's and PyTorch's convention).

    The check runs 6 steps on each of 4 random cases with ``nnlib.optimizers.Momentum``
    beside it, the learning rate changing between steps as under a schedule, and compares
    w and v after every step.
    """

    def attempt():
        for rng in cases(seed=802, n=4):
            shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 3))))
            mu = float(rng.choice([0.5, 0.8, 0.9]))
            w0 = rng.normal(size=shape)
            reference = optimizers.Momentum(lr=0.1, momentum=mu)
            w_ref = w0.copy()
            mine = (w0.copy(), np.zeros(shape))
            wrong = {k: (w0.copy(), np.zeros(shape)) for k in MOMENTUM_MISTAKES}
            for t in range(1, 7):
                g = rng.normal(size=shape)
                lr = 0.1 * 0.7 ** (t - 1)  # a decaying learning rate
                reference.lr = lr
                reference.step([w_ref], [g.copy()])
                w, v = mine
                got = answer(step_fn, w.copy(), g.copy(), v.copy(), lr=lr, mu=mu,
                             may_change=(0, 2))  # fmt: skip
                mine = _unpack(got, "momentum_step", "(new w, new v)", 2)
                wrong = {k: f(wrong[k][0], g, wrong[k][1], lr, mu)
                         for k, f in MOMENTUM_MISTAKES.items()}  # fmt: skip
                _compare(t, ("w", "v"), mine, (w_ref, reference.state[0][0]), wrong)
        return (
            "6 steps on each of 4 random arrays agree with nnlib.optimizers.Momentum, w and v, "
            "with a learning rate that changes between steps"
        )

    return run("Exercise 8.2 (a momentum step)", attempt)


def _adam(w, g, state, lr, b1, b2, eps, *, square=True, correct=(True, True), power=0,
          eps_inside=False, lr_in_m=False, sign=1, carry=True, carry_t=True, swap=False,
          from_m=False, norm=False):  # fmt: skip
    """One Adam step, right by default, or with one of the typical mistakes switched on."""
    m, v, t = state
    t1 = t + 1
    if swap:
        b1, b2 = b2, b1
    m_new = b1 * m + (1 - b1) * (lr * g if lr_in_m else g)
    g2 = np.sum(g * g) if norm else m_new**2 if from_m else g * g if square else g
    v_new = b2 * v + (1 - b2) * g2
    with np.errstate(all="ignore"):
        m_hat = m_new / (1 - b1 ** (t1 + power)) if correct[0] else m_new
        v_hat = v_new / (1 - b2 ** (t1 + power)) if correct[1] else v_new
        denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        w_new = w - sign * lr * m_hat / denominator
    if not carry:
        return w_new, state
    return w_new, (m_new, v_new, t1 if carry_t else t)


ADAM_MISTAKES = {
    "there is no bias correction: divide m by (1 - beta1^t) and v by (1 - beta2^t), or the "
    "first steps are far too large (m and v start at zero)": {"correct": (False, False)},
    "you corrected m but not v: v_hat = v / (1 - beta2^t) too": {"correct": (True, False)},
    "you corrected v but not m: m_hat = m / (1 - beta1^t) too": {"correct": (False, True)},
    "the bias correction is off by one step: count the step first (t = t + 1), then divide "
    "by 1 - beta^t with that t (t = 1 at the first step; t = 0 divides by zero)": {"power": -1},
    "the bias correction uses beta^(t+1): after t = t + 1, it is beta^t": {"power": 1},
    "epsilon belongs outside the square root: sqrt(v_hat) + eps": {"eps_inside": True},
    "v averages g itself; it must average the squares g^2 (elementwise), which are never "
    "negative (the square root of a negative v is NaN)": {"square": False},
    "v averages the square of the running mean, m^2; it must average the squared gradients g^2": {
        "from_m": True
    },
    "v is per weight: average g * g elementwise, not the squared length of the whole gradient": {
        "norm": True
    },
    "the learning rate is applied twice: m averages g itself, and lr multiplies the step once": {
        "lr_in_m": True
    },
    "you step uphill: w <- w - lr m_hat / (sqrt(v_hat) + eps), a minus sign": {"sign": -1},
    "beta1 and beta2 are swapped: m uses beta1 (0.9), v uses beta2 (0.999)": {"swap": True},
    "the state you return is the one you were given: return the new (m, v, t), or every "
    "step starts again from zero": {"carry": False},
    "t is not carried: return t + 1 in the state, so that the bias correction fades as the "
    "steps go on": {"carry_t": False},
}


def adam_step(step_fn) -> Feedback:
    """Exercise 8.3: ``step_fn(w, g, state, lr, beta1, beta2, eps)`` returns
    (new w, new state), one Adam step, with state = (m, v, t): the running averages of g and
    g^2 (arrays shaped like w, zeros at first) and the number of steps taken so far (0 at
    first). m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2; t <- t + 1;
    w <- w - lr m_hat / (sqrt(v_hat) + eps), m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t).

    The check runs 6 steps on each of 4 random cases, gradients of very different sizes,
    with ``nnlib.optimizers.Adam`` beside it, and compares w, m, v and t after every step.
    One case has a large epsilon, so that its place (outside the square root) shows.
    """

    def attempt():
        for i, rng in enumerate(cases(seed=803, n=4)):
            shape = tuple(int(n) for n in rng.integers(2, 6, size=int(rng.integers(1, 3))))
            lr = float(rng.choice([0.01, 0.1]))
            b1, b2 = float(rng.choice([0.9, 0.8])), float(rng.choice([0.999, 0.99]))
            eps = 1e-3 if i == 3 else 1e-8
            w0 = rng.normal(size=shape)
            reference = optimizers.Adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
            w_ref = w0.copy()
            zero = (np.zeros(shape), np.zeros(shape), 0)
            mine = (w0.copy(), zero)
            wrong = {k: (w0.copy(), zero) for k in ADAM_MISTAKES}
            for t in range(1, 7):
                g = rng.normal(size=shape) * 10.0 ** rng.uniform(-3, 1, size=shape)
                reference.step([w_ref], [g.copy()])
                m_ref, v_ref = reference.state[0][:2]
                w, (m, v, t_in) = mine
                with np.errstate(all="ignore"):
                    got = answer(step_fn, w.copy(), g.copy(), (m.copy(), v.copy(), t_in),
                                 lr=lr, beta1=b1, beta2=b2, eps=eps, may_change=(0, 2))  # fmt: skip
                w_new, state = _unpack(got, "adam_step", "(new w, (m, v, t))", 2)
                state = tuple(_unpack(state, "adam_step's state", "(m, v, t)", 3))
                mine = (w_new, state)
                wrong = {k: _adam(wrong[k][0], g, wrong[k][1], lr, b1, b2, eps, **ADAM_MISTAKES[k])
                         for k in ADAM_MISTAKES}  # fmt: skip
                _compare(t, ("w", "m", "v", "t"), (w_new, *state), (w_ref, m_ref, v_ref, t),
                         {k: (wk, *sk) for k, (wk, sk) in wrong.items()})  # fmt: skip
        return (
            "6 steps on each of 4 random arrays agree with nnlib.optimizers.Adam: w, m, v "
            "and t, for gradients from 0.001 to 10 and a large epsilon"
        )

    return run("Exercise 8.3 (an Adam step)", attempt)


def _compare(step: int, names, got, right, mistakes: dict) -> None:
    """Raise a Hint unless every part of ``got`` (w, then the state) equals ``right`` after
    ``step``. A wrong answer is named by the mistake whose every part it equals (NaN where
    the mistake has NaN); failing that, the first wrong part is reported as ``expect_array``
    does. ``mistakes`` maps each description to that mistake's parts."""

    def close(a, b):
        try:
            a = np.asarray(a, dtype=float)
        except (TypeError, ValueError):
            return False
        b = np.asarray(b, dtype=float)
        return a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True)

    if all(close(a, b) and np.isfinite(np.asarray(a, dtype=float)).all()
           for a, b in zip(got, right, strict=True)):  # fmt: skip
        return
    for description, parts in mistakes.items():
        if all(close(a, b) for a, b in zip(got, parts, strict=True)):
            raise Hint(f"after step {step} your answer is not right: {description}")
    for j, name in enumerate(names):
        expect_array(f"{name} after step {step}", got[j], right[j],
                     {k: parts[j] for k, parts in mistakes.items()})  # fmt: skip


# Exercise 8.4: your own network, end to end ---------------------------------------------
#
# The reference: the folded solution's code, with switches for the typical mistakes.
# Without a mistake it computes exactly what the solution computes, operation for
# operation (a test makes sure), so that the stored notebook, which runs it while the
# exercise is unsolved, shows the solution's own numbers.

#: How far the learner's weights may be from nnlib's after the check's short runs (float64).
TOLERANCE = 1e-6
BATCH = 10  # the minibatch size of the check's runs
LR, DECAY = 0.01, 0.5  # Adam's rate in epoch 1 of the check's runs, and its decay per epoch


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _init(sizes, rng, mistake=None):
    """He's initialization as ``mlp`` draws it: layer by layer, W (n_in, n_out) from
    N(0, 2/n_in), then b = 0, which draws nothing."""
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False):
        shape = (n_out, n_in) if mistake == "drawn (n_out, n_in)" else (n_in, n_out)
        W = rng.standard_normal(shape)
        W = W.T if mistake == "drawn (n_out, n_in)" else W
        variance = {
            "no 2": 1 / n_in,
            "unscaled": 1.0,
            "n_out": 2 / n_out,
            "xavier": 2 / (n_in + n_out),
        }.get(mistake, 2 / n_in)
        W = W * (variance if mistake == "variance as scale" else np.sqrt(variance))
        b = rng.standard_normal(n_out) if mistake == "biases drawn" else np.zeros(n_out)
        params += [W, b]
    return params


def _forward(params, x, mistake=None):
    """[x, a1, ..., p]: ReLU hidden layers, softmax probabilities p at the top."""
    activations = [x]
    layers = len(params) // 2
    for k in range(layers):
        W, b = params[2 * k], params[2 * k + 1]
        z = activations[-1] @ W if mistake == "no bias" else activations[-1] @ W + b
        if k < layers - 1:
            hidden = {"no relu": lambda z: z, "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
            activations.append(hidden.get(mistake, lambda z: np.maximum(z, 0))(z))
        else:
            z = np.maximum(z, 0) if mistake == "relu output" else z
            activations.append(z if mistake == "no softmax" else _softmax(z))
    return activations


def _backward(params, activations, y, mistake=None):
    """[dW1, db1, ..., dWL, dbL] of the mean cross-entropy of softmax outputs."""
    m = len(y)
    p = activations[-1]
    delta = (p - y) / {"no 1/m": 1, "1/m twice": m * m}.get(mistake, m)
    if mistake == "sign":
        delta = -delta
    if mistake == "softmax'":
        delta = delta * p * (1 - p)
    grads = []
    for k in range(len(params) // 2, 0, -1):  # layers L, ..., 1
        db = delta.mean(axis=0) if mistake == "db averaged" else delta.sum(axis=0)
        grads[:0] = [activations[k - 1].T @ delta, db]
        if k > 1:
            delta = delta @ params[2 * k - 2].T
            if mistake != "no relu'":
                delta = delta * (activations[k - 1] > 0)
    return grads


def _adam_step(w, g, state, lr, correct=True):
    """The solution of exercise 8.3 at its default betas and epsilon (``correct=False``:
    without the bias correction)."""
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    m, v, t = state
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t) if correct else m
    v_hat = v / (1 - beta2**t) if correct else v
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), (m, v, t)


def _train(x, y, sizes, epochs, batch_size, lr, decay, seed, mistake=None):
    """The solution's train: params after minibatch Adam steps (8.3's solution) at
    lr * decay**(epoch - 1), one generator for the weights and then each epoch's order."""
    rng = np.random.default_rng(seed)
    params = _init(sizes, rng)
    n = len(x)

    def fresh():
        return [(np.zeros_like(p), np.zeros_like(p), 0) for p in params]

    states = fresh()
    shuffler = np.random.default_rng(seed) if mistake == "second generator" else rng
    order, steps = None, 0
    for epoch in range(1, epochs + (0 if mistake == "one epoch short" else 1)):
        rate = lr * decay ** (epoch - 1)
        rate = {"constant rate": lr, "decay off by one": lr * decay**epoch}.get(mistake, rate)
        if mistake == "state reset every epoch":
            states = fresh()
        if mistake == "no shuffle":
            order = np.arange(n)
        elif mistake == "reseeded every epoch":
            order = np.random.default_rng(seed).permutation(n)
        elif mistake != "same order every epoch" or order is None:
            order = shuffler.permutation(n)
        y_order = np.arange(n) if mistake == "x shuffled, y not" else order
        for start in range(0, n, batch_size):
            rows, y_rows = order[start : start + batch_size], y_order[start : start + batch_size]
            if mistake == "last batch dropped" and len(rows) < batch_size:
                break
            grads = _backward(params, _forward(params, x[rows]), y[y_rows])
            steps += 1
            step_rate = {"default lr": 0.001, "decayed every step": lr * decay ** (steps - 1)}
            for i, g in enumerate(grads):
                if mistake == "sgd":
                    params[i] = params[i] - rate * g
                    continue
                w, state = _adam_step(
                    params[i],
                    g,
                    states[i],
                    step_rate.get(mistake, rate),
                    correct=mistake != "no bias correction",
                )
                params[i] = w
                if mistake != "state not carried":
                    states[i] = state
    return params


def _as_list(what: str, got, sizes, prefix: str = "") -> list:
    """``got`` as a list of 2L float64 arrays W1, b1, ... for layer sizes ``sizes``, or a Hint."""
    names = ", ".join(layer_names(sizes, prefix)[:4]) + ", ..."
    if not isinstance(got, list | tuple):
        raise Hint(f"{what} should return a list of arrays [{names}], got {type(got).__name__}")
    if len(got) != 2 * (len(sizes) - 1):
        raise Hint(
            f"for sizes {list(sizes)} ({len(sizes) - 2} hidden layer(s)) {what} should return "
            f"{2 * (len(sizes) - 1)} arrays [{names}], got {len(got)}. Loop over the layers, "
            "whatever len(sizes) is, rather than writing one hidden layer out by hand"
        )
    for name, g, (n_in, n_out) in zip(layer_names(sizes, prefix), got, _shapes(sizes), strict=True):
        want = (n_in, n_out) if "W" in name else (n_out,)
        if np.shape(g) != want:
            raise Hint(
                f"{name} has shape {np.shape(g)}, expected {want} (W{name[-1]} is "
                f"(n_in, n_out), b (n_out,)); the order is layer by layer: [{names}]"
            )
        if isinstance(g, np.ndarray) and g.dtype != np.float64:
            raise Hint(
                f"{name} is {g.dtype}; keep everything in float64, as the inputs are: in "
                "float32 rounding moves the weights past the check's tolerance"
            )
    return [np.asarray(g) for g in got]


def _shapes(sizes):
    return [(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False) for _ in "Wb"]


def _inputs(rng, m, n_in):
    """m random inputs in [0, 1], most of them 0 as in a digit's pixels."""
    return rng.random((m, n_in)) * (rng.random((m, n_in)) < 0.4)


CAPSTONE_SIZES = ((784, 30, 10), (5, 4, 3), (6, 5, 4, 3))

INIT_MISTAKES = {
    "no 2": "your weights have variance 1/n_in; He's initialization is for ReLU units, "
    "Var(W) = 2/n_in: multiply by np.sqrt(2 / n_in)",
    "unscaled": "your weights are N(0, 1), unscaled; He's are N(0, 2/n_in): multiply "
    "by np.sqrt(2 / n_in)",
    "variance as scale": "you multiplied by the variance 2/n_in; a standard normal times "
    "sigma has variance sigma^2, so multiply by its square root, np.sqrt(2 / n_in)",
    "n_out": "your weights have variance 2/n_out; He's divide by the layer's inputs, 2/n_in",
    "xavier": "those are Xavier's variances, 2/(n_in + n_out); He's are 2/n_in",
    "drawn (n_out, n_in)": "each W is drawn with shape (n_out, n_in) and transposed; nnlib "
    "draws W directly with shape (n_in, n_out), so the same random numbers land in other places",
    "biases drawn": "your biases are random; He's initialization starts them at 0, "
    "np.zeros(n_out), which draws nothing from rng",
}


def _check_init(init):
    for sizes, seed in zip(CAPSTONE_SIZES, (0, 1, 2), strict=True):
        right = [
            p.copy() for p in mlp(sizes, rng=np.random.default_rng(seed), dtype=np.float64).params
        ]
        got = _as_list("init", answer(init, list(sizes), np.random.default_rng(seed)), sizes)
        if seed and all_close(got, _init(sizes, np.random.default_rng(0)), 0, 1e-12):
            raise Hint(
                "init gives the weights of seed 0 whatever generator it is given: draw "
                "from the argument rng, not from a generator of your own"
            )
        candidates = {
            text: _init(sizes, np.random.default_rng(seed), mistake)
            for mistake, text in INIT_MISTAKES.items()
        }
        expect_arrays(f"init({list(sizes)}, rng)", got, right, candidates, sizes, 0, 1e-12)


FORWARD_MISTAKES = {
    "no softmax": "the last array should be the probabilities softmax(z_L); you returned "
    "the logits z_L",
    "relu output": "the output layer goes straight to the softmax: no ReLU before it",
    "no relu": "the hidden layers lack their ReLU: a_l = max(z_l, 0)",
    "sigmoid": "the hidden units are sigmoids; this network's are ReLUs, max(z, 0)",
    "no bias": "you left out the biases: z = a W + b",
}


def _check_forward(forward):
    for i, rng in enumerate(cases(seed=841, n=4)):
        sizes = CAPSTONE_SIZES[i % 3]
        params = [p.copy() for p in mlp(sizes, rng=rng, dtype=np.float64).params]
        params[1::2] = [rng.normal(0, 0.5, b.shape) for b in params[1::2]]  # biases count too
        if i == 3:  # logits in the thousands, rows thousands apart: only a row-wise shift works
            params[-2] *= 3000
        x = _inputs(rng, int(rng.integers(3, 9)), sizes[0])
        right = _forward(params, x)
        got = answer_for_layers(sizes, forward, [p.copy() for p in params], x.copy())
        expect_layer_list(got, len(right), sizes, last="p")
        if i == 3 and not np.all(np.isfinite(np.asarray(got[-1], dtype=float))):
            raise Hint(
                "for logits in the thousands, thousands apart from row to row, your p holds "
                "NaN or inf: softmax must subtract each row's own maximum before np.exp (4.1)"
            )
        with np.errstate(all="ignore"):
            candidates = {t: _forward(params, x, m) for m, t in FORWARD_MISTAKES.items()}
        for k in range(1, len(right)):
            name = "p (the last array)" if k == len(right) - 1 else f"a{k}"
            expect_array(
                name,
                got[k],
                right[k],
                {d: c[k] for d, c in candidates.items()},
                rtol=1e-9,
                atol=1e-12,
            )


BACKWARD_MISTAKES = {
    "no 1/m": "the gradients are m times too large: you forgot the 1/m of the mean "
    "cross-entropy over the minibatch, delta_L = (p - y) / m",
    "1/m twice": "the gradients are m times too small: you divided by m twice",
    "db averaged": "the bias gradients are m times too small: delta already carries the "
    "1/m, so db is delta.sum(axis=0), not delta.mean(axis=0)",
    "sign": "the gradients have the wrong sign: the output error is (p - y), not (y - p)",
    "softmax'": "delta_L = (p - y) / m already is dC/dz_L for softmax with cross-entropy; "
    "do not multiply it by p (1 - p) (that is the sigmoid's derivative)",
    "no relu'": "the hidden layers' delta lacks ReLU's derivative: delta_l = "
    "(delta_{l+1} W_{l+1}^T) * (a_l > 0)",
}


def _check_backward(backward):
    for i, rng in enumerate(cases(seed=842, n=3)):
        sizes = CAPSTONE_SIZES[i]
        net = mlp(sizes, rng=rng, dtype=np.float64)
        for b in net.params[1::2]:
            b[...] = rng.normal(0, 0.5, b.shape)
        params = [p.copy() for p in net.params]
        m = int(rng.integers(3, 9))  # m > 1, or a missing 1/m would go unseen
        x = _inputs(rng, m, sizes[0])
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
        net.gradient(x, y)
        right = [g.copy() for g in net.grads]
        activations = _forward(params, x)
        got = answer_for_layers(
            sizes,
            backward,
            [p.copy() for p in params],
            [a.copy() for a in activations],
            y.copy(),
        )
        got = _as_list("backward", got, sizes, prefix="d")
        candidates = {t: _backward(params, activations, y, k) for k, t in BACKWARD_MISTAKES.items()}
        expect_arrays(
            f"backward (a minibatch of m = {m})",
            got,
            right,
            candidates,
            sizes,
            0,
            1e-12,
            prefix="d",
        )


def _check_adam(step_fn):
    """Exercise 8.3's check on the learner's adam_step, which train uses."""
    feedback = adam_step(step_fn)
    if feedback.status == "not solved yet":
        raise Hint(
            "train uses your adam_step of exercise 8.3, which is not written yet: "
            "solve exercise 8.3 first"
        )
    if not feedback.solved:
        raise Hint(
            "train uses your adam_step of exercise 8.3, and it is not right yet; "
            f"its check says: {feedback.message}"
        )


TRAIN_MISTAKES = {
    "sgd": "those are plain SGD steps, p - lr g; take each step with your adam_step, "
    "keeping one state (m, v, t) per array of params",
    "no bias correction": "your Adam steps lack the bias correction m / (1 - beta1^t), "
    "v / (1 - beta2^t): use your adam_step of exercise 8.3",
    "state not carried": "every Adam step starts again from the state (0, 0, 0): keep the "
    "state adam_step returns for each array, and pass it to the next step",
    "state reset every epoch": "the Adam states start again from zero every epoch: make "
    "them once, before the loop over epochs",
    "default lr": "adam_step ran at its default rate 0.001: pass lr= the epoch's rate",
    "constant rate": "the rate stayed lr in every epoch: epoch e runs at lr * decay**(e - 1)",
    "decay off by one": "epoch 1 already ran at lr * decay: epoch e runs at lr * decay**(e - 1), "
    "so epoch 1 at lr itself",
    "decayed every step": "the rate decayed after every step; it decays once per epoch, "
    "lr * decay**(e - 1) for all the steps of epoch e",
    "one epoch short": "you trained one epoch too few: range(1, epochs + 1) runs epochs 1 to "
    "epochs",
    "no shuffle": "the minibatches are in the original order: draw order = "
    "rng.permutation(n) at the start of every epoch",
    "second generator": "the minibatches are in another order: you shuffled with a new "
    "generator made from the seed. Use the same rng that drew the initial weights, so the "
    "first permutation comes after the weight draws (nnlib.fit gets that generator too)",
    "reseeded every epoch": "you made a new generator from the seed for each epoch's "
    "shuffle; use the one rng that drew the initial weights, for every epoch",
    "same order every epoch": "every epoch used the same order: draw a new permutation at the "
    "start of each epoch, not once before the loop",
    "x shuffled, y not": "you shuffled the images but not their targets: take x[rows] and "
    "y[rows] with the same rows",
    "last batch dropped": "you skipped the last, smaller minibatch (35 = 3 x 10 + 5): every "
    "example is used once per epoch",
}

#: (what, sizes, examples, epochs) of each stage of the side-by-side run.
STAGES = [
    ("after 0 steps (epochs=0: the initial weights)", (8, 5, 3), 35, 0),
    ("after 1 step (one minibatch of 10)", (8, 5, 3), 10, 1),
    ("after 1 epoch (4 minibatches, the last of 5)", (8, 5, 3), 35, 1),
    ("after 3 epochs, the rate decayed twice", (8, 5, 3), 35, 3),
    (
        "after 3 epochs of a network with two hidden layers, 41 examples (the last minibatch of "
        "one)",
        (8, 6, 5, 3),
        41,
        3,
    ),
    ("after 3 epochs of a 784-30-10 network", (784, 30, 10), 100, 3),
]
STAGE_ADVICE = [
    "train must start from params = init(sizes, rng) with rng = np.random.default_rng(seed), "
    "and return params (with epochs=0, the initial weights)",
    "one step is grads = backward(params, forward(params, xb), yb) on the minibatch, then "
    "one adam_step per array of params, each with its own state",
    "each epoch draws order = rng.permutation(n) from the rng that drew the weights, then "
    "takes the rows order[0:10], order[10:20], ..., the last minibatch smaller",
    "epoch e runs at lr * decay**(e - 1), and each array's Adam state carries over from "
    "one epoch to the next",
    "do you loop over every layer, whatever len(sizes) is?",
    "compare your code with the solution",
]


def _stage_data(sizes, n, seed=843):
    rng = np.random.default_rng([seed, len(sizes), sizes[0]])
    return _inputs(rng, n, sizes[0]), np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]


def nnlib_train(
    x, y, sizes, epochs, batch_size, lr, decay, seed, validation_data=None, verbose=False
):
    """nnlib's network trained as ``train`` trains yours, in float64: one generator,
    ``default_rng(seed)``, draws the weights (``mlp``, He's initialization) and then the
    minibatch order (``fit``); Adam at ``lr * decay**(epoch - 1)``. Returns (net, history)."""
    rng = np.random.default_rng(seed)
    net = mlp(sizes, rng=rng, dtype=np.float64)
    history = None
    if epochs:
        history = fit(
            net,
            x,
            y,
            optimizer=optimizers.Adam(lr),
            epochs=epochs,
            batch_size=batch_size,
            rng=rng,
            validation_data=validation_data,
            lr_schedule=lambda epoch: lr * decay ** (epoch - 1),
            verbose=verbose,
        )
    return net, history


def _check_train(train, seed=8):
    agreed = []
    for (what, sizes, n, epochs), advice in zip(STAGES, STAGE_ADVICE, strict=True):
        x, y = _stage_data(sizes, n)
        right = nnlib_train(x, y, sizes, epochs, BATCH, LR, DECAY, seed)[0].params
        with np.errstate(all="ignore"):
            got = answer(train, x.copy(), y.copy(), list(sizes), epochs, BATCH, LR, DECAY, seed)
        got = _as_list("train", got, sizes)
        if all_close(got, right, 0, TOLERANCE):
            agreed.append(what.split(" (")[0].split(",")[0])
            continue
        so_far = (
            f"Your weights agree with nnlib's {' and '.join(agreed)}, but not {what}"
            if agreed
            else f"Your weights differ from nnlib's {what}"
        )
        name_the_training_mistake(
            so_far, got, right, TRAIN_MISTAKES,
            partial(_train, x, y, sizes, epochs, BATCH, LR, DECAY, seed),
            TOLERANCE, advice,
        )  # fmt: skip


def network(init, forward, backward, train, adam_step) -> Feedback:
    """Exercise 8.4: the learner's own modern network, trained side by side with nnlib.

    ``init(sizes, rng)`` -> [W1, b1, ...], He's initialization as ``mlp`` draws it;
    ``forward(params, x)`` -> [x, a1, ..., p], ReLU hidden layers and a softmax;
    ``backward(params, activations, y)`` -> [dW1, db1, ...] of the mean cross-entropy;
    ``train(x, y, sizes, epochs, batch_size, lr, decay, seed)`` -> params after minibatch
    Adam steps (``adam_step``, exercise 8.3's) at lr * decay**(epoch - 1), with one
    generator ``default_rng(seed)`` for the weights and then the minibatch order.
    """

    def attempt():
        _check_init(init)
        _check_forward(forward)
        _check_backward(backward)
        _check_adam(adam_step)
        _check_train(train)
        return (
            "init, forward and backward agree with nnlib on three networks, and trained side "
            "by side with nnlib.fit from the same seed your weights agree with nnlib's (to "
            f"{TOLERANCE:g}) after 0 steps, 1 step, 1 epoch and 3 epochs, with two hidden "
            "layers, and for a 784-30-10 network"
        )

    return run("Exercise 8.4 (your own network, end to end)", attempt)


def yours_or_solution(train, x, y, sizes, epochs, batch_size, lr, decay, seed):
    """(params, whose): ``train``'s weights after training, or, while ``train`` is not
    written yet (or fails), the folded solution's (with 8.3's solution as its Adam step);
    ``whose`` says which. ``x`` and ``y`` are not copied: they may be large."""
    try:
        with np.errstate(all="ignore"):
            params = answer(train, x, y, list(sizes), epochs, batch_size, lr, decay, seed)
        return [np.asarray(p, dtype=np.float64) for p in params], "your train"
    except (NotSolved, NotImplementedError):
        why = "exercise 8.4 is not solved yet"
    except Exception as err:  # the learner's code crashed: say so, show the solution's
        why = f"your train raised {type(err).__name__}: {' '.join(str(err).split())}"
    params = _train(x, y, sizes, epochs, batch_size, lr, decay, seed)
    return params, f"the solution's train ({why})"


def predict(params, x) -> np.ndarray:
    """The most probable class (N,) of each row of ``x`` (N, n_0) under the network with
    weights ``params`` (ReLU hidden layers, softmax: the solution's forward pass), computed
    10,000 rows at a time."""
    parts = [
        _forward(params, np.asarray(x[i : i + 10_000], dtype=np.float64))[-1].argmax(axis=1)
        for i in range(0, len(x), 10_000)
    ]
    return np.concatenate(parts)

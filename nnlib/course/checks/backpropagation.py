"""Checks for the exercises of notebook 05, backpropagation.

Exercises 5.1 and 5.2 are backprop by hand: the learner's function gets a minibatch
and the weights of a two-layer network and returns every gradient. The check runs it on
random minibatches and compares each gradient with nnlib's backward pass and with the
numerical gradient (central differences, ``nnlib.gradcheck``); when one is wrong it
names the classic mistake that gives exactly the learner's numbers.
"""

import numpy as np

from nnlib import gradcheck
from nnlib.activations import sigmoid, softmax
from nnlib.course.checks import (
    Changed,
    Feedback,
    Hint,
    NotSolved,
    answer,
    cases,
    expect_array,
    reveal,
    run,
)
from nnlib.network import mlp

__all__ = [
    "backward_quadratic",
    "backward_softmax",
    "central_difference",
    "zero_gradient_rows",
    "reveal",
]

GRADIENTS = ("dW1", "db1", "dW2", "db2")
#: (N, n_in, H, K) of the test minibatches: all four differ, so a wrong shape tells which
#: axis went wrong, and N > 2, so "N times too big" cannot be mistaken for "twice".
SIZES = [(5, 4, 3, 2), (7, 6, 4, 3), (3, 8, 5, 4), (6, 5, 7, 3), (9, 7, 3, 4)]


def _minibatch(rng, n, n_in, h, k):
    """Inputs in [0, 1) like pixels, one-hot targets, and weights that saturate nothing."""
    x = rng.random((n, n_in))
    y = np.eye(k)[rng.integers(0, k, n)]
    W1, b1 = rng.normal(0, 1 / np.sqrt(n_in), (n_in, h)), rng.normal(0, 0.5, h)
    W2, b2 = rng.normal(0, 1 / np.sqrt(h), (h, k)), rng.normal(0, 0.5, k)
    return x, y, W1, b1, W2, b2


def _nnlib(hidden: str, x, y, params):
    """nnlib's gradients for the network with these ``params``, and the numerical ones."""
    sizes = [x.shape[1], params[0].shape[1], y.shape[1]]
    if hidden == "sigmoid":
        net = mlp(sizes, activation="sigmoid", output="sigmoid", loss="mse", dtype=np.float64)
    else:
        net = mlp(sizes, activation="relu", dtype=np.float64)  # softmax + cross-entropy, fused
    for mine, value in zip(net.params, params, strict=True):
        mine[...] = value
    net.gradient(x, y, training=False)
    backprop = dict(zip(GRADIENTS, (g.copy() for g in net.grads), strict=True))

    def cost():
        return net.loss(net.forward(x), y)

    numeric = {
        name: gradcheck.numerical_gradient(cost, p)
        for name, p in zip(GRADIENTS, net.params, strict=True)
    }
    return backprop, numeric


def _gradients(got) -> dict:
    """The learner's answer as {name: array}; a Hint if it is not a dict of the four."""
    if not isinstance(got, dict):
        raise Hint(
            "return the gradients as a dict, {'dW1': dW1, 'db1': db1, 'dW2': dW2, 'db2': db2}, "
            f"not a {type(got).__name__}"
        )
    missing = [name for name in GRADIENTS if name not in got]
    if missing:
        raise Hint(f"the dict you return has no {', '.join(missing)}: return all four gradients")
    todo = [name for name in GRADIENTS if got[name] is ... or got[name] is None]
    if len(todo) == len(GRADIENTS):
        raise NotSolved
    if todo:
        raise Hint(f"{', '.join(todo)} {'is' if len(todo) == 1 else 'are'} not computed yet")
    return got


def _expect_gradient(name, got, right, mistakes, formula):
    """``expect_array``, but a transposed weight gradient is named with its right formula."""
    shape = np.shape(got)
    if len(shape) == 2 and right.ndim == 2 and shape == right.shape[::-1] != right.shape:
        raise Hint(
            f"{name} has shape {shape}, expected {right.shape}: it is transposed. Use {formula}"
        )
    expect_array(name, got, right, mistakes)


def _mistakes(hidden, params, right, output_mistakes, hidden_mistakes) -> dict:
    """For each gradient, {description of a typical mistake: the numbers it gives}."""
    x, y, W1, b1, W2, b2 = params
    n = len(x)
    # The forward and backward pass once more, to build each mistake's numbers from.
    z1 = x @ W1 + b1
    a1 = sigmoid(z1) if hidden == "sigmoid" else np.maximum(z1, 0)
    z2 = a1 @ W2 + b2
    out = sigmoid(z2) if hidden == "sigmoid" else softmax(z2)
    derivative = a1 * (1 - a1) if hidden == "sigmoid" else (z1 > 0)
    delta2 = (out - y) * out * (1 - out) / n if hidden == "sigmoid" else (out - y) / n
    delta1 = delta2 @ W2.T * derivative
    values = {"z1": z1, "a1": a1, "z2": z2, "out": out, "y": y, "n": n, "back": delta2 @ W2.T}
    mistakes = {name: {} for name in GRADIENTS}
    for description, d2 in output_mistakes(**values, delta2=delta2).items():
        d1 = d2 @ W2.T * derivative
        wrong = {"dW1": x.T @ d1, "db1": d1.sum(0), "dW2": a1.T @ d2, "db2": d2.sum(0)}
        for name in GRADIENTS:
            mistakes[name][description] = wrong[name]
    for description, d1 in hidden_mistakes(**values).items():
        mistakes["dW1"][description] = x.T @ d1
        mistakes["db1"][description] = d1.sum(0)
    for name in GRADIENTS:
        mistakes[name][
            f"it is N = {n} times too big. The cost is the mean over the N examples of the "
            "minibatch, so delta2 carries a factor 1/N: divide by N once"
        ] = n * right[name]
        mistakes[name][
            f"it is N = {n} times too small: divide by N only once. The 1/N is already in "
            "delta2; from then on sum over the minibatch, do not average again"
        ] = right[name] / n
    mistakes["dW2"][
        "you used z1 where a1 belongs: the input of layer 2 is the activation a1, so "
        "dW2 = a1.T @ delta2"
    ] = z1.T @ delta2
    mistakes["dW1"]["the input of layer 1 is x, not a1: dW1 = x.T @ delta1"] = a1.T @ delta1
    for name, delta, label in (("db2", delta2, "delta2"), ("db1", delta1, "delta1")):
        mistakes[name][
            f"you did not sum {label} over the minibatch: {name} = {label}.sum(axis=0)"
        ] = delta
        mistakes[name][f"you summed over the units; sum over the examples: {label}.sum(axis=0)"] = (
            delta.sum(axis=1)
        )
    return mistakes


def _backprop_check(exercise, backward_fn, hidden, seed, output_mistakes, hidden_mistakes):
    """The check of exercises 5.1 and 5.2; ``hidden`` is 'sigmoid' or 'relu'.

    ``output_mistakes(**values)`` and ``hidden_mistakes(**values)`` map a description of
    a typical mistake to the wrong delta2, or delta1, that it gives.
    """

    def attempt():
        worst = 0.0
        for (n, n_in, h, k), rng in zip(SIZES, cases(seed), strict=True):
            params = _minibatch(rng, n, n_in, h, k)
            with np.errstate(all="ignore"):
                got = _gradients(answer(backward_fn, *(p.copy() for p in params)))
            right, numeric = _nnlib(hidden, params[0], params[1], params[2:])
            mistakes = _mistakes(hidden, params, right, output_mistakes, hidden_mistakes)
            formulas = {
                "dW2": f"a1.T @ delta2, ({h}, {n}) @ ({n}, {k}) -> ({h}, {k}), the shape of W2",
                "dW1": f"x.T @ delta1, ({n_in}, {n}) @ ({n}, {h}) -> ({n_in}, {h}), the shape "
                "of W1",
            }
            for name in ("dW2", "db2", "dW1", "db1"):  # in the order backprop computes them
                _expect_gradient(name, got[name], right[name], mistakes[name], formulas.get(name))
                error = gradcheck.relative_error(np.asarray(got[name], float), numeric[name])
                if error > 1e-6:  # cannot happen while nnlib is right
                    raise Hint(f"{name} agrees with nnlib but not with the numerical gradient")
                worst = max(worst, error)
        if hidden == "relu":
            _large_logits(backward_fn, seed, output_mistakes, hidden_mistakes)
        return (
            "dW1, db1, dW2, db2 agree with nnlib's backward pass and with the numerical "
            f"gradient (relative error {worst:.0e} at worst) on {len(SIZES)} random minibatches"
            + (
                ", and with nnlib's on one whose rows' logits differ by thousands"
                if hidden == "relu"
                else ""
            )  # fmt: skip
        )

    return run(exercise, attempt)


def _large_logits(backward_fn, seed, output_mistakes, hidden_mistakes):
    """A minibatch whose rows' logits differ by thousands: a softmax that is not shifted by
    each row's own maximum gives NaN. (Compared with nnlib's backward pass only: central
    differences are no reference for logits this large.)"""
    x, y, W1, b1, W2, b2 = params = _minibatch(np.random.default_rng([seed, 99]), 6, 5, 4, 3)
    W2 *= 20_000
    with np.errstate(all="ignore"):
        got = _gradients(answer(backward_fn, *(p.copy() for p in params)))
        mistakes = _mistakes("relu", params, _nnlib_backprop(x, y, params[2:]), output_mistakes,
                             hidden_mistakes)  # fmt: skip
    right = _nnlib_backprop(x, y, params[2:])
    z2 = np.maximum(x @ W1 + b1, 0) @ W2 + b2
    for name in ("dW2", "db2", "dW1", "db1"):
        values = np.asarray(got[name], dtype=float)
        if values.shape == right[name].shape and not np.isfinite(values).all():
            raise Hint(
                f"{name} holds NaN for a minibatch whose rows' largest logits differ by "
                f"{np.ptp(z2.max(axis=1)):,.0f}: your softmax overflows, or subtracts one "
                "maximum for the whole minibatch (z.max()), so the rows far below it become "
                "0/0. Subtract each row's own maximum, z.max(axis=1, keepdims=True), or use "
                "nnlib's softmax"
            )
        _expect_gradient(name, got[name], right[name], mistakes[name], None)


def _nnlib_backprop(x, y, params):
    """nnlib's gradients (softmax and cross-entropy, a ReLU hidden layer), as a dict."""
    net = mlp([x.shape[1], params[0].shape[1], y.shape[1]], activation="relu", dtype=np.float64)
    for mine, value in zip(net.params, params, strict=True):
        mine[...] = value
    net.gradient(x, y, training=False)
    return dict(zip(GRADIENTS, (g.copy() for g in net.grads), strict=True))


def _sigmoid_output_mistakes(z1, a1, z2, out, y, n, back, delta2):
    a = out
    return {
        "it has the wrong sign: the derivative of ½(a2 - y)² is a2 - y, output minus target, "
        "not y - a2": -delta2,
        "it is twice too big: the cost has a ½, C = ½(a2 - y)² averaged, which cancels the 2 "
        "of the square's derivative": 2 * delta2,
        "you forgot the sigmoid's derivative in delta2: multiply (a2 - y) / N by "
        "a2 * (1 - a2), which is σ'(z2)": (a - y) / n,
        "you applied the derivative to a2 instead of z2: σ'(z2) = a2 * (1 - a2), not "
        "sigmoid(a2) * (1 - sigmoid(a2))": (a - y) * sigmoid(a) * (1 - sigmoid(a)) / n,
        "you used z2 where a2 belongs: σ'(z2) = a2 * (1 - a2), not z2 * (1 - z2)": (
            (a - y) * z2 * (1 - z2) / n
        ),
    }


def _sigmoid_hidden_mistakes(z1, a1, z2, out, y, n, back):
    return {
        "you forgot the sigmoid's derivative in delta1: multiply delta2 @ W2.T by "
        "a1 * (1 - a1), which is σ'(z1)": back,
        "you applied the derivative to a1 instead of z1: σ'(z1) = a1 * (1 - a1), not "
        "sigmoid(a1) * (1 - sigmoid(a1))": back * sigmoid(a1) * (1 - sigmoid(a1)),
        "you used z1 where a1 belongs: σ'(z1) = a1 * (1 - a1), not z1 * (1 - z1)": (
            back * z1 * (1 - z1)
        ),
        "it is N times too small: delta1 = (delta2 @ W2.T) * σ'(z1) needs no second 1/N": (
            back * a1 * (1 - a1) / n
        ),
    }


def backward_quadratic(backward_fn) -> Feedback:
    """Exercise 5.1: ``backward_fn(x, y, W1, b1, W2, b2)`` returns the gradients of the
    quadratic cost C = 1/(2N) sum_n ||a2_n - y_n||^2 of a sigmoid-sigmoid network,
    ``{"dW1": (n_in, H), "db1": (H,), "dW2": (H, K), "db2": (K,)}``."""
    return _backprop_check(
        "Exercise 5.1 (backprop by hand: sigmoid layers, quadratic cost)",
        backward_fn,
        "sigmoid",
        501,
        _sigmoid_output_mistakes,
        _sigmoid_hidden_mistakes,
    )


def _softmax_output_mistakes(z1, a1, z2, out, y, n, back, delta2):
    p = out
    e = np.exp(z2 - z2.max())
    return {
        "the sign is flipped: for softmax with cross-entropy delta2 = (p - y) / N, "
        "prediction minus target; y - p points uphill": -delta2,
        "you multiplied by p * (1 - p): with cross-entropy the softmax's Jacobian has "
        "already cancelled (section 4), delta2 = (p - y) / N": delta2 * p * (1 - p),
        "you used the logits z2 where the probabilities belong: p = softmax(z2), "
        "delta2 = (p - y) / N": (z2 - y) / n,
        "your softmax normalises each column; it should normalise each row "
        "(axis=1, keepdims=True)": (e / e.sum(axis=0) - y) / n,
    }


def _relu_hidden_mistakes(z1, a1, z2, out, y, n, back):
    return {
        "you forgot ReLU's derivative in delta1: multiply delta2 @ W2.T by (z1 > 0), "
        "1 where the unit was active and 0 elsewhere": back,
        "you multiplied by a1; ReLU's derivative is not its output but 1 where z1 > 0 and "
        "0 elsewhere: (z1 > 0)": back * a1,
        "the mask is the wrong way round: ReLU passes the gradient where z1 > 0": back * (z1 <= 0),
        "that is the sigmoid's derivative; this hidden layer is a ReLU, whose derivative is "
        "(z1 > 0)": back * a1 * (1 - a1),
    }


def backward_softmax(backward_fn) -> Feedback:
    """Exercise 5.2: ``backward_fn(x, y, W1, b1, W2, b2)`` returns the gradients of the
    mean cross-entropy of softmax(z2) for a ReLU hidden layer,
    ``{"dW1": (n_in, H), "db1": (H,), "dW2": (H, K), "db2": (K,)}``."""
    return _backprop_check(
        "Exercise 5.2 (backprop by hand: ReLU, softmax and cross-entropy)",
        backward_fn,
        "relu",
        502,
        _softmax_output_mistakes,
        _relu_hidden_mistakes,
    )


def central_difference(difference_fn) -> Feedback:
    """Exercise 5.3: ``difference_fn(f, w, eps)``, the central-difference gradient of the
    scalar function ``f()`` with respect to the array ``w`` (any shape), which ``f`` reads:
    perturb each element in place, then put it back."""

    def attempt():
        eps = 1e-3  # large enough that a one-sided difference is visibly worse
        for i, rng in enumerate(cases(seed=503)):
            shape = (
                (int(rng.integers(2, 6)),)
                if i < 2
                else tuple(int(s) for s in rng.integers(2, 5, 2))
            )
            w = rng.normal(0, 1, shape)
            c = rng.normal(0, 1, shape)

            def f(w=w, c=c):
                return float(np.sum(np.sin(3 * w)) + np.sum(c * w**3))

            right = gradcheck.numerical_gradient(f, w, eps)
            try:
                got = answer(difference_fn, f, w, eps)
            except Changed:  # w, the one array among the arguments
                raise Hint(
                    "w has changed after your function ran: put each element back "
                    "(w[i] = old) after the two evaluations of f"
                ) from None
            except IndexError as err:
                if len(shape) == 2:
                    raise Hint(
                        f"w has shape {shape}: w[i] is a whole row. Loop over the "
                        "w.size elements of a flat view, flat = w.reshape(-1), and change "
                        "flat[i]"
                    ) from err
                raise
            if np.shape(got) == shape and not np.any(got) and np.any(right):
                raise Hint(
                    "your gradient is 0 everywhere: f() reads the array w itself, so change "
                    "w in place (flat[i] = old + eps), not a copy of it"
                )
            flat, here = w.reshape(-1), f()
            one_sided = [(_at(f, flat, j, flat[j] + eps) - here) / eps for j in range(w.size)]
            mistakes = {
                "you divided by eps; the two points w + eps and w - eps are 2 eps apart": (
                    2 * right
                ),
                "that is the one-sided difference (f(w + eps) - f(w)) / eps: use both "
                "sides, (f(w + eps) - f(w - eps)) / (2 eps), whose error shrinks like "
                "eps², not eps": np.reshape(one_sided, shape),
                "the sign is flipped: (f(w + eps) - f(w - eps)) / (2 eps)": -right,
            }
            for other in (1e-6, 1e-5, 1e-4, 1e-7, 1e-8):  # a default of the learner's own
                mistakes[
                    f"that is the central difference with a step of {other:g}, not the eps = "
                    f"{eps:g} your function is given: use the argument eps"
                ] = gradcheck.numerical_gradient(f, w, other)
            expect_array("the gradient", got, right, mistakes)
        return "right for 5 functions of 1-D and 2-D arrays, and w is left as it was"

    return run("Exercise 5.3 (a gradient check of your own)", attempt)


def _at(f, flat, j, value):
    """f() with element j of ``flat`` set to ``value`` (then restored)."""
    old = flat[j]
    flat[j] = value
    result = f()
    flat[j] = old
    return result


def zero_gradient_rows(rows_fn) -> Feedback:
    """Exercise 5.4: ``rows_fn(x)``, a boolean mask (n_in,): which rows of dC/dW1 = x.T @ delta1
    are zero for the minibatch ``x`` (N, n_in), whatever delta1 is."""

    def attempt():
        for i, rng in enumerate(cases(seed=504, n=6)):
            n, n_in = int(rng.integers(3, 7)), int(rng.integers(8, 13))
            x = rng.random((n, n_in)) * (rng.random((n, n_in)) < 0.5)  # many zeros, like ink
            if i >= 3:  # standardized inputs: negative too
                x = (x - x.mean(axis=0)) / np.maximum(x.std(axis=0), 0.01)
                j, k = rng.choice(n_in, 2, replace=False)
                x[:, j] = 0
                x[:2, j] = (1.5, -1.5)  # sums to 0, but two examples feed this weight
                x[:, k] = -rng.random(n)
                x[0, k] = 0  # its maximum is 0, but it is negative elsewhere
            x[:, rng.integers(0, n_in, 3)] = 0  # and a few inputs blank in every example
            got = answer(rows_fn, x.copy())
            net = mlp([n_in, 4, 3], rng=0, dtype=np.float64)
            net.gradient(x, np.eye(3)[rng.integers(0, 3, n)], training=False)
            right = (net.grads[0] == 0).all(axis=1)  # what nnlib's dW1 says
            blank = (x == 0).all(axis=0)
            assert np.array_equal(right, blank)
            mistakes = {
                "a row of dW1 is zero when its input is 0 in EVERY example: use all, not any": (
                    (x == 0).any(axis=0)
                ),
                "it is the wrong way round: True should mark the rows that are zero": ~blank,
                "one entry per example; the rows of dW1 belong to the inputs, so reduce over "
                "the examples, axis=0": (x == 0).all(axis=1),
                "return a boolean mask with one entry per input, not the indices": np.flatnonzero(
                    blank
                ),
                "a sum of 0 does not mean all zeros: standardized inputs are negative too, "
                "and +1.5 and -1.5 cancel in the sum while each feeds the weight. Test "
                "every example: (x == 0).all(axis=0)": x.sum(axis=0) == 0,
                "a maximum of 0 does not mean all zeros: standardized inputs are negative "
                "too. Test every example: (x == 0).all(axis=0)": x.max(axis=0) == 0,
                "a minimum of 0 does not mean all zeros: test every example, "
                "(x == 0).all(axis=0)": x.min(axis=0) == 0,
                "a mean of 0 does not mean all zeros: standardized inputs average 0 in every "
                "column. Test every example: (x == 0).all(axis=0)": np.isclose(x.mean(axis=0), 0),
            }
            expect_array("the mask", got, blank, mistakes)
        return (
            "right for 6 random minibatches, 3 of them standardized (negative inputs), as "
            "nnlib's dW1 confirms"
        )

    return run("Exercise 5.4 (which weights get no gradient)", attempt)

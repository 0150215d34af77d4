"""Checks for the exercises of notebook 06, training.

Exercise 6.1 is the whole of Nielsen's network in NumPy: ``init``, ``forward``,
``backward`` and ``train``. Its check compares each function with nnlib, then trains
the learner's network beside ``nnlib.fit`` from the same seed on the same data and
compares the weights after 0 steps, 1 step, 1 epoch and 2 epochs, saying at which
point they first differ and, where it can, which mistake makes them differ there.
It computes in float64 and allows 1e-6 (the notebook explains why not bit for bit).
"""

import math
from functools import partial

import numpy as np

from nnlib import optimizers
from nnlib.activations import sigmoid
from nnlib.course.checks import (
    Changed,
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
    "early_stop",
    "nielsen",
    "network",
    "reveal",
    "step_decay",
    "updates",
    "yours_or_solution",
]

TOLERANCE = 1e-6  # how far the learner's weights may be from nnlib's after training


def nielsen(sizes, rng, dtype=np.float64):
    """nnlib's version of Nielsen's chapter 1 network: sigmoid units in every layer, the
    quadratic cost, weights and biases drawn from N(0, 1) ('normal'), in float64."""
    return mlp(
        sizes, activation="sigmoid", output="sigmoid", loss="mse", init="normal", rng=rng,
        dtype=dtype,
    )  # fmt: skip


# The reference: the folded solution's code, with switches for the typical mistakes.
# Without a mistake it gives exactly what the solution gives (a test makes sure).


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _init(sizes, rng, mistake=None):
    layers = list(zip(sizes[:-1], sizes[1:], strict=False))

    def weight(n_in, n_out):
        if mistake in ("drawn (n_out, n_in)", "nielsen's order"):
            return rng.standard_normal((n_out, n_in)).T
        return rng.standard_normal((n_in, n_out))

    if mistake in ("biases first", "nielsen's order"):
        bs = [rng.standard_normal(n_out) for _, n_out in layers]
        Ws = [weight(n_in, n_out) for n_in, n_out in layers]
    elif mistake == "weights first":
        Ws = [weight(n_in, n_out) for n_in, n_out in layers]
        bs = [rng.standard_normal(n_out) for _, n_out in layers]
    else:
        Ws, bs = [], []
        for n_in, n_out in layers:
            if mistake == "b before W":
                bs.append(rng.standard_normal(n_out))
                Ws.append(weight(n_in, n_out))
            else:
                Ws.append(weight(n_in, n_out))
                bs.append(rng.standard_normal(n_out))
    if mistake == "scaled":
        Ws = [W / np.sqrt(len(W)) for W in Ws]
    if mistake == "zero biases":
        bs = [np.zeros_like(b) for b in bs]
    return [p for W, b in zip(Ws, bs, strict=True) for p in (W, b)]


def _forward(params, x, mistake=None):
    activations = [x]
    layers = len(params) // 2
    for k in range(layers):
        W, b = params[2 * k], params[2 * k + 1]
        z = activations[-1] @ W + (0 if mistake == "no bias" else b)
        linear = mistake == "no sigmoid" or (mistake == "linear output" and k == layers - 1)
        activations.append(z if linear else _sigmoid(z))
    return activations


def _backward(params, activations, y, mistake=None):
    m = len(y)
    a = activations[-1]
    delta = (a - y) / {"no 1/m": 1, "1/m twice": m * m}.get(mistake, m)
    if mistake == "sign":
        delta = -delta
    if mistake != "no output sigma'":
        delta = delta * a * (1 - a)
    grads = []
    for k in range(len(params) // 2, 0, -1):
        db = delta.sum(axis=0) / (m if mistake == "db averaged twice" else 1)
        grads[:0] = [activations[k - 1].T @ delta, db]
        if k > 1:
            a = activations[k - 1]
            delta = delta @ params[2 * k - 2].T
            if mistake != "no hidden sigma'":
                delta = delta * a * (1 - a)
    return grads


def _step_too_early(params, xb, yb, lr):
    """Each layer updated as soon as its gradient is known: the layer below is then
    backpropagated through the new weights."""
    activations = _forward(params, xb)
    a = activations[-1]
    delta = (a - yb) / len(yb) * a * (1 - a)
    for k in range(len(params) // 2, 0, -1):
        W, b = params[2 * k - 2], params[2 * k - 1]
        W -= lr * (activations[k - 1].T @ delta)
        b -= lr * delta.sum(axis=0)
        if k > 1:
            a = activations[k - 1]
            delta = delta @ W.T * a * (1 - a)


def _train(x, y, sizes, epochs, batch_size, lr, seed, mistake=None):
    rng = np.random.default_rng(seed)
    params = _init(sizes, rng)
    n = len(x)
    shuffler = np.random.default_rng(seed) if mistake == "second generator" else rng
    order = None
    for _ in range(epochs):
        if mistake == "no shuffle":
            order = np.arange(n)
        elif mistake == "reseeded every epoch":
            order = np.random.default_rng(seed).permutation(n)
        elif mistake != "same order every epoch" or order is None:
            order = shuffler.permutation(n)
        y_order = {"x shuffled, y not": np.arange(n)}.get(mistake, order)
        if mistake == "two permutations":
            y_order = shuffler.permutation(n)
        for start in range(0, n, batch_size):
            rows, y_rows = order[start : start + batch_size], y_order[start : start + batch_size]
            if mistake == "last batch dropped" and len(rows) < batch_size:
                break
            if mistake == "updated too early":
                _step_too_early(params, x[rows], y[y_rows], lr)
                continue
            grads = _backward(params, _forward(params, x[rows]), y[y_rows])
            for i, (p, g) in enumerate(zip(params, grads, strict=True)):
                if mistake == "uphill":
                    p += lr * g
                elif mistake == "no learning rate":
                    p -= g
                elif mistake == "1/m in train too":
                    p -= lr * g / len(rows)
                elif mistake == "biases fixed" and i % 2:
                    continue
                else:
                    p -= lr * g
    return params


# Exercise 6.1 --------------------------------------------------------------------------


def _as_list(what: str, got, sizes, kind: str = "params") -> list:
    """``got`` as a list of 2L arrays for a network with layer sizes ``sizes``, or a Hint."""
    layers = len(sizes) - 1
    names = ", ".join(layer_names(sizes)[:4]) + ", ..."
    if kind == "grads":
        names = ", ".join(f"d{n}" for n in layer_names(sizes)[:4]) + ", ..."
    if not isinstance(got, list | tuple):
        raise Hint(f"{what} should return a list of arrays [{names}], got {type(got).__name__}")
    if len(got) == 2 and layers != 1 and all(isinstance(g, list | tuple) for g in got):
        raise Hint(
            f"{what} returned two lists (as Nielsen's network.py keeps weights and biases); "
            f"return one list, layer by layer: [{names}]"
        )
    if len(got) != 2 * layers:
        hidden = "two hidden layers" if layers == 3 else f"{layers - 1} hidden layer(s)"
        raise Hint(
            f"for sizes {list(sizes)} ({hidden}) {what} should return {2 * layers} arrays "
            f"[{names}], got {len(got)}. Loop over the layers, zip(sizes[:-1], sizes[1:]), "
            "rather than writing one hidden layer out by hand"
        )
    shapes = [np.shape(g) for g in got]
    right = [
        s
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
        for s in ((n_in, n_out), (n_out,))
    ]
    if shapes != right:
        if sorted(shapes, key=str) == sorted(right, key=str):
            raise Hint(
                f"{what} returned the right arrays in the wrong order (shapes {shapes}); "
                f"the order is layer by layer: [{names}], as in params"
            )
        for name, shape, want in zip(layer_names(sizes), shapes, right, strict=True):
            if len(want) == 1 and shape == (want[0], 1):
                raise Hint(
                    f"{name if kind == 'params' else 'd' + name} has shape {shape}, Nielsen's "
                    f"column vector; with examples as rows a bias is a vector of shape {want}, "
                    "added to every row of the minibatch"
                )
    for name, g in zip(layer_names(sizes), got, strict=True):
        if isinstance(g, np.ndarray) and g.dtype != np.float64:
            raise Hint(
                f"{name if kind == 'params' else 'd' + name} is {g.dtype}; keep everything in "
                "float64, as the inputs are (in float32 the rounding errors grow past the "
                "check's tolerance of 1e-6 within a few hundred steps)"
            )
    return list(got)


INIT_MISTAKES = {
    "drawn (n_out, n_in)": "each W is drawn with shape (n_out, n_in) and transposed, as in "
    "Nielsen's network.py; nnlib draws W directly with shape (n_in, n_out), so the same "
    "random numbers land in other places",
    "nielsen's order": "you drew all the biases first, then all the weights as (n_out, n_in), "
    "Nielsen's order; nnlib draws layer by layer: W1 (n_in, n_out), b1, W2, b2, ...",
    "biases first": "you drew all the biases first, then the weights; nnlib draws layer by "
    "layer: W1, then b1, then W2, then b2, ...",
    "weights first": "you drew all the weights first, then the biases; nnlib draws layer by "
    "layer: W1, then b1, then W2, then b2, ...",
    "b before W": "in each layer you drew b before W; nnlib draws W first, then b",
    "scaled": "your weights are scaled by 1/sqrt(n_in) (nnlib's 'normal_scaled', Nielsen's "
    "chapter 3); this exercise is his chapter 1 network: W ~ N(0, 1), unscaled",
    "zero biases": "your biases are 0; Nielsen's network draws them from N(0, 1) too",
}


def _check_init(init):
    for sizes, seed in (((784, 30, 10), 0), ((5, 4, 3), 1), ((6, 5, 4, 3), 2)):
        right = [p.copy() for p in nielsen(sizes, np.random.default_rng(seed)).params]
        got = _as_list(
            "init", answer_for_layers(sizes, init, list(sizes), np.random.default_rng(seed)), sizes
        )
        seed0 = _init(sizes, np.random.default_rng(0))
        if seed and all_close(got, seed0, 1e-5, 1e-8):  # np.allclose's defaults
            raise Hint(
                "init gives the weights of seed 0 whatever generator it is given: draw from "
                "the argument rng, not from a generator of your own"
            )
        candidates = {
            text: _init(sizes, np.random.default_rng(seed), mistake)
            for mistake, text in INIT_MISTAKES.items()
        }
        expect_arrays(f"init({list(sizes)}, rng)", got, right, candidates, sizes, 0, 1e-12)


FORWARD_MISTAKES = {
    "no bias": "you left out the biases: z = a W + b",
    "no sigmoid": "you returned the weighted inputs z; every layer's activation is sigmoid(z)",
    "linear output": "the output layer has no sigmoid; Nielsen's network applies the sigmoid "
    "in every layer, the last one too",
}


def _check_forward(forward):
    for i, rng in enumerate(cases(seed=601, n=3)):
        sizes = ((5, 4, 3), (6, 5, 4, 3), (784, 30, 10))[i]
        params = [p.copy() for p in nielsen(sizes, rng).params]
        x = _inputs(rng, int(rng.integers(3, 9)), sizes[0])
        right = [x] + [sigmoid(z) for z in _weighted_inputs(params, x)]
        got = answer_for_layers(sizes, forward, [p.copy() for p in params], x.copy())
        expect_layer_list(got, len(right), sizes, last="aL")
        with np.errstate(all="ignore"):
            candidates = {t: _forward(params, x, m) for m, t in FORWARD_MISTAKES.items()}
        for k in range(1, len(right)):
            mistakes = {d: c[k] for d, c in candidates.items()}
            expect_array(f"a{k}", got[k], right[k], mistakes, rtol=1e-9, atol=1e-12)


def _inputs(rng, m, n_in):
    """m random inputs; 784 of them mostly blank, like digits (else every sigmoid saturates)."""
    x = rng.random((m, n_in))
    return x * (rng.random((m, n_in)) < 0.2) if n_in == 784 else x


def _weighted_inputs(params, x):
    a, zs = x, []
    for W, b in zip(params[::2], params[1::2], strict=True):
        zs.append(a @ W + b)
        a = sigmoid(zs[-1])
    return zs


BACKWARD_MISTAKES = {
    "no 1/m": "the gradients are m times too large: you forgot the 1/m of the mean over the "
    "minibatch, C = 1/(2m) sum ||a_L - y||^2",
    "1/m twice": "the gradients are m times too small: you divided by m twice",
    "db averaged twice": "the bias gradients are m times too small: delta already carries the "
    "1/m, so db is delta.sum(axis=0), not delta.mean(axis=0)",
    "sign": "the gradients have the wrong sign: the output error is (a_L - y), not (y - a_L)",
    "no output sigma'": "the output layer's delta lacks sigma'(z_L) = a_L (1 - a_L): "
    "(a_L - y) / m alone is the delta of the cross-entropy cost, not of the quadratic one (BP1)",
    "no hidden sigma'": "the hidden layer's delta lacks sigma'(z) = a (1 - a) (BP2: "
    "delta_l = (delta_{l+1} W_{l+1}^T) * sigma'(z_l))",
}


def _check_backward(backward):
    for i, rng in enumerate(cases(seed=602, n=3)):
        sizes = ((5, 4, 3), (6, 5, 4, 3), (784, 30, 10))[i]
        net = nielsen(sizes, rng)
        params = [p.copy() for p in net.params]
        m = int(rng.integers(3, 9))  # m > 1, or a missing 1/m would go unseen
        x = _inputs(rng, m, sizes[0])
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
        net.gradient(x, y)
        right = [g.copy() for g in net.grads]
        activations = [x] + [sigmoid(z) for z in _weighted_inputs(params, x)]
        got = answer_for_layers(
            sizes, backward, [p.copy() for p in params], [a.copy() for a in activations], y
        )
        got = _as_list("backward", got, sizes, kind="grads")
        candidates = {t: _backward(params, activations, y, k) for k, t in BACKWARD_MISTAKES.items()}
        expect_arrays(
            f"backward (a minibatch of m = {m})", got, right, candidates, sizes,
            rtol=1e-7, atol=1e-12, prefix="d",
        )  # fmt: skip


TRAIN_MISTAKES = {
    "uphill": "you stepped uphill: the update is params -= lr * grads",
    "no learning rate": "the step lacks the learning rate: params -= lr * grads",
    "1/m in train too": "the step is m times too small: backward already averages over the "
    "minibatch, so do not divide by m again in train",
    "biases fixed": "the biases did not move: update every array of params, biases too",
    "updated too early": "you updated a layer before computing the gradients of the layers "
    "below it, so backpropagation ran through the new weights: compute every gradient "
    "first, then update",
    "no shuffle": "the minibatches are in the original order: draw order = "
    "rng.permutation(n) at the start of every epoch",
    "second generator": "the minibatches are in another order: you shuffled with a new "
    "generator made from the seed. Use the same rng that drew the initial weights, so the "
    "first permutation comes after the weight draws (nnlib.fit gets that generator too)",
    "reseeded every epoch": "you made a new generator from the seed for each epoch's "
    "shuffle; use the one rng that drew the initial weights, for every epoch",
    "x shuffled, y not": "you shuffled the images but not their targets: take x[rows] and "
    "y[rows] with the same rows",
    "two permutations": "you shuffled x and y with two different permutations, so images and "
    "targets no longer match: draw one order and index both with it",
    "last batch dropped": "you skipped the last, smaller minibatch (35 examples make 3 "
    "minibatches of 10 and 1 of 5; 41 make 4 of 10 and 1 of 1): every example is used once "
    "per epoch",
    "same order every epoch": "every epoch used the same order: draw a new permutation at the "
    "start of each epoch, not once before the loop",
}

#: (what, sizes, examples, epochs, learning rate) of each stage of the side-by-side run.
STAGES = [
    ("after 0 steps (epochs=0: the initial weights)", (8, 5, 3), 35, 0, 2.0),
    ("after 1 step (one minibatch of 10)", (8, 5, 3), 10, 1, 2.0),
    ("after 1 epoch (4 minibatches, the last of 5)", (8, 5, 3), 35, 1, 2.0),
    ("after 2 epochs", (8, 5, 3), 35, 2, 2.0),
    (
        "after 2 epochs of a network with two hidden layers (41 examples: a last minibatch of 1)",
        (8, 6, 5, 3),
        41,
        2,
        2.0,
    ),  # fmt: skip
    ("after 20 steps of a 784-30-10 network", (784, 30, 10), 100, 2, 3.0),
]
BATCH = 10

STAGE_ADVICE = [
    "train must start from params = init(sizes, rng) with rng = np.random.default_rng(seed), "
    "and return params (with epochs=0, the initial weights)",
    "one step is grads = backward(params, forward(params, xb), yb) on the minibatch, then "
    "p -= lr * g for every array",
    "each epoch draws order = rng.permutation(n) from the rng that drew the weights, then "
    "takes the rows order[0:10], order[10:20], ..., the last minibatch smaller",
    "draw a new permutation at the start of every epoch",
    "do you loop over every layer, whatever len(sizes) is, and over every minibatch, the "
    "last one too, even when it holds a single example?",
    "compare your code with the solution",
]


def _stage_data(sizes, n, seed=603):
    rng = np.random.default_rng([seed, len(sizes), sizes[0]])
    return _inputs(rng, n, sizes[0]), np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]


def _nnlib_train(x, y, sizes, epochs, lr, seed, dtype=np.float64):
    """nnlib's weights after ``epochs`` of SGD: one generator draws the weights, then shuffles."""
    rng = np.random.default_rng(seed)
    net = nielsen(sizes, rng, dtype)
    if epochs:
        fit(net, x.astype(dtype), y.astype(dtype), optimizer=optimizers.SGD(lr),
            epochs=epochs, batch_size=BATCH, rng=rng, verbose=False)  # fmt: skip
    return [p.astype(np.float64) for p in net.params]


def _check_train(train, seed=6):
    agreed = []
    for (what, sizes, n, epochs, lr), advice in zip(STAGES, STAGE_ADVICE, strict=True):
        x, y = _stage_data(sizes, n)
        right = _nnlib_train(x, y, sizes, epochs, lr, seed)
        with np.errstate(all="ignore"):
            got = answer_for_layers(
                sizes, train, x.copy(), y.copy(), list(sizes), epochs, BATCH, lr, seed
            )
        got = _as_list("train", got, sizes)
        if all_close(got, right, 0, TOLERANCE):
            agreed.append(what.split(" (")[0])
            continue
        so_far = (
            f"Your weights agree with nnlib's {' and '.join(agreed)}, but not {what}"
            if agreed
            else f"Your weights differ from nnlib's {what}"
        )
        initial = _init(sizes, np.random.default_rng(seed))
        still = all(np.array_equal(g, w) for g, w in zip(got, initial, strict=True))
        if epochs and still:
            raise Hint(f"{so_far}: {_never_ran(train, x, y, sizes, epochs, lr, seed)}")
        name_the_training_mistake(
            so_far, got, right, TRAIN_MISTAKES,
            partial(_train, x, y, sizes, epochs, BATCH, lr, seed),
            TOLERANCE, advice,
        )  # fmt: skip
    return agreed


def _never_ran(train, x, y, sizes, epochs, lr, seed) -> str:
    """Why ``train`` made no update at all: which of its two loops never ran (it tries one
    more epoch to tell)."""
    n = len(x)
    with np.errstate(all="ignore"):
        more = answer(train, x.copy(), y.copy(), list(sizes), epochs + 1, BATCH, lr, seed)
    initial = _init(sizes, np.random.default_rng(seed))
    if len(more) == len(initial) and not all(
        np.shape(g) == np.shape(w) and np.array_equal(g, w)
        for g, w in zip(more, initial, strict=True)
    ):
        return (
            f"your weights are still the initial ones after epochs = {epochs}, and move only "
            f"with epochs = {epochs + 1}: your loop over the epochs runs one time too few. "
            "range(epochs) runs epochs times; range(1, epochs) runs epochs - 1"
        )
    return (
        f"your weights are still the initial ones: the loop over the minibatches never ran "
        f"for n = {n} examples in minibatches of {BATCH}. range(0, n, batch_size) starts a "
        "minibatch at 0, 10, ..., up to the last, smaller one; range(0, n - batch_size, "
        "batch_size) is empty when n = batch_size, and misses the last minibatch otherwise"
    )


def network(init, forward, backward, train) -> Feedback:
    """Exercise 6.1: Nielsen's network in NumPy, trained side by side with nnlib.

    ``init(sizes, rng)`` -> [W1, b1, W2, b2, ...], drawn as nnlib's 'normal' init does;
    ``forward(params, x)`` -> [x, a1, ..., aL]; ``backward(params, activations, y)`` ->
    [dW1, db1, ...] of the quadratic cost; ``train(x, y, sizes, epochs, batch_size, lr,
    seed)`` -> params after minibatch SGD with one generator ``default_rng(seed)``.
    """

    def attempt():
        _check_init(init)
        _check_forward(forward)
        _check_backward(backward)
        _check_train(train)
        return (
            "init, forward and backward agree with nnlib on three networks, and trained side "
            "by side with nnlib.fit from the same seed your weights agree with nnlib's (to "
            f"{TOLERANCE:g}) after 0 steps, 1 step, 1 epoch and 2 epochs, with two hidden "
            "layers, and after 20 steps of a 784-30-10 network"
        )

    return run("Exercise 6.1 (Nielsen's network in NumPy)", attempt)


def yours_or_solution(train, x, y, sizes, epochs, batch_size, lr, seed):
    """(params, whose): ``train``'s weights after training, or, while ``train`` is not
    written yet (or fails), the folded solution's; ``whose`` says which."""
    try:
        with np.errstate(all="ignore"):
            params = answer(train, x.copy(), y.copy(), list(sizes), epochs, batch_size, lr, seed)
        return [np.asarray(p, dtype=np.float64) for p in params], "yours"
    except (NotSolved, NotImplementedError):
        why = "exercise 6.1 is not solved yet"
    except Changed as changed:
        why = f"your train changes its argument {changed.argument}"
    except Exception as err:  # the learner's code crashed: say so, show the solution's
        why = f"your train raised {type(err).__name__}"
    return _train(x, y, sizes, epochs, batch_size, lr, seed), f"the solution's ({why})"


# Exercise 6.2 --------------------------------------------------------------------------


def _fit_steps(n, batch_size, epochs):
    """How many updates nnlib.fit makes: its optimizer's step counter after training."""
    sgd = optimizers.SGD(0.1)
    net = mlp([2, 2], rng=0)
    fit(net, np.zeros((n, 2), np.float32), np.zeros(n, np.int64), optimizer=sgd,
        epochs=epochs, batch_size=batch_size, verbose=False)  # fmt: skip
    return sgd.t


def updates(updates_fn) -> Feedback:
    """Exercise 6.2: ``updates_fn(n, batch_size, epochs)``, the number of SGD updates."""

    def attempt():
        for n, m, epochs in ((35, 10, 2), (40, 10, 3), (7, 8, 3), (100, 1, 1), (33, 4, 2)):
            right = _fit_steps(n, m, epochs)
            got = answer(updates_fn, n, m, epochs)
            case = f"for n = {n}, batch_size = {m}, epochs = {epochs}"
            if not isinstance(got, int | np.integer):
                if isinstance(got, float) and got == right:
                    raise Hint(f"{case} you return {got!r}: a count of updates is an int")
                if isinstance(got, float) and got == n / m * epochs:
                    raise Hint(
                        f"{case} you return {got:g}: n / batch_size is not a whole number of "
                        "minibatches; the last, smaller minibatch is one update"
                    )
                raise Hint(f"{case} you return {got!r}; expected an int")
            if got == right:
                continue
            mistakes = {
                (n // m) * epochs: "you rounded down: the last, smaller minibatch is an update "
                "too (round up: math.ceil, or -(-n // batch_size))",
                (n // m + 1) * epochs: "with n // batch_size + 1 a batch size that divides n "
                "gets one update too many: round up instead (math.ceil)",
                math.ceil(n / m): "that is one epoch's updates; multiply by epochs",
                n * epochs: "that is the number of examples seen, not of updates: each update "
                "uses a whole minibatch",
            }
            advice = "An epoch has ceil(n / batch_size) minibatches, one update each"
            raise Hint(
                f"{case} nnlib.fit makes {right} updates, you say {got}. "
                + mistakes.get(int(got), advice)
            )
        return "5 cases agree with the step counter of nnlib.fit's optimizer"

    return run("Exercise 6.2 (counting updates)", attempt)


# Exercise 6.3 --------------------------------------------------------------------------


def _early_stop(val_losses, patience):
    best, best_epoch = math.inf, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses)


EARLY_STOP_CASES = [
    ([0.8, 0.6, 0.65, 0.59, 0.7, 0.72, 0.71, 0.73, 0.74], 3),
    ([1.0, 0.8, 0.7, 0.75, 0.8, 0.85, 0.6, 0.9], 3),  # a later improvement it must not see
    ([0.9, 0.7, 0.6, 0.55, 0.5], 2),  # always improving: never stops
    ([0.5, 0.5, 0.5, 0.5, 0.5], 2),  # ties are no improvement
    ([0.9, 0.7, 0.6, 0.65, 0.55, 0.58], 3),  # never stops, though the best is not the last
]


def early_stop(early_stop_fn) -> Feedback:
    """Exercise 6.3: ``early_stop_fn(val_losses, patience)`` -> (best_epoch, stop_epoch)."""

    def attempt():
        rng = np.random.default_rng(603)
        noisy = (0.4 + (np.linspace(-1, 1, 30) ** 2) / 4 + rng.normal(0, 0.02, 30)).round(3)
        for losses, patience in [*EARLY_STOP_CASES, (noisy.tolist(), 5)]:
            right = _early_stop(losses, patience)
            got = answer(early_stop_fn, list(losses), patience)
            case = f"for val_losses = {losses} and patience = {patience}"
            if not isinstance(got, tuple | list) or len(got) != 2:
                raise Hint(f"{case} return a pair (best_epoch, stop_epoch), got {got!r}")
            got = tuple(int(v) for v in got)
            if got == right:
                continue
            first = min(range(len(losses)), key=lambda i: (losses[i], i)) + 1
            if got[0] == first != right[0]:
                raise Hint(
                    f"{case} the answer is {right}, you return {got}: you used the lowest loss "
                    "of the whole run, including epochs after the stop, and early stopping "
                    "cannot see the future. Go epoch by epoch and stop as soon as `patience` "
                    "epochs have passed without a new best"
                )
            mistakes = {
                right[::-1]: "the pair is the wrong way round: return (best_epoch, stop_epoch)",
                (right[0] - 1, right[1] - 1): "your epochs count from 0; fit's history counts "
                "them from 1 (its first row is epoch 1)",
                _early_stop_le(losses, patience): "an equal loss is no improvement: a new best "
                "must be strictly lower (<, not <=)",
                _early_stop_late(losses, patience): "you stopped one epoch late: with the best "
                "at epoch 3 and patience 3, the epochs without improvement are 4, 5 and 6, so "
                "training stops after epoch 6",
            }
            raise Hint(f"{case} the answer is {right}, you return {got}. " + mistakes.get(
                got, "Keep the best loss so far and its epoch; stop at the first epoch that "
                "is `patience` epochs after the best"))  # fmt: skip
        return "6 runs of validation losses agree, with ties, a late improvement and no stop"

    return run("Exercise 6.3 (early stopping)", attempt)


def _early_stop_le(val_losses, patience):
    best, best_epoch = math.inf, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss <= best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses)


def _early_stop_late(val_losses, patience):
    best, best_epoch = math.inf, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch > patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses)


# Exercise 6.4 --------------------------------------------------------------------------


def step_decay(step_decay_fn) -> Feedback:
    """Exercise 6.4: ``step_decay_fn(lr0, factor, every)`` returns a schedule, a function
    of the epoch (counted from 1) giving lr0 * factor ** ((epoch - 1) // every)."""

    def attempt():
        for lr0, factor, every in ((0.3, 0.5, 1), (0.1, 0.5, 2), (1.0, 0.1, 3)):
            schedule = answer(step_decay_fn, lr0, factor, every)
            if not callable(schedule):
                raise Hint(
                    f"step_decay({lr0}, {factor}, {every}) returned {schedule!r}; it should "
                    "return a function of the epoch (def schedule(epoch): ..., then "
                    "return schedule), which fit calls at the start of every epoch"
                )
            epochs = np.arange(1, 8)
            right = lr0 * factor ** ((epochs - 1) // every)
            got = [answer(schedule, int(e)) for e in epochs]
            expect_array(
                f"the rates of epochs 1 to 7 for step_decay({lr0}, {factor}, {every})",
                got,
                right,
                {
                    "fit counts epochs from 1, and epoch 1 must get lr0: use (epoch - 1)": (
                        lr0 * factor ** (epochs // every)
                    ),
                    "the rate should stay for `every` epochs, then drop: an integer "
                    "exponent, (epoch - 1) // every": lr0 * factor ** ((epochs - 1) / every),
                    "the rate drops every epoch: divide (epoch - 1) by `every` "
                    "(integer division) first": lr0 * factor ** (epochs - 1),
                },
                rtol=1e-12,
                atol=0,
            )
            # A schedule is a function of the epoch alone: asked again, out of order, and
            # beside a second schedule from the same step_decay, it gives the same rates.
            other = answer(step_decay_fn, lr0, factor, every)
            order = [3, 1, 7, 7, 2, 5, 1, 6, 4]
            rates = [answer(s, e) for e in order for s in (schedule, other)]
            want = [lr0 * factor ** ((e - 1) // every) for e in order for _ in (0, 1)]
            if not np.allclose(rates, want, rtol=1e-12, atol=0):
                raise Hint(
                    f"asked for epochs {order} (out of order, some twice, and beside a second "
                    f"schedule from step_decay({lr0}, {factor}, {every})), your schedules give "
                    f"{[float(f'{r:.4g}') for r in rates[::2]]}, not "
                    f"{[float(f'{r:.4g}') for r in want[::2]]}: the rate must depend on the "
                    "epoch it is given alone. Does your schedule count its calls, or keep "
                    "something between them? Reused for a second run (another seed) it would "
                    "start at the wrong rate"
                )
        schedule = answer(step_decay_fn, 1.0, 0.5, 2)
        for run_number in (1, 2):  # the same schedule, reused for a second seed
            sgd = optimizers.SGD(1.0)
            fit(mlp([2, 2], rng=0), np.zeros((4, 2), np.float32), np.zeros(4, np.int64),
                optimizer=sgd, epochs=5, batch_size=4, lr_schedule=schedule,
                verbose=False)  # fmt: skip
            if not np.isclose(sgd.lr, 0.25):
                raise Hint(
                    f"after 5 epochs of fit with your step_decay(1.0, 0.5, 2) (run "
                    f"{run_number} with the same schedule) the rate is {sgd.lr}, not 0.25"
                )
        return (
            "3 schedules agree for epochs 1 to 7, asked in order, out of order and twice, and "
            "fit ends 5 epochs at lr0 / 4, twice with the same schedule"
        )

    return run("Exercise 6.4 (a step-decay schedule)", attempt)

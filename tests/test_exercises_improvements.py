"""Notebook 08's checks: typical wrong answers get the hint meant for them."""

import numpy as np
import pytest
from notebook_exercises import exercises

from nnlib.course.checks import improvements as check

# Exercise 8.1: the variance rule


def variance(init, n_in, n_out):
    return {"normal": 1, "normal_scaled": 1 / n_in, "xavier": 2 / (n_in + n_out), "he": 2 / n_in}[
        init
    ]


def gain(init, n_in, n_out):
    return n_in * variance(init, n_in, n_out) / 2


GAIN_MISTAKES = {
    "you forgot the factor 1/2": lambda init, n_in, n_out: n_in * variance(init, n_in, n_out),
    "standard deviation of W": lambda init, n_in, n_out: (
        n_in * variance(init, n_in, n_out) ** 0.5 / 2
    ),
    "not its n_out outputs": lambda init, n_in, n_out: n_out * variance(init, n_in, n_out) / 2,
    "variance r^2/3, not r^2": lambda init, n_in, n_out: (
        n_in * 6 / (n_in + n_out) / 2 if init == "xavier" else gain(init, n_in, n_out)
    ),
}


def test_the_right_gain_passes():
    assert check.gain(gain).solved


@pytest.mark.parametrize("hint", GAIN_MISTAKES)
def test_a_wrong_gain_gets_its_hint(hint):
    feedback = check.gain(GAIN_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


# Exercise 8.2: a momentum step, as a learner would write it


def momentum(w, g, v, lr=0.01, mu=0.9):
    v = mu * v + g
    return w - lr * v, v


def sutskever(w, g, v, lr=0.01, mu=0.9):
    v = mu * v + lr * g
    return w - v, v


def cs231n(w, g, v, lr=0.01, mu=0.9):
    v = mu * v - lr * g
    return w + v, v


def negative_velocity(w, g, v, lr=0.01, mu=0.9):
    v = mu * v - g
    return w + lr * v, v


def uphill(w, g, v, lr=0.01, mu=0.9):
    v = mu * v + g
    return w + lr * v, v


def lr_twice(w, g, v, lr=0.01, mu=0.9):
    v = mu * v + lr * g
    return w - lr * v, v


def averaged(w, g, v, lr=0.01, mu=0.9):
    v = mu * v + (1 - mu) * g
    return w - lr * v, v


def nesterov(w, g, v, lr=0.01, mu=0.9):
    v = mu * v + g
    return w - lr * (g + mu * v), v


def not_carried(w, g, v, lr=0.01, mu=0.9):
    v_new = mu * v + g
    return w - lr * v_new, v


def forgetful(w, g, v, lr=0.01, mu=0.9):
    v = g
    return w - lr * v, v


def in_place(w, g, v, lr=0.01, mu=0.9):  # right: updating the arrays in place is fine
    v *= mu
    v += g
    w -= lr * v
    return w, v


def only_w(w, g, v, lr=0.01, mu=0.9):
    return w - lr * (mu * v + g)


MOMENTUM_MISTAKES = {
    "Sutskever": sutskever,
    "points downhill and holds the learning rate": cs231n,
    "velocity has the wrong sign": negative_velocity,
    "you step uphill": uphill,
    "learning rate is applied twice": lr_twice,
    "your velocity is an average": averaged,
    "that is Nesterov's step": nesterov,
    "the velocity you return is the one you were given": not_carried,
    "your velocity forgets the past": forgetful,
    "should return (new w, new v)": only_w,
}


@pytest.mark.parametrize("step", [momentum, in_place])
def test_a_right_momentum_step_passes(step):
    feedback = check.momentum_step(step)
    assert feedback.solved, feedback


@pytest.mark.parametrize("hint", MOMENTUM_MISTAKES)
def test_a_wrong_momentum_step_gets_its_hint(hint):
    feedback = check.momentum_step(MOMENTUM_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


# Exercise 8.3: an Adam step, as a learner would write it


def adam(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v, t = state
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), (m, v, t)


def adam_variant(**change):
    """Adam as above with one line changed, the way a learner might get it wrong."""

    def step(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        m, v, t = state
        t_before = t
        t = t + 1
        b1, b2 = (beta2, beta1) if change.get("swap") else (beta1, beta2)
        m_new = b1 * m + (1 - b1) * (lr * g if change.get("lr_in_m") else g)
        if change.get("no_square"):
            v_new = b2 * v + (1 - b2) * g
        elif change.get("from_m"):
            v_new = b2 * v + (1 - b2) * m_new**2
        elif change.get("norm"):
            v_new = b2 * v + (1 - b2) * g @ g if g.ndim == 1 else b2 * v + (1 - b2) * np.sum(g * g)
        else:
            v_new = b2 * v + (1 - b2) * g * g
        power = {"before": t_before, "after": t + 1}.get(change.get("t"), t)
        m_hat = m_new if change.get("no_m_hat") else m_new / (1 - b1**power)
        v_hat = v_new if change.get("no_v_hat") else v_new / (1 - b2**power)
        if change.get("eps_inside"):
            step = lr * m_hat / np.sqrt(v_hat + eps)
        else:
            step = lr * m_hat / (np.sqrt(v_hat) + eps)
        w_new = w + step if change.get("uphill") else w - step
        if change.get("keep_state"):
            return w_new, state
        return w_new, (m_new, v_new, t_before if change.get("keep_t") else t)

    return step


def adam_in_place(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v, t = state
    t += 1
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g * g
    w -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return w, (m, v, t)


ADAM_MISTAKES = {
    "there is no bias correction": adam_variant(no_m_hat=True, no_v_hat=True),
    "you corrected m but not v": adam_variant(no_v_hat=True),
    "you corrected v but not m": adam_variant(no_m_hat=True),
    "off by one step": adam_variant(t="before"),
    "uses beta^(t+1)": adam_variant(t="after"),
    "epsilon belongs outside the square root": adam_variant(eps_inside=True),
    "v averages g itself": adam_variant(no_square=True),
    "v averages the square of the running mean": adam_variant(from_m=True),
    "v is per weight": adam_variant(norm=True),
    "learning rate is applied twice": adam_variant(lr_in_m=True),
    "you step uphill": adam_variant(uphill=True),
    "beta1 and beta2 are swapped": adam_variant(swap=True),
    "the state you return is the one you were given": adam_variant(keep_state=True),
    "t is not carried": adam_variant(keep_t=True),
    "should return (new w, (m, v, t))": lambda w, g, state, **kw: adam(w, g, state, **kw)[0],
}


@pytest.mark.parametrize("step", [adam, adam_in_place])
def test_a_right_adam_step_passes(step):
    feedback = check.adam_step(step)
    assert feedback.solved, feedback


@pytest.mark.parametrize("hint", ADAM_MISTAKES)
def test_a_wrong_adam_step_gets_its_hint(hint):
    with np.errstate(all="ignore"):
        feedback = check.adam_step(ADAM_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


def test_stubs_are_not_solved_yet():
    def stub(*args, **kwargs): ...

    for exercise in (check.gain, check.momentum_step, check.adam_step):
        assert exercise(stub).status == "not solved yet"
    assert check.network(stub, stub, stub, stub, adam).status == "not solved yet"


# Exercise 8.4: your own network, end to end. Each mistake is the notebook's solution with one
# change, the way a learner might write it; 8.3's solution is its adam_step.

EXERCISES = {ex.id: ex for ex in exercises("08_improvements.ipynb")}
CAPSTONE = EXERCISES["8.4"].solution
ADAM = EXERCISES["8.3"].solution


def network_feedback(code: str, adam_code: str = ADAM):
    namespace = {"np": np}
    exec(adam_code, namespace)
    exec(code, namespace)
    f = namespace
    with np.errstate(all="ignore"):
        return check.network(f["init"], f["forward"], f["backward"], f["train"], f["adam_step"])


def changed(code: str, old: str, new: str) -> str:
    assert old in code, f"the solution no longer contains {old!r}"
    return code.replace(old, new)


TRAIN_LOOP = "    for epoch in range(1, epochs + 1):\n"
RATE = "        rate = lr * decay ** (epoch - 1)  # section 4's schedule\n"
ORDER = "        order = rng.permutation(len(x))  # a new order every epoch, from the same rng\n"
STEP = "params[i], states[i] = adam_step(params[i], g, states[i], lr=rate)"
STATES = (
    "    states = [(np.zeros_like(p), np.zeros_like(p), 0) for p in params]  # (m, v, t) per array"
)
ROWS = "            rows = order[start : start + batch_size]\n"
NO_CORRECTION = """
def adam_step(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v, t = state
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return w - lr * m / (np.sqrt(v) + eps), (m, v, t + 1)
"""
INLINE_ADAM_TRAIN = """
def train(x, y, sizes, epochs, batch_size, lr, decay, seed):
    rng = np.random.default_rng(seed)
    params = init(sizes, rng)
    ms = [np.zeros_like(p) for p in params]
    vs = [np.zeros_like(p) for p in params]
    for epoch in range(1, epochs + 1):
        rate = lr * decay ** (epoch - 1)
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            rows = order[start : start + batch_size]
            grads = backward(params, forward(params, x[rows]), y[rows])
            for i, g in enumerate(grads):
                ms[i] = 0.9 * ms[i] + 0.1 * g
                vs[i] = 0.999 * vs[i] + 0.001 * g * g
                params[i] = params[i] - rate * ms[i] / (np.sqrt(vs[i]) + 1e-8)
    return params
"""
ONE_HIDDEN_LAYER_FORWARD = """
def forward(params, x):
    W1, b1, W2, b2 = params
    a1 = np.maximum(x @ W1 + b1, 0)
    return [x, a1, softmax(a1 @ W2 + b2)]
"""


def capstone_mistakes():
    s = CAPSTONE
    he = "rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)"
    yield "variance 1/n_in", changed(s, he, "rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)")
    yield "unscaled", changed(s, he, "rng.standard_normal((n_in, n_out))")
    yield (
        "multiplied by the variance",
        changed(s, he, "rng.standard_normal((n_in, n_out)) * 2 / n_in"),
    )
    yield "Xavier's variances", changed(s, "np.sqrt(2 / n_in)", "np.sqrt(2 / (n_in + n_out))")
    yield "transposed", changed(s, he, "rng.standard_normal((n_out, n_in)).T * np.sqrt(2 / n_in)")
    yield "your biases are random", changed(s, "np.zeros(n_out)", "rng.standard_normal(n_out)")
    yield (
        "whatever generator",
        changed(s, "    params = []\n", "    params = []\n    rng = np.random.default_rng(0)\n"),
    )
    yield (
        "you returned the logits",
        changed(
            s,
            "softmax(activations[-1] @ params[-2] + params[-1])",
            "activations[-1] @ params[-2] + params[-1]",
        ),
    )
    yield (
        "no ReLU before it",
        changed(
            s,
            "softmax(activations[-1] @ params[-2] + params[-1])",
            "softmax(np.maximum(activations[-1] @ params[-2] + params[-1], 0))",
        ),
    )
    yield (
        "lack their ReLU",
        changed(s, "np.maximum(activations[-1] @ W + b, 0)", "activations[-1] @ W + b"),
    )
    yield (
        "left out the biases",
        changed(s, "np.maximum(activations[-1] @ W + b, 0)", "np.maximum(activations[-1] @ W, 0)"),
    )
    yield (
        "not only the output",
        changed(s, "    return activations\n", "    return activations[-1]\n"),
    )
    yield "whatever len(sizes) is", s + ONE_HIDDEN_LAYER_FORWARD
    yield "forgot the 1/m", changed(s, "(activations[-1] - y) / len(y)", "(activations[-1] - y)")
    yield (
        "wrong sign",
        changed(s, "(activations[-1] - y) / len(y)", "(y - activations[-1]) / len(y)"),
    )
    yield (
        "do not multiply it by p (1 - p)",
        changed(
            s,
            "(activations[-1] - y) / len(y)",
            "(activations[-1] - y) / len(y) * activations[-1] * (1 - activations[-1])",
        ),
    )
    yield (
        "lacks ReLU's derivative",
        changed(
            s,
            "(delta @ params[2 * k - 2].T) * (activations[k - 1] > 0)",
            "delta @ params[2 * k - 2].T",
        ),
    )
    yield "not delta.mean(axis=0)", changed(s, "delta.sum(axis=0)]", "delta.mean(axis=0)]")
    yield "its check says", CAPSTONE, NO_CORRECTION
    yield (
        "not written yet: solve exercise 8.3 first",
        CAPSTONE,
        "def adam_step(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8): ...",
    )
    yield "lack the bias correction", s + INLINE_ADAM_TRAIN
    yield "plain SGD steps", changed(s, STEP, "params[i] = params[i] - rate * g")
    yield (
        "starts again from the state (0, 0, 0)",
        changed(s, STEP, "params[i], _ = adam_step(params[i], g, states[i], lr=rate)"),
    )
    yield (
        "start again from zero every epoch",
        changed(s, STATES + "\n" + TRAIN_LOOP, TRAIN_LOOP + "    " + STATES + "\n"),
    )
    yield (
        "its default rate 0.001",
        changed(s, STEP, "params[i], states[i] = adam_step(params[i], g, states[i])"),
    )
    yield "the rate stayed lr", changed(s, RATE, "        rate = lr\n")
    per_step = "lr * decay ** (start // batch_size + (epoch - 1) * -(-len(x) // batch_size))"
    yield (
        "decayed after every step",
        changed(s, RATE, "").replace(ROWS, ROWS + f"            rate = {per_step}\n"),
    )
    yield (
        "epoch 1 already ran at lr * decay",
        changed(s, RATE, "        rate = lr * decay**epoch\n"),
    )
    yield "one epoch too few", changed(s, TRAIN_LOOP, "    for epoch in range(1, epochs):\n")
    yield "original order", changed(s, ORDER, "        order = np.arange(len(x))\n")
    yield (
        "a new generator made from the seed",
        changed(s, ORDER, "        order = shuffler.permutation(len(x))\n").replace(
            STATES, STATES + "\n    shuffler = np.random.default_rng(seed)"
        ),
    )
    yield (
        "from the seed",
        changed(s, ORDER, "        order = np.random.default_rng(seed).permutation(len(x))\n"),
    )
    yield (
        "the same order",
        changed(s, ORDER, "").replace(
            TRAIN_LOOP, "    order = rng.permutation(len(x))\n" + TRAIN_LOOP
        ),
    )
    yield "not their targets", changed(s, "y[rows]", "y[start : start + batch_size]")
    yield (
        "skipped the last, smaller minibatch",
        changed(s, "range(0, len(x), batch_size)", "range(0, len(x) - batch_size + 1, batch_size)"),
    )


MISTAKES = list(capstone_mistakes())


def test_the_capstone_solution_passes():
    feedback = network_feedback(CAPSTONE)
    assert feedback.solved, feedback


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_capstone_mistake_gets_its_hint(mistake):
    hint, code, *adam = mistake
    feedback = network_feedback(code, *adam)
    assert feedback.status == "hint" and hint in feedback.message, feedback


def test_the_reference_is_the_solution_to_the_last_bit():
    namespace = {"np": np}
    exec(ADAM, namespace)
    exec(CAPSTONE, namespace)
    for sizes, n, epochs in (((8, 6, 5, 3), 35, 3), ((784, 30, 10), 100, 2)):
        x, y = check._stage_data(sizes, n)
        ours = namespace["train"](x, y, list(sizes), epochs, 10, 0.01, 0.5, 8)
        reference = check._train(x, y, list(sizes), epochs, 10, 0.01, 0.5, 8)
        assert all(np.array_equal(a, b) for a, b in zip(ours, reference, strict=True))
        p = namespace["forward"](ours, x)[-1].argmax(axis=1)
        assert np.array_equal(check.predict(ours, x), p)


def test_the_reference_agrees_with_nnlib_to_float64_rounding():
    x, y = check._stage_data((784, 30, 10), 100)
    reference = check._train(x, y, [784, 30, 10], 3, 10, 0.01, 0.5, 8)
    net = check.nnlib_train(x, y, [784, 30, 10], 3, 10, 0.01, 0.5, 8)[0]
    worst = max(float(np.abs(a - b).max()) for a, b in zip(reference, net.params, strict=True))
    assert 0 < worst < 1e-12  # not bit for bit (nnlib folds Adam's corrections), but close


def test_yours_or_solution_stands_in_for_an_unsolved_train():
    def stub(*args): ...

    def crash(*args):
        raise KeyError("W3")

    x, y = check._stage_data((8, 5, 3), 35)
    args = (x, y, [8, 5, 3], 2, 10, 0.01, 0.5, 8)
    params, whose = check.yours_or_solution(stub, *args)
    assert whose == "the solution's train (exercise 8.4 is not solved yet)"
    assert all(np.array_equal(a, b) for a, b in zip(params, check._train(*args), strict=True))
    assert check.yours_or_solution(crash, *args)[1].endswith("(your train raised KeyError: 'W3')")
    namespace = {"np": np}
    exec(ADAM, namespace)
    exec(CAPSTONE, namespace)
    assert check.yours_or_solution(namespace["train"], *args)[1] == "your train"

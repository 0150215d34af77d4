"""Notebook 08's checks: typical wrong answers get the hint meant for them."""

import numpy as np
import pytest

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


# Exercise 8.4: the size of a network


def n_parameters(sizes):
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=False))


COUNT_MISTAKES = {
    "you forgot the biases": lambda s: sum(a * b for a, b in zip(s[:-1], s[1:], strict=False)),
    "the input layer has no biases": lambda s: n_parameters(s) + s[0],
    "number of bytes as float32": lambda s: 4 * n_parameters(s),
    "not the squares of the layer sizes": lambda s: sum(n * n + n for n in s[1:]),
}


def test_the_right_count_passes():
    assert check.n_parameters(n_parameters).solved


@pytest.mark.parametrize("hint", COUNT_MISTAKES)
def test_a_wrong_count_gets_its_hint(hint):
    feedback = check.n_parameters(COUNT_MISTAKES[hint])
    assert feedback.status == "hint" and hint in feedback.message, feedback


def test_stubs_are_not_solved_yet():
    def stub(*args, **kwargs): ...

    for exercise in (check.gain, check.momentum_step, check.adam_step, check.n_parameters):
        assert exercise(stub).status == "not solved yet"

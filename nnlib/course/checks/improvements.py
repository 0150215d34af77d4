"""Checks for the exercises of notebook 08, improvements: the variance rule, one momentum
step and one Adam step written from their formulas, and the size of a network."""

import numpy as np

from nnlib import optimizers
from nnlib.course.checks import Feedback, Hint, answer, cases, expect_array, reveal, run
from nnlib.network import mlp

__all__ = ["adam_step", "gain", "momentum_step", "n_parameters", "reveal"]

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


def n_parameters(count_fn) -> Feedback:
    """Exercise 8.4: ``count_fn(sizes)``, the number of parameters of ``mlp(sizes)``: one
    weight per connection between consecutive layers and one bias per unit after the
    input layer."""

    def attempt():
        for rng in cases(seed=804, n=5):
            sizes = [int(n) for n in rng.integers(1, 900, size=int(rng.integers(2, 6)))]
            right = sum(p.size for p in mlp(sizes, rng=0).params)
            weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
            got = answer(count_fn, sizes)
            mistakes = {
                "you forgot the biases: one per unit of every layer after the input": weights,
                "the input layer has no biases: count one per unit of the later layers only": (
                    weights + sum(sizes)
                ),
                "that is the number of bytes as float32 (4 per parameter), not the number of "
                "parameters": 4 * right,
                "count the weights between consecutive layers, sizes[l] * sizes[l + 1], not "
                "the squares of the layer sizes": sum(n * n for n in sizes[1:]) + sum(sizes[1:]),
            }
            expect_array(f"n_parameters({sizes})", got, right, mistakes, rtol=0, atol=0)
        return "5 random layer lists agree with the parameter count of nnlib's mlp"

    return run("Exercise 8.4 (the size of a network)", attempt)

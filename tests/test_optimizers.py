import numpy as np
import pytest

from nnlib import optimizers


def run(opt, steps, w0=(1.0, -2.0), g=(0.5, 0.25)):
    """Apply ``steps`` updates with a constant gradient to a 1x2 weight matrix."""
    w = np.array([w0])
    for _ in range(steps):
        opt.step([w], [np.array([g])])
    return w[0]


def test_sgd():
    np.testing.assert_allclose(run(optimizers.SGD(lr=0.1), 2), [1 - 0.1, -2 - 0.05])


def test_momentum_accumulates_velocity():
    # v1 = g, v2 = 0.9 g + g = 1.9 g;  w = w0 - lr (v1 + v2) = w0 - 0.1 * 2.9 g
    np.testing.assert_allclose(run(optimizers.Momentum(lr=0.1, momentum=0.9), 2), [0.855, -2.0725])


def test_nesterov_looks_ahead():
    # step t: w -= lr (g + mu v_t), v1 = g, v2 = 1.9 g  ->  w0 - 0.1 (1.9 g + 2.71 g)
    np.testing.assert_allclose(
        run(optimizers.Nesterov(lr=0.1, momentum=0.9), 2), [0.7695, -2.11525]
    )


def test_rmsprop():
    # s1 = (1 - rho) g^2, step = lr g / sqrt(s1) = lr / sqrt(0.01) * sign(g)
    w = run(optimizers.RMSprop(lr=0.01, rho=0.99, eps=0.0), 1)
    np.testing.assert_allclose(w, [1 - 0.1, -2 - 0.1])


def test_adam_first_step_is_lr_times_sign():
    # With bias correction m_hat = g and v_hat = g^2, so the first step is lr * g/|g|.
    w = run(optimizers.Adam(lr=0.01, eps=0.0), 1)
    np.testing.assert_allclose(w, [0.99, -2.01])


def test_adam_matches_the_textbook_formula():
    opt, b1, b2, lr, eps = optimizers.Adam(lr=0.05), 0.9, 0.999, 0.05, 1e-8
    w, m, v = np.array([[1.0, -2.0]]), 0.0, 0.0
    ref = w.copy()
    rng = np.random.default_rng(0)
    for t in range(1, 6):
        g = rng.normal(size=w.shape)
        opt.step([w], [g])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        ref -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    np.testing.assert_allclose(w, ref, rtol=1e-10)


def test_weight_decay_applies_to_weights_not_biases():
    W, b = np.array([[2.0]]), np.array([2.0])
    optimizers.SGD(lr=0.1, weight_decay=0.5).step([W, b], [np.zeros((1, 1)), np.zeros(1)])
    assert W[0, 0] == pytest.approx(2 - 0.1 * 0.5 * 2)
    assert b[0] == 2.0


def test_updates_keep_float32():
    for name in optimizers.OPTIMIZERS:
        w = np.ones((2, 2), np.float32)
        optimizers.get(name, lr=0.1).step([w], [np.ones((2, 2), np.float32)])
        assert w.dtype == np.float32


def test_bad_hyperparameters_are_rejected():
    with pytest.raises(ValueError, match="learning rate must be positive"):
        optimizers.SGD(lr=0)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.Momentum(lr=0.1, momentum=1.5)
    with pytest.raises(ValueError, match="expected one of"):
        optimizers.get("lbfgs", lr=1)


@pytest.mark.parametrize("name", sorted(optimizers.OPTIMIZERS))
def test_step_leaves_the_gradients_alone(name):
    w, g = np.ones((3, 2), np.float32), np.full((3, 2), 0.5, np.float32)
    optimizers.get(name, lr=0.1).step([w], [g])
    np.testing.assert_array_equal(g, 0.5)


@pytest.mark.parametrize("name", sorted(optimizers.OPTIMIZERS))
def test_one_flat_vector_steps_like_its_pieces(name):
    """The rules are element-wise, so stepping the concatenation = stepping each array."""
    rng = np.random.default_rng(0)
    shapes = [(4, 3), (3,), (3, 2), (2,)]
    params = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    flat = np.concatenate([p.ravel() for p in params])
    by_array, by_vector = optimizers.get(name, lr=0.01), optimizers.get(name, lr=0.01)
    for _ in range(3):
        grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        by_array.step(params, grads)
        by_vector.step([flat], [np.concatenate([g.ravel() for g in grads])])
    np.testing.assert_array_equal(flat, np.concatenate([p.ravel() for p in params]))


def test_state_of_another_shape_is_a_clear_error():
    opt = optimizers.Adam()
    opt.step([np.ones((2, 2))], [np.ones((2, 2))])
    with pytest.raises(ValueError, match=r"shape \(2, 2\), got an array of shape \(4,\)"):
        opt.step([np.ones(4)], [np.ones(4)])


def test_in_place_adam_and_rmsprop_equal_their_formulas_to_the_last_bit():
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((6, 5)).astype(np.float32)
    grads = [rng.standard_normal((6, 5)).astype(np.float32) for _ in range(4)]
    f = np.float32
    adam, w = optimizers.Adam(lr=0.01), w0.copy()
    m, v, expected = np.zeros_like(w0), np.zeros_like(w0), w0.copy()
    for t, g in enumerate(grads, start=1):
        adam.step([w], [g])
        m = f(0.9) * m + f(1 - 0.9) * g
        v = f(0.999) * v + f(1 - 0.999) * g * g
        c1, c2 = 1 - 0.9**t, 1 - 0.999**t
        expected -= f(0.01 * np.sqrt(c2) / c1) * m / (np.sqrt(v) + f(1e-8 * np.sqrt(c2)))
    np.testing.assert_array_equal(w, expected)
    rms, w = optimizers.RMSprop(lr=0.01), w0.copy()
    s, expected, rho = np.zeros_like(w0), w0.copy(), f(0.99)
    for g in grads:
        rms.step([w], [g])
        s = rho * s + (1 - rho) * g * g
        expected -= f(0.01) * g / (np.sqrt(s) + f(1e-8))
    np.testing.assert_array_equal(w, expected)

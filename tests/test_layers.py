import numpy as np
import pytest

from nnlib import initializers
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.layers import ActivationLayer, Dense, Dropout, from_config


def check_layer(layer, x, training=False, reseed=None):
    """Backprop through one layer against central differences, for the input and
    every parameter, with the scalar cost C = sum(layer(x) * R)."""
    upstream = np.random.default_rng(9).normal(size=layer.forward(x, training).shape)

    def cost():
        if reseed is not None:
            layer.rng = np.random.default_rng(reseed)
        return float((layer.forward(x, training) * upstream).sum())

    cost()
    grad_x = layer.backward(upstream)
    errors = [relative_error(numerical_gradient(cost, x), grad_x)]
    for p, g in zip(layer.params, [g.copy() for g in layer.grads], strict=True):
        errors.append(relative_error(numerical_gradient(cost, p), g))
    return max(errors)


def test_dense_gradients():
    rng = np.random.default_rng(0)
    layer = Dense(5, 3, rng=rng, dtype=np.float64)
    assert check_layer(layer, rng.normal(size=(4, 5))) < 1e-8


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "softmax"])
def test_activation_layer_gradients(name):
    x = np.random.default_rng(1).normal(size=(4, 6))
    assert check_layer(ActivationLayer(name), x) < 1e-7


def test_dropout_gradients_with_a_fixed_mask():
    x = np.random.default_rng(2).normal(size=(4, 6))
    assert check_layer(Dropout(0.5, rng=7), x, training=True, reseed=7) < 1e-8


def test_dense_shapes_and_values():
    layer = Dense(3, 2, rng=0)
    assert layer.W.shape == (3, 2) and layer.b.shape == (2,)
    assert layer.W.dtype == np.float32
    layer.W[...] = [[1, 0], [0, 1], [1, 1]]
    layer.b[...] = [0.5, -0.5]
    out = layer.forward(np.array([[1, 2, 3]], dtype=np.float32))
    np.testing.assert_allclose(out, [[4.5, 4.5]])
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 3\), got \(1, 4\)"):
        layer.forward(np.zeros((1, 4), np.float32))


def test_first_layer_can_skip_the_input_gradient():
    layer = Dense(3, 2, rng=0)
    layer.forward(np.ones((4, 3), np.float32))
    assert layer.backward(np.ones((4, 2), np.float32), input_grad=False) is None
    np.testing.assert_allclose(layer.db, [4, 4])


def test_dropout_is_identity_at_test_time_and_keeps_the_mean_in_training():
    x = np.ones((200, 500), np.float32)
    layer = Dropout(0.3, rng=0)
    assert layer.forward(x) is x
    y = layer.forward(x, training=True)
    assert y.dtype == np.float32
    assert abs((y == 0).mean() - 0.3) < 0.01
    assert abs(y.mean() - 1.0) < 0.01
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        Dropout(1.0, rng=0)


@pytest.mark.parametrize("name", sorted(initializers.INITIALIZERS))
def test_initializers_have_the_documented_scale(name):
    W, b = initializers.get(name)(400, 300, np.random.default_rng(0))
    expected = {
        "normal": 1.0,
        "normal_scaled": 1 / np.sqrt(400),
        "xavier": np.sqrt(2 / 700),
        "he": np.sqrt(2 / 400),
    }[name]
    assert W.shape == (400, 300) and b.shape == (300,) and W.dtype == np.float32
    assert W.std() == pytest.approx(expected, rel=0.02)
    assert abs(W.mean()) < 0.01 * max(expected, 0.1)


def test_initializers_are_seeded():
    a = initializers.he(10, 5, np.random.default_rng(3))[0]
    b = initializers.he(10, 5, np.random.default_rng(3))[0]
    np.testing.assert_array_equal(a, b)


def test_layer_config_round_trip():
    for layer in [Dense(4, 2, rng=0), ActivationLayer("leaky_relu"), Dropout(0.2, rng=0)]:
        assert from_config(layer.config()).config() == layer.config()
    with pytest.raises(ValueError, match="unknown layer type"):
        from_config({"type": "conv"})

import numpy as np
import pytest

from nnlib import Network, mlp
from nnlib.gradcheck import gradient_check
from nnlib.layers import ActivationLayer, Dense, Dropout


def _batch(n_in=6, k=4, n=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), np.eye(k)[rng.integers(0, k, n)]


CONFIGS = [
    ("sigmoid", "sigmoid", "mse"),
    ("tanh", "softmax", "mse"),
    ("relu", "softmax", "cross_entropy"),
    ("leaky_relu", "sigmoid", "cross_entropy"),
]


@pytest.mark.parametrize(("activation", "output", "loss"), CONFIGS)
def test_composed_networks_pass_the_gradient_check(activation, output, loss):
    net = mlp(
        [6, 5, 4, 4],
        activation=activation,
        output=output,
        loss=loss,
        init="xavier",
        dropout=0.2,
        rng=1,
        dtype=np.float64,
    )
    x, y = _batch()
    table = gradient_check(net, x, y)
    assert len(table) == 6
    assert table["relative_error"].max() < 1e-6


def test_softmax_layer_with_plain_cross_entropy_passes_the_gradient_check():
    rng = np.random.default_rng(0)
    net = Network(
        [Dense(6, 4, rng=rng, dtype=np.float64), ActivationLayer("softmax")], "cross_entropy"
    )
    x, y = _batch()
    assert gradient_check(net, x, y)["relative_error"].max() < 1e-6


def test_gradient_check_catches_a_wrong_backward():
    net = mlp([6, 5, 4], rng=0, dtype=np.float64)
    net.layers[1].activation.backward = lambda a, g: g  # pretend ReLU' = 1
    x, y = _batch()
    assert gradient_check(net, x, y)["relative_error"].max() > 1e-2


def test_gradient_check_needs_float64():
    with pytest.raises(ValueError, match="float64"):
        gradient_check(mlp([6, 4], rng=0), *_batch())


def test_mlp_structure():
    net = mlp([784, 30, 10], activation="sigmoid", output="sigmoid", loss="mse", rng=0)
    assert [type(layer).__name__ for layer in net.layers] == [
        "Dense",
        "ActivationLayer",
        "Dense",
        "ActivationLayer",
    ]
    assert net.loss.name == "mse" and net.dtype == np.float32
    net = mlp([784, 100, 50, 10], dropout=0.5, rng=0)
    assert sum(isinstance(layer, Dropout) for layer in net.layers) == 2
    assert net.loss.name == "softmax_cross_entropy"
    assert len(net.params) == 6
    assert "Dense(784, 100)" in repr(net)


def test_predict_and_probabilities():
    net = mlp([6, 5, 4], rng=0)
    x = np.random.default_rng(0).normal(size=(7, 6)).astype(np.float32)
    p = net.predict_proba(x)
    assert p.shape == (7, 4) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(net.predict(x), p.argmax(axis=1))
    np.testing.assert_array_equal(net.predict_proba(x, batch_size=2), p)


def test_same_seed_same_network():
    a, b = mlp([6, 5, 4], rng=3), mlp([6, 5, 4], rng=3)
    for p, q in zip(a.params, b.params, strict=True):
        np.testing.assert_array_equal(p, q)
    assert not np.array_equal(mlp([6, 5, 4], rng=4).params[0], a.params[0])


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.zeros((2, 5)), r"expected inputs of shape \(N, 6\), got \(2, 5\)"),
        (np.zeros((2, 6), np.uint8), "floating-point"),
        (np.full((2, 6), np.nan), "NaN"),
    ],
)
def test_bad_inputs_are_clear_errors(x, message):
    with pytest.raises(ValueError, match=message):
        mlp([6, 4], rng=0).predict(x)


def test_bad_builder_arguments():
    with pytest.raises(ValueError, match="output must be"):
        mlp([4, 2], output="relu")
    with pytest.raises(ValueError, match="at least two"):
        mlp([4])
    with pytest.raises(ValueError, match="unknown activation"):
        mlp([4, 3, 2], activation="swish")


def test_parameters_are_views_into_one_flat_vector():
    net = mlp([6, 5, 4], rng=0)
    dense = [layer for layer in net.layers if layer.params]
    assert net.flat_params.shape == net.flat_grads.shape == (6 * 5 + 5 + 5 * 4 + 4,)
    for layer, (start, stop) in zip(dense, [(0, 35), (35, 59)], strict=True):
        assert layer.params == [layer.W, layer.b] and layer.grads == [layer.dW, layer.db]
        assert np.shares_memory(layer.W, net.flat_params[start:stop])
        assert np.shares_memory(layer.dW, net.flat_grads[start:stop])
    net.flat_params[0] = 7.0  # an update of the vector is an update of the layer
    assert dense[0].W[0, 0] == 7.0 and net.params[0][0, 0] == 7.0
    x = np.random.default_rng(1).random((3, 6), dtype=np.float32)
    net.gradient(x, np.eye(4, dtype=np.float32)[[0, 1, 2]])
    np.testing.assert_array_equal(net.flat_grads[:30], dense[0].dW.ravel())


@pytest.mark.parametrize(
    ("x", "error", "message"),
    [
        (np.zeros((0, 6)), ValueError, r"^x: expected a non-empty array, got shape \(0, 6\)"),
        (np.zeros((2, 6), bool), TypeError, "^x: expected floating-point inputs"),
        (np.zeros((2, 6), complex), TypeError, "^x: expected floating-point inputs"),
        (np.zeros((2, 6), object), TypeError, "^x: expected floating-point inputs"),
        (np.zeros(6), ValueError, r"^x: expected inputs of shape \(N, 6\), got \(6,\)"),
        ([[0.0] * 6, [0.0] * 5], TypeError, "^x: expected an array of numbers, got a list"),
    ],
    ids=["empty", "bool", "complex", "object", "1-d", "ragged"],
)
def test_predict_refuses_degenerate_inputs(x, error, message):
    net = mlp([6, 4], rng=0)
    for predict in (net.predict, net.predict_proba):
        with pytest.raises(error, match=message):
            predict(x)


def test_predict_proba_checks_its_batch_size():
    with pytest.raises(ValueError, match="expected batch_size >= 1, got 0"):
        mlp([6, 4], rng=0).predict_proba(np.zeros((2, 6)), batch_size=0)


def test_layer_signals_gives_each_hidden_layers_z_a_and_weight_gradient():
    from nnlib.network import layer_signals

    net = mlp([6, 5, 4, 3], activation="sigmoid", dropout=0.5, rng=2, dtype=np.float64)
    x, targets = _batch(k=3)
    labels = targets.argmax(axis=1)
    signals = layer_signals(net, x, labels)
    dense = [layer for layer in net.layers if isinstance(layer, Dense)]
    z1 = x @ dense[0].W + dense[0].b
    a1 = 1 / (1 + np.exp(-z1))
    z2 = a1 @ dense[1].W + dense[1].b
    np.testing.assert_allclose(signals["z"][0], z1)
    np.testing.assert_allclose(signals["a"][0], a1)
    np.testing.assert_allclose(signals["z"][1], z2)  # no dropout between the layers
    assert [g.shape for g in signals["dW"]] == [(6, 5), (5, 4)]
    net.gradient(x, targets, training=False)  # the same gradients as the network's own
    np.testing.assert_allclose(signals["dW"][0], dense[0].dW)
    np.testing.assert_allclose(signals["dW"][1], dense[1].dW)


def test_layer_signals_needs_an_activation_after_each_hidden_layer():
    from nnlib.network import layer_signals

    rng = np.random.default_rng(0)
    net = Network([Dense(6, 5, rng=rng), Dense(5, 4, rng=rng)], "softmax_cross_entropy")
    with pytest.raises(ValueError, match="followed by an activation"):
        layer_signals(net, _batch()[0], np.zeros(5, dtype=np.int64))

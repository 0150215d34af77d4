import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib import activations
from nnlib.activations import log_softmax, sigmoid, softmax
from nnlib.gradcheck import numerical_gradient, relative_error

finite = st.floats(-50, 50, allow_nan=False, width=64)


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
def test_backward_matches_central_differences(name):
    rng = np.random.default_rng(1)
    z = rng.normal(size=(4, 5))
    z[np.abs(z) < 1e-3] = 0.5  # keep clear of ReLU's kink
    upstream = rng.normal(size=z.shape)
    f = activations.get(name)

    def cost():
        return float((f.forward(z) * upstream).sum())

    numeric = numerical_gradient(cost, z)
    analytic = f.backward(f.forward(z), upstream)
    assert relative_error(numeric, analytic) < 1e-6


def test_known_values():
    z = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(activations.get("relu").forward(z), [[0, 0, 2]])
    np.testing.assert_allclose(activations.LeakyReLU(0.1).forward(z), [[-0.1, 0, 2]])
    np.testing.assert_allclose(softmax(np.zeros((1, 4))), np.full((1, 4), 0.25))


@given(arrays(np.float64, (3, 6), elements=finite))
def test_softmax_is_a_distribution(z):
    p = softmax(z)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(log_softmax(z)), p, atol=1e-12)


def test_softmax_and_sigmoid_are_stable_on_extreme_inputs():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=np.float32)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        p = softmax(z)
        s = sigmoid(z)
        lp = log_softmax(z)
    assert np.isfinite(p).all() and np.isfinite(s).all() and np.isfinite(lp).all()
    np.testing.assert_allclose(p[0], [1, 0, 0])
    np.testing.assert_allclose(p[1], [1 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(s[0], [1, 0, 0.5])
    assert p.dtype == np.float32 and s.dtype == np.float32


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="expected one of"):
        activations.get("swish")
    with pytest.raises(ValueError, match="alpha"):
        activations.LeakyReLU(2.0)

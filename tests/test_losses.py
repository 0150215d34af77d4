import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib import losses
from nnlib.activations import sigmoid, softmax
from nnlib.gradcheck import numerical_gradient, relative_error


def _targets(rng, n=5, k=4):
    return np.eye(k)[rng.integers(0, k, n)]


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_gradient_matches_central_differences(name):
    rng = np.random.default_rng(0)
    y = _targets(rng)
    out = rng.normal(size=y.shape)
    if name == "cross_entropy":  # takes probabilities
        out = softmax(out)
    loss = losses.get(name)
    numeric = numerical_gradient(lambda: loss(out, y), out)
    assert relative_error(numeric, loss.grad(out, y)) < 1e-7


def test_hand_computed_values():
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    a = np.array([[0.2, 0.6], [0.5, 0.5]])
    # 1/(2N) sum ||a - y||^2 = (0.04 + 0.16 + 0.25 + 0.25) / 4
    assert losses.Quadratic()(a, y) == pytest.approx(0.175)
    np.testing.assert_allclose(losses.Quadratic().grad(a, y), (a - y) / 2)
    # -1/N (ln 0.6 + ln 0.5)
    assert losses.CrossEntropy()(a, y) == pytest.approx(-(np.log(0.6) + np.log(0.5)) / 2)
    z = np.array([[0.0, np.log(3.0)]])  # softmax = [1/4, 3/4]
    t = np.array([[0.0, 1.0]])
    assert losses.SoftmaxCrossEntropy()(z, t) == pytest.approx(-np.log(0.75))
    np.testing.assert_allclose(losses.SoftmaxCrossEntropy().grad(z, t), [[0.25, -0.25]])
    z = np.array([[0.0, 0.0]])  # sigmoid = 1/2 for both outputs
    assert losses.SigmoidCrossEntropy()(z, t) == pytest.approx(2 * np.log(2))
    np.testing.assert_allclose(losses.SigmoidCrossEntropy().grad(z, t), [[0.5, -0.5]])


def test_fused_losses_equal_the_unfused_chain():
    rng = np.random.default_rng(3)
    y = _targets(rng)
    z = rng.normal(size=y.shape)
    fused, chained = losses.SoftmaxCrossEntropy(), losses.CrossEntropy()
    assert fused(z, y) == pytest.approx(chained(softmax(z), y))
    s = sigmoid(z)
    nielsen = -np.mean(np.sum(y * np.log(s) + (1 - y) * np.log(1 - s), axis=1))
    assert losses.SigmoidCrossEntropy()(z, y) == pytest.approx(nielsen)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["softmax_cross_entropy", "sigmoid_cross_entropy"])
def test_fused_losses_are_stable_on_extreme_logits(name, dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4]], dtype=dtype)
    y = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]], dtype=dtype)
    loss = losses.get(name)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value, grad = loss.value_and_grad(z, y)
    assert np.isfinite(value) and np.isfinite(grad).all()
    assert grad.dtype == dtype
    # The first example is confidently wrong: a loss of about 2e4, not inf.
    assert 1e4 <= value <= 3e4


def test_cross_entropy_on_zero_probability_is_finite():
    p = np.array([[1.0, 0.0]])
    y = np.array([[0.0, 1.0]])
    assert np.isfinite(losses.CrossEntropy()(p, y))


@settings(max_examples=50)
@given(arrays(np.float64, (4, 3), elements=st.floats(-30, 30)), st.integers(0, 2**32 - 1))
def test_softmax_cross_entropy_is_nonnegative_and_gradient_rows_sum_to_zero(z, seed):
    y = np.eye(3)[np.random.default_rng(seed).integers(0, 3, 4)]
    value, grad = losses.SoftmaxCrossEntropy().value_and_grad(z, y)
    assert value >= 0
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-12)


def test_shape_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match=r"same shape \(N, K\)"):
        losses.Quadratic()(np.zeros((3, 10)), np.zeros((3, 9)))
    with pytest.raises(ValueError, match="expected one of"):
        losses.get("hinge")

import numpy as np
import pytest

from nnlib import evaluate, fit, mlp, optimizers
from nnlib.preprocessing import minibatches
from nnlib.training import HISTORY_COLUMNS


def blobs(n=600, k=3, d=8, seed=0):
    """A small classification problem: k Gaussian clusters in d dimensions."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=2.0, size=(k, d))
    y = rng.integers(0, k, n)
    x = (centers[y] + rng.normal(size=(n, d))).astype(np.float32)
    return x, y


def train(seed=0, epochs=3, **kwargs):
    x, y = blobs()
    net = mlp([8, 16, 3], rng=seed, dropout=0.1)
    opt = optimizers.Adam(lr=0.01)
    history = fit(
        net, x, y, optimizer=opt, epochs=epochs, batch_size=32, rng=seed, verbose=False, **kwargs
    )
    return net, history


def test_training_reduces_the_loss_and_learns():
    x, y = blobs()
    net = mlp([8, 16, 3], rng=0)
    before, _ = evaluate(net, x, y)
    history = fit(net, x, y, optimizer=optimizers.SGD(lr=0.1), epochs=5, verbose=False)
    after, acc = evaluate(net, x, y)
    assert after < before / 2
    assert acc > 0.9
    assert history["loss"].is_monotonic_decreasing


def test_history_frame():
    x, y = blobs(seed=1)
    _, history = train(epochs=2, validation_data=(x, y))
    assert list(history.columns) == HISTORY_COLUMNS
    assert history["epoch"].tolist() == [1, 2]
    assert history[["loss", "accuracy", "val_loss", "val_accuracy"]].notna().all().all()
    assert (history["seconds"] > 0).all()
    _, history = train(epochs=1)
    assert history["val_loss"].isna().all()


def test_same_seed_gives_bitwise_identical_weights():
    a, ha = train(seed=5)
    b, hb = train(seed=5)
    for p, q in zip(a.params, b.params, strict=True):
        assert p.tobytes() == q.tobytes()
    assert ha["loss"].tolist() == hb["loss"].tolist()
    c, _ = train(seed=6)
    assert not np.array_equal(a.params[0], c.params[0])


def test_progress_lines_and_quiet(capsys):
    x, y = blobs()
    fit(
        mlp([8, 3], rng=0), x, y, optimizer=optimizers.SGD(lr=0.1), epochs=2, validation_data=(x, y)
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("epoch 2/2") and "val_acc" in lines[1]
    fit(mlp([8, 3], rng=0), x, y, optimizer=optimizers.SGD(lr=0.1), epochs=1, verbose=False)
    assert capsys.readouterr().out == ""


def test_learning_rate_schedule_sets_the_rate_each_epoch():
    x, y = blobs()
    opt = optimizers.SGD(lr=1.0)
    fit(
        mlp([8, 3], rng=0),
        x,
        y,
        optimizer=opt,
        epochs=3,
        verbose=False,
        lr_schedule=lambda epoch: 0.1 / epoch,
    )
    assert opt.lr == pytest.approx(0.1 / 3)


def test_one_hot_targets_work_like_labels():
    x, y = blobs()
    a, b = mlp([8, 3], rng=0), mlp([8, 3], rng=0)
    fit(a, x, y, optimizer=optimizers.SGD(lr=0.1), epochs=1, verbose=False)
    fit(
        b,
        x,
        np.eye(3, dtype=np.float32)[y],
        optimizer=optimizers.SGD(lr=0.1),
        epochs=1,
        verbose=False,
    )
    np.testing.assert_array_equal(a.params[0], b.params[0])


def test_bad_training_data_is_rejected():
    x, y = blobs()
    net = mlp([8, 3], rng=0)
    opt = optimizers.SGD(lr=0.1)
    with pytest.raises(ValueError, match="rows"):
        fit(net, x, y[:-1], optimizer=opt, verbose=False)
    with pytest.raises(ValueError, match="out of range|expected labels|in 0"):
        fit(net, x, y + 5, optimizer=opt, verbose=False)
    x_nan = x.copy()
    x_nan[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fit(net, x_nan, y, optimizer=opt, verbose=False)
    with pytest.raises(ValueError, match="epochs"):
        fit(net, x, y, optimizer=opt, epochs=0, verbose=False)


@pytest.mark.parametrize("weight_decay", [0.0, 1e-3])
def test_fit_is_the_textbook_loop(weight_decay):
    """fit (flat vector, or arrays one by one with weight decay) = the loop written out."""
    x, y = blobs(300)
    a, b = mlp([8, 8, 3], rng=0), mlp([8, 8, 3], rng=0)
    opt_a, opt_b = optimizers.Adam(0.01, weight_decay=weight_decay), optimizers.Adam(0.01)
    fit(a, x, y, optimizer=opt_a, epochs=2, batch_size=32, rng=5, verbose=False)
    rng, targets = np.random.default_rng(5), np.eye(3, dtype=np.float32)[y]
    for _ in range(2):
        for xb, yb in minibatches(x, targets, 32, rng=rng):
            b.gradient(xb, yb)
            for w, g in zip(b.params, b.grads, strict=True):
                if w.ndim > 1:
                    g += np.float32(weight_decay) * w
            opt_b.step(b.params, b.grads)
    for pa, pb in zip(a.params, b.params, strict=True):
        np.testing.assert_allclose(pa, pb, rtol=1e-5, atol=1e-6)


def test_fit_records_what_the_held_out_data_is():
    x = np.random.default_rng(0).random((20, 4), dtype=np.float32)
    y = np.arange(20) % 3
    net = mlp([4, 5, 3], rng=0)
    history = fit(net, x, y, optimizer=optimizers.SGD(0.1), epochs=1, verbose=False,
                  validation_data=(x, y), validation_label="test (once)")  # fmt: skip
    assert history.attrs["validation_label"] == "test (once)"
    plain = fit(net, x, y, optimizer=optimizers.SGD(0.1), epochs=1, verbose=False)
    assert plain.attrs["validation_label"] == "validation"


def test_nan_in_one_hot_targets_is_refused():
    x, y = blobs()
    targets = np.eye(3, dtype=np.float32)[y]
    targets[7, 1] = np.nan
    net = mlp([8, 3], rng=0)
    with pytest.raises(ValueError, match=r"^y must be finite, got nan at index \(7, 1\)"):
        fit(net, x, targets, optimizer=optimizers.SGD(lr=0.1), verbose=False)


@pytest.mark.parametrize("call", ["fit", "evaluate"])
def test_empty_arrays_are_refused(call):
    net, x, y = mlp([8, 3], rng=0), np.zeros((0, 8), np.float32), np.zeros(0, np.int64)
    with pytest.raises(ValueError, match=r"^x: expected a non-empty array, got shape \(0, 8\)"):
        if call == "fit":
            fit(net, x, y, optimizer=optimizers.SGD(lr=0.1), verbose=False)
        else:
            evaluate(net, x, y)


@pytest.mark.parametrize(
    ("y", "error", "message"),
    [
        (lambda y: y + 1, ValueError, r"^y: expected labels in 0\.\.2, got 3 at index"),
        (lambda y: y.astype(np.float64), TypeError, "^y: expected integer labels, got dtype float"),
        (lambda y: y.astype(bool), TypeError, "^y: expected integer labels, got dtype bool"),
        (lambda y: y.astype(str), TypeError, "^y: expected integer labels, got dtype <U"),
        (lambda y: y.astype(object), TypeError, "^y: expected integer labels, got dtype object"),
        (lambda y: np.eye(3)[y] * 2, ValueError, r"^y: expected entries in \[0, 1\], got 2\.0"),
        (lambda y: np.eye(3)[y] / 2, ValueError, r"^y: expected rows summing to 1, got 0\.5 at"),
        (lambda y: np.eye(4)[y], ValueError, r"^y: expected one-hot rows of shape \(N, 3\)"),
        (lambda y: np.eye(3, dtype=bool)[y], TypeError, "^y: expected real numbers"),
        (lambda y: y[:-1], ValueError, "^x and y must have the same length, got 600 and 599 rows"),
    ],
    ids=["too-large", "float", "bool", "str", "object", "outside", "sum", "width", "bool-rows",
         "length"],
)  # fmt: skip
def test_bad_targets_are_refused_by_fit_and_evaluate(y, error, message):
    x, labels = blobs()
    net = mlp([8, 3], rng=0)
    with pytest.raises(error, match=message):
        fit(net, x, y(labels), optimizer=optimizers.SGD(lr=0.1), verbose=False)
    with pytest.raises(error, match=message):
        evaluate(net, x, y(labels))


def test_soft_targets_are_accepted():
    x, y = blobs()
    smooth = 0.9 * np.eye(3)[y] + 0.1 / 3  # label smoothing: rows sum to 1
    history = fit(mlp([8, 3], rng=0), x, smooth, optimizer=optimizers.SGD(0.1), verbose=False)
    assert np.isfinite(history["loss"]).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"validation_data": (np.zeros((5, 8)), np.array([0, 1, 2, 3, 0]))}, ValueError,
         r"^y: expected labels in 0\.\.2, got 3 at index 3"),
        ({"validation_data": np.zeros((5, 8))}, TypeError, "^validation_data: expected a pair"),
        ({"lr_schedule": lambda epoch: np.nan}, ValueError,
         r"^lr_schedule\(1\): expected a positive finite rate, got nan"),
        ({"epochs": 2.5}, TypeError, "expected an int epochs, got 2.5"),
        ({"batch_size": 0}, ValueError, "expected batch_size >= 1, got 0"),
    ],
    ids=["validation-labels", "validation-not-a-pair", "nan-rate", "float-epochs", "batch-0"],
)  # fmt: skip
def test_bad_arguments_fail_before_training(kwargs, error, message):
    x, y = blobs()
    net = mlp([8, 3], rng=0)
    before = net.flat_params.copy()
    with pytest.raises(error, match=message):
        fit(net, x, y, optimizer=optimizers.SGD(lr=0.1), verbose=False, **kwargs)
    np.testing.assert_array_equal(net.flat_params, before)

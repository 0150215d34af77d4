"""Checks for the exercises of notebook 02, normalizing the inputs."""

import numpy as np

from nnlib.course.checks import Feedback, Hint, answer, cases, expect_array, reveal, run
from nnlib.course.recipes import NearestMean
from nnlib.preprocessing import Standardizer

__all__ = ["nearest_mean", "standardize", "raw_equivalent", "reveal"]


def _labels_covering(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``n`` labels in 0..k-1, every class at least once, in random order."""
    return rng.permutation(np.arange(n) % k)


def nearest_mean(class_means_fn, predict_fn) -> Feedback:
    """Exercise 2.1: ``class_means_fn(x, y, num_classes)``, the mean image of each class,
    shape (K, D); ``predict_fn(x, means)``, the class of the nearest mean for each row of
    x (N, D), shape (N,)."""

    def attempt():
        for rng in cases(seed=201):
            n, d, k = int(rng.integers(20, 40)), int(rng.integers(5, 12)), int(rng.integers(3, 8))
            x, y = rng.random((n, d)), _labels_covering(rng, n, k)
            right = NearestMean(x, y, k).means
            got = answer(class_means_fn, x.copy(), y.copy(), k)
            expect_array(
                "class_means(x, y, K)",
                got,
                right,
                {
                    "you averaged all pixels of each class into one number: average over "
                    "the images of the class (axis=0), keeping one value per pixel": right.mean(
                        axis=1
                    ),
                    "every row is the mean of ALL images: average only the rows x[y == k] "
                    "of class k": np.tile(x.mean(axis=0), (k, 1)),
                },
            )
        for rng in cases(seed=202):
            n, d, k = int(rng.integers(20, 40)), int(rng.integers(5, 12)), int(rng.integers(3, 8))
            y_fit = _labels_covering(rng, 3 * n, k)
            ink = rng.uniform(0.3, 1, k)  # some classes have more ink than others, as digits do
            model = NearestMean(rng.random((3 * n, d)) * ink[y_fit, None], y_fit, k)
            x, means = rng.random((n, d)) * rng.uniform(0.3, 1, (n, 1)), model.means
            sq = ((x[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)  # (N, K)
            got = answer(predict_fn, x.copy(), means.copy())
            if np.shape(got) == sq.shape:
                raise Hint(
                    f"predict returned an array of shape {sq.shape}, the distances to every "
                    "mean: return, for each row, the index of the smallest one (argmin, axis=1)"
                )
            expect_array(
                "predict(x, means)",
                got,
                model.predict(x),
                {
                    "you picked the FARTHEST mean: the nearest has the smallest distance "
                    "(argmin, not argmax)": sq.argmax(axis=1),
                    "you dropped ||m_k||^2: only ||x||^2 is the same for every class and may "
                    "be left out; the largest x . m_k favours the means with the most ink": (
                        x @ means.T
                    ).argmax(axis=1),
                    "you took the argmin over the images (axis=0): take it over the classes "
                    "of each row (axis=1)": sq.argmin(axis=0),
                },
                atol=0,
                rtol=0,
            )
        return "5 random class-mean cases and 5 nearest-mean cases agree with nnlib.course.recipes"

    return run("Exercise 2.1 (the mean digit as a classifier)", attempt)


def _case(rng: np.random.Generator, n_val: int):
    """Pixels in [0, 1] as in scaled MNIST: two pixels blank in every training image (one
    inked in the validation images), one nearly blank (std below 0.01), the rest varied."""
    n, d = int(rng.integers(20, 40)), int(rng.integers(8, 14))
    x_train = rng.random((n, d)) * rng.uniform(0.2, 1, d) + rng.uniform(0, 0.3, d)
    x_val = rng.random((n_val, d)) * rng.uniform(0.2, 1, d) + rng.uniform(0, 0.3, d)
    x_train[:, :2] = 0
    x_train[:, 2] = 0
    x_train[int(rng.integers(n)), 2] = 0.02  # one stray speck: std about 0.02 / sqrt(n)
    x_val[:, 1] = 0
    return x_train, x_val


def _standardized(x, mean, std, min_std, floor=True):
    with np.errstate(all="ignore"):
        return (x - mean) / (np.maximum(std, min_std) if floor else std)


def _same(got, wrong, rtol=1e-4, atol=1e-4) -> bool:
    wrong = np.asarray(wrong, dtype=float)
    return got.shape == wrong.shape and np.allclose(got, wrong, rtol, atol, equal_nan=True)


def standardize(standardize_fn) -> Feedback:
    """Exercise 2.2: ``standardize_fn(x_train, x_val, min_std)`` returns ``(z_train, z_val)``,
    both standardized per pixel with the mean and the floored standard deviation of
    ``x_train`` only, like ``nnlib.preprocessing.Standardizer``."""

    def attempt():
        for i, rng in enumerate(cases(seed=203, n=6)):
            x_train, x_val = _case(rng, n_val=1 if i == 5 else int(rng.integers(5, 15)))
            min_std = 0.01
            scaler = Standardizer(min_std).fit(x_train)
            right = scaler.transform(x_train), scaler.transform(x_val)
            with np.errstate(all="ignore"):  # answer() tells a function that changes x_train
                got = answer(standardize_fn, x_train.copy(), x_val.copy(), min_std)
            if not isinstance(got, tuple | list) or len(got) != 2:
                raise Hint("return two arrays, (z_train, z_val)")
            z_train, z_val = (np.asarray(z, dtype=float) for z in got)
            if z_train.shape == x_val.shape != x_train.shape and z_val.shape == x_train.shape:
                raise Hint("you returned (z_val, z_train): return (z_train, z_val), in that order")
            for description, (wrong_train, wrong_val) in _mistakes(x_train, x_val, min_std):
                if _same(z_train, wrong_train) and _same(z_val, wrong_val):
                    raise Hint(description)
            pairs = (("z_train", z_train, right[0]), ("z_val", z_val, right[1]))
            for name, z, r in pairs:
                if z.shape == r.shape and not np.isfinite(z).all():
                    raise Hint(
                        f"{name} holds infinity or NaN: some pixel was divided by a standard "
                        "deviation of 0. Floor it: np.maximum(std, min_std)"
                    )
                if z.shape == r.shape and np.abs(z).max() > 5 * np.abs(r).max():
                    raise Hint(
                        f"{name} holds values as large as {np.abs(z).max():.3g}, where nnlib's "
                        f"largest is {np.abs(r).max():.3g}: some pixel was divided by a tiny "
                        "standard deviation. Floor it: np.maximum(std, min_std)"
                    )
            for name, z, r in pairs:
                expect_array(name, z, r, rtol=1e-4, atol=1e-4)
        return (
            "6 random cases agree with nnlib's Standardizer, with blank and nearly blank "
            "pixels, and a validation set of a single image"
        )

    return run("Exercise 2.2 (standardize with training statistics only)", attempt)


def _mistakes(x_train, x_val, min_std) -> list[tuple[str, tuple[np.ndarray, np.ndarray]]]:
    """Typical wrong answers: a description and the (z_train, z_val) each gives."""
    m, s = x_train.mean(axis=0), x_train.std(axis=0)
    both = np.concatenate([x_train, x_val])
    z = _standardized
    zero_only = "you replaced only a std of exactly 0: a nearly blank pixel (std 0.001, say) "
    zero_only += "still blows stray ink up to hundreds. Floor every std: np.maximum(std, min_std)"
    swapped = "mean and std are swapped: it is (x - mean) / std"
    per_image = "you standardized each image with its own mean and std (axis=1): the "
    per_image += "statistics are per pixel, over the training images (axis=0)"

    def both_with(mean, std, floor=True):
        return z(x_train, mean, std, min_std, floor), z(x_val, mean, std, min_std, floor)

    with np.errstate(all="ignore"):
        return [
            (
                "leakage: you standardized x_val with its OWN mean and std. Held-out data "
                "must be transformed with the training statistics, as tomorrow's images will be",
                (both_with(m, s)[0], z(x_val, x_val.mean(axis=0), x_val.std(axis=0), min_std)),
            ),
            (
                "leakage: your mean and std come from x_train and x_val together. Compute "
                "them from x_train only, then apply them to both",
                both_with(both.mean(axis=0), both.std(axis=0)),
            ),
            (
                "you used one mean and one std for all pixels: compute them per pixel, over "
                "the images (axis=0), one value for each of the D pixels",
                both_with(x_train.mean(), x_train.std()),
            ),
            (
                per_image,
                (
                    z(
                        x_train,
                        x_train.mean(1, keepdims=True),
                        x_train.std(1, keepdims=True),
                        min_std,
                    ),
                    z(x_val, x_val.mean(1, keepdims=True), x_val.std(1, keepdims=True), min_std),
                ),
            ),  # fmt: skip
            (
                "there is no floor on the std: a pixel that is blank in every training image "
                "has std 0, and dividing by it gives infinity or NaN. Use np.maximum(std, "
                "min_std)",
                both_with(m, s, floor=False),
            ),
            (zero_only, both_with(m, np.where(s == 0, 1.0, s), floor=False)),
            (zero_only, both_with(m, np.where(s == 0, min_std, s), floor=False)),
            (
                "you divided by std + min_std: that shrinks every pixel a little. Floor the "
                "std instead, np.maximum(std, min_std), which changes only the tiny ones",
                ((x_train - m) / (s + min_std), (x_val - m) / (s + min_std)),
            ),
            *[
                (swapped, both_with(std, m, floor))
                for std in (s, np.maximum(s, min_std))
                for floor in (True, False)
            ],
            (
                "you forgot to subtract the mean: it is (x - mean) / std",
                (x_train / np.maximum(s, min_std), x_val / np.maximum(s, min_std)),
            ),
            (
                "your std divides by N - 1 (ddof=1); the formula above, and nnlib, divide by N",
                both_with(m, x_train.std(axis=0, ddof=1)),
            ),
        ]


def raw_equivalent(raw_equivalent_fn) -> Feedback:
    """Exercise 2.3: ``raw_equivalent_fn(W, b)`` returns ``(W_raw, b_raw)`` such that raw
    pixels x (0..255) give the same weighted inputs as scaled pixels x / 255 with (W, b):
    x @ W_raw + b_raw == (x / 255) @ W + b. W is (D, H), b is (H,)."""

    def attempt():
        for rng in cases(seed=204):
            d, h = int(rng.integers(4, 12)), int(rng.integers(2, 8))
            W, b = rng.normal(0, 1 / np.sqrt(d), (d, h)), rng.normal(0, 1, h)
            got = answer(raw_equivalent_fn, W.copy(), b.copy())
            if not isinstance(got, tuple | list) or len(got) != 2:
                raise Hint("return two arrays, (W_raw, b_raw)")
            W_raw, b_raw = got
            expect_array(
                "W_raw",
                W_raw,
                W / 255,
                {
                    "you multiplied W by 255: raw inputs are 255 times LARGER, so the weights "
                    "must be 255 times smaller": W * 255,
                    "W_raw is W unchanged: raw inputs are 255 times larger than scaled ones, "
                    "so each weight must shrink by the same factor": W,
                },
            )
            expect_array(
                "b_raw",
                b_raw,
                b,
                {
                    "you divided the bias by 255 too: b is added after the product and "
                    "multiplies no input, so it stays as it is": b / 255,
                    "you multiplied the bias by 255: b multiplies no input, so it stays as it is": b
                    * 255,
                },
            )
        return "5 random layers give the same weighted inputs on raw pixels as on scaled ones"

    return run("Exercise 2.3 (divide the weights instead of the inputs)", attempt)

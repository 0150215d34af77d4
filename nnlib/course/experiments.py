"""Experiments: is a difference real? Several seeds, mean ± standard deviation, a verdict.

A trained network's accuracy depends on its seed: the initial weights, the order of
the minibatches and the dropout masks all come from it. Two settings whose results
differ by less than that scatter from seed to seed have not been shown to differ. So
the course runs every setting it compares on at least three seeds:

    over_seeds(train, seeds)           train(seed) for each seed, one table
    summary(runs, by, metric)          per setting: mean, standard deviation, n, "mean ± sd"
    verdict(runs, by, metric, a, b)    one sentence: a real difference, or noise

The standard deviation is the sample one (n - 1 in the denominator). ``verdict``
calls a gap real only when it exceeds the spread sd_a + sd_b, that is when the two
"mean ± sd" intervals do not overlap: a rule of thumb for three seeds, not a test.
"""

from collections.abc import Callable, Iterable

import pandas as pd

SEEDS = (0, 1, 2)


def over_seeds(train: Callable[[int], dict | pd.DataFrame], seeds: Iterable[int] = SEEDS):
    """``train(seed)`` for each seed, as one DataFrame with a ``seed`` column.

    ``train`` returns a dict of results (one row per seed) or a DataFrame such as a
    ``fit`` history (its rows, each with the seed added).
    """
    seeds = list(seeds)
    if len(seeds) < 1:
        raise ValueError("over_seeds needs at least one seed")
    parts = []
    for seed in seeds:
        result = train(seed)
        frame = result.copy() if isinstance(result, pd.DataFrame) else pd.DataFrame([result])
        frame.insert(0, "seed", seed)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def summary(runs: pd.DataFrame, by: str, metric: str, fmt: str = "{:.4g}") -> pd.DataFrame:
    """Per value of ``by``: the mean, standard deviation and count of ``metric``, and the
    text "mean ± sd" formatted with ``fmt`` (e.g. "{:.2%}" for accuracies)."""
    missing = {by, metric} - set(runs.columns)
    if missing:
        raise ValueError(f"runs is missing columns {sorted(missing)}")
    stats = runs.groupby(by, sort=False)[metric].agg(mean="mean", sd="std", n="count")
    stats["mean ± sd"] = [
        f"{fmt.format(m)} ± {fmt.format(s)}" for m, s in stats[["mean", "sd"]].to_numpy()
    ]
    return stats


def verdict(runs: pd.DataFrame, by: str, metric: str, a, b, fmt: str = "{:.4g}") -> str:
    """Whether ``a`` and ``b`` (two values of ``by``) differ in ``metric`` by more than
    their seeds scatter, as one sentence."""
    stats = summary(runs, by, metric, fmt)
    for name in (a, b):
        if name not in stats.index:
            raise ValueError(f"{name!r} is not a value of {by!r}: {list(stats.index)}")
        if stats.loc[name, "n"] < 2:
            raise ValueError(f"{name!r} has {stats.loc[name, 'n']} run; a spread needs several")
    gap = stats.loc[a, "mean"] - stats.loc[b, "mean"]
    spread = stats.loc[a, "sd"] + stats.loc[b, "sd"]
    seeds = f"{int(min(stats.loc[a, 'n'], stats.loc[b, 'n']))} seeds"
    if abs(gap) > spread:
        higher, lower = (a, b) if gap > 0 else (b, a)
        return (
            f"{metric}: {higher} is higher than {lower} by {fmt.format(abs(gap))}, more than "
            f"the spread of {fmt.format(spread)} ({seeds} each): a real difference."
        )
    return (
        f"{metric}: {a} and {b} differ by {fmt.format(abs(gap))}, within the spread of "
        f"{fmt.format(spread)} ({seeds} each): noise, no conclusion."
    )

"""Seeds and spreads: over_seeds, summary and the verdict on a difference."""

import pandas as pd
import pytest

from nnlib.course import experiments


def runs(b_values):
    rows = [{"setting": "a", "acc": v} for v in (0.90, 0.91, 0.92)]
    rows += [{"setting": "b", "acc": v} for v in b_values]
    return pd.DataFrame(rows)


def test_over_seeds_tables_dicts_and_histories():
    table = experiments.over_seeds(lambda seed: {"acc": seed / 10})
    assert table.to_dict("list") == {"seed": [0, 1, 2], "acc": [0.0, 0.1, 0.2]}
    history = pd.DataFrame({"epoch": [1, 2], "loss": [1.0, 0.5]})
    stacked = experiments.over_seeds(lambda seed: history * (seed - 2), seeds=[3, 4])
    assert stacked["seed"].tolist() == [3, 3, 4, 4] and stacked["loss"].tolist() == [1, 0.5, 2, 1]


def test_summary_gives_mean_sample_sd_and_text():
    stats = experiments.summary(runs([0.5, 0.6, 0.7]), "setting", "acc", fmt="{:.1%}")
    assert stats.loc["a", "mean"] == pytest.approx(0.91)
    assert stats.loc["a", "sd"] == pytest.approx(0.01)  # n - 1 in the denominator
    assert stats.loc["b", "mean ± sd"] == "60.0% ± 10.0%"
    assert list(stats.index) == ["a", "b"] and stats["n"].tolist() == [3, 3]


def test_verdict_calls_a_gap_real_only_beyond_the_spread():
    real = experiments.verdict(runs([0.80, 0.81, 0.82]), "setting", "acc", "b", "a", "{:.2%}")
    assert real == (
        "acc: a is higher than b by 10.00%, more than the spread of 2.00% (3 seeds each): "
        "a real difference."
    )
    noise = experiments.verdict(runs([0.905, 0.915, 0.925]), "setting", "acc", "a", "b")
    assert noise.endswith("noise, no conclusion.") and "within the spread of 0.02" in noise


def test_verdict_needs_known_settings_with_several_seeds():
    with pytest.raises(ValueError, match="'c' is not a value of 'setting'"):
        experiments.verdict(runs([0.8]), "setting", "acc", "a", "c")
    with pytest.raises(ValueError, match="a spread needs several"):
        experiments.verdict(runs([0.8]), "setting", "acc", "a", "b")

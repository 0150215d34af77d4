"""From the raw measurements to results.json, results.md and ratios.png.

``summarize`` reduces the runs to one row per (configuration, system): the
median and minimum seconds per epoch over every timed epoch of every round, the
time per optimizer step, the median final test accuracy, the largest peak RSS,
the median inference rate, the ratios to PyTorch and to the NumPy reference
measured in the same run, and the effective training rate against the matmul
roofline. ``targets`` checks the summary against the goals the benchmark was
written for. ``write`` saves the raw results with the summary as JSON, the
tables as Markdown and the ratios as a bar chart.
"""

import json
from pathlib import Path
from statistics import median

from benchmarks.configs import ALL_CONFIGS, CONFIGS, RACE
from benchmarks.system import SYSTEMS

#: (configuration, most nnlib may take relative to PyTorch) for the speed targets.
TORCH_RATIO_TARGETS = {"modern": 0.7, "wide": 0.9, "nielsen": 0.2}
REFERENCE_RATIO_TARGET = 1.15
WIDE_ROOFLINE_TARGET = 0.75
RACE_RATIO_TARGET = 0.5
RSS_LIMIT_BYTES = 2**30
ACCURACY_POINTS = 0.5


def _ok(runs):
    return [r for r in runs if r.get("status") == "ok"]


def roofline_summary(rooflines: list[dict]) -> dict:
    """Medians over rounds: the 2048^3 rate, each product's rate, each matmul floor."""
    good = [r for r in rooflines if "square_2048_gflops" in r]
    if not good:
        return {}
    out = {"square_2048_gflops": median(r["square_2048_gflops"] for r in good), "configs": {}}
    for name in good[0]["configs"]:
        per_round = [r["configs"][name] for r in good]
        products = [
            {**p, "gflops": median(rnd["products"][i]["gflops"] for rnd in per_round)}
            for i, p in enumerate(per_round[0]["products"])
        ]
        out["configs"][name] = {
            "products": products,
            "matmul_seconds_per_epoch": median(r["matmul_seconds_per_epoch"] for r in per_round),
        }
    return out


def timing_summary(runs: list[dict], roofline: dict) -> dict:
    """{config: {system: statistics}} over the ok runs."""
    groups: dict = {}
    for run in _ok(runs):
        groups.setdefault(run["config"], {}).setdefault(run["system"], []).append(run)
    square = roofline.get("square_2048_gflops")
    table = {}
    for name, by_system in groups.items():
        config = ALL_CONFIGS[name]
        floor = roofline.get("configs", {}).get(name, {}).get("matmul_seconds_per_epoch")
        rows = {}
        for sys_name, group in by_system.items():
            seconds = [e["seconds"] for run in group for e in run["epochs"]]
            mid = median(seconds)
            examples = group[0]["examples"]
            effective = 6 * examples * config.n_params / mid / 1e9
            rows[sys_name] = {
                "runs": len(group),
                "examples": examples,
                "seconds_per_epoch": seconds,
                "median_seconds": mid,
                "min_seconds": min(seconds),
                "ms_per_step": 1000 * mid / group[0]["steps_per_epoch"],
                "test_accuracy": median(run["epochs"][-1]["test_accuracy"] for run in group),
                "test_accuracies": [run["epochs"][-1]["test_accuracy"] for run in group],
                "peak_rss_bytes": max(run["peak_rss_bytes"] for run in group),
                "inference_images_per_second": median(
                    run["inference_images_per_second"] for run in group
                ),
                "effective_gflops": effective,
                "fraction_of_square_matmul": effective / square if square else None,
                "fraction_of_matmul_floor": floor / mid if floor else None,
            }
        for row in rows.values():
            for base in ("torch", "reference"):
                if base in rows:
                    row[f"ratio_to_{base}"] = row["median_seconds"] / rows[base]["median_seconds"]
            if "torch" in rows:
                row["accuracy_points_vs_torch"] = 100 * (
                    row["test_accuracy"] - rows["torch"]["test_accuracy"]
                )
        table[name] = rows
    return table


def race_summary(race: list[dict], target: float) -> dict:
    """{system: time to ``target`` test accuracy} over the race rounds."""
    out = {}
    for sys_name, config in RACE:
        rounds = []
        for run in _ok(r for r in race if r["system"] == sys_name):
            elapsed, reached = 0.0, None
            for e in run["epochs"]:
                elapsed += e["seconds"]
                if e["test_accuracy"] >= target:
                    reached = {"seconds": elapsed, "epochs": e["epoch"]}
                    break
            rounds.append(
                {
                    "reached": reached,
                    "accuracies": [e["test_accuracy"] for e in run["epochs"]],
                    "epoch_seconds": [e["seconds"] for e in run["epochs"]],
                    "peak_rss_bytes": run["peak_rss_bytes"],
                    "inference_images_per_second": run["inference_images_per_second"],
                }
            )
        if not rounds:
            continue
        hits = [r["reached"] for r in rounds if r["reached"]]
        out[sys_name] = {
            "config": config.name,
            "rounds": rounds,
            "reached_in": f"{len(hits)}/{len(rounds)}",
            "seconds_to_target": median(h["seconds"] for h in hits) if hits else None,
            "epochs_to_target": median(h["epochs"] for h in hits) if hits else None,
            "seconds_per_epoch": median(s for r in rounds for s in r["epoch_seconds"]),
            "best_accuracy": median(max(r["accuracies"]) for r in rounds),
            "inference_images_per_second": median(r["inference_images_per_second"] for r in rounds),
        }
    torch_time = out.get("torch", {}).get("seconds_to_target")
    for row in out.values():
        mine = row["seconds_to_target"]
        row["ratio_to_torch"] = mine / torch_time if mine and torch_time else None
    return out


def targets(summary: dict) -> list[dict]:
    """Each goal: what was measured, the limit, and whether it was met (None: not measured)."""
    timing, race = summary["timing"], summary["race"]
    out = []

    def add(goal, value, limit, ok):
        out.append({"target": goal, "value": value, "limit": limit, "ok": ok})

    for name, limit in TORCH_RATIO_TARGETS.items():
        value = timing.get(name, {}).get("nnlib", {}).get("ratio_to_torch")
        add(f"{name}: nnlib / PyTorch s/epoch", value, f"<= {limit}", _le(value, limit))
    for name in CONFIGS:
        value = timing.get(name, {}).get("nnlib", {}).get("ratio_to_reference")
        limit = REFERENCE_RATIO_TARGET
        add(f"{name}: nnlib / NumPy reference s/epoch", value, f"<= {limit}", _le(value, limit))
    value = timing.get("wide", {}).get("nnlib", {}).get("fraction_of_square_matmul")
    limit = WIDE_ROOFLINE_TARGET
    add("wide: effective GFLOP/s / 2048^3 matmul GFLOP/s", value, f">= {limit}", _ge(value, limit))
    value = race.get("nnlib", {}).get("ratio_to_torch")
    limit = RACE_RATIO_TARGET
    add(
        "time to 98%: nnlib recipe / PyTorch Adam defaults", value, f"<= {limit}", _le(value, limit)
    )
    rss = [row["peak_rss_bytes"] for rows in timing.values() if (row := rows.get("nnlib"))]
    value = max(rss) / 2**20 if rss else None
    add("nnlib peak RSS on the training set, MB", value, "< 1024", _le(value, 1024))
    for name in CONFIGS:
        value = timing.get(name, {}).get("nnlib", {}).get("accuracy_points_vs_torch")
        ok = None if value is None else abs(value) <= ACCURACY_POINTS
        add(f"{name}: test accuracy nnlib - PyTorch, points", value, "within 0.5", ok)
    return out


def _le(value, limit):
    return None if value is None else value <= limit


def _ge(value, limit):
    return None if value is None else value >= limit


def summarize(results: dict) -> dict:
    roofline = roofline_summary(results["roofline"])
    summary = {
        "roofline": roofline,
        "timing": timing_summary(results["runs"], roofline),
        "race": race_summary(results["race"], results["meta"]["target_accuracy"]),
    }
    summary["targets"] = targets(summary)
    return summary


# --- Markdown -----------------------------------------------------------------------------


def _fmt(value, spec=".3f", none="–"):
    return none if value is None else format(value, spec)


def _pct(value):
    return _fmt(None if value is None else 100 * value, ".1f")


def markdown(results: dict, summary: dict) -> str:
    meta, m, args = results["meta"], results["machine"], results["meta"]["args"]
    blas = next((r["blas"] for r in results["runs"] if r.get("status") == "ok"), {})
    torch_threads = next(
        (r["system_threads"] for r in results["runs"] if r.get("system_threads")), None
    )
    lines = ["# nnlib speed benchmark", ""]
    if args["quick"]:
        lines += [
            "**Quick mode** (a smoke test of the harness): these numbers are not a measurement.",
            "",
        ]
    numpy_blas = m["numpy_blas"]
    lines += [
        f"- command: `{meta['command'].strip()}`, {meta['started']}, "
        f"{meta['wall_seconds'] / 60:.1f} min, git {str(meta['git_commit'])[:10]}"
        + (" (uncommitted changes)" if meta["git_dirty"] else ""),
        f"- {args['examples']} training examples, 10,000 test images; {args['rounds']} round(s) "
        f"of {args['epochs']} epoch(s) per system and configuration, each in a fresh process",
        f"- threads: {args['threads']} for every system (BLAS variables set before start; "
        f"OpenBLAS reported {blas.get('threads', '?')}, torch {torch_threads or '–'})",
        f"- machine: {m['cpu']}, {m['logical_cores']} logical cores "
        f"({m['cores_available']} available), {(m['memory_bytes'] or 0) / 2**30:.0f} GiB; "
        f"load average before {meta['load_average_before']}, "
        f"after {meta.get('load_average_after')}",
        f"- Python {m['python']}, NumPy {m['numpy']} with {numpy_blas.get('name')} "
        f"{numpy_blas.get('version')} (core {blas.get('core', '?')}), "
        f"PyTorch {m['torch'] or 'not installed'}, "
        f"scikit-learn {m['scikit-learn'] or 'not installed'}",
        "",
        "## Seconds per epoch",
        "",
        "Training pass only (shuffle, minibatches, updates); median and minimum over all rounds. "
        "× PyTorch and × reference: ratio of medians measured in this run (below 1 is faster). "
        "Effective GFLOP/s = 6 × examples × parameters / seconds; % 2048³: of the 2048³ float32 "
        "matmul rate; % floor: the matmul-only time of an epoch at the measured per-shape rates "
        "divided by the epoch's time.",
        "",
        "| config | system | s/epoch median | min | ms/step | test acc | peak RSS MB "
        "| × PyTorch | × reference | eff. GFLOP/s | % 2048³ | % floor | predict img/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, rows in summary["timing"].items():
        for sys_name in SYSTEMS:
            if sys_name not in rows:
                continue
            r = rows[sys_name]
            lines.append(
                f"| {name} | {SYSTEMS[sys_name][1]} | {r['median_seconds']:.3f} | "
                f"{r['min_seconds']:.3f} | {r['ms_per_step']:.3f} | {r['test_accuracy']:.2%} | "
                f"{r['peak_rss_bytes'] / 2**20:.0f} | {_fmt(r.get('ratio_to_torch'), '.2f')} | "
                f"{_fmt(r.get('ratio_to_reference'), '.2f')} | {r['effective_gflops']:.1f} | "
                f"{_pct(r['fraction_of_square_matmul'])} | {_pct(r['fraction_of_matmul_floor'])} | "
                f"{r['inference_images_per_second']:,.0f} |"
            )
    lines += ["", f"## Time to {results['meta']['target_accuracy']:.0%} test accuracy", ""]
    lines += [
        "Training seconds summed up to the first epoch whose test accuracy (measured between "
        "epochs, untimed) reaches the target; median over the rounds that reached it.",
        "",
        "| system | recipe | reached | seconds to target | epochs | s/epoch | best acc "
        "| × PyTorch | predict img/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for sys_name, r in summary["race"].items():
        lines.append(
            f"| {SYSTEMS[sys_name][1]} | {_recipe(ALL_CONFIGS[r['config']])} | {r['reached_in']} | "
            f"{_fmt(r['seconds_to_target'], '.2f')} | {_fmt(r['epochs_to_target'], 'g')} | "
            f"{r['seconds_per_epoch']:.2f} | {r['best_accuracy']:.2%} | "
            f"{_fmt(r['ratio_to_torch'], '.2f')} | {r['inference_images_per_second']:,.0f} |"
        )
    roof = summary["roofline"]
    if roof:
        lines += ["", "## Matmul roofline (NumPy float32, same threads)", ""]
        lines += [f"2048 × 2048 × 2048: **{roof['square_2048_gflops']:.1f} GFLOP/s**", ""]
        lines += ["| config | product | m × k × n | GFLOP/s |", "|---|---|---|---:|"]
        for name, c in roof["configs"].items():
            for p in c["products"]:
                lines.append(
                    f"| {name} | {p['product']} | {p['m']} × {p['k']} × {p['n']} | "
                    f"{p['gflops']:.1f} |"
                )
            lines.append(
                f"| {name} | matmul floor of one epoch | | {c['matmul_seconds_per_epoch']:.3f} s |"
            )
    lines += ["", "## Targets", "", "| target | measured | limit | met |", "|---|---:|---|---|"]
    for t in summary["targets"]:
        met = {True: "yes", False: "**no**", None: "not measured"}[t["ok"]]
        lines.append(f"| {t['target']} | {_fmt(t['value'], '.3f')} | {t['limit']} | {met} |")
    notes = [
        f"- {SYSTEMS[s][1]} on {c}: {why}"
        for c, by_sys in results["unavailable"].items()
        for s, why in by_sys.items()
    ]
    failed = [r for r in results["runs"] + results["race"] if r.get("status") == "error"]
    notes += [f"- failed: {r['system']} on {r['config']}: {r['reason'][:300]}" for r in failed]
    if notes:
        lines += ["", "## Not run", "", *notes]
    lines += ["", "Raw numbers, every epoch of every run: `results.json`.", ""]
    return "\n".join(lines)


def _recipe(c) -> str:
    opt = ", ".join(f"{k} {v}" for k, v in c.optimizer_args.items())
    parts = [
        "-".join(map(str, c.sizes)),
        f"{c.init} init",
        f"{c.optimizer} ({opt})",
        f"batch {c.batch_size}",
    ]
    if c.dropout:
        parts.append(f"dropout {c.dropout}")
    if c.lr_decay != 1:
        parts.append(f"lr × {c.lr_decay}^(epoch-1)")
    return ", ".join(parts)


# --- chart ---------------------------------------------------------------------------------


def chart(summary: dict, path: Path) -> None:
    """Bars of each system's median s/epoch relative to PyTorch (or, without PyTorch, to
    the NumPy reference) per configuration, and the time-to-98% race."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    timing = summary["timing"]
    has_torch = any("torch" in rows for rows in timing.values())
    base = "torch" if has_torch else "reference"
    key = f"ratio_to_{base}"
    configs = [c for c in timing if any(key in r for r in timing[c].values())]
    systems = [s for s in SYSTEMS if s != base and any(s in timing[c] for c in configs)]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.8), width_ratios=[3, 1])
    width = 0.8 / max(len(systems), 1)
    for j, s in enumerate(systems):
        xs = [i + (j - (len(systems) - 1) / 2) * width for i in range(len(configs))]
        ys = [timing[c].get(s, {}).get(key) or 0 for c in configs]
        bars = ax.bar(xs, ys, width, label=SYSTEMS[s][1])
        ax.bar_label(bars, labels=[f"{y:.2f}" if y else "" for y in ys], fontsize=7)
    if has_torch:
        for i, c in enumerate(configs):
            if c in TORCH_RATIO_TARGETS:
                ax.hlines(TORCH_RATIO_TARGETS[c], i - 0.45, i + 0.45, colors="k", linestyles=":")
    ax.axhline(1, color="k", linewidth=0.8)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FixedLocator([0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(range(len(configs)), configs)
    ax.set_ylabel(f"median s/epoch ÷ {SYSTEMS[base][1]} (log; below 1 is faster)")
    title = "Training time relative to " + SYSTEMS[base][1]
    ax.set_title(title + (" (dotted: nnlib targets)" if has_torch else ""))
    if systems:
        ax.legend(fontsize=8)
    race = summary["race"]
    names = [s for s in race if race[s]["seconds_to_target"]]
    labels = {"nnlib": "nnlib\n(course recipe)", "torch": "PyTorch\n(Adam defaults)"}
    ax2.bar(
        [labels.get(s, s) for s in names],
        [race[s]["seconds_to_target"] for s in names],
        color=["C0", "C2"][: len(names)],
    )
    ax2.set_ylabel("training seconds")
    ax2.set_title("Time to 98% test accuracy")
    if not names:
        ax2.text(0.5, 0.5, "not reached", ha="center", transform=ax2.transAxes)
        ax2.set_xticks([])
        ax2.set_yticks([])
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write(results: dict, out: Path) -> dict[str, Path]:
    """Save results.json (raw runs and summary), results.md and ratios.png in ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = summarize(results)
    paths = {
        "json": out / "results.json",
        "markdown": out / "results.md",
        "chart": out / "ratios.png",
    }
    paths["json"].write_text(json.dumps({**results, "summary": summary}, indent=1) + "\n")
    paths["markdown"].write_text(markdown(results, summary))
    chart(summary, paths["chart"])
    return paths

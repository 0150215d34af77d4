"""What the reproducibility pin costs: nnlib's epoch time pinned against unpinned.

    python -m benchmarks.pin_cost [--rounds 3] [--configs nielsen,modern,wide]

``nnlib.course.reproducible.pin()`` (which every notebook calls) runs OpenBLAS's Haswell
kernel on one thread and NumPy's AVX2 loops, whatever the CPU. This trains one epoch
of each configuration with nnlib in a fresh process under three environments, side by
side, interleaved round by round:

    pinned             the pin's environment (what the notebooks run)
    native, 1 thread   the CPU's own kernel and loops, one BLAS thread
    native, 2 threads  the CPU's own kernel and loops, two BLAS threads (the CLI's default)

and prints the median seconds per epoch and the ratios. Only ratios from one run
mean anything: the machine's speed drifts between runs.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.configs import CONFIGS
from nnlib.course import reproducible

ENVIRONMENTS = {
    "pinned": dict(reproducible.PINNED),
    "native, 1 thread": {"OPENBLAS_NUM_THREADS": "1"},
    "native, 2 threads": {"OPENBLAS_NUM_THREADS": "2"},
}


def environment(settings: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in reproducible.PINNED}
    return {**env, **settings}


def epoch_seconds(config: str, settings: dict, round_: int, workdir: Path) -> float:
    """One epoch of ``config`` with nnlib, in a fresh process under ``settings``."""
    spec = {"system": "nnlib", "config": config, "round": round_, "seed": round_, "threads": 1}
    spec.update(epochs=1, data_dir=str(workdir / "data"))
    spec_path, result_path = workdir / "spec.json", workdir / "result.json"
    spec_path.write_text(json.dumps(spec))
    command = [sys.executable, "-m", "benchmarks.worker", str(spec_path), str(result_path)]
    subprocess.run(command, env=environment(settings), check=True)
    result = json.loads(result_path.read_text())
    if result["status"] != "ok":
        raise RuntimeError(f"{config} under {settings}: {result.get('reason')}")
    return result["epochs"][0]["seconds"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--configs", default="nielsen,modern,wide")
    args = parser.parse_args(argv)
    configs = args.configs.split(",")
    unknown = set(configs) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown configs {sorted(unknown)}; choose from {', '.join(CONFIGS)}")
    workdir = Path(tempfile.mkdtemp(prefix="pin-cost-"))
    subprocess.run([sys.executable, "-m", "benchmarks.workload", str(workdir / "data")], check=True)
    times = {(c, e): [] for c in configs for e in ENVIRONMENTS}
    for round_ in range(1, args.rounds + 1):
        for config in configs:
            for name, settings in ENVIRONMENTS.items():
                times[config, name].append(epoch_seconds(config, settings, round_, workdir))
    print(f"s/epoch, median of {args.rounds} rounds (nnlib, full MNIST)")
    print(f"{'config':10} " + " ".join(f"{name:>18}" for name in ENVIRONMENTS) + "   pin cost")
    for config in configs:
        medians = {name: statistics.median(times[config, name]) for name in ENVIRONMENTS}
        ratios = " / ".join(
            f"{medians['pinned'] / medians[name]:.2f}x" for name in list(ENVIRONMENTS)[1:]
        )
        cells = " ".join(f"{m:18.3f}" for m in medians.values())
        print(f"{config:10} {cells}   {ratios}")


if __name__ == "__main__":
    main()

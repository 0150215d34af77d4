"""The speed benchmark: nnlib against PyTorch, scikit-learn, a hand-fused NumPy loop
and a per-example loop, on the same networks, data, initial weights and hyperparameters.

    python -m benchmarks.run             # the full run, written to benchmarks/results/
    python -m benchmarks.run --quick     # a smoke test: one round, 5,000 examples

Every measurement runs in a fresh process (``benchmarks.worker``) with the BLAS
thread count fixed in its environment before NumPy starts; the systems are
interleaved, round by round, in a rotating order, so a slow spell of the machine
does not fall on one system. See benchmarks/README.md for what is measured.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import machine, report, system
from benchmarks.configs import ALL_CONFIGS, CONFIGS, RACE, TARGET_ACCURACY

REPO = Path(__file__).resolve().parents[1]
#: The environment variables that fix the thread count of every BLAS and OpenMP runtime.
THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 round, few examples")
    parser.add_argument(
        "--examples", type=int, help="training examples (default 60000; quick 5000)"
    )
    parser.add_argument(
        "--rounds", type=int, help="rounds of the timed configurations (5; quick 1)"
    )
    parser.add_argument("--epochs", type=int, default=1, help="epochs per timed run (1)")
    parser.add_argument("--threads", type=int, default=2, help="BLAS and torch threads (2)")
    parser.add_argument("--systems", default=",".join(system.SYSTEMS), help="comma-separated")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated")
    parser.add_argument(
        "--nielsen-rounds", type=int, default=1, help="rounds of the slow per-example loop (1)"
    )
    parser.add_argument("--no-race", action="store_true", help="skip the time-to-98%% race")
    parser.add_argument("--race-rounds", type=int, help="rounds of the race (3; quick 1)")
    parser.add_argument("--race-epochs", type=int, help="most epochs a racer gets (8; quick 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of round 1 (round r: seed+r-1)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per process")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)
    quick = args.quick
    args.examples = args.examples or (5000 if quick else 60_000)
    args.rounds = args.rounds or (1 if quick else 5)
    args.race_rounds = args.race_rounds or (1 if quick else 3)
    args.race_epochs = args.race_epochs or (1 if quick else 8)
    args.systems = [s for s in args.systems.split(",") if s]
    args.configs = [c for c in args.configs.split(",") if c]
    for name in args.systems:
        system.load(name)  # fails early on a misspelled name
    unknown = [c for c in args.configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configurations {unknown}; expected some of {list(CONFIGS)}")
    return args


def thread_env(threads: int) -> dict:
    """This process's environment with every thread variable set to ``threads``."""
    env = dict(os.environ)
    env.update({name: str(threads) for name in THREAD_VARIABLES})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


class Runner:
    """Starts worker processes and collects their results."""

    def __init__(self, args, workdir: Path):
        self.args = args
        self.workdir = workdir
        self.env = thread_env(args.threads)
        self.count = 0

    def subprocess(self, module: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=self.args.timeout,
        )

    def prepare_data(self) -> None:
        """Load MNIST and save the arrays the workers read, in a separate process."""
        examples = ["--examples", str(self.args.examples)]
        done = self.subprocess("benchmarks.workload", str(self.workdir / "data"), *examples)
        if done.returncode != 0:
            raise SystemExit(f"could not prepare the data:\n{done.stderr}")

    def worker(self, spec: dict) -> dict:
        """Run one measurement in a fresh process; its result, or why it failed."""
        self.count += 1
        spec_path = self.workdir / f"spec{self.count}.json"
        result_path = self.workdir / f"result{self.count}.json"
        spec = {**spec, "data_dir": str(self.workdir / "data"), "threads": self.args.threads}
        spec_path.write_text(json.dumps(spec))
        try:
            done = self.subprocess("benchmarks.worker", str(spec_path), str(result_path))
            if result_path.exists():
                return json.loads(result_path.read_text())
            reason = f"exit code {done.returncode}: {done.stderr.strip()[-2000:]}"
        except subprocess.TimeoutExpired:
            reason = f"timed out after {self.args.timeout} s"
        return {**spec, "status": "error", "reason": reason}

    def roofline(self) -> dict:
        out = self.workdir / "roofline.json"
        args = ["--out", str(out), "--examples", str(self.args.examples)]
        args += ["--configs", ",".join(self.args.configs)] + (
            ["--quick"] if self.args.quick else []
        )
        done = self.subprocess("benchmarks.roofline", *args)
        if done.returncode != 0:
            return {"status": "error", "reason": done.stderr.strip()[-2000:]}
        return json.loads(out.read_text())


def rotate(items: list, k: int) -> list:
    k %= max(len(items), 1)
    return items[k:] + items[:k]


def progress(result: dict) -> None:
    head = f"  round {result['round']}  {result['config']:<20} {result['system']:<10}"
    if result["status"] != "ok":
        print(f"{head}{result['status']}: {result['reason'][:200]}", flush=True)
        return
    last = result["epochs"][-1]
    seconds = sum(e["seconds"] for e in result["epochs"])
    print(
        f"{head}{len(result['epochs'])} epoch(s) {seconds:8.3f} s  "
        f"test acc {last['test_accuracy']:.2%}  peak RSS {result['peak_rss_bytes'] / 2**20:.0f} MB",
        flush=True,
    )


def unavailable_systems(args) -> dict:
    """{config: {system: reason}} for the pairs that cannot run here (not started at all)."""
    out = {}
    for name in args.configs:
        for sys_name in args.systems:
            reason = system.load(sys_name).unavailable(CONFIGS[name])
            if reason:
                out.setdefault(name, {})[sys_name] = reason
    return out


def main(argv=None) -> Path:
    args = parse_args(argv)
    started = time.perf_counter()
    results = {
        "meta": {
            "command": "python -m benchmarks.run "
            + " ".join(argv if argv is not None else sys.argv[1:]),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average_before": machine.load_average(),
            "git_commit": _git("rev-parse", "HEAD"),
            "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "target_accuracy": TARGET_ACCURACY,
        },
        "machine": machine.describe(),
        "configs": {name: config.as_dict() for name, config in ALL_CONFIGS.items()},
        "unavailable": unavailable_systems(args),
        "roofline": [],
        "runs": [],
        "race": [],
    }
    skip = results["unavailable"]
    print(f"benchmark: {args.examples} examples, {args.rounds} round(s), {args.threads} thread(s)")
    with tempfile.TemporaryDirectory(prefix="nnlib-bench-") as tmp:
        workdir = Path(tmp)
        runner = Runner(args, workdir)
        runner.prepare_data()
        for r in range(1, args.rounds + 1):
            print(f"round {r}/{args.rounds}", flush=True)
            results["roofline"].append(runner.roofline())
            for i, name in enumerate(args.configs):
                for sys_name in rotate(args.systems, r + i):
                    if sys_name in skip.get(name, {}):
                        continue
                    if sys_name == "nielsen" and r > args.nielsen_rounds:
                        continue
                    spec = {"system": sys_name, "config": name, "round": r}
                    spec |= {"seed": args.seed + r - 1, "epochs": args.epochs}
                    results["runs"].append(runner.worker(spec))
                    progress(results["runs"][-1])
        racers = [
            (s, c) for s, c in RACE if s in args.systems and not system.load(s).unavailable(c)
        ]
        for r in range(1, (0 if args.no_race else args.race_rounds) + 1):
            print(f"race to {TARGET_ACCURACY:.0%}, round {r}/{args.race_rounds}", flush=True)
            for sys_name, config in rotate(racers, r):
                spec = {"system": sys_name, "config": config.name, "round": r}
                spec |= {"seed": args.seed + r - 1, "epochs": args.race_epochs}
                results["race"].append(runner.worker({**spec, "stop_at_accuracy": TARGET_ACCURACY}))
                progress(results["race"][-1])
    results["meta"]["load_average_after"] = machine.load_average()
    results["meta"]["wall_seconds"] = time.perf_counter() - started
    paths = report.write(results, args.out)
    print("\n" + paths["markdown"].read_text())
    print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return args.out


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


if __name__ == "__main__":
    main()

"""The matmul roofline: how fast NumPy multiplies float32 matrices on this machine.

Training a dense network is mostly matrix products, so the rate of
``np.matmul`` bounds it. Measured here, in its own process with the same thread
settings as the training runs:

* ``square``: a 2048 x 2048 x 2048 product, about the best rate the BLAS reaches;
* every product of one training step of each configuration, at its real shape
  and with the transposed operand the backward pass uses: for each dense layer
  (n_in, n_out) and minibatch size B, forward (B, n_in) x (n_in, n_out), the
  weight gradient x^T delta (n_in, B) x (B, n_out) and, above the first layer,
  the input gradient delta W^T (B, n_out) x (n_out, n_in).

From those, ``matmul_seconds_per_epoch`` is what one epoch would take if it did
nothing but these products at these rates: the floor the training loops are
compared against in the report.

Run alone: ``python -m benchmarks.roofline [--quick]`` prints the JSON.
"""

import argparse
import json
import time

import numpy as np

from benchmarks.configs import CONFIGS, Config
from benchmarks.workload import steps_per_epoch


def step_products(config: Config) -> list[tuple[str, int, int, int, bool, bool]]:
    """(name, m, k, n, A transposed, B transposed) of each matmul in one training step."""
    B, products = config.batch_size, []
    layers = list(zip(config.sizes[:-1], config.sizes[1:], strict=True))
    for i, (n_in, n_out) in enumerate(layers, start=1):
        products.append((f"layer {i} forward", B, n_in, n_out, False, False))
        products.append((f"layer {i} dW = x^T delta", n_in, B, n_out, True, False))
        if i > 1:
            products.append((f"layer {i} dx = delta W^T", B, n_out, n_in, False, True))
    return products


def gflops(m: int, k: int, n: int, a_t=False, b_t=False, seconds=0.3, repeats=3) -> float:
    """Best GFLOP/s (2mkn flops per product) of ``np.matmul`` into a preallocated output."""
    rng = np.random.default_rng(0)
    a = rng.random((k, m) if a_t else (m, k), dtype=np.float32)
    b = rng.random((n, k) if b_t else (k, n), dtype=np.float32)
    a, b = (a.T if a_t else a), (b.T if b_t else b)
    out = np.empty((m, n), np.float32)
    np.matmul(a, b, out=out)
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < seconds / 10:  # calibrate the number of calls
        np.matmul(a, b, out=out)
        calls += 1
    calls = max(1, calls * 10 // repeats)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            np.matmul(a, b, out=out)
        best = min(best, (time.perf_counter() - start) / calls)
    return 2 * m * k * n / best / 1e9


def measure(configs: list[Config], examples: int = 60_000, quick=False) -> dict:
    """The square rate, each configuration's products and its matmul floor per epoch."""
    seconds = 0.05 if quick else 0.2
    result = {"square_2048_gflops": gflops(2048, 2048, 2048, seconds=3 * seconds), "configs": {}}
    for config in configs:
        products, floor = [], 0.0
        for name, m, k, n, a_t, b_t in step_products(config):
            rate = gflops(m, k, n, a_t, b_t, seconds=seconds)
            products.append({"product": name, "m": m, "k": k, "n": n, "gflops": rate})
            floor += 2 * m * k * n / (rate * 1e9)
        result["configs"][config.name] = {
            "products": products,
            "matmul_seconds_per_step": floor,
            "matmul_seconds_per_epoch": floor * steps_per_epoch(examples, config.batch_size),
        }
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short timings")
    parser.add_argument("--examples", type=int, default=60_000)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--out", help="write the JSON here instead of printing it")
    args = parser.parse_args(argv)
    configs = [CONFIGS[name] for name in args.configs.split(",") if name]
    text = json.dumps(measure(configs, args.examples, args.quick), indent=1)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()

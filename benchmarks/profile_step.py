"""Where a training step's time goes, part by part: nnlib against the reference loop.

    OPENBLAS_NUM_THREADS=2 python -m benchmarks.profile_step nielsen [--examples N]

Trains one epoch of a configuration the way ``nnlib.fit`` does, but with the
clock read around every part of every step: gathering the minibatch, each
layer's forward pass, the loss, each layer's backward pass, the optimizer's
update and the running loss and accuracy. Then one epoch of the hand-fused
reference loop (``reference_numpy``), timed per step, and the step's matmul
floor: its matrix products at the rates ``roofline`` measures for their shapes.
Prints microseconds per step. Each clock read adds about 0.1 us, so the parts
of nnlib's step add up to a little more than ``fit`` takes.

Set the BLAS thread count in the environment, as the benchmark does (2).
"""

import argparse
import time

import numpy as np

from benchmarks import nnlib_system, reference_numpy, roofline
from benchmarks.configs import CONFIGS, Config
from benchmarks.workload import Data, build_nnlib_network, mnist_arrays


def profile_nnlib(config: Config, data: Data, seed: int = 0):
    """Seconds spent in each part of nnlib's training step over one epoch, the number of
    steps, and the trained network (the same as one epoch of ``fit`` gives)."""
    from nnlib import optimizers
    from nnlib.preprocessing import minibatches

    net = build_nnlib_network(config, seed)
    optimizer = optimizers.get(config.optimizer, **config.optimizer_args)
    optimizer.lr = config.lr(1)
    params, grads = [net.flat_params], [net.flat_grads]
    clock, parts, steps = time.perf_counter, {}, 0

    def add(name, start):
        parts[name] = parts.get(name, 0.0) + clock() - start

    rng = np.random.default_rng(seed)
    batches = minibatches(data.x_train, data.targets, config.batch_size, rng=rng)
    total, correct = 0.0, 0
    while True:
        start = clock()
        batch = next(batches, None)
        add("minibatch (shuffled gather)", start)
        if batch is None:
            break
        xb, yb = batch
        out = xb
        for i, layer in enumerate(net.layers):
            start = clock()
            out = layer.forward(out, True)
            add(f"forward  {i}: {layer!r}", start)
        start = clock()
        loss, grad = net.loss.value_and_grad(out, yb)
        add(f"loss: {type(net.loss).__name__}", start)
        for i in range(len(net.layers) - 1, -1, -1):
            start = clock()
            grad = net.layers[i].backward(grad, input_grad=i > 0)
            add(f"backward {i}: {net.layers[i]!r}", start)
        start = clock()
        optimizer.step(params, grads)
        add(f"update: {type(optimizer).__name__} (flat vector)", start)
        start = clock()
        total += loss * len(xb)
        correct += np.count_nonzero(out.argmax(axis=1) == yb.argmax(axis=1))
        add("running loss and accuracy", start)
        steps += 1
    return parts, steps, net


def time_fit(config: Config, data: Data, seed: int = 0):
    """Seconds of one epoch of ``nnlib.fit`` (the benchmark's nnlib system), and the
    trained network."""
    trainer = nnlib_system.Trainer(config, data, seed)
    return trainer.train_epoch(1), trainer.net


def time_reference(config: Config, data: Data, seed: int = 0) -> float:
    """Seconds of one epoch of the reference loop, same weights and minibatch order."""
    if reference_numpy.unavailable(config):
        return float("nan")
    return reference_numpy.Trainer(config, data, seed).train_epoch(1)


def matmul_floor(config: Config) -> float:
    """Seconds per step of the step's matrix products alone, at their measured rates."""
    return sum(
        2 * m * k * n / (roofline.gflops(m, k, n, a_t, b_t, seconds=0.2) * 1e9)
        for _, m, k, n, a_t, b_t in roofline.step_products(config)
    )


def report(config: Config, data: Data) -> str:
    """The profile of ``config`` as a Markdown table, in microseconds per step."""
    time_fit(config, data)  # warm up: caches, allocator, BLAS threads
    parts, steps, _ = profile_nnlib(config, data)
    fit_seconds, _ = time_fit(config, data)
    reference = time_reference(config, data)
    us = 1e6 / steps
    step = sum(parts.values())
    lines = [
        f"{config.name}: {config.sizes}, batch {config.batch_size}, {steps} steps per epoch",
        "",
        "| part of a step | us/step | share |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {s * us:.2f} | {s / step:.0%} |" for name, s in parts.items()]
    lines += [
        f"| **nnlib, parts added up** | **{step * us:.2f}** | 100% |",
        f"| nnlib.fit, one epoch | {fit_seconds * us:.2f} | |",
        f"| reference loop, one epoch | {reference * us:.2f} | |",
        f"| matmul floor (the step's products alone) | {matmul_floor(config) * 1e6:.2f} | |",
        "",
        f"nnlib.fit / reference: {fit_seconds / reference:.3f}",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile_step", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("configs", nargs="+", choices=sorted(CONFIGS))
    parser.add_argument("--examples", type=int, help="first N training images (default: all)")
    args = parser.parse_args(argv)
    data = Data(**mnist_arrays(args.examples))
    for name in args.configs:
        print(report(CONFIGS[name], data), end="\n\n", flush=True)


if __name__ == "__main__":
    main()

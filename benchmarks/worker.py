"""One measurement, in a fresh process: ``python -m benchmarks.worker SPEC.json RESULT.json``.

The orchestrator (``benchmarks.run``) writes a spec and starts this module with
the BLAS thread variables already in its environment (they must be set before
NumPy loads its BLAS). The worker loads the prepared data, builds the system's
trainer and runs the epochs. Between epochs, outside the timed pass, it
measures test accuracy; after training, the inference speed of ``predict`` on
the test set. It writes a JSON result, with the process's peak resident memory,
or the error that stopped it.
"""

import json
import resource
import sys
import time
import traceback

import numpy as np

from benchmarks import machine, system
from benchmarks.configs import ALL_CONFIGS
from benchmarks.workload import load_data, steps_per_epoch


def inference_rate(trainer, x: np.ndarray, budget: float = 1.0, repeats: int = 5) -> float:
    """Images per second of ``trainer.predict(x)``: best of up to ``repeats`` calls
    (fewer when the calls take more than ``budget`` seconds together)."""
    best, spent = float("inf"), 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        trainer.predict(x)
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
        if spent > budget:
            break
    return len(x) / best


def run(spec: dict) -> dict:
    config = ALL_CONFIGS[spec["config"]]
    result = {key: spec[key] for key in ("system", "config", "round", "seed", "threads")}
    module = system.load(spec["system"])
    reason = module.unavailable(config)
    if reason:
        return {**result, "status": "unavailable", "reason": reason}
    if hasattr(module, "set_threads"):
        result["system_threads"] = module.set_threads(spec["threads"])
    data = load_data(spec["data_dir"])
    trainer = module.Trainer(config, data, spec["seed"])
    epochs = []
    for epoch in range(1, spec["epochs"] + 1):
        seconds = trainer.train_epoch(epoch)
        accuracy = float(np.mean(trainer.predict(data.x_test) == data.y_test))
        epochs.append({"epoch": epoch, "seconds": seconds, "test_accuracy": accuracy})
        target = spec.get("stop_at_accuracy")
        if target is not None and accuracy >= target:
            break
    result.update(
        status="ok",
        examples=len(data.x_train),
        steps_per_epoch=steps_per_epoch(len(data.x_train), config.batch_size),
        epochs=epochs,
        inference_images_per_second=inference_rate(trainer, data.x_test),
        peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        blas=machine.blas_runtime(),
        versions=module.versions(),
    )
    return result


def main(argv=None):
    spec_path, result_path = (argv or sys.argv[1:])[:2]
    with open(spec_path) as f:
        spec = json.load(f)
    try:
        result = run(spec)
    except Exception as err:  # report it: the orchestrator carries on with the next run
        result = {**spec, "status": "error", "reason": f"{type(err).__name__}: {err}"}
        result["traceback"] = traceback.format_exc()
    with open(result_path, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()

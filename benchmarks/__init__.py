"""The speed benchmark of nnlib: ``python -m benchmarks.run`` (see benchmarks/README.md)."""

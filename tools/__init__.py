"""Maintenance scripts of the course repository (not part of nnlib)."""

"""The ``parity`` command's public entry point (pyproject.toml's console script, ``python -m
parity``): :mod:`parity.presentation.cli` under its published name."""

from parity.presentation.cli import UsageError, main

__all__ = ["main", "UsageError"]

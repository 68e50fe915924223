"""Bridgeboard's command line (``python -m metrics ...``, or ``bridgeboard ...`` once installed)."""

from cli.main import main

__all__ = ["main"]

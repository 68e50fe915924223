"""The benchmark that keeps score: ``python -m bench`` (see bench/run.py and the README's
"Performance")."""

#!/usr/bin/env bash
# ruff (lint and format) and mypy, as CI runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== ruff check"; python -m ruff check .
echo "== ruff format --check"; python -m ruff format --check .
echo "== mypy"; python -m mypy

#!/usr/bin/env bash
# The fast loop (about a minute on the 2-core machine, both cores): lint, format and type checks, then the
# tests marked `fast` (pure metrics and DuckDB/SQLite; no PostgreSQL, AppTest or Chromium).
# Assumes `bash scripts/test.sh` (or its pip line) has installed the project once.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/lint.sh
python -m pytest -q -p no:cacheprovider -m fast -n 2 "$@"

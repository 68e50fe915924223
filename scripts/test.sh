#!/usr/bin/env bash
# Installs the project (editable) with its test tools and runs the whole suite: lint, format and
# type checks, then pure metrics, database tests on DuckDB, SQLite and PostgreSQL, AppTest page
# tests and Chromium end-to-end tests. Extra arguments go to pytest.
#   bash scripts/test.sh            everything (what CI runs)
#   bash scripts/fast.sh            the fast loop: lint + pure and DuckDB/SQLite tests
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check -r requirements-dev.txt -e .
bash scripts/lint.sh
# Both cores (pytest-xdist): each worker has its own databases, app servers and browser; the
# slowest tests are listed at the end so a slow one is seen.
python -m pytest -q -p no:cacheprovider -n 2 --durations=15 "$@"

#!/usr/bin/env bash
# Installs the test dependencies and runs the whole suite: pure metrics, database tests on
# DuckDB, SQLite and PostgreSQL, AppTest page tests and Chromium end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
python -m pytest -q -p no:cacheprovider "$@"

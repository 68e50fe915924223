#!/usr/bin/env bash
# Installs the app (editable) and starts it on the sample data (http://localhost:8501).
# First the configuration is checked: a deployment that requires sign-in without [auth] configured
# (BRIDGEBOARD_REQUIRE_SIGN_IN) does not start at all; the reason is printed and the exit code is 2.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m metrics preflight
python -m pip install -q --disable-pip-version-check -e .
exec python -m streamlit run dashboard.py "$@"

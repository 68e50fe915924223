#!/usr/bin/env bash
# Installs the app (editable) and starts it on the sample data (http://localhost:8501).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check -e .
exec python -m streamlit run dashboard.py "$@"

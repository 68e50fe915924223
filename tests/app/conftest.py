"""AppTest fixtures: the app runs on the committed sample data, loaded once per test session
into an embedded DuckDB file in a temporary folder (never the developer's own)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = str(ROOT / "dashboard.py")


@pytest.fixture(scope="session")
def sample_env(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("embedded") / "bridgeboard.duckdb"
    saved = {
        k: os.environ.get(k) for k in ("BRIDGEBOARD_DATA_DIR", "BRIDGEBOARD_EMBEDDED_DB", "BRIDGEBOARD_DATABASE_URL")
    }
    os.environ["BRIDGEBOARD_DATA_DIR"] = str(ROOT / "sample_data")
    os.environ["BRIDGEBOARD_EMBEDDED_DB"] = str(db_path)
    os.environ.pop("BRIDGEBOARD_DATABASE_URL", None)
    yield db_path
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def open_page(
    page: str | None = None,
    *,
    query: dict | None = None,
    session: dict | None = None,
    user: dict | None = None,
    secrets: dict | None = None,
) -> AppTest:
    """Run the entrypoint, then switch to `page` (e.g. "pages/9_Data.py") as AppTest requires;
    `user` is who is signed in (`st.user`), `secrets` the app's secrets."""
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    if secrets is not None:
        at.secrets = dict(secrets)
    if user is not None:
        at.user = user
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for k, v in (session or {}).items():
        at.session_state[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


@pytest.fixture
def app(sample_env):
    return open_page

"""Shared fixtures: database backends (DuckDB, SQLite, real PostgreSQL) and small frames.

PostgreSQL tests skip with a clear reason when no server is reachable, except in CI
(CI=true), where a missing PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import os
import uuid

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics.contract import TABLES

PG_ADMIN_URL = os.environ.get("BRIDGEBOARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str):
    """Skip locally; in CI a missing service is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)")
    pytest.skip(reason)


def _pg_admin_engine():
    eng = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    with eng.connect() as c:
        c.execute(sa.text("select 1"))
    return eng


@pytest.fixture(scope="session")
def postgres_server():
    try:
        return _pg_admin_engine()
    except Exception as exc:
        skip_or_fail(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}")


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"bb_test_{uuid.uuid4().hex[:10]}"
    with postgres_server.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with postgres_server.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


BACKENDS = ["duckdb", "sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def backend_url(request, tmp_path):
    """The same test on each engine the product supports."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'test.duckdb'}"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(backend_url):
    from metrics.db import make_engine

    eng = make_engine(backend_url)
    yield eng
    eng.dispose()


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """A clean typed frame as validation produces it, from a few hand-written rows."""
    t = TABLES[table]
    out = pd.DataFrame({c.name: [r.get(c.name) for r in rows] for c in t.columns})
    for c in t.columns:
        if c.kind in ("date", "datetime"):
            out[c.name] = pd.to_datetime(out[c.name])
        elif c.kind in ("money", "number"):
            out[c.name] = pd.to_numeric(out[c.name]).astype("float64")
        elif c.kind == "int":
            out[c.name] = pd.array(out[c.name], dtype="Int64")
        elif c.kind == "bool":
            out[c.name] = pd.array(out[c.name], dtype="boolean")
        else:
            out[c.name] = out[c.name].astype("string")
    out.insert(0, "_line", range(2, len(rows) + 2))
    return out


# --- Markers: the fast loop is `pytest -m fast` (pure and DuckDB/SQLite tests) -----------------

_SLOW_FOLDERS = {"e2e": "e2e", "app": "apptest"}
_POSTGRES_FIXTURES = {"postgres_server", "postgres_url"}


def pytest_collection_modifyitems(config, items):
    """Mark each test by what it needs, so the fast loop can leave out the slow kinds:
    `e2e` (Chromium), `apptest` (whole pages under AppTest), `postgres` (the real server);
    everything else is also marked `fast`."""
    for item in items:
        folder = item.path.parent.name
        if folder in _SLOW_FOLDERS:
            item.add_marker(_SLOW_FOLDERS[folder])
        callspec = getattr(item, "callspec", None)
        # Parametrised on the backend (the shared `backend_url` or a module's own fixture).
        on_postgres = callspec is not None and any(
            isinstance(value, str) and value == "postgresql" for value in callspec.params.values()
        )
        if on_postgres or _POSTGRES_FIXTURES & set(item.fixturenames):
            item.add_marker("postgres")
        if not any(item.get_closest_marker(m) for m in ("e2e", "apptest", "postgres", "slow")):
            item.add_marker("fast")

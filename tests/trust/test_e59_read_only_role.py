"""Trust matrix E59: a read-only database role is enough for viewing.

A PostgreSQL role granted CONNECT, USAGE on the schema and SELECT on the tables (the README's GRANT
statements, run here as written) opens every page with its figures; the Data page says the user
may only read. Its attempts to import and to save a target are refused in words, and nothing
changes in the database.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.navigation import CUSTOMER_EXPERIENCE, DATA, QUARTERLY_REVIEW, REQUEST_TURNAROUND, TECH_SPEND
from app.text import plain
from app.uploads import import_uploaded
from metrics import db, sources
from metrics.settings import SAMPLE_DIR
from metrics.validation import ReadOptions, validate_files
from tests.app import conftest as app_fixtures
from tests.app.conftest import open_page

sample_env = app_fixtures.sample_env  # the app's fixture: its embedded file in a temporary folder
READ_ONLY_WORDS = "The database user Bridgeboard connects as may only read"


def grants(role: str, database: str) -> list[str]:
    """The README's statements (Hardening, a read-only database role), for `role` on `database`."""
    return [
        f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}",
    ]


@pytest.fixture
def reader_url(postgres_url, postgres_server, sample_env, monkeypatch):
    """The sample loaded by the owner; the app connects as a role that may only read it."""
    owner = db.make_engine(postgres_url)
    assert sources.load_folder(SAMPLE_DIR, owner, ReadOptions(), fiscal_start_month=1).imported
    role = f"bb_reader_{uuid.uuid4().hex[:8]}"
    database = sa.make_url(postgres_url).database or ""
    with postgres_server.connect() as c:
        c.execute(sa.text(f"CREATE ROLE {role} LOGIN"))
    with owner.begin() as c:
        for statement in grants(role, database):
            c.execute(sa.text(statement))
    url = sa.make_url(postgres_url).set(username=role).render_as_string(hide_password=False)
    monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", url)
    yield url, owner
    with owner.begin() as c:
        c.execute(sa.text(f"DROP OWNED BY {role}"))
    owner.dispose()
    with postgres_server.connect() as c:
        c.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"), {"r": role})
        c.execute(sa.text(f"DROP ROLE IF EXISTS {role}"))


def _counts(owner: sa.Engine) -> dict[str, int | None]:
    """Rows per table as the owner sees them (None: the table does not exist)."""
    tables = ("spend", "kpis", "import_batches", "app_kpi_target_versions", "app_kpi_target_audit")
    with owner.connect() as c:
        present = {t for t in tables if c.execute(sa.select(sa.func.to_regclass(t))).scalar()}
        return {t: c.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() if t in present else None for t in tables}


def _no_error_box(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.apptest
def test_E59_read_only_role_opens_every_page(reader_url):
    url, owner = reader_url
    before = _counts(owner)
    for page in (None, TECH_SPEND.path, CUSTOMER_EXPERIENCE.path, REQUEST_TURNAROUND.path, QUARTERLY_REVIEW.path):
        at = open_page(page)
        _no_error_box(at)
        trouble = [w.value for w in at.warning if "No data to show" in w.value or "database" in w.value.lower()]
        assert not trouble, (page, trouble)
        agenda = [m.value for m in at.markdown if m.value.startswith("**1. ")]  # the review's first item
        assert at.metric or at.dataframe or agenda, f"{page or 'Overview'} shows its figures"
    data_page = open_page(DATA.path)
    _no_error_box(data_page)
    assert any("may only read: every page shows the data" in i.value for i in data_page.info)
    assert data_page.dataframe, "the tables and their rows are listed"
    assert _counts(owner) == before, "viewing wrote nothing"


@pytest.mark.apptest
def test_E59_read_only_role_cannot_save_a_target(reader_url):
    url, owner = reader_url
    before = _counts(owner)
    at = open_page(CUSTOMER_EXPERIENCE.path)
    at.button(key="cx_propose_submit").click().run()
    assert not at.exception
    refused = [e.value for e in at.error]
    assert refused and refused[0].startswith(plain(f"{READ_ONLY_WORDS}, so nothing was saved.")), refused
    assert _counts(owner) == before


def test_E59_read_only_role_cannot_import(reader_url):
    url, owner = reader_url
    before = _counts(owner)
    files = {"kpis.csv": (SAMPLE_DIR / "kpis.csv").read_bytes()}
    outcome = import_uploaded(url, validate_files(files, ReadOptions()), files)
    assert not outcome.ok
    assert outcome.message.startswith(f"{READ_ONLY_WORDS}, so nothing was imported."), outcome.message
    assert _counts(owner) == before

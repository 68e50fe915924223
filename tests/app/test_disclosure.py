"""Disclosure: what every viewer sees of the data source is its kind ("CSV folder 'sample_data'",
"PostgreSQL database"), never the server's folder path nor the database's user, host, port or
name. The Data page keeps the full description (password still masked) for whoever runs the
import; the board pack's title slide says only the kind.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.navigation import DATA, PAGES, TECH_SPEND
from metrics import db, sources
from metrics.settings import SAMPLE_DIR
from metrics.validation import ReadOptions
from tests.app.conftest import ROOT, open_page

TEXT_ELEMENTS = ("text", "caption", "markdown", "warning", "error", "info", "success", "title", "subheader")


def _texts(block) -> str:
    """Every text a block shows: its elements' values, labels and help."""
    parts = []
    for kind in TEXT_ELEMENTS:
        parts += [str(e.value) for e in getattr(block, kind)]
    for kind in ("download_button", "page_link", "button", "toggle"):
        for e in block.get(kind) if hasattr(block, "get") else []:
            proto = getattr(e, "proto", e)
            parts += [str(getattr(proto, "label", "")), str(getattr(proto, "help", ""))]
    return "\n".join(parts)


def test_csv_folder_path_stays_on_the_data_page(sample_env):
    server_path = str(SAMPLE_DIR.resolve().parent)  # e.g. /srv/bridgeboard: the server's layout
    for page in PAGES:
        at = open_page(page.path if page.path != "dashboard.py" else None)
        assert not at.exception
        sidebar, main = _texts(at.sidebar), _texts(at.main)
        assert "CSV folder 'sample_data'" in sidebar, page.label
        assert server_path not in sidebar, page.label
        if page is not DATA:
            assert server_path not in main, page.label
    data = open_page(DATA.path)
    assert str(SAMPLE_DIR) in _texts(data.main), "the full path, for whoever runs the import"


def test_refused_folder_banner_names_the_folder_only(tmp_path, monkeypatch, sample_env):
    bad = tmp_path / "private-share" / "finance-exports"
    bad.mkdir(parents=True)
    (bad / "spend.csv").write_text("date,department,vendor,category,amount\n2026-01-01,Finance,X,CRM,abc\n")
    monkeypatch.setenv("BRIDGEBOARD_DATA_DIR", str(bad))
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(tmp_path / "e.duckdb"))
    at = open_page(TECH_SPEND.path)
    assert not at.exception
    shown = _texts(at.sidebar) + _texts(at.main)
    assert "finance\\-exports" in shown or "finance-exports" in shown
    assert "private-share" not in shown and str(tmp_path) not in shown


def test_database_user_host_port_and_name_stay_on_the_data_page(postgres_url, monkeypatch, sample_env):
    engine = db.make_engine(postgres_url)
    assert sources.load_folder(SAMPLE_DIR, engine, ReadOptions(), fiscal_start_month=1).imported
    engine.dispose()
    monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", postgres_url)
    url = sa.make_url(postgres_url)
    secrets = [url.host, f":{url.port}", url.database, f"{url.username}@"]
    for script in (None, TECH_SPEND.path):
        at = open_page(script)
        assert not at.exception
        sidebar, main = _texts(at.sidebar), _texts(at.main)
        assert "PostgreSQL database" in sidebar
        for secret in secrets:
            assert secret not in sidebar and secret not in main, secret
    data = open_page(DATA.path)
    detail = _texts(data.main)
    assert url.host in detail and url.database in detail, "the Data page keeps the full description"


def test_database_down_says_so_without_the_url(monkeypatch, sample_env):
    monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", "postgresql+psycopg://nobody:secret-pw@db.internal:6543/finance")
    at = open_page(None)
    assert not at.exception
    shown = _texts(at.sidebar) + _texts(at.main)
    assert "PostgreSQL database" in shown and "unavailable" in shown
    for secret in ("secret-pw", "nobody", "db.internal", "6543", "finance"):
        assert secret not in shown, secret


def test_the_source_is_described_by_kind():
    assert sources.database_kind("postgresql+psycopg://u:p@h:5432/n") == "PostgreSQL database"
    assert sources.database_kind("duckdb:////srv/x.duckdb") == "DuckDB database"
    assert sources.database_kind("sqlite:///x.sqlite") == "SQLite database"
    assert sources.database_kind("not a url") == "database"
    assert sources.public_source("/srv/private/exports/") == "CSV folder 'exports'"
    assert sources.public_source("upload: spend.csv") == "upload: spend.csv"
    assert str(ROOT) not in sources.public_source(str(SAMPLE_DIR))

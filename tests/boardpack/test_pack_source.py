"""The board pack's title slide names the source by its kind only: a board sees "PostgreSQL
database" or "CSV folder finance", never the server's path nor the database's user, host, port or
name (issue 14, disclosure)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pptx import Presentation

from boardpack import build_pack
from boardpack.content import source_for_pack
from metrics import db
from metrics.fiscal import FiscalCalendar, FiscalQuarter


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("Database postgresql+psycopg://bob:***@db.internal:6543/finance_prod", "PostgreSQL database"),
        ("Database duckdb:////srv/private/bridgeboard.duckdb", "DuckDB database"),
        ("CSV folder /srv/private/exports/finance", "CSV folder finance"),
        ("CSV folder 'finance'", "CSV folder 'finance'"),  # the app's own label, already neutral
        ("PostgreSQL database", "PostgreSQL database"),
    ],
)
def test_source_on_the_pack_is_its_kind(label, shown):
    assert source_for_pack(label) == shown


def test_title_slide_does_not_name_the_database(tmp_path):
    engine = db.make_engine(f"duckdb:///{tmp_path / 'empty.duckdb'}")
    db.ensure_schema(engine)
    pack = build_pack(
        engine,
        FiscalCalendar(1),
        FiscalQuarter(2026, 3),
        "pptx",
        source="Database postgresql+psycopg://bob:***@db.internal:6543/finance_prod",
        today=date(2026, 11, 23),
    )
    engine.dispose()
    deck = Presentation(io.BytesIO(pack.data))
    title = " ".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert "Source: PostgreSQL database" in title
    for secret in ("bob", "db.internal", "6543", "finance_prod", "postgresql+psycopg"):
        assert secret not in title, secret

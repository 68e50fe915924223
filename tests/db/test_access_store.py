"""Sign-in in the stores and the imports, on DuckDB, SQLite and a real PostgreSQL: the audit
records the signed-in identity, and what a role may not do is refused in words with nothing
written (no version row, no audit row, no import batch)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from metrics import db, review, schema, sources, targets
from metrics.access import Actor
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.review import ReviewError
from metrics.settings import SAMPLE_DIR, Settings
from metrics.targets import TargetError
from tests.conftest import frame
from tests.db.test_targets import KPIS, loaded  # noqa: F401  (the fixture)

Q1 = FiscalQuarter(2026, 1)
MONDAY = datetime(2026, 8, 3, 14, 2, 11)
CMO = Actor("pat.cmo@example.com", "CMO", "CMO")
CIO = Actor("sam.cio@example.com", "CIO", "CIO")
CFO = Actor("lee.cfo@example.com", "CFO", "CFO")
VIEWER = Actor("val.viewer@example.com", "Analyst", "viewer")
BOARD = Actor("chair@example.com", "Analyst", "board")


def _counts(engine) -> tuple[int, int, int, int]:
    """Target versions, target audit rows, review versions + audit rows, closings."""

    def count(table: str) -> int:
        if not sa.inspect(engine).has_table(table):
            return 0
        with engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()

    return (
        count(targets.target_versions.name) + count(targets.target_audit.name),
        count("app_review_note_versions") + count("app_review_action_versions"),
        count("app_review_audit"),
        count("app_review_quarter_versions"),
    )


def test_the_audit_records_the_signed_in_identity(loaded):  # noqa: F811
    proposed = targets.propose_target(
        loaded, "churn", Q1, target=3.5, at_risk_threshold=None, note=None, actor=CMO, expected_version=0, now=MONDAY
    )
    agreed = targets.record_agreement(loaded, "churn", Q1, side="CMO", actor=CMO, expected_version=1, now=MONDAY)
    assert (proposed.changed_by, agreed.changed_by, agreed.agreed_by_cmo_on) == (
        "pat.cmo@example.com",
        "pat.cmo@example.com",
        date(2026, 8, 3),
    )
    audit = targets.audit_history(loaded)
    assert set(zip(audit["changed_by"], audit["role"], strict=True)) == {("pat.cmo@example.com", "CMO")}

    note = review.save_note(loaded, Q1, "page", "tech_spend", "CIO", "On plan.", actor=CIO, expected_version=0)
    entry = review.save_action(
        loaded, None, kind="decision", text="Keep the CDP", owner="Joint", due_on=None, raised=Q1, actor=CFO
    )
    assert (note.changed_by, entry.changed_by) == ("sam.cio@example.com", "lee.cfo@example.com")
    assert {(r["changed_by"], r["role"]) for r in review.audit_rows(loaded)} == {
        ("sam.cio@example.com", "CIO"),
        ("lee.cfo@example.com", "CFO"),
    }


def test_a_cmo_cannot_record_the_cios_agreement_and_nothing_is_written(loaded):  # noqa: F811
    before = _counts(loaded)
    cmo_as_cio = Actor("pat.cmo@example.com", "CIO", "CMO")  # claiming the other side
    with pytest.raises(TargetError, match="Signed in as the CMO, you record only the CMO's agreements"):
        targets.record_agreement(loaded, "tickets", Q1, side="CIO", actor=CMO, expected_version=0)
    with pytest.raises(TargetError, match="not the CIO's"):
        targets.record_agreement(loaded, "tickets", Q1, side="CIO", actor=cmo_as_cio, expected_version=0)
    with pytest.raises(TargetError, match="not the CIO's"):
        targets.propose_target(
            loaded, "tickets", Q1, target=1, at_risk_threshold=None, note=None, actor=cmo_as_cio, expected_version=0
        )
    with pytest.raises(ReviewError, match="record only the CMO's commentary, not the CIO's"):
        review.save_note(loaded, Q1, "page", "tech_spend", "CIO", "Mine.", actor=cmo_as_cio, expected_version=0)
    assert _counts(loaded) == before


@pytest.mark.parametrize("who", [VIEWER, BOARD], ids=["viewer", "board"])
def test_viewers_and_the_board_write_nothing(loaded, who):  # noqa: F811
    before = _counts(loaded)
    words = "you read .* and change nothing. Nothing was saved."
    with pytest.raises(TargetError, match=words):
        targets.propose_target(
            loaded, "churn", Q1, target=3, at_risk_threshold=None, note=None, actor=who, expected_version=0
        )
    with pytest.raises(TargetError, match=words):
        targets.record_agreement(loaded, "churn", Q1, side="CIO", actor=who, expected_version=0)
    with pytest.raises(ReviewError, match=words):
        review.save_note(loaded, Q1, "page", "overview", "CIO", "Hi.", actor=who, expected_version=0)
    with pytest.raises(ReviewError, match=words):
        review.save_action(loaded, None, kind="decision", text="x", owner="Joint", due_on=None, raised=Q1, actor=who)
    with pytest.raises(ReviewError, match=words):
        review.close_quarter(loaded, FiscalCalendar(1), Q1, actor=who, expected_version=0)
    with pytest.raises(ReviewError, match=words):
        review.reopen_quarter(loaded, Q1, actor=who, expected_version=0)
    assert _counts(loaded) == before


def _batches(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.import_batches)).scalar_one()


@pytest.mark.parametrize("who", [CIO, CMO, VIEWER, BOARD], ids=["CIO", "CMO", "viewer", "board"])
def test_only_the_admin_and_the_cfo_import(engine, who):
    db.import_tables(engine, {"kpis": frame("kpis", KPIS)}, source="operator", fingerprint="f0")  # no actor
    with pytest.raises(db.ImportRefused, match="you cannot import data: imports are for the admin and the CFO"):
        db.import_tables(engine, {"kpis": frame("kpis", KPIS[:1])}, source="t", fingerprint="f1", actor=who)
    with pytest.raises(db.ImportRefused, match="Nothing was imported"):
        sources.load_folder(SAMPLE_DIR, engine, sources.read_options(Settings()), actor=who)
    assert _batches(engine) == 1
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM kpis")).scalar_one() == len(KPIS)
    db.import_tables(
        engine, {"kpis": frame("kpis", KPIS[:1])}, source="t", fingerprint="f2", actor=Actor("a@x.org", "CFO", "CFO")
    )
    assert _batches(engine) == 2

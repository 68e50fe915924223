"""Import and named queries on DuckDB, SQLite and a real PostgreSQL."""

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics import db, inventory, spend
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from tests.conftest import frame

SPEND_ROWS = [
    # FY2026 Q1 (Jan start)
    {
        "date": "2026-01-05",
        "department": "Marketing",
        "vendor": "Salesforce",
        "category": "CRM",
        "amount": 1000.10,
        "invoice_id": "A1",
    },
    {
        "date": "2026-02-10",
        "department": "IT",
        "vendor": "AWS",
        "category": "Cloud infrastructure",
        "amount": 2500.00,
        "invoice_id": "A2",
    },
    {
        "date": "2026-03-31",
        "department": "Marketing",
        "vendor": "Salesforce",
        "category": "CRM",
        "amount": -200.05,
        "invoice_id": "A3",
    },  # credit
    # FY2026 Q2
    {
        "date": "2026-04-01",
        "department": "Joint",
        "vendor": "Adobe",
        "category": "Content management",
        "amount": 300.33,
        "invoice_id": "A4",
    },
    {
        "date": "2026-06-30",
        "department": "IT",
        "vendor": "AWS",
        "category": "Cloud infrastructure",
        "amount": 0.01,
        "invoice_id": "A5",
    },
    # FY2025 Q4
    {
        "date": "2025-12-31",
        "department": "Marketing",
        "vendor": "HubSpot",
        "category": "Marketing automation",
        "amount": 99.99,
        "invoice_id": "A6",
    },
]
KPIS = [
    {
        "kpi": "nps",
        "name": "Net Promoter Score",
        "unit": "points",
        "direction": "higher",
        "owner": "Joint",
        "definition": "Promoters minus detractors",
    }
]


def _tables():
    return {"spend": frame("spend", SPEND_ROWS), "kpis": frame("kpis", KPIS)}


def test_spend_by_quarter_hand_computed(engine):
    db.import_tables(engine, _tables(), source="test", fingerprint="f1")
    got = spend.spend_by_quarter(engine, FiscalCalendar(1))
    expected = pd.DataFrame(
        [
            ("FY2025 Q4", 2025, 4, "Marketing", 99.99, 1),
            ("FY2026 Q1", 2026, 1, "IT", 2500.00, 1),
            ("FY2026 Q1", 2026, 1, "Marketing", 800.05, 2),  # 1000.10 - 200.05: the credit nets off
            ("FY2026 Q2", 2026, 2, "IT", 0.01, 1),
            ("FY2026 Q2", 2026, 2, "Joint", 300.33, 1),
        ],
        columns=["quarter", "fiscal_year", "fiscal_quarter", "department", "spend", "lines"],
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_spend_by_quarter_filters_and_fiscal_start(engine):
    db.import_tables(engine, _tables(), source="test", fingerprint="f1")
    # Fiscal year starting in October: Oct 2025 - Dec 2025 is FY2026 Q1, Jan - Mar 2026 is Q2.
    got = spend.spend_by_quarter(
        engine, FiscalCalendar(10), FiscalQuarter(2026, 2), FiscalQuarter(2026, 2), departments=["Marketing"]
    )
    assert got[["quarter", "department", "spend"]].values.tolist() == [["FY2026 Q2", "Marketing", 800.05]]
    # A department with no spend in the period: no rows (no data), not a zero row.
    none = spend.spend_by_quarter(
        engine, FiscalCalendar(1), FiscalQuarter(2026, 2), FiscalQuarter(2026, 2), departments=["Marketing"]
    )
    assert none.empty
    # Bound parameters: a hostile filter value matches nothing and harms nothing.
    hostile = spend.spend_by_quarter(engine, FiscalCalendar(1), departments=["IT' OR 1=1 --"])
    assert hostile.empty
    assert inventory.table_row_counts(engine).set_index("table").loc["spend", "rows"] == 6


def test_split_sums_to_total(engine):
    db.import_tables(engine, _tables(), source="test", fingerprint="f1")
    by_q = spend.spend_by_quarter(engine, FiscalCalendar(1))
    whole = spend.spend_by_quarter(engine, FiscalCalendar(1), departments=None)
    assert (
        round(by_q["spend"].sum(), 2)
        == round(sum(r["amount"] for r in SPEND_ROWS), 2)
        == round(whole["spend"].sum(), 2)
    )


def test_row_counts_and_date_ranges(engine):
    db.import_tables(engine, _tables(), source="test", fingerprint="f1")
    counts = inventory.table_row_counts(engine).set_index("table")
    assert counts.loc["spend", "rows"] == 6
    assert counts.loc["spend", "first_date"] == date(2025, 12, 31)
    assert counts.loc["spend", "last_date"] == date(2026, 6, 30)
    assert counts.loc["kpis", "rows"] == 1
    assert counts.loc["budget", "rows"] == 0  # schema exists, nothing imported


def test_reimport_is_idempotent(engine):
    db.import_tables(engine, _tables(), source="test", fingerprint="f1")
    first = inventory.table_row_counts(engine)
    db.import_tables(engine, _tables(), source="test", fingerprint="f1")
    pd.testing.assert_frame_equal(first, inventory.table_row_counts(engine))
    assert db.latest_batch(engine).batch_id == 2


def test_failure_part_way_changes_nothing(engine):
    db.import_tables(engine, _tables(), source="test", fingerprint="f1")
    before = spend.spend_by_quarter(engine, FiscalCalendar(1))
    replacement = {
        "spend": frame("spend", SPEND_ROWS[:2]),
        "kpis": frame("kpis", KPIS * 0 + [dict(KPIS[0], kpi="csat")]),
    }

    def boom(table):
        if table == "spend":  # spend is written first: fail right after it
            raise RuntimeError("injected failure after the first table")

    with pytest.raises(RuntimeError, match="injected"):
        db.import_tables(engine, replacement, source="test", fingerprint="f2", after_table=boom)
    pd.testing.assert_frame_equal(before, spend.spend_by_quarter(engine, FiscalCalendar(1)))
    with engine.connect() as c:
        assert c.execute(sa.text("select kpi from kpis")).scalars().all() == ["nps"]
    assert db.latest_batch(engine).fingerprint == "f1"


def test_user_tables_survive_reimport(engine):
    db.import_tables(engine, _tables(), source="test", fingerprint="f1")
    with engine.begin() as c:
        c.execute(sa.text("create table app_commentary (quarter varchar(20), body varchar(200))"))
        c.execute(sa.text("insert into app_commentary values ('FY2026 Q1', 'Agreed to consolidate CRM')"))
    db.import_tables(engine, _tables(), source="test", fingerprint="f1")
    with engine.connect() as c:
        assert c.execute(sa.text("select body from app_commentary")).scalar() == "Agreed to consolidate CRM"
    assert "app_commentary" in db.user_tables(engine)


def test_exact_cents_on_many_lines(engine):
    rows = [dict(SPEND_ROWS[0], invoice_id=f"X{i}", amount=0.10) for i in range(1000)]
    db.import_tables(engine, {"spend": frame("spend", rows)}, source="t", fingerprint="c")
    got = spend.spend_by_quarter(engine, FiscalCalendar(1))
    assert got["spend"].tolist() == [100.00]

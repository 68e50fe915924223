"""Database schema of the canonical tables, derived from the contract."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from metrics.contract import MONEY_PRECISION, MONEY_SCALE, TABLES, Column
from metrics.currency import CONVERTED_TABLES, ORIGINAL_AMOUNT, RATE_USED

metadata = sa.MetaData()

_TYPES: dict[str, Callable[[], sa.types.TypeEngine[Any]]] = {
    "text": lambda: sa.String(),
    "id": lambda: sa.String(),
    "enum": lambda: sa.String(),
    "date": lambda: sa.Date(),
    "datetime": lambda: sa.DateTime(),
    # Exact decimal money, so that sums are right to the cent on every engine that has it.
    "money": lambda: sa.Numeric(MONEY_PRECISION, MONEY_SCALE),
    "number": lambda: sa.Double(),  # 64-bit: 32-bit floats turn 99.95 into 99.9499969
    "int": lambda: sa.Integer(),
    "bool": lambda: sa.Boolean(),
}


def _column(c: Column) -> sa.Column:
    return sa.Column(c.name, _TYPES[c.kind](), nullable=not c.required)


def _stored(name: str) -> list[sa.Column]:
    """Columns the database adds to a table beyond the contract's: for spend and budget, the line's
    own amount and the rate that converted it (`metrics.currency`), so new rates can re-convert."""
    if name not in CONVERTED_TABLES:
        return []
    return [
        sa.Column(ORIGINAL_AMOUNT, sa.Numeric(MONEY_PRECISION, MONEY_SCALE), nullable=True),
        sa.Column(RATE_USED, sa.Double(), nullable=True),
    ]


canonical: dict[str, sa.Table] = {
    name: sa.Table(name, metadata, *(_column(c) for c in table.columns), *_stored(name))
    for name, table in TABLES.items()
}

# One row per successful import: what was loaded, from where, and the validation report at
# the time, so that the app can show the report without re-reading large files.
import_batches = sa.Table(
    "import_batches",
    metadata,
    sa.Column("batch_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("source", sa.String, nullable=False),
    sa.Column("fingerprint", sa.String, nullable=False),
    sa.Column("row_counts", sa.String, nullable=False),  # JSON object table -> rows
    sa.Column("findings", sa.String, nullable=False),  # JSON list of findings
    sa.Column("tables", sa.String, nullable=False),  # JSON list of tables replaced
)

# The fiscal calendar each table stored by fiscal quarter (budget, kpi_targets) was imported
# under. Their rows carry quarter labels, not dates: read under another fiscal start month the
# same label would mean other months, so a change of the setting is caught, not applied silently.
table_calendars = sa.Table(
    "table_calendars",
    metadata,
    sa.Column("table_name", sa.String, primary_key=True),
    sa.Column("fiscal_start_month", sa.Integer, nullable=False),
    sa.Column("batch_id", sa.Integer, nullable=False),
)
QUARTER_LABELLED = ("budget", "kpi_targets")

# The reporting currency each table with money (spend, budget) was converted into. Its amounts are
# in that currency: shown under another, they would be wrong, so a change is caught, not applied.
table_currencies = sa.Table(
    "table_currencies",
    metadata,
    sa.Column("table_name", sa.String, primary_key=True),
    sa.Column("reporting_currency", sa.String, nullable=False),
    sa.Column("batch_id", sa.Integer, nullable=False),
)

# Spend per calendar month, department, category, vendor (as invoiced) and investment type: every
# page figure of spend adds these up instead of scanning the ledger (`metrics.summaries`). Rebuilt by
# each import that writes spend, in the same transaction; months so that any fiscal calendar folds them.
spend_monthly = sa.Table(
    "spend_monthly",
    metadata,
    sa.Column("month", sa.Date, nullable=False),
    sa.Column("department", sa.String, nullable=False),
    sa.Column("category", sa.String, nullable=False),
    sa.Column("vendor", sa.String, nullable=False),
    sa.Column("investment_type", sa.String, nullable=True),
    sa.Column("spend", sa.Numeric(MONEY_PRECISION, MONEY_SCALE), nullable=False),
    sa.Column("lines", sa.Integer, nullable=False),
)
# KPI observations per KPI and calendar month (sum, count, lowest, highest, latest date): every
# KPI value by quarter folds these (`metrics.kpis`), like spend_monthly. Rebuilt by each import of
# kpi_actuals, in the same transaction.
kpi_monthly = sa.Table(
    "kpi_monthly",
    metadata,
    sa.Column("kpi", sa.String, nullable=False),
    sa.Column("month", sa.Date, nullable=False),
    sa.Column("total", sa.Double, nullable=True),
    sa.Column("observations", sa.Integer, nullable=False),
    sa.Column("low", sa.Double, nullable=True),
    sa.Column("high", sa.Double, nullable=True),
    sa.Column("last_date", sa.Date, nullable=True),
)
# Which summaries are in step with their ledger, and the ledger's rows when they were built (a
# database another tool writes to is caught by its row count; see `metrics.summaries`).
# `change_mark`: PostgreSQL's count of the ledger's changed rows when that row count was last
# confirmed, so that a status check skips counting while nothing has changed (NULL: count).
summary_state = sa.Table(
    "summary_state",
    metadata,
    sa.Column("summary", sa.String, primary_key=True),
    sa.Column("ledger_rows", sa.Integer, nullable=False),
    sa.Column("built_at", sa.DateTime, nullable=False),
    sa.Column("change_mark", sa.BigInteger, nullable=True),
)

spend = canonical["spend"]
budget = canonical["budget"]
vendors = canonical["vendors"]
kpis = canonical["kpis"]
kpi_targets = canonical["kpi_targets"]
kpi_actuals = canonical["kpi_actuals"]
requests = canonical["requests"]
fx_rates = canonical["fx_rates"]

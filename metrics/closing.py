"""Whether a quarter is closed: the one table that records each closing and reopening, and its
readers.

The quarterly review closes and reopens a quarter (`metrics.review.store.set_quarter_closed`);
what a closed quarter locks reads its state here: the review's commentary, and the targets
(`metrics.targets.store`). This module imports neither of them, so both can check the state inside
the transaction of their own write without importing each other.

The table keeps the name and columns it had when it lived beside the review's tables
(``app_review_quarter_versions``), so existing databases keep working; it is declared on a
metadata of its own, created by `ensure_table` (and by `metrics.review.store.ensure_tables`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrics.fiscal import FiscalQuarter
from metrics.sql import has_table

# Apart from the canonical schema's metadata: ensure_schema() and imports never see it.
closing_metadata = sa.MetaData()

quarter_versions = sa.Table(
    "app_review_quarter_versions",
    closing_metadata,
    sa.Column("fiscal_year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("quarter", sa.String, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("closed", sa.Boolean, nullable=False),
    sa.Column("snapshot", sa.String),  # JSON: the quarter's headline figures when it was closed
    sa.Column("changed_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("changed_by", sa.String, nullable=False),
    sa.Column("role", sa.String, nullable=False),
)

# Where a closed quarter is reopened (the page's name in the app).
REOPEN_WHERE = "the Quarterly review page"


@dataclass(frozen=True)
class QuarterState:
    """A quarter's review: open (the default), or closed with the figures it was closed with."""

    quarter: FiscalQuarter
    closed: bool
    snapshot: dict | None  # metrics.summary.summary_figures when closed
    version: int  # 0 = never closed
    changed_by: str | None
    changed_at: datetime | None  # UTC


def open_quarter(quarter: FiscalQuarter) -> QuarterState:
    return QuarterState(quarter, False, None, 0, None, None)


def quarter_of(fiscal_year, q: str) -> FiscalQuarter:
    """(2026, 'Q3') as stored -> FiscalQuarter(2026, 3)."""
    return FiscalQuarter(int(fiscal_year), int(str(q).strip().upper().lstrip("Q")))


def quarter_state_from_row(row: Mapping) -> QuarterState:
    return QuarterState(
        quarter=quarter_of(row["fiscal_year"], row["quarter"]),
        closed=bool(row["closed"]),
        snapshot=json.loads(row["snapshot"]) if row["snapshot"] else None,
        version=int(row["version"]),
        changed_by=row["changed_by"],
        changed_at=row["changed_at"],
    )


# --- the sentence -----------------------------------------------------------------------------


def who_when(changed_by: str | None, changed_at: datetime | None) -> str:
    """'by CFO at 2026-10-05 09:30 UTC' (or 'elsewhere' when not known)."""
    return f"by {changed_by} at {changed_at:%Y-%m-%d %H:%M} UTC" if changed_at else "elsewhere"


def read_only_message(state: QuarterState, what: str) -> str:
    """Why something of a closed quarter cannot change: 'FY2026 Q3 was closed by CFO at
    2026-10-05 09:30 UTC: its targets are read-only until the quarter is reopened.' `what` is the
    subject with its verb ('commentary is', 'targets are')."""
    return (
        f"{state.quarter.label} was closed {who_when(state.changed_by, state.changed_at)}: its {what} read-only "
        "until the quarter is reopened."
    )


# --- statement and readers --------------------------------------------------------------------


def quarter_state_stmt(quarter: FiscalQuarter) -> sa.Select:
    """The latest closing or reopening of `quarter`."""
    v = quarter_versions
    return (
        sa.select(v)
        .where(
            v.c.fiscal_year == sa.bindparam("fiscal_year", quarter.fiscal_year),
            v.c.quarter == sa.bindparam("quarter", f"Q{quarter.quarter}"),
        )
        .order_by(v.c.version.desc())
        .limit(1)
    )


def read_quarter_state(conn: Connection, quarter: FiscalQuarter) -> QuarterState:
    """The state of `quarter` read on `conn` (a saving transaction checks it with its own)."""
    if not has_table(conn, quarter_versions.name):
        return open_quarter(quarter)
    row = conn.execute(quarter_state_stmt(quarter)).mappings().first()
    return quarter_state_from_row(row) if row else open_quarter(quarter)


def quarter_state(engine: Engine, quarter: FiscalQuarter) -> QuarterState:
    """Whether `quarter` is closed, since when and by whom, and the figures it was closed with."""
    with engine.connect() as conn:
        return read_quarter_state(conn, quarter)


_creating = threading.Lock()


def ensure_table(engine: Engine) -> None:
    """Create the table if it does not exist yet (idempotent); a conflict with another process
    creating it at the same time is settled by checking again."""
    with _creating:
        try:
            closing_metadata.create_all(engine, checkfirst=True)
        except sa.exc.DBAPIError:
            closing_metadata.create_all(engine, checkfirst=True)

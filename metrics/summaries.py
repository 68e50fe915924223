"""Summary tables: every page figure of spend reads `spend_monthly` (thousands of rows) instead of
the ledger (millions), with the same result to the cent.

Rules
    - An import that writes spend rebuilds `spend_monthly` in the same transaction, so a reader
      sees the ledger and its summary change together, and records the ledger's row count in
      `summary_state`.
    - A reader uses the summary only while `summary_state` has its row (`spend_source`); without
      it (a database another tool filled, one where tables cannot be created, or a summary found
      stale) the same statements run on the ledger: slower, never different.
    - A database written by other means is caught by its row count: `check_fresh` (the app's
      status check, which counts rows anyway, and `python -m metrics summarise`) rebuilds a summary
      whose ledger has changed, or drops its state when it cannot write.
    - Months, not fiscal quarters: the fiscal calendar is a setting, and quarters always start on a
      month, so every quarter, period and trend the pages ask for is a whole number of months.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrics import schema
from metrics.sql import month_start, sum_money

SPEND_MONTHLY = "spend_monthly"


@dataclass(frozen=True)
class SpendSource:
    """Where spend figures are added up from: the ledger or its monthly summary, as the same
    columns (`date` is a line's date or a month's first day)."""

    table: sa.Table
    date: sa.ColumnElement[Any]
    summarised: bool

    def column(self, name: str) -> sa.ColumnElement[Any]:
        return self.table.c[name]

    @property
    def spend(self) -> sa.ColumnElement[Any]:
        """SUM of the money, 0 over no rows."""
        return sum_money(self.table.c.spend if self.summarised else self.table.c.amount)

    def spend_where(self, condition: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
        """SUM of the money of the rows meeting `condition`."""
        amount = self.table.c.spend if self.summarised else self.table.c.amount
        return sum_money(sa.case((condition, amount), else_=0))

    @property
    def lines(self) -> sa.ColumnElement[Any]:
        """The number of ledger lines."""
        if self.summarised:
            return sa.func.coalesce(sa.func.sum(self.table.c.lines), 0)
        return sa.func.count()


LEDGER = SpendSource(schema.spend, schema.spend.c.date, summarised=False)
MONTHLY = SpendSource(schema.spend_monthly, schema.spend_monthly.c.month, summarised=True)


def spend_monthly_select() -> sa.Select:
    """The summary's rows, computed from the ledger."""
    s = schema.spend
    month = month_start(s.c.date).label("month")
    keys = (s.c.department, s.c.category, s.c.vendor, s.c.investment_type)
    return sa.select(month, *keys, sum_money(s.c.amount).label("spend"), sa.func.count().label("lines")).group_by(
        month_start(s.c.date), *keys
    )


def rebuild_spend_monthly(conn: Connection) -> None:
    """Rebuild the spend summary from the ledger inside the caller's transaction."""
    summary, state = schema.spend_monthly, schema.summary_state
    conn.execute(summary.delete())
    conn.execute(
        summary.insert().from_select(
            ["month", "department", "category", "vendor", "investment_type", "spend", "lines"],
            spend_monthly_select(),
        )
    )
    rows = conn.execute(sa.select(sa.func.count()).select_from(schema.spend)).scalar() or 0
    conn.execute(state.delete().where(state.c.summary == sa.bindparam("summary", SPEND_MONTHLY)))
    conn.execute(
        state.insert().values(
            summary=SPEND_MONTHLY, ledger_rows=int(rows), built_at=datetime.now(UTC).replace(tzinfo=None)
        )
    )


def _recorded_rows(conn: Connection) -> int | None:
    state = schema.summary_state
    return conn.execute(
        sa.select(state.c.ledger_rows).where(state.c.summary == sa.bindparam("summary", SPEND_MONTHLY))
    ).scalar()


def spend_source(engine: Engine | Connection) -> SpendSource:
    """The summary while it is in step with the ledger, else the ledger itself."""
    try:
        if isinstance(engine, Engine):
            with engine.connect() as conn:
                recorded = _recorded_rows(conn)
        else:
            recorded = _recorded_rows(engine)
    except sa.exc.DBAPIError:  # no summary_state table (a database nobody let us write to)
        return LEDGER
    return MONTHLY if recorded is not None else LEDGER


def check_fresh(engine: Engine, ledger_rows: int | None) -> str:
    """Bring the spend summary in step with a ledger of `ledger_rows` lines (None: the ledger does
    not exist). Returns what was found: "fresh", "rebuilt", "ledger" (no summary can be written,
    the ledger is read) or "no ledger"."""
    if ledger_rows is None:
        return "no ledger"
    try:
        with engine.connect() as conn:
            recorded = _recorded_rows(conn)
    except sa.exc.DBAPIError:
        recorded = None
    if recorded is not None and recorded == ledger_rows:
        return "fresh"
    try:
        schema.spend_monthly.create(engine, checkfirst=True)
        schema.summary_state.create(engine, checkfirst=True)
        with engine.begin() as conn:
            rebuild_spend_monthly(conn)
        return "rebuilt"
    except sa.exc.DBAPIError:
        # Read-only: forget the stale summary so that readers use the ledger.
        try:
            with engine.begin() as conn:
                state = schema.summary_state
                conn.execute(state.delete().where(state.c.summary == sa.bindparam("summary", SPEND_MONTHLY)))
        except sa.exc.DBAPIError:
            pass
        return "ledger"

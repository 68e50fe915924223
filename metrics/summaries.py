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
      status check and every command that reads a database) rebuilds a summary whose ledger has
      changed, or drops its state when it cannot write. On PostgreSQL counting 5M lines takes a
      quarter of a second, so the count is confirmed once and then skipped while the database's
      own count of the ledger's changed rows (`pg_stat_user_tables`) stays where it was.
    - While the summary is in step, its recorded row count is the ledger's (`ledger_rows`), so
      the status check never reads the ledger whole.
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
KPI_MONTHLY = "kpi_monthly"


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


def kpi_monthly_select() -> sa.Select:
    """The KPI summary's rows, computed from the observations: what `kpis.queries` folds into
    quarters, per KPI and month."""
    a = schema.kpi_actuals
    month = month_start(a.c.date)
    return sa.select(
        a.c.kpi,
        month.label("month"),
        sa.func.sum(a.c.value).label("total"),
        sa.func.count(a.c.value).label("observations"),
        sa.func.min(a.c.value).label("low"),
        sa.func.max(a.c.value).label("high"),
        sa.func.max(a.c.date).label("last_date"),
    ).group_by(a.c.kpi, month)


@dataclass(frozen=True)
class Summary:
    """A summary table, the ledger it adds up and the statement that computes its rows."""

    name: str
    table: sa.Table
    ledger: sa.Table
    select: Any  # () -> sa.Select


SUMMARIES = {
    SPEND_MONTHLY: Summary(SPEND_MONTHLY, schema.spend_monthly, schema.spend, spend_monthly_select),
    KPI_MONTHLY: Summary(KPI_MONTHLY, schema.kpi_monthly, schema.kpi_actuals, kpi_monthly_select),
}
# The summaries an import of a table rebuilds (in its transaction).
BY_LEDGER = {s.ledger.name: s.name for s in SUMMARIES.values()}


def rebuild(conn: Connection, name: str) -> None:
    """Rebuild one summary from its ledger inside the caller's transaction, and record the
    ledger's rows."""
    found, state = SUMMARIES[name], schema.summary_state
    select = found.select()
    conn.execute(found.table.delete())
    conn.execute(found.table.insert().from_select([c.name for c in select.selected_columns], select))
    rows = _count(conn, found.ledger)
    conn.execute(state.delete().where(state.c.summary == sa.bindparam("summary", name)))
    conn.execute(state.insert().values(summary=name, ledger_rows=rows, built_at=datetime.now(UTC).replace(tzinfo=None)))


def rebuild_spend_monthly(conn: Connection) -> None:
    """Rebuild the spend summary from the ledger inside the caller's transaction."""
    rebuild(conn, SPEND_MONTHLY)


@dataclass(frozen=True)
class State:
    """A summary's record: the ledger's rows when it was built or last confirmed, and the ledger's
    change mark then (None: not recorded, count to confirm)."""

    ledger_rows: int
    change_mark: int | None


def _state(conn: Connection, summary: str = SPEND_MONTHLY) -> State | None:
    state = schema.summary_state
    row = conn.execute(
        sa.select(state.c.ledger_rows, state.c.change_mark).where(state.c.summary == sa.bindparam("summary", summary))
    ).first()
    return None if row is None else State(int(row.ledger_rows), row.change_mark)


def summary_state(engine: Engine | Connection, summary: str = SPEND_MONTHLY) -> State | None:
    """The record of a summary in step with its ledger, or None (no summary: read the ledger)."""
    try:
        if isinstance(engine, Engine):
            with engine.connect() as conn:
                return _state(conn, summary)
        return _state(engine, summary)
    except sa.exc.DBAPIError:  # no summary_state table (a database nobody let us write to)
        return None


def spend_source(engine: Engine | Connection) -> SpendSource:
    """The summary while it is in step with the ledger, else the ledger itself."""
    return MONTHLY if summary_state(engine) is not None else LEDGER


def change_mark(conn: Connection, table: str) -> int | None:
    """PostgreSQL's running count of rows inserted, updated and deleted in `table` (kept by the
    statistics collector, reported within seconds of a commit), or None where there is no such
    count (other engines count rows in milliseconds; `track_counts` off)."""
    if conn.dialect.name != "postgresql":
        return None
    found = conn.execute(
        sa.text(
            "SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables "
            "WHERE relname = :name AND schemaname = current_schema()"
        ),
        {"name": table},
    ).scalar()
    return int(found) if found else None


def _count(conn: Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def check_fresh(engine: Engine, name: str = SPEND_MONTHLY) -> str:
    """Bring one summary in step with its ledger. Returns what was found: "fresh", "rebuilt",
    "ledger" (no summary can be written, the ledger is read) or "no ledger"."""
    found = SUMMARIES[name]
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(found.ledger.name):
            return "no ledger"
        try:
            recorded = _state(conn, name)
        except sa.exc.DBAPIError:  # no summary_state table, or one without change_mark yet
            conn.rollback()
            recorded = None
        # The mark is read before counting: a change after it moves the mark, so is seen next time.
        mark = change_mark(conn, found.ledger.name)
        if recorded is not None and mark is not None and recorded.change_mark == mark:
            return "fresh"
        rows = _count(conn, found.ledger)
    if recorded is not None and recorded.ledger_rows == rows:
        if mark is not None:
            _record_mark(engine, name, mark)
        return "fresh"
    try:
        found.table.create(engine, checkfirst=True)
        schema.summary_state.create(engine, checkfirst=True)
        with engine.begin() as conn:
            rebuild(conn, name)
        return "rebuilt"
    except sa.exc.DBAPIError:
        # Read-only: forget the stale summary so that readers use the ledger.
        try:
            with engine.begin() as conn:
                state = schema.summary_state
                conn.execute(state.delete().where(state.c.summary == sa.bindparam("summary", name)))
        except sa.exc.DBAPIError:
            pass
        return "ledger"


def check_all_fresh(engine: Engine) -> dict[str, str]:
    """`check_fresh` for every summary (the status check, and every command that reads a database)."""
    return {name: check_fresh(engine, name) for name in SUMMARIES}


def _record_mark(engine: Engine, name: str, mark: int) -> None:
    """Remember that the ledger's row count was confirmed at `mark` (best effort: a read-only role
    counts again next time)."""
    state = schema.summary_state
    try:
        with engine.begin() as conn:
            conn.execute(
                state.update()
                .where(state.c.summary == sa.bindparam("summary", name))
                .values(change_mark=sa.bindparam("mark", mark))
            )
    except sa.exc.DBAPIError:
        pass

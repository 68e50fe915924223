"""What the database holds: which canonical tables exist, how many rows each has, the dates they
span (the Data page, ``summary``'s "data as of" when no import is recorded) and the fiscal quarters
any dated data falls in (the quarters to choose from, whichever tables were loaded)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrics import schema, summaries
from metrics.contract import TABLES
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.sql import as_date, existing_tables, fiscal_quarter_index

# The column that dates each table's rows, for row counts and date ranges.
DATE_COLUMNS = {
    "spend": "date",
    "kpi_actuals": "date",
    "requests": "requested_at",
    "vendors": None,
    "kpis": None,
    "kpi_targets": None,
    "budget": None,
    "fx_rates": "month",
}


def table_rows_stmt(name: str) -> sa.Select:
    """Rows of one canonical table, and the first and last date of its dated rows."""
    t = schema.canonical[name]
    return sa.select(sa.func.count().label("rows"), *_date_range(name)).select_from(t)


def _date_range(name: str) -> list[sa.ColumnElement]:
    dc = DATE_COLUMNS.get(name)
    if not dc:
        return []
    col = schema.canonical[name].c[dc]
    return [sa.func.min(col).label("first_date"), sa.func.max(col).label("last_date")]


def date_range_stmt(name: str) -> sa.Select:
    """The first and last date of a dated table alone: two ends of an index on PostgreSQL
    (`spend_date`), column statistics on DuckDB, where counting rows would read the table."""
    return sa.select(*_date_range(name)).select_from(schema.canonical[name])


def table_row_counts(engine: Engine) -> pd.DataFrame:
    """Rows and date range per canonical table. Missing tables are listed with rows = None.

    The ledger's rows come from its summary's record while the summary is in step (counted by
    `summaries.check_fresh`, which the status check runs first), so the ledger is not read whole."""
    present = existing_tables(engine)
    ledger = summaries.summary_state(engine)
    rows: list[dict[str, object]] = []
    with engine.connect() as conn:
        for name in TABLES:
            if name not in present:
                rows.append({"table": name, "rows": None, "first_date": None, "last_date": None})
                continue
            if name == schema.spend.name and ledger is not None:
                r = dict(conn.execute(date_range_stmt(name)).mappings().one())
                r["rows"] = ledger.ledger_rows
            else:
                r = dict(conn.execute(table_rows_stmt(name)).mappings().one())
            rows.append(
                {
                    "table": name,
                    "rows": int(r["rows"]),
                    "first_date": as_date(r.get("first_date")),
                    "last_date": as_date(r.get("last_date")),
                }
            )
    return pd.DataFrame(rows, columns=["table", "rows", "first_date", "last_date"])


# The dated tables whose rows put a quarter on the menu: a company that loads only requests (or
# only KPIs) still has quarters to look at. Budget and targets only plan quarters; they add none.
QUARTER_SOURCES = ("spend", "kpi_actuals", "requests")


def data_quarters_stmt(name: str, calendar: FiscalCalendar, summarised: bool = False) -> sa.Select:
    """The distinct fiscal quarters (as `FiscalQuarter.index`) of one dated table's rows; of the
    spend ledger's months in its summary when `summarised` (the same quarters: a quarter is whole
    months)."""
    if summarised:
        col = summaries.MONTHLY.date
    else:
        dated = DATE_COLUMNS[name]
        assert dated is not None  # QUARTER_SOURCES are dated tables
        col = schema.canonical[name].c[dated]
    index = fiscal_quarter_index(col, calendar).label("quarter_index")
    return sa.select(index).where(col.is_not(None)).group_by(index)


def quarters_with_data(engine: Engine, calendar: FiscalCalendar) -> list[FiscalQuarter]:
    """Every fiscal quarter with a spend line, a KPI observation or a request, oldest first.
    Tables that do not exist yet (a new database) add nothing."""
    present = existing_tables(engine)
    found: set[int] = set()
    with engine.connect() as conn:
        summarised = summaries.spend_source(conn).summarised
        for name in QUARTER_SOURCES:
            if name in present:
                stmt = data_quarters_stmt(name, calendar, summarised and name == schema.spend.name)
                found |= {int(i) for i in conn.execute(stmt).scalars() if i is not None}
    return [FiscalQuarter.from_index(i) for i in sorted(found)]


def _rows_query(name: str) -> Callable[[str], sa.Select]:
    return lambda dialect: table_rows_stmt(name)


def _quarters_query(name: str) -> Callable[[str], sa.Select]:
    return lambda dialect: data_quarters_stmt(name, FiscalCalendar(7))


QUERIES: dict[str, Callable[[str], sa.Select]] = {
    **{f"table_row_counts.{name}": _rows_query(name) for name in TABLES},
    "table_row_counts.spend_dates": lambda dialect: date_range_stmt("spend"),
    "quarters_with_data.spend_monthly": lambda dialect: data_quarters_stmt("spend", FiscalCalendar(7), True),
    **{f"quarters_with_data.{name}": _quarters_query(name) for name in QUARTER_SOURCES},
}

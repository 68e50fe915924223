"""What the database holds: which canonical tables exist, how many rows each has, the dates they
span (the Data page, ``summary``'s "data as of" when no import is recorded) and the fiscal quarters
any dated data falls in (the quarters to choose from, whichever tables were loaded)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrics import schema
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
    dc = DATE_COLUMNS.get(name)
    cols = [sa.func.count().label("rows")]
    if dc:
        cols += [sa.func.min(t.c[dc]).label("first_date"), sa.func.max(t.c[dc]).label("last_date")]
    return sa.select(*cols).select_from(t)


def table_row_counts(engine: Engine) -> pd.DataFrame:
    """Rows and date range per canonical table. Missing tables are listed with rows = None."""
    present = existing_tables(engine)
    rows: list[dict[str, object]] = []
    with engine.connect() as conn:
        for name in TABLES:
            if name not in present:
                rows.append({"table": name, "rows": None, "first_date": None, "last_date": None})
                continue
            r = conn.execute(table_rows_stmt(name)).mappings().one()
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


def data_quarters_stmt(name: str, calendar: FiscalCalendar) -> sa.Select:
    """The distinct fiscal quarters (as `FiscalQuarter.index`) of one dated table's rows."""
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
        for name in QUARTER_SOURCES:
            if name in present:
                found |= {int(i) for i in conn.execute(data_quarters_stmt(name, calendar)).scalars() if i is not None}
    return [FiscalQuarter.from_index(i) for i in sorted(found)]


def _rows_query(name: str) -> Callable[[str], sa.Select]:
    return lambda dialect: table_rows_stmt(name)


def _quarters_query(name: str) -> Callable[[str], sa.Select]:
    return lambda dialect: data_quarters_stmt(name, FiscalCalendar(7))


QUERIES: dict[str, Callable[[str], sa.Select]] = {
    **{f"table_row_counts.{name}": _rows_query(name) for name in TABLES},
    **{f"quarters_with_data.{name}": _quarters_query(name) for name in QUARTER_SOURCES},
}

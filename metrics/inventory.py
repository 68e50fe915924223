"""What the database holds: which canonical tables exist, how many rows each has and the dates
they span (the Data page, ``summary``'s "data as of" when no import is recorded)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrics import schema
from metrics.contract import TABLES
from metrics.sql import as_date, existing_tables

# The column that dates each table's rows, for row counts and date ranges.
DATE_COLUMNS = {
    "spend": "date",
    "kpi_actuals": "date",
    "requests": "requested_at",
    "vendors": None,
    "kpis": None,
    "kpi_targets": None,
    "budget": None,
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


def _rows_query(name: str) -> Callable[[str], sa.Select]:
    return lambda dialect: table_rows_stmt(name)


QUERIES: dict[str, Callable[[str], sa.Select]] = {f"table_row_counts.{name}": _rows_query(name) for name in TABLES}

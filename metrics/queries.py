"""Named, parameterised queries (SQLAlchemy Core) that run unchanged on DuckDB, SQLite and
PostgreSQL. Each returns a small aggregated DataFrame; nothing here pulls a whole table.

Fiscal quarters are built from calendar months: the database groups by (year, month), which
every engine does cheaply, and the at most a few hundred monthly rows are folded into fiscal
quarters in pandas. Quarter boundaries always fall on month boundaries, so this is exact.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrics import schema
from metrics.contract import TABLES
from metrics.fiscal import FiscalCalendar, FiscalQuarter

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


def _money(col) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(col), 0)


def spend_by_month_stmt(start: date | None = None, end: date | None = None,
                        departments: Sequence[str] | None = None) -> sa.Select:
    """Spend per calendar month and department; [start, end) bounds are optional."""
    s = schema.spend
    year = sa.extract("year", s.c.date).label("year")
    month = sa.extract("month", s.c.date).label("month")
    stmt = (
        sa.select(year, month, s.c.department, _money(s.c.amount).label("spend"), sa.func.count().label("lines"))
        .group_by(year, month, s.c.department)
    )
    if start is not None:
        stmt = stmt.where(s.c.date >= sa.bindparam("start", start, type_=sa.Date))
    if end is not None:
        stmt = stmt.where(s.c.date < sa.bindparam("end", end, type_=sa.Date))
    if departments:
        stmt = stmt.where(s.c.department.in_(sa.bindparam("departments", list(departments), expanding=True)))
    return stmt


def spend_by_quarter(engine: Engine, calendar: FiscalCalendar, first: FiscalQuarter | None = None,
                     last: FiscalQuarter | None = None, departments: Sequence[str] | None = None) -> pd.DataFrame:
    """Spend per fiscal quarter and department.

    Columns: quarter (label), fiscal_year, fiscal_quarter, department, spend, lines;
    ordered by quarter then department. Quarters without spend lines are absent (no data,
    not zero).
    """
    start = calendar.quarter_start(first) if first else None
    end = calendar.quarter_start(last.next()) if last else None
    with engine.connect() as conn:
        monthly = pd.DataFrame(conn.execute(spend_by_month_stmt(start, end, departments)).mappings().all(),
                               columns=["year", "month", "department", "spend", "lines"])
    cols = ["quarter", "fiscal_year", "fiscal_quarter", "department", "spend", "lines"]
    if monthly.empty:
        return pd.DataFrame(columns=cols)
    fqs = [calendar.quarter_of_month(int(y), int(m)) for y, m in zip(monthly["year"], monthly["month"])]
    monthly["fiscal_year"] = [q.fiscal_year for q in fqs]
    monthly["fiscal_quarter"] = [q.quarter for q in fqs]
    monthly["spend"] = monthly["spend"].astype(float)
    out = (monthly.groupby(["fiscal_year", "fiscal_quarter", "department"], as_index=False)
           .agg(spend=("spend", "sum"), lines=("lines", "sum")))
    out["spend"] = out["spend"].round(2)
    out["lines"] = out["lines"].astype(int)
    out["quarter"] = [FiscalQuarter(int(y), int(q)).label for y, q in zip(out["fiscal_year"], out["fiscal_quarter"])]
    return out[cols].sort_values(["fiscal_year", "fiscal_quarter", "department"]).reset_index(drop=True)


def quarters_with_spend(engine: Engine, calendar: FiscalCalendar) -> list[FiscalQuarter]:
    """Every fiscal quarter that has at least one spend line, oldest first."""
    by_q = spend_by_quarter(engine, calendar)
    return sorted({FiscalQuarter(int(y), int(q)) for y, q in zip(by_q["fiscal_year"], by_q["fiscal_quarter"])})


def existing_tables(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def table_row_counts(engine: Engine) -> pd.DataFrame:
    """Rows and date range per canonical table. Missing tables are listed with rows = None."""
    present = existing_tables(engine)
    rows = []
    with engine.connect() as conn:
        for name in TABLES:
            if name not in present:
                rows.append({"table": name, "rows": None, "first_date": None, "last_date": None})
                continue
            t = schema.canonical[name]
            dc = DATE_COLUMNS.get(name)
            cols = [sa.func.count().label("rows")]
            if dc:
                cols += [sa.func.min(t.c[dc]).label("first_date"), sa.func.max(t.c[dc]).label("last_date")]
            r = conn.execute(sa.select(*cols).select_from(t)).mappings().one()
            first, last = r.get("first_date"), r.get("last_date")
            rows.append({"table": name, "rows": int(r["rows"]), "first_date": _as_date(first), "last_date": _as_date(last)})
    return pd.DataFrame(rows, columns=["table", "rows", "first_date", "last_date"])


def _as_date(v) -> date | None:
    if v is None:
        return None
    if isinstance(v, str):  # SQLite returns the stored text
        return date.fromisoformat(v[:10])
    return v.date() if hasattr(v, "date") and callable(v.date) else v

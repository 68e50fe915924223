"""Named queries behind the Tech spend page (SQLAlchemy Core, bound parameters only).

Each query aggregates in the database and returns a small frame: spend per vendor *as
invoiced* (a few hundred distinct names), per month for the trends, per budget line. Vendor
names are normalised afterwards in pandas on those few rows; the only query that returns
ledger lines is `spend_lines`, behind a drill-down selection and capped by a LIMIT.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrics import schema
from metrics.fiscal import FiscalCalendar, FiscalQuarter

SHADOW_DEPARTMENTS = ("Marketing", "Joint")  # whose spend can be shadow IT

LINE_COLUMNS = ("date", "invoice_id", "department", "category", "vendor", "description", "investment_type",
                "expense_type", "cost_center", "gl_account", "amount")


def _sum_money(col) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(col), 0)


def _in_period(stmt: sa.Select, start: date | None, end: date | None) -> sa.Select:
    s = schema.spend
    if start is not None:
        stmt = stmt.where(s.c.date >= sa.bindparam("start", start, type_=sa.Date))
    if end is not None:
        stmt = stmt.where(s.c.date < sa.bindparam("end", end, type_=sa.Date))
    return stmt


def _in_departments(stmt: sa.Select, departments: Sequence[str] | None, name: str = "departments") -> sa.Select:
    if departments:
        stmt = stmt.where(schema.spend.c.department.in_(sa.bindparam(name, list(departments), expanding=True)))
    return stmt


def _fetch(engine: Engine, stmt: sa.Select, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=columns)


def _cents(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Numeric(18,2) sums arrive as Decimal (or float on SQLite): float, rounded to the cent."""
    for c in cols:
        frame[c] = frame[c].astype(float).round(2)
    return frame


# --- vendors as invoiced -------------------------------------------------------------------

def spend_by_vendor_name_stmt() -> sa.Select:
    """Every distinct vendor spelling in the ledger, with its spend and line count (all time)."""
    s = schema.spend
    return (sa.select(s.c.vendor, _sum_money(s.c.amount).label("spend"), sa.func.count().label("lines"))
            .group_by(s.c.vendor).order_by(s.c.vendor))


def spend_by_vendor_name(engine: Engine) -> pd.DataFrame:
    """Columns: vendor (as invoiced), spend, lines."""
    out = _fetch(engine, spend_by_vendor_name_stmt(), ["vendor", "spend", "lines"])
    return _cents(out, "spend").astype({"lines": int})


# --- one period, by department, category, vendor and investment type -----------------------

def period_spend_stmt(start: date, end: date, departments: Sequence[str] | None = None) -> sa.Select:
    """Spend in [start, end) per department, category, vendor (as invoiced) and investment type."""
    s = schema.spend
    keys = (s.c.department, s.c.category, s.c.vendor, s.c.investment_type)
    stmt = sa.select(*keys, _sum_money(s.c.amount).label("spend"), sa.func.count().label("lines")).group_by(*keys)
    return _in_departments(_in_period(stmt, start, end), departments)


def period_spend(engine: Engine, calendar: FiscalCalendar, quarter: FiscalQuarter,
                 departments: Sequence[str] | None = None) -> pd.DataFrame:
    """Columns: department, category, vendor, investment_type (None when unmapped), spend, lines.
    No rows when nothing is dated in the quarter (no data, not zero)."""
    start, end = calendar.quarter_bounds(quarter)
    cols = ["department", "category", "vendor", "investment_type", "spend", "lines"]
    out = _fetch(engine, period_spend_stmt(start, end, departments), cols)
    out = _cents(out, "spend").astype({"lines": int})
    return out.sort_values(cols[:4], na_position="last").reset_index(drop=True)


# --- shadow IT per month ------------------------------------------------------------------

def shadow_spend_by_month_stmt(shadow_vendors: Sequence[str], departments: Sequence[str]) -> sa.Select:
    """Per calendar month and department: all spend, and spend with the given vendor spellings."""
    s = schema.spend
    year = sa.extract("year", s.c.date).label("year")
    month = sa.extract("month", s.c.date).label("month")
    shadow = sa.case((s.c.vendor.in_(sa.bindparam("shadow_vendors", list(shadow_vendors), expanding=True)),
                      s.c.amount), else_=0)
    stmt = (sa.select(year, month, s.c.department, _sum_money(s.c.amount).label("spend"),
                      _sum_money(shadow).label("shadow"))
            .group_by(year, month, s.c.department))
    return _in_departments(stmt, departments)


def shadow_spend_by_quarter(engine: Engine, calendar: FiscalCalendar, shadow_vendors: Sequence[str],
                            departments: Sequence[str] | None = None) -> pd.DataFrame:
    """Marketing and Joint spend per fiscal quarter and department, with the part paid to
    `shadow_vendors` (spellings as invoiced). Columns: quarter (FiscalQuarter), department,
    spend, shadow; oldest first. Departments outside Marketing and Joint are never included."""
    scope = [d for d in SHADOW_DEPARTMENTS if not departments or d in departments]
    cols = ["quarter", "department", "spend", "shadow"]
    if not scope:
        return pd.DataFrame(columns=cols)
    monthly = _fetch(engine, shadow_spend_by_month_stmt(shadow_vendors, scope),
                     ["year", "month", "department", "spend", "shadow"])
    if monthly.empty:
        return pd.DataFrame(columns=cols)
    monthly = _cents(monthly, "spend", "shadow")
    monthly["quarter"] = [calendar.quarter_of_month(int(y), int(m)) for y, m in zip(monthly["year"], monthly["month"])]
    out = monthly.groupby(["quarter", "department"], as_index=False)[["spend", "shadow"]].sum()
    return _cents(out, "spend", "shadow").sort_values(["quarter", "department"]).reset_index(drop=True)[cols]


# --- budget and forecast ------------------------------------------------------------------

def budget_by_line_stmt(fiscal_year: int, departments: Sequence[str] | None = None) -> sa.Select:
    """Budget and forecast of one fiscal year per quarter, department, category and scenario
    (rows without a scenario are budget)."""
    b = schema.budget
    scenario = sa.func.coalesce(b.c.scenario, "Budget").label("scenario")
    keys = (b.c.quarter, b.c.department, b.c.category)
    stmt = (sa.select(*keys, scenario, _sum_money(b.c.amount).label("amount"))
            .where(b.c.fiscal_year == sa.bindparam("fiscal_year", fiscal_year, type_=sa.Integer))
            .group_by(*keys, scenario))
    if departments:
        stmt = stmt.where(b.c.department.in_(sa.bindparam("departments", list(departments), expanding=True)))
    return stmt


def budget_by_line(engine: Engine, fiscal_year: int, departments: Sequence[str] | None = None) -> pd.DataFrame:
    """Columns: quarter (FiscalQuarter), department, category, scenario (Budget | Forecast), amount."""
    cols = ["quarter", "department", "category", "scenario", "amount"]
    out = _fetch(engine, budget_by_line_stmt(fiscal_year, departments), cols)
    if out.empty:
        return out
    out["quarter"] = [FiscalQuarter(fiscal_year, int(str(q).upper().lstrip("Q"))) for q in out["quarter"]]
    return _cents(out, "amount").sort_values(cols[:4]).reset_index(drop=True)


# --- the invoice lines behind a drill-down selection --------------------------------------

def spend_lines_stmt(start: date, end: date, department: str, category: str, vendors: Sequence[str],
                     limit: int) -> sa.Select:
    """The spend lines of one department, category and vendor (its spellings as invoiced) in
    [start, end), newest first, at most `limit` of them."""
    s = schema.spend
    stmt = (sa.select(*(s.c[c] for c in LINE_COLUMNS))
            .where(s.c.department == sa.bindparam("department", department),
                   s.c.category == sa.bindparam("category", category),
                   s.c.vendor.in_(sa.bindparam("vendors", list(vendors), expanding=True)))
            .order_by(s.c.date.desc(), s.c.invoice_id, s.c.amount.desc())
            .limit(sa.bindparam("limit", limit, type_=sa.Integer)))
    return _in_period(stmt, start, end)


def spend_lines(engine: Engine, calendar: FiscalCalendar, quarter: FiscalQuarter, department: str,
                category: str, vendors: Sequence[str], limit: int) -> pd.DataFrame:
    """Columns: LINE_COLUMNS, with dates as datetime.date and amounts as float."""
    start, end = calendar.quarter_bounds(quarter)
    out = _fetch(engine, spend_lines_stmt(start, end, department, category, vendors, limit), list(LINE_COLUMNS))
    out["date"] = [_as_date(d) for d in out["date"]]
    return _cents(out, "amount")


def _as_date(value) -> date:
    if isinstance(value, str):  # SQLite may hand back the stored text
        return date.fromisoformat(value[:10])
    return value.date() if isinstance(value, pd.Timestamp) or hasattr(value, "hour") else value

"""The spend area's named queries (SQLAlchemy Core, bound parameters only) and their runners.

Each query aggregates in the database and returns a small frame: spend per calendar month and
department (folded into fiscal quarters in pandas), per vendor *as invoiced* (a few hundred
distinct names), per budget line. Vendor names are normalised afterwards in pandas on those few
rows; the only query that returns ledger lines is `spend_lines`, behind a drill-down selection and
capped by a LIMIT.

Fiscal quarters are built from calendar months: the database groups by (year, month), which every
engine does cheaply, and the at most a few hundred monthly rows are folded into fiscal quarters
with `FiscalCalendar.quarters_of_months`. Quarter boundaries always fall on month boundaries, so
this is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrics import schema
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.spend.compute import SHADOW_DEPARTMENTS
from metrics.sql import as_date, cents, fetch, in_period, one_of, sum_money
from metrics.summaries import LEDGER, MONTHLY, SpendSource, spend_monthly_select, spend_source

LINE_COLUMNS = (
    "date",
    "invoice_id",
    "department",
    "category",
    "vendor",
    "description",
    "investment_type",
    "expense_type",
    "cost_center",
    "gl_account",
    "amount",
)
# Shown beside a line's amount when it was converted from another currency (`metrics.currency`).
CURRENCY_COLUMNS = ("currency", "amount_original", "fx_rate")


def _year_month(col) -> tuple[sa.ColumnElement, sa.ColumnElement]:
    return sa.extract("year", col).label("year"), sa.extract("month", col).label("month")


# --- spend per quarter and department ------------------------------------------------------


def spend_by_month_stmt(
    start: date | None = None,
    end: date | None = None,
    departments: Sequence[str] | None = None,
    source: SpendSource = LEDGER,
) -> sa.Select:
    """Spend per calendar month and department; [start, end) bounds (whole months) are optional."""
    year, month = _year_month(source.date)
    department = source.column("department")
    return (
        sa.select(year, month, department, source.spend.label("spend"), source.lines.label("lines"))
        .where(*in_period(source.date, start, end), *one_of(department, departments, "departments"))
        .group_by(year, month, department)
    )


def spend_by_quarter(
    engine: Engine,
    calendar: FiscalCalendar,
    first: FiscalQuarter | None = None,
    last: FiscalQuarter | None = None,
    departments: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Spend per fiscal quarter and department.

    Columns: quarter (label), fiscal_year, fiscal_quarter, department, spend, lines;
    ordered by quarter then department. Quarters without spend lines are absent (no data,
    not zero).
    """
    start = calendar.quarter_start(first) if first else None
    end = calendar.quarter_start(last.next()) if last else None
    monthly = fetch(
        engine,
        spend_by_month_stmt(start, end, departments, spend_source(engine)),
        ["year", "month", "department", "spend", "lines"],
    )
    cols = ["quarter", "fiscal_year", "fiscal_quarter", "department", "spend", "lines"]
    if monthly.empty:
        return pd.DataFrame(columns=cols)
    monthly["fiscal_year"], monthly["fiscal_quarter"] = calendar.quarters_of_months(monthly["year"], monthly["month"])
    monthly["spend"] = monthly["spend"].astype(float)
    out = monthly.groupby(["fiscal_year", "fiscal_quarter", "department"], as_index=False).agg(
        spend=("spend", "sum"), lines=("lines", "sum")
    )
    out["spend"] = out["spend"].round(2)
    out["lines"] = out["lines"].astype(int)
    out["quarter"] = [FiscalQuarter(int(y), int(q)).label for y, q in zip(out["fiscal_year"], out["fiscal_quarter"])]
    return out[cols].sort_values(["fiscal_year", "fiscal_quarter", "department"]).reset_index(drop=True)


def quarters_with_spend(engine: Engine, calendar: FiscalCalendar) -> list[FiscalQuarter]:
    """Every fiscal quarter that has at least one spend line, oldest first."""
    by_q = spend_by_quarter(engine, calendar)
    return sorted({FiscalQuarter(int(y), int(q)) for y, q in zip(by_q["fiscal_year"], by_q["fiscal_quarter"])})


# --- vendors as invoiced -------------------------------------------------------------------


def spend_by_vendor_name_stmt(source: SpendSource = LEDGER) -> sa.Select:
    """Every distinct vendor spelling in the ledger, with its spend and line count (all time)."""
    vendor = source.column("vendor")
    return sa.select(vendor, source.spend.label("spend"), source.lines.label("lines")).group_by(vendor).order_by(vendor)


def spend_by_vendor_name(engine: Engine) -> pd.DataFrame:
    """Columns: vendor (as invoiced), spend, lines."""
    out = fetch(engine, spend_by_vendor_name_stmt(spend_source(engine)), ["vendor", "spend", "lines"])
    return cents(out, "spend").astype({"lines": int})


# --- one period, by department, category, vendor and investment type -----------------------


def period_spend_stmt(
    start: date, end: date, departments: Sequence[str] | None = None, source: SpendSource = LEDGER
) -> sa.Select:
    """Spend in [start, end) (whole months) per department, category, vendor (as invoiced) and
    investment type."""
    keys = tuple(source.column(c) for c in ("department", "category", "vendor", "investment_type"))
    return (
        sa.select(*keys, source.spend.label("spend"), source.lines.label("lines"))
        .where(*in_period(source.date, start, end), *one_of(keys[0], departments, "departments"))
        .group_by(*keys)
    )


def period_spend(
    engine: Engine, calendar: FiscalCalendar, quarter: FiscalQuarter, departments: Sequence[str] | None = None
) -> pd.DataFrame:
    """Columns: department, category, vendor, investment_type (None when unmapped), spend, lines.
    No rows when nothing is dated in the quarter (no data, not zero)."""
    start, end = calendar.quarter_bounds(quarter)
    cols = ["department", "category", "vendor", "investment_type", "spend", "lines"]
    out = fetch(engine, period_spend_stmt(start, end, departments, spend_source(engine)), cols)
    out = cents(out, "spend").astype({"lines": int})
    return out.sort_values(cols[:4], na_position="last").reset_index(drop=True)


# --- shadow IT per month ------------------------------------------------------------------


def shadow_spend_by_month_stmt(
    shadow_vendors: Sequence[str], departments: Sequence[str], source: SpendSource = LEDGER
) -> sa.Select:
    """Per calendar month and department: all spend, and spend with the given vendor spellings."""
    year, month = _year_month(source.date)
    department = source.column("department")
    shadow = source.spend_where(
        source.column("vendor").in_(sa.bindparam("shadow_vendors", list(shadow_vendors), expanding=True))
    )
    return (
        sa.select(year, month, department, source.spend.label("spend"), shadow.label("shadow"))
        .where(*one_of(department, departments, "departments"))
        .group_by(year, month, department)
    )


def shadow_spend_by_quarter(
    engine: Engine, calendar: FiscalCalendar, shadow_vendors: Sequence[str], departments: Sequence[str] | None = None
) -> pd.DataFrame:
    """Marketing and Joint spend per fiscal quarter and department, with the part paid to
    `shadow_vendors` (spellings as invoiced). Columns: quarter (FiscalQuarter), department,
    spend, shadow; oldest first. Departments outside Marketing and Joint are never included."""
    scope = [d for d in SHADOW_DEPARTMENTS if not departments or d in departments]
    cols = ["quarter", "department", "spend", "shadow"]
    if not scope:
        return pd.DataFrame(columns=cols)
    monthly = fetch(
        engine,
        shadow_spend_by_month_stmt(shadow_vendors, scope, spend_source(engine)),
        ["year", "month", "department", "spend", "shadow"],
    )
    if monthly.empty:
        return pd.DataFrame(columns=cols)
    monthly = cents(monthly, "spend", "shadow")
    years, quarters = calendar.quarters_of_months(monthly["year"], monthly["month"])
    monthly["quarter"] = [FiscalQuarter(int(y), int(q)) for y, q in zip(years, quarters)]
    out = monthly.groupby(["quarter", "department"], as_index=False)[["spend", "shadow"]].sum()
    return cents(out, "spend", "shadow").sort_values(["quarter", "department"]).reset_index(drop=True)[cols]


# --- budget and forecast ------------------------------------------------------------------


def budget_by_line_stmt(fiscal_year: int, departments: Sequence[str] | None = None) -> sa.Select:
    """Budget and forecast of one fiscal year per quarter, department, category and scenario
    (rows without a scenario are budget)."""
    b = schema.budget
    scenario = sa.func.coalesce(b.c.scenario, "Budget").label("scenario")
    keys = (b.c.quarter, b.c.department, b.c.category)
    return (
        sa.select(*keys, scenario, sum_money(b.c.amount).label("amount"))
        .where(
            b.c.fiscal_year == sa.bindparam("fiscal_year", fiscal_year, type_=sa.Integer),
            *one_of(b.c.department, departments, "departments"),
        )
        .group_by(*keys, scenario)
    )


def budget_by_line(engine: Engine, fiscal_year: int, departments: Sequence[str] | None = None) -> pd.DataFrame:
    """Columns: quarter (FiscalQuarter), department, category, scenario (Budget | Forecast), amount."""
    cols = ["quarter", "department", "category", "scenario", "amount"]
    out = fetch(engine, budget_by_line_stmt(fiscal_year, departments), cols)
    if out.empty:
        return out
    out["quarter"] = [FiscalQuarter(fiscal_year, int(str(q).upper().lstrip("Q"))) for q in out["quarter"]]
    return cents(out, "amount").sort_values(cols[:4]).reset_index(drop=True)


# --- the invoice lines behind a drill-down selection --------------------------------------


def spend_lines_stmt(
    start: date, end: date, department: str, category: str, vendors: Sequence[str], limit: int
) -> sa.Select:
    """The spend lines of one department, category and vendor (its spellings as invoiced) in
    [start, end), newest first, at most `limit` of them."""
    s = schema.spend
    return (
        sa.select(*(s.c[c] for c in LINE_COLUMNS + CURRENCY_COLUMNS))
        .where(
            s.c.department == sa.bindparam("department", department),
            s.c.category == sa.bindparam("category", category),
            s.c.vendor.in_(sa.bindparam("vendors", list(vendors), expanding=True)),
            *in_period(s.c.date, start, end),
        )
        .order_by(s.c.date.desc(), s.c.invoice_id, s.c.amount.desc())
        .limit(sa.bindparam("limit", limit, type_=sa.Integer))
    )


def spend_lines(
    engine: Engine,
    calendar: FiscalCalendar,
    quarter: FiscalQuarter,
    department: str,
    category: str,
    vendors: Sequence[str],
    limit: int,
) -> pd.DataFrame:
    """Columns: LINE_COLUMNS, with dates as datetime.date and amounts as float; and, when a line was
    converted from another currency, CURRENCY_COLUMNS (its currency, own amount and rate) after them."""
    start, end = calendar.quarter_bounds(quarter)
    columns = list(LINE_COLUMNS + CURRENCY_COLUMNS)
    out = fetch(engine, spend_lines_stmt(start, end, department, category, vendors, limit), columns)
    out["date"] = [as_date(d) for d in out["date"]]
    out = cents(out, "amount", "amount_original")
    if out["fx_rate"].isna().all():
        return out[list(LINE_COLUMNS)]
    out["fx_rate"] = out["fx_rate"].astype(float)
    return out


# --- the registry -------------------------------------------------------------------------

_Q2 = (date(2026, 4, 1), date(2026, 7, 1))  # FY2026 Q2 of a calendar-year fiscal year, as an example period

# Runner name -> the statement it executes on a dialect, with example parameters (the statements
# are the same on every dialect; the dialect constructs in `metrics.sql` differ at compile time).
QUERIES: dict[str, Callable[[str], sa.Select]] = {
    "spend_by_quarter": lambda dialect: spend_by_month_stmt(*_Q2, ["Marketing"]),
    "spend_by_quarter (summary)": lambda dialect: spend_by_month_stmt(*_Q2, ["Marketing"], MONTHLY),
    "spend_by_vendor_name": lambda dialect: spend_by_vendor_name_stmt(),
    "spend_by_vendor_name (summary)": lambda dialect: spend_by_vendor_name_stmt(MONTHLY),
    "period_spend": lambda dialect: period_spend_stmt(*_Q2, ["Marketing", "IT"]),
    "period_spend (summary)": lambda dialect: period_spend_stmt(*_Q2, ["Marketing", "IT"], MONTHLY),
    "shadow_spend_by_quarter": lambda dialect: shadow_spend_by_month_stmt(["Canva"], list(SHADOW_DEPARTMENTS)),
    "shadow_spend_by_quarter (summary)": lambda dialect: shadow_spend_by_month_stmt(
        ["Canva"], list(SHADOW_DEPARTMENTS), MONTHLY
    ),
    "spend_monthly (rebuild)": lambda dialect: spend_monthly_select(),
    "budget_by_line": lambda dialect: budget_by_line_stmt(2026, ["Joint"]),
    "spend_lines": lambda dialect: spend_lines_stmt(*_Q2, "Marketing", "CRM", ["Salesforce"], 500),
}

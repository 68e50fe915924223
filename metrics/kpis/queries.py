"""The SQL behind the KPIs: the glossary, and each KPI's observations grouped by calendar month
(folded into fiscal quarters by `metrics.kpis.compute`); ends with the ``QUERIES`` registry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrics import schema, summaries
from metrics.contract import TABLES
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.kpis.compute import DEFAULT_AGGREGATION, MONTHLY_COLUMNS, VALUE_COLUMNS, combine_quarters, fold_months
from metrics.sql import fetch, has_table

# --- statements ---------------------------------------------------------------------------


def kpi_glossary_stmt() -> sa.Select:
    """The whole `kpis` table (tens of rows), by name."""
    k = schema.kpis
    return sa.select(k).order_by(k.c.name, k.c.kpi)


def kpi_monthly_stmt(start: date, end: date, summarised: bool = False) -> sa.Select:
    """Per KPI and calendar month in [start, end): sum, count, min and max of the observations
    and the latest date observed; from the monthly summary when `summarised` (`kpi_monthly`,
    the same figures added up at import)."""
    if summarised:
        m = schema.kpi_monthly
        year, month = sa.extract("year", m.c.month).label("year"), sa.extract("month", m.c.month).label("month")
        return (
            sa.select(
                m.c.kpi,
                year,
                month,
                sa.func.sum(m.c.total).label("total"),
                sa.func.sum(m.c.observations).label("observations"),
                sa.func.min(m.c.low).label("low"),
                sa.func.max(m.c.high).label("high"),
                sa.func.max(m.c.last_date).label("last_date"),
            )
            .where(
                m.c.month >= sa.bindparam("start", start, type_=sa.Date),
                m.c.month < sa.bindparam("end", end, type_=sa.Date),
            )
            .group_by(m.c.kpi, year, month)
        )
    a = schema.kpi_actuals
    year = sa.extract("year", a.c.date).label("year")
    month = sa.extract("month", a.c.date).label("month")
    return (
        sa.select(
            a.c.kpi,
            year,
            month,
            sa.func.sum(a.c.value).label("total"),
            sa.func.count(a.c.value).label("observations"),
            sa.func.min(a.c.value).label("low"),
            sa.func.max(a.c.value).label("high"),
            sa.func.max(a.c.date).label("last_date"),
        )
        .where(
            a.c.date >= sa.bindparam("start", start, type_=sa.Date), a.c.date < sa.bindparam("end", end, type_=sa.Date)
        )
        .group_by(a.c.kpi, year, month)
    )


def kpi_observations_on_stmt(kpis: Sequence[str], dates: Sequence[date]) -> sa.Select:
    """Mean observation per KPI and day, for the given KPIs and days (the quarters' last days)."""
    a = schema.kpi_actuals
    return (
        sa.select(a.c.kpi, a.c.date, sa.func.avg(a.c.value).label("value"))
        .where(
            a.c.kpi.in_(sa.bindparam("kpis", list(kpis), expanding=True)),
            a.c.date.in_(sa.bindparam("dates", list(dates), expanding=True)),
        )
        .group_by(a.c.kpi, a.c.date)
    )


# --- runners ------------------------------------------------------------------------------


def kpi_glossary(engine: Engine) -> pd.DataFrame:
    """The shared glossary, ordered by name; a missing aggregation reads as the default, mean."""
    columns = list(TABLES["kpis"].column_names)
    if not has_table(engine, "kpis"):
        return pd.DataFrame(columns=columns)
    out = fetch(engine, kpi_glossary_stmt(), columns)
    out["aggregation"] = [a or DEFAULT_AGGREGATION for a in out["aggregation"]]
    return out


def kpi_quarter_values(
    engine: Engine, calendar: FiscalCalendar, first: FiscalQuarter, last: FiscalQuarter
) -> pd.DataFrame:
    """Each KPI's value per fiscal quarter in [first, last], by its aggregation.

    Columns: kpi, quarter (label), fiscal_year, fiscal_quarter, value, observations. A quarter
    without observations of a KPI has no row (no data, not zero).
    """
    if not has_table(engine, "kpi_actuals"):
        return pd.DataFrame(columns=VALUE_COLUMNS)
    glossary = kpi_glossary(engine)
    aggregations = dict(zip(glossary["kpi"], glossary["aggregation"]))
    start, end = calendar.quarter_start(first), calendar.quarter_start(last.next())
    with engine.connect() as conn:
        summarised = summaries.summary_state(conn, summaries.KPI_MONTHLY) is not None
        quarterly = fold_months(fetch(conn, kpi_monthly_stmt(start, end, summarised), MONTHLY_COLUMNS), calendar)
        wanted = quarterly[[aggregations.get(k, DEFAULT_AGGREGATION) == "last" for k in quarterly["kpi"]]]
        latest = pd.DataFrame(columns=["kpi", "date", "value"])
        if not wanted.empty:  # `last` KPIs: the observations on each quarter's latest date
            stmt = kpi_observations_on_stmt(sorted(set(wanted["kpi"])), sorted(set(wanted["last_date"])))
            latest = fetch(conn, stmt, ["kpi", "date", "value"])
    return combine_quarters(quarterly, aggregations, latest)


# Every statement this area runs, as run (example parameters), for the dialect check.
QUERIES: dict[str, Callable[[str], sa.Select]] = {
    "kpi_glossary": lambda dialect: kpi_glossary_stmt(),
    "kpi_quarter_values": lambda dialect: kpi_monthly_stmt(date(2026, 1, 1), date(2026, 4, 1)),
    "kpi_quarter_values.kpi_monthly": lambda dialect: kpi_monthly_stmt(date(2026, 1, 1), date(2026, 4, 1), True),
    "kpi_quarter_values_on_last_days": lambda dialect: kpi_observations_on_stmt(
        ["nps", "uptime"], [date(2026, 3, 31), date(2026, 6, 30)]
    ),
}

"""The SQL every subject area shares: dialect constructs and small query helpers.

Bridgeboard's queries are SQLAlchemy Core with bound parameters, and run unchanged on the three
databases it supports and tests: **DuckDB** (the embedded default), **PostgreSQL** (the production
path) and **SQLite**. Where the three spell something differently (a duration in days, a
percentile, a floor), a small construct here is compiled per dialect. Any other database fails
at compile time with `UnsupportedDatabase`, naming the construct and the supported databases,
rather than running SQL written for another engine.

Each area keeps its named queries in its own ``queries.py`` (``metrics.spend.queries``,
``metrics.kpis.queries``, ``metrics.targets.queries``, ``metrics.turnaround.queries``) and lists
them in a ``QUERIES`` mapping; ``metrics.catalogue`` gathers those lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from metrics.fiscal import FiscalCalendar, FiscalQuarter

SUPPORTED_DIALECTS = ("duckdb", "postgresql", "sqlite")


class UnsupportedDatabase(CompileError):
    """A construct has no SQL for this database."""


def _unsupported(construct: str):
    def compile_elsewhere(element, compiler, **kw):
        raise UnsupportedDatabase(
            f"Bridgeboard has no SQL for {construct} on {compiler.dialect.name!r}; it runs on DuckDB, "
            "PostgreSQL and SQLite (see the README's 'Databases')"
        )

    return compile_elsewhere


# --- Dialect constructs ------------------------------------------------------------------------


class days_between(FunctionElement):
    """Days (fractional) from `start` to `end`, via the epoch difference on each engine."""

    type = sa.Float()
    name = "days_between"
    inherit_cache = True


compiles(days_between)(_unsupported("days_between"))


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"(CAST(EXTRACT(EPOCH FROM (CAST({end} AS TIMESTAMP) - CAST({start} AS TIMESTAMP))) "
        f"AS DOUBLE PRECISION) / 86400.0)"
    )


@compiles(days_between, "duckdb")
def _days_between_duckdb(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"(CAST(date_diff('microsecond', CAST({start} AS TIMESTAMP), CAST({end} AS TIMESTAMP)) "
        f"AS DOUBLE) / 86400000000.0)"
    )


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    # julianday differences carry float noise (10 days may come out as 10.000000001, which
    # would breach a 10-day SLA): round to whole seconds first, as the other engines are exact.
    return f"(ROUND((julianday({end}) - julianday({start})) * 86400.0) / 86400.0)"


class month_start(FunctionElement):
    """The first day of a date's calendar month, as a DATE."""

    type = sa.Date()
    name = "month_start"
    inherit_cache = True


compiles(month_start)(_unsupported("month_start"))


@compiles(month_start, "postgresql")
@compiles(month_start, "duckdb")
def _month_start_trunc(element, compiler, **kw):
    (col,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(date_trunc('month', {col}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    (col,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({col}, 'start of month')"


class continuous_percentile(FunctionElement):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expr): linear interpolation.

    The fraction is a constant of the calling module (never user input), rendered as a literal
    column so that it is part of SQLAlchemy's statement-cache key. SQLite has no such aggregate:
    there the caller fetches the values and interpolates them (see `sql_percentiles`).
    """

    type = sa.Float()
    name = "continuous_percentile"
    inherit_cache = True

    def __init__(self, fraction: float, expr):
        fraction = float(fraction)
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"a percentile fraction is between 0 and 1, not {fraction}")
        super().__init__(sa.literal_column(repr(fraction), sa.Float), expr)


compiles(continuous_percentile)(_unsupported("continuous_percentile"))


@compiles(continuous_percentile, "postgresql")
def _percentile_postgresql(element, compiler, **kw):
    fraction, expr = (compiler.process(c, **kw) for c in element.clauses)
    return f"percentile_cont({fraction}) WITHIN GROUP (ORDER BY {expr})"


@compiles(continuous_percentile, "duckdb")
def _percentile_duckdb(element, compiler, **kw):
    fraction, expr = (compiler.process(c, **kw) for c in element.clauses)
    return f"quantile_cont({expr}, {fraction})"


@compiles(continuous_percentile, "sqlite")
def _percentile_sqlite(element, compiler, **kw):
    raise UnsupportedDatabase("SQLite has no percentile_cont; interpolate the fetched values with numpy")


class floor_nonnegative(FunctionElement):
    """floor(x) for x >= 0 (histogram bins of lead times, which are never negative)."""

    type = sa.Integer()
    name = "floor_nonnegative"
    inherit_cache = True


compiles(floor_nonnegative)(_unsupported("floor_nonnegative"))


@compiles(floor_nonnegative, "postgresql")
@compiles(floor_nonnegative, "duckdb")
def _floor(element, compiler, **kw):
    return f"FLOOR({compiler.process(element.clauses, **kw)})"


@compiles(floor_nonnegative, "sqlite")
def _floor_sqlite(element, compiler, **kw):
    # FLOOR needs SQLite's optional math functions; truncation equals floor for x >= 0.
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


def sql_percentiles(engine: Engine | Connection | str) -> bool:
    """Whether the engine (or dialect name) computes percentile_cont itself (else numpy does, on
    fetched values). A name, so that statement builders can choose without an engine."""
    name = engine if isinstance(engine, str) else engine.dialect.name
    return name in ("postgresql", "duckdb")


def fiscal_quarter_index(col, calendar: FiscalCalendar) -> sa.ColumnElement:
    """`FiscalQuarter.index` (fiscal_year * 4 + quarter - 1) of a date or timestamp, in SQL.

    Per calendar month the fiscal year offset and quarter are fixed, so one CASE on the month
    gives ``index - 4 * calendar year``.
    """
    month = sa.extract("month", col)
    offset = {m: calendar.quarter_of_month(2000, m).index - 2000 * 4 for m in range(1, 13)}
    return sa.extract("year", col) * 4 + sa.case(offset, value=month)


# --- Shared query helpers ----------------------------------------------------------------------


def sum_money(col) -> sa.ColumnElement:
    """SUM of a money column, 0 over no rows (callers decide what "no rows" means)."""
    return sa.func.coalesce(sa.func.sum(col), 0)


def in_period(
    col, start: date | datetime | None, end: date | datetime | None, name: str = "period"
) -> list[sa.ColumnElement]:
    """Half-open ``[start, end)`` bounds on `col` as bound parameters; a missing bound is open."""
    type_ = sa.DateTime if isinstance(start or end, datetime) else sa.Date
    out = []
    if start is not None:
        out.append(col >= sa.bindparam(f"{name}_from", start, type_=type_))
    if end is not None:
        out.append(col < sa.bindparam(f"{name}_to", end, type_=type_))
    return out


def in_quarters(
    col,
    calendar: FiscalCalendar,
    first: FiscalQuarter | None,
    last: FiscalQuarter | None,
    name: str = "period",
    *,
    timestamps: bool = False,
) -> list[sa.ColumnElement]:
    """`in_period` for the fiscal quarters ``[first, last]`` (either end may be open)."""
    start = calendar.quarter_start(first) if first is not None else None
    end = calendar.quarter_start(last.next()) if last is not None else None
    if timestamps:
        start = datetime(start.year, start.month, start.day) if start else None
        end = datetime(end.year, end.month, end.day) if end else None
    return in_period(col, start, end, name)


def one_of(col, values: Sequence[str] | None, name: str) -> list[sa.ColumnElement]:
    """``col IN (...)`` as one expanding bound parameter; no values means no filter."""
    return [col.in_(sa.bindparam(name, list(values), expanding=True))] if values else []


def fetch(conn: Engine | Connection, stmt: sa.Select, columns: Sequence[str]) -> pd.DataFrame:
    """Run `stmt` and return its (small, aggregated) rows as a frame with `columns`."""
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return pd.DataFrame(c.execute(stmt).mappings().all(), columns=list(columns))
    return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=list(columns))


def cents(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Numeric(18,2) sums arrive as Decimal (or float on SQLite): float, rounded to the cent."""
    for c in cols:
        frame[c] = frame[c].astype(float).round(2)
    return frame


def as_date(value) -> date | None:
    """A DATE column's value as `datetime.date` on every engine (SQLite returns the stored text)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):  # also pd.Timestamp
        return value.date()
    return value


def existing_tables(engine: Engine | Connection) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def has_table(engine: Engine | Connection, name: str) -> bool:
    return sa.inspect(engine).has_table(name)

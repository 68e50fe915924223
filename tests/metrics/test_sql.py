"""The SQL every area shares (metrics.sql): each dialect construct as DuckDB, PostgreSQL and
SQLite compile it, a clear error on any other database, and the small query helpers."""

from datetime import date, datetime

import duckdb_engine
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mssql, mysql, postgresql, sqlite
from sqlalchemy.exc import CompileError

from metrics import sql
from metrics.fiscal import FiscalCalendar

# --- SQL constructs ------------------------------------------------------------------------


def _sql(expr, dialect) -> str:
    return str(sa.select(expr).compile(dialect=dialect))


A, B = sa.column("a", sa.DateTime), sa.column("b", sa.DateTime)


def test_days_between_per_dialect():
    assert "EXTRACT(EPOCH FROM (CAST(b AS TIMESTAMP) - CAST(a AS TIMESTAMP)))" in _sql(
        sql.days_between(A, B), postgresql.dialect()
    )
    assert "date_diff('microsecond'" in _sql(sql.days_between(A, B), duckdb_engine.Dialect())
    assert "julianday(b) - julianday(a)" in _sql(sql.days_between(A, B), sqlite.dialect())


def test_percentile_per_dialect():
    x = sa.column("x", sa.Float)
    assert "percentile_cont(0.85) WITHIN GROUP (ORDER BY x)" in _sql(
        sql.continuous_percentile(0.85, x), postgresql.dialect()
    )
    assert "quantile_cont(x, 0.85)" in _sql(sql.continuous_percentile(0.85, x), duckdb_engine.Dialect())
    with pytest.raises(CompileError):
        _sql(sql.continuous_percentile(0.5, x), sqlite.dialect())
    with pytest.raises(ValueError):
        sql.continuous_percentile(85, x)


def test_percentile_fraction_is_part_of_the_statement_cache_key():
    """Two statements differing only in the fraction must not share a cached compilation."""
    engine = sa.create_engine("duckdb:///:memory:")
    values = (
        sa.select(sa.literal_column("CAST(v AS DOUBLE)").label("v"))
        .select_from(sa.text("(VALUES (1), (2), (3), (4)) AS t(v)"))
        .subquery()
    )
    with engine.connect() as conn:
        p50 = conn.execute(sa.select(sql.continuous_percentile(0.5, values.c.v))).scalar()
        p85 = conn.execute(sa.select(sql.continuous_percentile(0.85, values.c.v))).scalar()
    # 1, 2, 3, 4: p50 h = 1.5 -> 2.5; p85 h = 2.55 -> 3 + 0.55 = 3.55
    assert (p50, p85) == pytest.approx((2.5, 3.55))


def test_fiscal_quarter_index_matches_the_calendar():
    engine = sa.create_engine("duckdb:///:memory:")
    for start_month in (1, 4, 7, 10):
        cal = FiscalCalendar(start_month)
        with engine.connect() as conn:
            for month in range(1, 13):
                d = date(2026, month, 15)
                got = conn.execute(sa.select(sql.fiscal_quarter_index(sa.literal(d, sa.Date), cal))).scalar()
                assert int(got) == cal.quarter_of(d).index, (start_month, month)


def test_sql_percentiles_only_where_the_engine_has_them():
    assert sql.sql_percentiles(sa.create_engine("duckdb:///:memory:"))
    assert not sql.sql_percentiles(sa.create_engine("sqlite://"))


@pytest.mark.parametrize("dialect", [mysql.dialect(), mssql.dialect()], ids=["mysql", "mssql"])
@pytest.mark.parametrize("construct", ["days_between", "continuous_percentile", "floor_nonnegative"])
def test_a_database_without_the_construct_fails_with_a_clear_error(construct, dialect):
    x = sa.column("x", sa.Float)
    expr = {
        "days_between": lambda: sql.days_between(A, B),
        "continuous_percentile": lambda: sql.continuous_percentile(0.5, x),
        "floor_nonnegative": lambda: sql.floor_nonnegative(x),
    }[construct]()
    with pytest.raises(
        sql.UnsupportedDatabase, match=f"no SQL for {construct} on '{dialect.name}'.*DuckDB, PostgreSQL and SQLite"
    ):
        _sql(expr, dialect)


def test_floor_per_dialect():
    x = sa.column("x", sa.Float)
    assert "FLOOR(x)" in _sql(sql.floor_nonnegative(x), postgresql.dialect())
    assert "FLOOR(x)" in _sql(sql.floor_nonnegative(x), duckdb_engine.Dialect())
    assert "CAST(x AS INTEGER)" in _sql(sql.floor_nonnegative(x), sqlite.dialect())


def test_in_period_is_half_open_with_bound_parameters():
    d = sa.column("d", sa.Date)
    clauses = sql.in_period(d, date(2026, 1, 1), date(2026, 4, 1), "q")
    compiled = sa.select(d).where(*clauses).compile(dialect=postgresql.dialect())
    assert "d >= %(q_from)s::DATE AND d < %(q_to)s::DATE" in str(compiled)
    assert compiled.params == {"q_from": date(2026, 1, 1), "q_to": date(2026, 4, 1)}
    assert sql.in_period(d, None, None) == []


def test_in_quarters_uses_the_fiscal_calendar():
    d = sa.column("d", sa.DateTime)
    from metrics.fiscal import FiscalQuarter

    clauses = sql.in_quarters(d, FiscalCalendar(7), FiscalQuarter(2026, 1), FiscalQuarter(2026, 2), timestamps=True)
    params = sa.select(d).where(*clauses).compile().params
    assert params == {"period_from": datetime(2025, 7, 1), "period_to": datetime(2026, 1, 1)}


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        ("2026-02-14", date(2026, 2, 14)),
        ("2026-02-14 10:30:00", date(2026, 2, 14)),
        (datetime(2026, 2, 14, 10, 30), date(2026, 2, 14)),
        (date(2026, 2, 14), date(2026, 2, 14)),
    ],
)
def test_as_date_reads_every_engines_date(value, expected):
    assert sql.as_date(value) == expected

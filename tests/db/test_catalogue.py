"""Every named query (metrics.catalogue) compiles for the three supported databases, and runs on
each against an empty schema: what the README promises by "runs unchanged on DuckDB, SQLite and
PostgreSQL", checked query by query."""

import duckdb_engine
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from metrics.catalogue import AREAS, named_queries

DIALECTS = {"duckdb": duckdb_engine.Dialect(), "postgresql": postgresql.dialect(), "sqlite": sqlite.dialect()}
QUERIES = named_queries()


def test_every_area_lists_its_queries():
    assert set(AREAS) == {"spend", "kpis", "targets", "turnaround", "inventory", "review", "review_lines"}
    assert all(AREAS.values()), "an area with no queries listed"
    assert len(QUERIES) == sum(len(q) for q in AREAS.values())


@pytest.mark.parametrize("dialect", list(DIALECTS))
@pytest.mark.parametrize("name", list(QUERIES))
def test_query_compiles_with_bound_parameters(name, dialect):
    stmt = QUERIES[name](dialect)
    assert isinstance(stmt, sa.sql.Executable)
    compiled = stmt.compile(dialect=DIALECTS[dialect])
    assert str(compiled).strip()
    # Values travel as bound parameters, never pasted into the SQL text.
    for value in compiled.params.values():
        if isinstance(value, str) and len(value) > 3:
            assert value not in str(compiled), f"{name}: {value!r} is in the SQL text"

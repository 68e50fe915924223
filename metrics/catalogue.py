"""Every named query of every area, listed once.

Each area's ``queries.py`` keeps its SQL builders and ends with a ``QUERIES`` mapping: the name of
the question it answers -> a function of the dialect name returning the statement (with example
parameters) that runs on that dialect. This module only gathers them, so that one test can compile
every query for DuckDB, PostgreSQL and SQLite, and a reader can see them all in one list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sqlalchemy as sa

from metrics import inventory
from metrics.kpis import queries as kpi_queries
from metrics.review import lines as review_lines
from metrics.review import queries as review_queries
from metrics.spend import queries as spend_queries
from metrics.targets import queries as target_queries
from metrics.turnaround import queries as turnaround_queries

AREAS: dict[str, Mapping[str, Callable[[str], sa.Executable]]] = {
    "spend": spend_queries.QUERIES,
    "kpis": kpi_queries.QUERIES,
    "targets": target_queries.QUERIES,
    "turnaround": turnaround_queries.QUERIES,
    "inventory": inventory.QUERIES,
    "review": review_queries.QUERIES,
    "review_lines": review_lines.QUERIES,
}


def named_queries() -> dict[str, Callable[[str], sa.Executable]]:
    """``area.name`` -> builder, for every query of every area."""
    return {f"{area}.{name}": build for area, queries in AREAS.items() for name, build in queries.items()}

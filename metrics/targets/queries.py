"""The SQL that reads targets: the imported rows, the latest in-app version of each target, the
count of versions (a cache key), the audit history and a KPI's name; the app's own target tables
are declared here, beside the statements that read them.

Where targets live
    Imported targets come from the canonical ``kpi_targets`` table. What people change in the
    app is stored apart, in two user tables (their ``app_`` prefix keeps every import away from
    them, so edits survive CSV re-imports and restarts):

    - ``app_kpi_target_versions``: every version of a target set in the app, append-only.
    - ``app_kpi_target_audit``: one row per changed field per version (when, who, role, old, new).

    The *effective* target of a KPI for a quarter is its latest in-app version if there is one,
    else the imported row (version 0), else there is no target.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrics import schema
from metrics.fiscal import FiscalQuarter
from metrics.sql import has_table
from metrics.targets.compute import AUDIT_COLUMNS, EffectiveTarget, audit_frame, from_app, from_import, targets_frame

# Separate from the canonical schema's metadata: ensure_schema() and imports never see them.
app_metadata = sa.MetaData()

target_versions = sa.Table(
    "app_kpi_target_versions",
    app_metadata,
    sa.Column("kpi", sa.String, primary_key=True),
    sa.Column("fiscal_year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("quarter", sa.String, primary_key=True),  # "Q1".."Q4", as in kpi_targets
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    # Double precision on every engine (a plain Float is single precision in DuckDB).
    sa.Column("target", sa.Double, nullable=False),
    sa.Column("at_risk_threshold", sa.Double),
    sa.Column("note", sa.String),
    sa.Column("agreed_by_cio_on", sa.Date),
    sa.Column("agreed_by_cmo_on", sa.Date),
    sa.Column("changed_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("changed_by", sa.String, nullable=False),
    sa.Column("role", sa.String, nullable=False),
)

target_audit = sa.Table(
    "app_kpi_target_audit",
    app_metadata,
    sa.Column("kpi", sa.String, primary_key=True),
    sa.Column("fiscal_year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("quarter", sa.String, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("field", sa.String, primary_key=True),
    sa.Column("changed_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("changed_by", sa.String, nullable=False),
    sa.Column("role", sa.String, nullable=False),
    sa.Column("old_value", sa.String),
    sa.Column("new_value", sa.String),
)


# --- statements ---------------------------------------------------------------------------


def _narrowed(
    stmt: sa.Select, table: sa.Table, first: FiscalQuarter | None, last: FiscalQuarter | None, kpi: str | None
) -> sa.Select:
    """Narrow to one KPI (if given) and the fiscal years of [first, last]; quarters are trimmed
    in pandas (a few rows)."""
    if first is not None:
        stmt = stmt.where(table.c.fiscal_year >= sa.bindparam("first_year", first.fiscal_year))
    if last is not None:
        stmt = stmt.where(table.c.fiscal_year <= sa.bindparam("last_year", last.fiscal_year))
    if kpi is not None:
        stmt = stmt.where(table.c.kpi == sa.bindparam("kpi", kpi))
    return stmt


def imported_targets_stmt(
    first: FiscalQuarter | None = None, last: FiscalQuarter | None = None, kpi: str | None = None
) -> sa.Select:
    """The imported `kpi_targets` rows of the fiscal years of [first, last], of one KPI or all."""
    return _narrowed(sa.select(schema.kpi_targets), schema.kpi_targets, first, last, kpi)


def latest_versions_stmt(
    first: FiscalQuarter | None = None, last: FiscalQuarter | None = None, kpi: str | None = None
) -> sa.Select:
    """The latest in-app version of each target in the fiscal years of [first, last]."""
    v = target_versions
    newest = (
        sa.select(v.c.kpi, v.c.fiscal_year, v.c.quarter, sa.func.max(v.c.version).label("version"))
        .group_by(v.c.kpi, v.c.fiscal_year, v.c.quarter)
        .subquery("newest")
    )
    stmt = sa.select(v).join(
        newest,
        sa.and_(
            v.c.kpi == newest.c.kpi,
            v.c.fiscal_year == newest.c.fiscal_year,
            v.c.quarter == newest.c.quarter,
            v.c.version == newest.c.version,
        ),
    )
    return _narrowed(stmt, v, first, last, kpi)


def targets_version_stmt() -> sa.Select:
    """How many target versions were saved in the app (append-only, so it grows with each save)."""
    return sa.select(sa.func.count()).select_from(target_versions)


def audit_stmt() -> sa.Select:
    return sa.select(target_audit)


def kpi_name_stmt(kpi: str) -> sa.Select:
    k = schema.kpis
    return sa.select(k.c.name).where(k.c.kpi == sa.bindparam("kpi", kpi))


# --- runners ------------------------------------------------------------------------------


def read_effective(
    conn: Connection, first: FiscalQuarter | None, last: FiscalQuarter | None, kpi: str | None = None
) -> dict[tuple[str, FiscalQuarter], EffectiveTarget]:
    """The effective targets of [first, last] (either end open), of one KPI or all, by (KPI, quarter),
    read on `conn` (the saving transaction checks the current version with it)."""
    found: dict[tuple[str, FiscalQuarter], EffectiveTarget] = {}
    sources = (
        (schema.kpi_targets.name, imported_targets_stmt, from_import),
        (target_versions.name, latest_versions_stmt, from_app),
    )
    for table, statement, build in sources:  # in-app versions last: they override imported rows
        if not has_table(conn, table):
            continue
        for row in conn.execute(statement(first, last, kpi)).mappings():
            t = build(row)
            if (first is None or t.quarter >= first) and (last is None or t.quarter <= last):
                found[(t.kpi, t.quarter)] = t
    return found


def effective_targets(
    engine: Engine, first: FiscalQuarter | None = None, last: FiscalQuarter | None = None
) -> pd.DataFrame:
    """The effective target of every KPI for every quarter in [first, last] that has one.

    Columns: kpi, fiscal_year, fiscal_quarter, quarter (label), target, at_risk_threshold (None =
    default), note, agreed_by_cio_on, agreed_by_cmo_on, version, source, changed_by, changed_at.
    """
    with engine.connect() as conn:
        found = read_effective(conn, first, last)
    return targets_frame(found)


def effective_target(engine: Engine, kpi: str, quarter: FiscalQuarter) -> EffectiveTarget | None:
    with engine.connect() as conn:
        return read_effective(conn, quarter, quarter, kpi).get((kpi, quarter))


def targets_version(engine: Engine) -> str:
    """A small cache key that changes with every change made in the app (versions are append-only)."""
    if not has_table(engine, target_versions.name):
        return "0"
    with engine.connect() as conn:
        return str(conn.execute(targets_version_stmt()).scalar())


def audit_history(engine: Engine) -> pd.DataFrame:
    """Every change made in the app, newest first.

    Columns: changed_at (UTC), changed_by, role, kpi, quarter (label), field (display name),
    old_value, new_value, version.
    """
    if not has_table(engine, target_audit.name):
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    with engine.connect() as conn:
        rows = conn.execute(audit_stmt()).mappings().all()
    return audit_frame(rows)


def kpi_name(conn: Connection, kpi: str) -> str | None:
    """The KPI's name in the glossary; None when it is not there (or there is no glossary)."""
    if not has_table(conn, schema.kpis.name):
        return None
    return conn.execute(kpi_name_stmt(kpi)).scalar()


# Every statement this area reads with, as run (example parameters), for the dialect check.
_Q1, _Q4 = FiscalQuarter(2026, 1), FiscalQuarter(2026, 4)
QUERIES: dict[str, Callable[[str], sa.Select]] = {
    "effective_targets_imported": lambda dialect: imported_targets_stmt(_Q1, _Q4),
    "effective_targets_in_app": lambda dialect: latest_versions_stmt(_Q1, _Q4),
    "effective_target_imported": lambda dialect: imported_targets_stmt(_Q1, _Q1, "nps"),
    "effective_target_in_app": lambda dialect: latest_versions_stmt(_Q1, _Q1, "nps"),
    "targets_version": lambda dialect: targets_version_stmt(),
    "audit_history": lambda dialect: audit_stmt(),
    "kpi_name": lambda dialect: kpi_name_stmt("nps"),
}

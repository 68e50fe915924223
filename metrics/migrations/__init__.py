"""The app's own tables, migrated with Alembic: the canonical data tables, the import bookkeeping
and what users entered (targets, agreements, review notes, actions, closings, their audits).

`upgrade` is what `metrics.db.ensure_schema` runs on every engine: an empty database gets every
table, one at an older revision gets the revisions since, and one created before Bridgeboard used
Alembic (no `alembic_version` table) is adopted by the baseline revision, which creates only the
tables it lacks after checking that those it has carry the baseline's columns. The revisions are in
`versions/`, each a frozen copy of what it changes (never the live `metrics.schema`), so that an
old revision stays what it was when the schema moves on. `python -m metrics db` runs them by hand.

Everything runs in one transaction with the caller's connection: a failed revision leaves the
database as it was (PostgreSQL, SQLite and DuckDB all roll back DDL).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.ddl.impl import DefaultImpl
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine

SCRIPTS = Path(__file__).parent
BASELINE = "0001"
# Any constant bigint, the same in every process: one process migrates, the others wait for it.
_MIGRATION_LOCK_KEY = 0x42524447_4D494752  # "BRDGMIGR"


class MigrationError(RuntimeError):
    """The database cannot be brought to this version's tables; the message says why and what to do."""


class DuckDBImpl(DefaultImpl):
    """Alembic's operations on DuckDB: duckdb-engine registers no implementation of its own (its
    README's "Alembic Integration"); DuckDB's DDL is transactional like PostgreSQL's."""

    __dialect__ = "duckdb"
    transactional_ddl = True


def alembic_config(connection: Connection | None = None, extra_versions: tuple[Path, ...] = ()) -> Config:
    """Alembic's configuration without an alembic.ini: our scripts, and the caller's connection for
    `env.py` (Alembic's commands then work on it instead of opening their own)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join(str(p) for p in (SCRIPTS / "versions", *extra_versions))
    )
    config.attributes["connection"] = connection
    return config


def head_revision(config: Config | None = None) -> str | None:
    """The latest revision: of the shipped scripts (read once a process: 0.1-0.2 s), or of `config`'s."""
    if config is None:
        return _shipped_head()
    return ScriptDirectory.from_config(config).get_current_head()


@functools.cache
def _shipped_head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The database's revision; None for an empty database or one created before Alembic."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


_migrating = threading.Lock()


@contextmanager
def _migration(engine: Engine) -> Iterator[Connection]:
    """One transaction, one migrating session per process and, on PostgreSQL, per database: the
    sessions and processes that start at once wait for the first, then find nothing left to do."""
    with _migrating, engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.bindparam("key", _MIGRATION_LOCK_KEY))))
        elif conn.dialect.name == "sqlite":
            # Python's sqlite3 opens a transaction before DML only, so DDL would commit at once and
            # a refused adoption would leave tables behind; IMMEDIATE also takes the write lock first.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def upgrade(engine: Engine, revision: str = "head", extra_versions: tuple[Path, ...] = ()) -> None:
    """Bring the database to `revision` (default: the latest). A database already there is left
    untouched (one read of `alembic_version`)."""
    config = alembic_config(extra_versions=extra_versions)
    if revision == "head" and current_revision(engine) == head_revision(config if extra_versions else None):
        return
    try:
        with _migration(engine) as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    except CommandError as exc:
        raise MigrationError(_in_words(exc, revision, config)) from None


def downgrade(engine: Engine, revision: str, extra_versions: tuple[Path, ...] = ()) -> None:
    """Take the database back to `revision` ("base": no tables at all; "-1": one step)."""
    config = alembic_config(extra_versions=extra_versions)
    try:
        with _migration(engine) as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, revision)
    except CommandError as exc:
        raise MigrationError(_in_words(exc, revision, config)) from None


def _in_words(exc: CommandError, requested: str, config: Config) -> str:
    # Alembic's own words name the revision; ours say what it means and what to do.
    if f"'{requested}'" in str(exc):
        known = ", ".join(s.revision for s in ScriptDirectory.from_config(config).walk_revisions())
        return (
            f"There is no revision {requested} in this version of Bridgeboard (its revisions: {known}, head, base, -1)."
        )
    if "Can't locate revision" in str(exc):
        return (
            f"{exc}: the database was migrated by another version of Bridgeboard (a newer one, if "
            "`python -m metrics db current` does not list it); nothing was changed. Run the version "
            "that migrated it, or restore a backup taken before."
        )
    return f"{exc}; nothing was changed."


def table_columns(conn: Connection, table: str) -> list[str] | None:
    """A table's column names, None when it does not exist. Asked of the table itself: the
    inspector's column listing fails on DuckDB 2 (duckdb-engine queries a pg_catalog table DuckDB
    does not emulate)."""
    if not sa.inspect(conn).has_table(table):
        return None
    return list(conn.execute(sa.select(sa.text("*")).select_from(sa.table(table)).limit(0)).keys())

"""Trust matrix H83 and H84: the app's tables migrated with Alembic up, down and up again with the
schema equal and the data kept, a database made before Alembic adopted without loss, and backups
(SQLite's online backup while the app writes, PostgreSQL's pg_dump) that restore to the same totals.

On SQLite, PostgreSQL and DuckDB (Alembic runs there through `metrics.migrations.DuckDBImpl`).
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import threading
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from cli.main import main
from metrics import db, migrations, review, schema, sources, targets
from metrics.access import Actor
from metrics.closing import closing_metadata
from metrics.fiscal import FiscalQuarter
from metrics.migrations import MigrationError
from metrics.review.queries import review_metadata
from metrics.settings import SAMPLE_DIR, Settings
from metrics.targets.queries import app_metadata
from tests.conftest import skip_or_fail

# Everything the code declares: the head revision must create exactly this.
CODE_METADATA = [schema.metadata, app_metadata, review_metadata, closing_metadata]
APP_TABLES = sorted(t for md in CODE_METADATA for t in md.tables)
Q3 = FiscalQuarter(2026, 3)
CMO = Actor("pat.cmo@example.com", "CMO")
CIO = Actor("sam.cio@example.com", "CIO")
MONDAY = datetime(2026, 8, 3, 14, 2, 11)

# A later revision as a developer would write one: a column and an index on a table users write to
# (in batch mode, so that SQLite may rebuild the table). Down and up again must keep every row. No
# index on DuckDB: it refuses to drop a column an index depends on, even after dropping the index in
# the same transaction (and Bridgeboard keeps DuckDB's tables without indexes anyway).
LATER_REVISION = '''
"""Test revision: who reviewed a target version."""
import sqlalchemy as sa
from alembic import op

revision = "0003_test"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("app_kpi_target_versions") as batch:
        batch.add_column(sa.Column("reviewed_by", sa.String(), nullable=True))
    if op.get_bind().dialect.name != "duckdb":
        op.create_index("ix_target_versions_reviewed_by", "app_kpi_target_versions", ["reviewed_by"])


def downgrade():
    if op.get_bind().dialect.name != "duckdb":
        op.drop_index("ix_target_versions_reviewed_by", table_name="app_kpi_target_versions")
    with op.batch_alter_table("app_kpi_target_versions") as batch:
        batch.drop_column("reviewed_by")
'''


@pytest.fixture
def later(tmp_path) -> tuple[Path, ...]:
    folder = tmp_path / "later_versions"
    folder.mkdir()
    (folder / "r0003_test.py").write_text(LATER_REVISION, encoding="utf-8")
    return (folder,)


# --- what the tests compare --------------------------------------------------------------------


def snapshot(engine: sa.Engine) -> dict[str, dict]:
    """Every table's columns (name, type, nullable), primary key and indexes, as the database
    reports them. DuckDB is asked through its own catalogue (duckdb-engine's inspector cannot
    list columns on DuckDB 2)."""
    with engine.connect() as conn:
        if conn.dialect.name == "duckdb":
            return _duckdb_snapshot(conn)
        inspector = sa.inspect(conn)
        return {
            table: {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                "indexes": sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)),
            }
            for table in inspector.get_table_names()
            if table != "alembic_version"
        }


def _duckdb_snapshot(conn: sa.Connection) -> dict[str, dict]:
    columns = conn.execute(
        sa.text(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_name <> 'alembic_version' ORDER BY table_name, ordinal_position"
        )
    ).all()
    keys = dict(
        conn.execute(
            sa.text(
                "SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
            )
        ).all()
    )
    indexes = conn.execute(sa.text("SELECT table_name, index_name, expressions FROM duckdb_indexes()")).all()
    out: dict[str, dict] = {}
    for table, column, kind, nullable in columns:
        entry = out.setdefault(table, {"columns": [], "primary_key": list(keys.get(table, [])), "indexes": []})
        entry["columns"].append((column, kind, nullable == "YES"))
    for table, name, expressions in indexes:
        out[table]["indexes"].append((name, str(expressions)))
    for entry in out.values():
        entry["indexes"].sort()
    return out


def totals(engine: sa.Engine) -> dict[str, object]:
    """Rows of every table of the app, and the money and values a user would add up."""
    with engine.connect() as conn:
        out: dict[str, object] = {
            t: conn.execute(sa.select(sa.func.count()).select_from(sa.table(t))).scalar_one() for t in APP_TABLES
        }
        for name, column in (("spend amount", schema.spend.c.amount), ("budget amount", schema.budget.c.amount)):
            out[name] = Decimal(conn.execute(sa.select(sa.func.sum(column))).scalar_one() or 0)
        out["kpi values"] = round(conn.execute(sa.select(sa.func.sum(schema.kpi_actuals.c.value))).scalar_one() or 0, 6)
    return out


def fill(engine: sa.Engine) -> None:
    """The sample import, then what users enter: a target proposed and agreed, a note."""
    assert sources.load_folder(SAMPLE_DIR, engine, sources.read_options(Settings()), source="sample").report.ok
    targets.propose_target(
        engine, "nps", Q3, target=41.5, at_risk_threshold=2.0, note="Stretch", actor=CMO, expected_version=0, now=MONDAY
    )
    targets.record_agreement(engine, "nps", Q3, side="CIO", actor=CIO, expected_version=1, now=MONDAY)
    review.save_note(engine, Q3, "page", "tech_spend", "CIO", "Cloud on plan.", actor=CIO, expected_version=0)


def entered(engine: sa.Engine) -> tuple:
    """What users entered, as the app reads it back."""
    target = targets.effective_target(engine, "nps", Q3)
    assert target is not None
    notes = [(n.subject, n.side, n.text, n.changed_by) for n in review.quarter_notes(engine, Q3)]
    return (target.target, target.note, target.agreed_by_cio_on, target.changed_by), notes


# --- H83 -----------------------------------------------------------------------------------------


def test_H83_an_empty_database_upgraded_to_head_has_exactly_the_codes_tables(engine):
    migrations.upgrade(engine)
    assert migrations.current_revision(engine) == migrations.head_revision() == "0002"
    assert sorted(snapshot(engine)) == APP_TABLES
    if engine.dialect.name != "duckdb":  # Alembic's comparison reflects columns: not on DuckDB 2
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            # The PostgreSQL-only ledger indexes are the revisions' own (no Index object in the code).
            differences = [
                d
                for d in compare_metadata(context, CODE_METADATA)
                if not (d[0] == "remove_index" and d[1].name in ("spend_drill", "spend_date"))
            ]
        assert differences == [], (
            "metrics/schema.py or a store's tables changed without a revision in metrics/migrations/versions"
        )


def test_H83_down_one_and_up_again_keeps_schema_and_data_then_base_and_up_again_gives_the_same_schema(engine, later):
    migrations.upgrade(engine)
    fill(engine)
    at_head, before, users = snapshot(engine), totals(engine), entered(engine)
    assert before["app_kpi_target_versions"] == 2 and before["spend"] == 20_000

    migrations.upgrade(engine, "0003_test", extra_versions=later)
    assert ("reviewed_by", True) in [(c[0], c[2]) for c in snapshot(engine)["app_kpi_target_versions"]["columns"]]
    assert (totals(engine), entered(engine)) == (before, users)

    migrations.downgrade(engine, "-1", extra_versions=later)
    assert migrations.current_revision(engine) == "0002"
    assert snapshot(engine) == at_head
    assert (totals(engine), entered(engine)) == (before, users)

    migrations.upgrade(engine, "0003_test", extra_versions=later)
    migrations.downgrade(engine, "0002", extra_versions=later)
    assert (snapshot(engine), totals(engine), entered(engine)) == (at_head, before, users)

    # Down to base drops every table (the command asks first; the README says back up before).
    migrations.downgrade(engine, "base")
    assert migrations.current_revision(engine) is None
    assert snapshot(engine) == {}
    migrations.upgrade(engine)
    assert snapshot(engine) == at_head
    assert totals(engine)["spend"] == 0


def _pre_alembic_schema(engine: sa.Engine, *, without_currency_columns: bool = False) -> None:
    """A database as Bridgeboard made it before Alembic: `metadata.create_all` of the canonical
    tables and of the stores' tables, the PostgreSQL ledger index; before foreign currencies, spend
    and budget had no stored-currency columns."""
    for metadata in CODE_METADATA:
        metadata.create_all(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE INDEX spend_vendor_date ON spend (vendor, date)"))
    if without_currency_columns:
        with engine.begin() as conn:
            for table in ("spend", "budget"):
                conn.execute(sa.text(f"DROP TABLE {table}"))
                old = sa.Table(
                    table,
                    sa.MetaData(),
                    *(
                        c._copy()
                        for c in schema.canonical[table].columns
                        if c.name not in ("amount_original", "fx_rate")
                    ),
                )
                old.create(conn)
            if engine.dialect.name == "postgresql":
                conn.execute(sa.text("CREATE INDEX spend_vendor_date ON spend (vendor, date)"))


def test_H83_a_database_made_before_alembic_is_adopted_without_loss(engine, tmp_path):
    _pre_alembic_schema(engine)
    fill(engine)  # the import's own ensure_schema adopts it here: checked below on a copy made by hand
    before, users = totals(engine), entered(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))  # back to a database that predates Alembic
    assert migrations.current_revision(engine) is None

    db.ensure_schema(engine)
    assert migrations.current_revision(engine) == "0002"
    assert (totals(engine), entered(engine)) == (before, users)

    if engine.dialect.name != "postgresql":  # the adopted schema is the one an empty database gets
        fresh = db.make_engine(f"{engine.dialect.name}:///{tmp_path / 'fresh.db'}")
        migrations.upgrade(fresh)
        assert snapshot(engine) == snapshot(fresh)
        fresh.dispose()


def test_H83_an_older_database_gets_the_stored_currency_columns_and_keeps_its_rows(engine):
    _pre_alembic_schema(engine, without_currency_columns=True)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO spend (date, department, vendor, category, amount) "
                "VALUES ('2026-01-15', 'IT', 'Acme', 'Software', 1234.56)"
            )
        )
    db.ensure_schema(engine)
    assert migrations.current_revision(engine) == "0002"
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(schema.spend.c.vendor, schema.spend.c.amount, schema.spend.c.amount_original)
        ).one()
    assert (row.vendor, row.amount, row.amount_original) == ("Acme", Decimal("1234.56"), None)


def test_H83_a_database_bridgeboard_did_not_make_is_refused_in_words_and_left_as_it_was(engine):
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE vendors (vendor VARCHAR, rating INTEGER)"))
    with pytest.raises(MigrationError) as refused:
        db.ensure_schema(engine)
    message = str(refused.value)
    assert "The table vendors lacks the column(s) it_approved" in message
    assert "Nothing was changed" in message
    assert sorted(snapshot(engine)) == ["vendors"]
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("alembic_version")


def test_H83_a_database_from_a_newer_bridgeboard_is_refused_in_words(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'newer.sqlite'}")
    migrations.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(MigrationError, match="0099.*migrated by another version of Bridgeboard.*nothing was changed"):
        db.ensure_schema(engine)
    engine.dispose()


# --- H84 -----------------------------------------------------------------------------------------


def test_H84_sqlite_backup_while_the_app_writes_restores_whole_and_consistent(tmp_path):
    source = tmp_path / "live.sqlite"
    engine = db.make_engine(f"sqlite:///{source}")
    migrations.upgrade(engine)
    fill(engine)
    first_write = threading.Event()
    backed_up = threading.Event()
    saved: list[int] = []
    failures: list[BaseException] = []

    def writer() -> None:
        """The CMO re-proposes the NPS target again and again, as the app would, until the backup
        is done and one more save has gone through after it."""
        version = 2
        try:
            while True:
                after_backup = backed_up.is_set()
                targets.propose_target(
                    engine,
                    "nps",
                    Q3,
                    target=40 + version / 10,
                    at_risk_threshold=None,
                    note=None,
                    actor=CMO,
                    expected_version=version,
                )
                version += 1
                saved.append(version)
                first_write.set()
                if after_backup:
                    return
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            first_write.set()

    thread = threading.Thread(target=writer)
    thread.start()
    first_write.wait()
    backup = tmp_path / "backup.sqlite"
    with sqlite3.connect(source, timeout=30) as live, sqlite3.connect(backup) as copy:
        live.backup(copy)  # one step: a consistent snapshot, the writer waits on SQLite's lock
    backed_up.set()
    thread.join()
    assert failures == []
    live_totals = totals(engine)
    engine.dispose()

    # Restore: the backup copied back into place under a new name, opened by the app.
    restored_path = tmp_path / "restored.sqlite"
    shutil.copyfile(backup, restored_path)
    with sqlite3.connect(restored_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    restored = db.make_engine(f"sqlite:///{restored_path}")
    db.ensure_schema(restored)  # at head already: nothing to do
    assert migrations.current_revision(restored) == "0002"
    got = totals(restored)
    # The imported data was not being written: every total as on the live database.
    assert {k: v for k, v in got.items() if not k.startswith("app_kpi_target")} == {
        k: v for k, v in live_totals.items() if not k.startswith("app_kpi_target")
    }
    # The targets as they were at one instant: between the first save and the last, each version
    # with its audit rows (a save is one transaction), and the latest readable by the app.
    versions = got["app_kpi_target_versions"]
    assert 3 <= versions < live_totals["app_kpi_target_versions"]
    with restored.connect() as conn:
        audited = conn.execute(sa.select(sa.func.count(sa.distinct(targets.target_audit.c.version)))).scalar_one()
    assert audited == versions
    assert targets.effective_target(restored, "nps", Q3).version == versions
    restored.dispose()


def _libpq_url(url: str) -> str:
    """The URL as pg_dump and psql read it (no SQLAlchemy driver name)."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_H84_postgresql_dump_and_restore_gives_the_same_totals(postgres_url, postgres_server):
    if shutil.which("pg_dump") is None or shutil.which("psql") is None:
        skip_or_fail("pg_dump and psql (PostgreSQL's client programs) are not installed")
    engine = db.make_engine(postgres_url)
    migrations.upgrade(engine)
    fill(engine)
    before, users, tables = totals(engine), entered(engine), snapshot(engine)
    engine.dispose()

    target_name = sa.make_url(postgres_url).database + "_restored"
    with postgres_server.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{target_name}"'))
    target_url = sa.make_url(postgres_url).set(database=target_name).render_as_string(hide_password=False)
    try:
        dumped = subprocess.run(
            ["pg_dump", "--no-owner", "--format=plain", _libpq_url(postgres_url)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert dumped.returncode == 0, dumped.stderr
        loaded = subprocess.run(
            ["psql", "--quiet", "-v", "ON_ERROR_STOP=1", "--single-transaction", _libpq_url(target_url)],
            input=dumped.stdout,
            capture_output=True,
            text=True,
            check=False,
        )
        assert loaded.returncode == 0, loaded.stderr
        restored = db.make_engine(target_url)
        try:
            assert migrations.current_revision(restored) == "0002"
            db.ensure_schema(restored)
            assert (totals(restored), entered(restored), snapshot(restored)) == (before, users, tables)
        finally:
            restored.dispose()
    finally:
        with postgres_server.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)'))


def test_H83_the_db_command_shows_upgrades_and_downgrades_only_when_confirmed(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"

    def run(*argv: str) -> tuple[int, str, str]:
        out = io.StringIO()
        code = main(["db", *argv, "--db", url], out=out)
        return code, out.getvalue(), capsys.readouterr().err

    assert run("current") == (
        0,
        f"{url}: no revision (no Bridgeboard tables, or made before migrations: `db upgrade` creates or adopts them)\n",
        "",
    )
    assert run("upgrade") == (0, f"{url}: no revision -> revision 0002 (the latest)\n", "")
    assert run("current") == (0, f"{url}: revision 0002 (the latest)\n", "")

    code, out, err = run("downgrade", "base")
    assert (code, out) == (2, "")
    assert "every table, with the targets, notes and audits users entered" in err and "add --yes" in err
    assert run("current")[1] == f"{url}: revision 0002 (the latest)\n"  # nothing was dropped

    code, out, err = run("upgrade", "0099")
    assert (code, err) == (
        1,
        "error: There is no revision 0099 in this version of Bridgeboard (its revisions: 0002, 0001, head, base, -1).\n",
    )

    assert run("downgrade", "base", "--yes")[:2] == (
        0,
        f"{url}: 0002 -> no revision (no Bridgeboard tables, or made before migrations: `db upgrade` creates or adopts them)\n",
    )
    engine = db.make_engine(url)
    assert snapshot(engine) == {}
    engine.dispose()

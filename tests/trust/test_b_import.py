"""Trust matrix B: import atomicity and idempotency, through `metrics.sources.load_folder` (what
the command line and the app's folder mode run) and `metrics.db.import_tables`, on the embedded
engines (PostgreSQL's own cases are in tests/db and tests/cli)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from metrics import db, schema
from metrics.access import Actor
from metrics.sources import load_folder
from metrics.validation import ReadOptions
from tests.trust.cases import TODAY, row, spend

OPTIONS = ReadOptions(today=TODAY)


@pytest.fixture(params=["duckdb", "sqlite"])
def embedded(request, tmp_path):
    suffix = "duckdb" if request.param == "duckdb" else "sqlite"
    engine = db.make_engine(f"{request.param}:///{tmp_path / f'bb.{suffix}'}")
    yield engine
    engine.dispose()


def folder_with(tmp_path: Path, data: bytes, name: str = "data") -> Path:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    (folder / "spend.csv").write_bytes(data)
    return folder


def totals(engine: sa.Engine) -> tuple[int, float]:
    with engine.connect() as conn:
        count, total = conn.execute(sa.text("select count(*), sum(amount) from spend")).one()
    return int(count), float(total or 0)


def batches(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.import_batches)).scalar_one()


@pytest.mark.slow
def test_B37_bad_value_on_the_last_of_100000_rows_writes_nothing(tmp_path):
    embedded = db.make_engine(f"duckdb:///{tmp_path / 'bb.duckdb'}")  # the import path is the same on both
    assert load_folder(
        folder_with(tmp_path, spend(row(1, amount="10"), row(2, amount="20"))), embedded, OPTIONS
    ).imported
    rows = [row(i, amount="1") for i in range(1, 100_000)] + [row(100_000, amount="TBD")]
    outcome = load_folder(folder_with(tmp_path, spend(*rows), "big"), embedded, OPTIONS)
    assert outcome.imported is None
    assert [(e["line"], e["value"]) for e in outcome.errors] == [(100_001, "TBD")]
    assert totals(embedded) == (2, 30.0) and batches(embedded) == 1
    embedded.dispose()


def test_B38_connection_lost_mid_insert_rolls_back_and_the_next_import_succeeds(embedded, tmp_path):
    folder = folder_with(tmp_path, spend(row(1, amount="10"), row(2, amount="20")))
    load_folder(folder, embedded, OPTIONS)
    new = folder_with(tmp_path, spend(row(1, amount="7")), "new")

    def connection_lost(_table: str) -> None:
        raise sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    with pytest.raises(sa.exc.OperationalError):
        load_folder(new, embedded, OPTIONS, after_table=connection_lost)
    assert totals(embedded) == (2, 30.0) and batches(embedded) == 1  # no partial batch
    assert load_folder(new, embedded, OPTIONS).imported is not None
    assert totals(embedded) == (1, 7.0)


def test_B39_reimporting_the_same_file_gives_identical_totals(embedded, tmp_path):
    folder = folder_with(tmp_path, spend(row(1, amount="10.50"), row(2, amount="20.25")))
    first = load_folder(folder, embedded, OPTIONS)
    second = load_folder(folder, embedded, OPTIONS)
    assert first.imported is not None and second.imported is not None
    assert totals(embedded) == (2, 30.75)  # replaced, not appended


def test_B40_reimporting_a_corrected_file_updates_values_and_records_the_batch(embedded, tmp_path):
    load_folder(folder_with(tmp_path, spend(row(1, amount="10"), row(2, amount="20"))), embedded, OPTIONS)
    corrected = folder_with(tmp_path, spend(row(1, amount="10"), row(2, amount="25")), "corrected")
    result = load_folder(corrected, embedded, OPTIONS, source="corrected").imported
    assert result is not None and result.batch_id == 2
    assert totals(embedded) == (2, 35.0)
    latest = db.latest_batch(embedded)
    assert latest is not None and (latest.batch_id, latest.source) == (2, "corrected")


def test_B41_overlapping_imports_are_serialised_never_mixed(embedded, tmp_path):
    first = folder_with(tmp_path, spend(row(1, amount="10"), row(2, amount="20")), "first")
    second = folder_with(tmp_path, spend(row(1, amount="1"), row(3, amount="2")), "second")
    refused: list[str] = []

    def other_user_imports(_table: str) -> None:
        # The second user's import starts while the first one is inside its transaction.
        worker = threading.Thread(target=lambda: refused.append(_try(second, embedded)))
        worker.start()
        worker.join(30)

    assert load_folder(first, embedded, OPTIONS, after_table=other_user_imports).imported is not None
    assert refused == ["Another import is running; try again in a minute. Nothing was changed."]
    assert totals(embedded) == (2, 30.0)  # the first file's, never a mix


def _try(folder: Path, engine: sa.Engine) -> str:
    try:
        load_folder(folder, engine, OPTIONS)
    except db.ImportBusy as exc:
        return str(exc)
    return "imported"


def test_B42_readers_during_a_replace_see_the_old_data(embedded, tmp_path):
    load_folder(folder_with(tmp_path, spend(row(1, amount="10"), row(2, amount="20"))), embedded, OPTIONS)
    seen: list[tuple[int, float]] = []

    def reader(_table: str) -> None:
        # A dashboard query from another session while the new rows are written, not yet committed.
        worker = threading.Thread(target=lambda: seen.append(totals(embedded)))
        worker.start()
        worker.join(30)

    new = folder_with(tmp_path, spend(row(1, amount="7")), "new")
    assert load_folder(new, embedded, OPTIONS, after_table=reader).imported is not None
    assert seen == [(2, 30.0)]  # the old data: never an empty table or "table not found"
    assert totals(embedded) == (1, 7.0)


def test_B43_sqlite_import_runs_no_ddl_inside_its_transaction_and_rolls_back(tmp_path):
    """Python 3.11's sqlite3 (legacy transaction handling) commits DDL at once even inside a
    transaction, so a staging table created there would survive a failure. The import creates
    its tables before its transaction (`ensure_schema`) and runs only DML inside it."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'bb.sqlite'}")
    load_folder(folder_with(tmp_path, spend(row(1, amount="10"))), engine, OPTIONS)
    tables_before = sorted(sa.inspect(engine).get_table_names())
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2].lstrip().upper()))

    def fail(_table: str) -> None:
        raise RuntimeError("the import failed part-way")

    with pytest.raises(RuntimeError):
        load_folder(folder_with(tmp_path, spend(row(1, amount="7")), "new"), engine, OPTIONS, after_table=fail)
    assert any(s.startswith("DELETE FROM SPEND") for s in statements)  # the import got as far as writing
    assert not [s for s in statements if s.startswith(("CREATE", "ALTER", "DROP"))]
    assert sorted(sa.inspect(engine).get_table_names()) == tables_before
    assert totals(engine) == (1, 10.0)
    engine.dispose()


def test_B44_import_by_a_viewer_is_refused_and_nothing_written(embedded, tmp_path):
    folder = folder_with(tmp_path, spend(row(1, amount="10")))
    load_folder(folder, embedded, OPTIONS)
    viewer = Actor("val.viewer@example.com", "Analyst", "viewer")
    other = folder_with(tmp_path, spend(row(1, amount="99")), "other")
    with pytest.raises(db.ImportRefused, match="Signed in as a viewer, you cannot import data"):
        load_folder(other, embedded, OPTIONS, actor=viewer)
    assert totals(embedded) == (1, 10.0) and batches(embedded) == 1

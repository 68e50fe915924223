"""Concurrent imports are serialised: while one import runs, a second one into the same database is
refused at once with "another import is running; try again in a minute" and writes nothing (it
used to fail with a raw `UniqueViolation` on `import_batches_pkey`, or mix the two files).

The first import is held open part-way (`after_table` waits) while the second one is tried, so the
two really overlap: from another thread of the same process (the app's sessions) on DuckDB,
SQLite and PostgreSQL, and from another process on PostgreSQL (the command line beside the app),
where the advisory lock is what stops it.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from metrics import db, inventory
from tests.conftest import frame

ROOT = Path(__file__).resolve().parents[2]
SECOND_PROCESS = """
import sys
from metrics import db
from tests.conftest import frame
engine = db.make_engine(sys.argv[1])
try:
    row = dict(kpi="b", name="B", unit="pts", direction="higher", owner="CIO", definition="second")
    db.import_tables(engine, {"kpis": frame("kpis", [row])}, source="second", fingerprint="second")
except db.ImportBusy as exc:
    print("BUSY:", exc)
else:
    print("IMPORTED")
"""


def _kpis(code: str) -> dict:
    row = {"kpi": code, "name": code.upper(), "unit": "points", "direction": "higher", "owner": "Joint"}
    return {"kpis": frame("kpis", [{**row, "definition": f"from import {code}"}])}


class HeldImport:
    """An import that stops inside its transaction until released."""

    def __init__(self, engine: sa.Engine) -> None:
        self.inside, self.release = threading.Event(), threading.Event()
        self.result: db.ImportResult | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(engine,))

    def _run(self, engine: sa.Engine) -> None:
        def hold(_table: str) -> None:
            self.inside.set()
            assert self.release.wait(30), "the test never released the first import"

        try:
            self.result = db.import_tables(engine, _kpis("a"), source="first", fingerprint="first", after_table=hold)
        except BaseException as exc:
            self.error = exc

    def __enter__(self) -> HeldImport:
        self.thread.start()
        assert self.inside.wait(30), "the first import never started writing"
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.thread.join(30)


def _batches(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(db.schema.import_batches.c.source).order_by("batch_id")).scalars())


def test_a_second_import_meanwhile_is_refused_in_words(engine):
    """Two sessions of the app (two threads) on every engine."""
    db.ensure_schema(engine)
    busy = pytest.raises(db.ImportBusy, match="Another import is running; try again in a minute")
    with HeldImport(engine) as first, busy:
        db.import_tables(engine, _kpis("b"), source="second", fingerprint="second")
    assert first.error is None and first.result is not None and first.result.batch_id == 1
    assert _batches(engine) == ["first"], "the refused import wrote nothing, not even a batch"
    counts = inventory.table_row_counts(engine).set_index("table")["rows"]
    assert counts["kpis"] == 1
    # Once the first has finished, trying again works: the lock is released.
    again = db.import_tables(engine, _kpis("b"), source="second", fingerprint="second")
    assert again.batch_id == 2 and _batches(engine) == ["first", "second"]


def test_import_refused_while_another_process_imports_into_postgresql(postgres_url):
    """The command line beside the app: another process, so only the database can say "busy"."""
    engine = db.make_engine(postgres_url)
    try:
        db.ensure_schema(engine)
        with HeldImport(engine):
            other = subprocess.run(
                [sys.executable, "-c", SECOND_PROCESS, postgres_url],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=ROOT,
            )
        assert "BUSY: Another import is running; try again in a minute" in other.stdout, other.stderr
        assert "UniqueViolation" not in other.stdout + other.stderr
        assert _batches(engine) == ["first"]
        # The lock is the transaction's: released at commit, so the next process imports.
        after = subprocess.run(
            [sys.executable, "-c", SECOND_PROCESS, postgres_url],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]),
        )
        assert "IMPORTED" in after.stdout, after.stderr
        assert _batches(engine) == ["first", "second"]
    finally:
        engine.dispose()


def test_a_failed_import_releases_the_lock(engine):
    db.ensure_schema(engine)

    def fail(_table: str) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        db.import_tables(engine, _kpis("a"), source="first", fingerprint="first", after_table=fail)
    assert db.import_tables(engine, _kpis("b"), source="second", fingerprint="second").batch_id == 1


def test_command_line_load_meanwhile_says_busy(postgres_url, tmp_path):
    """`python -m metrics load` while the app imports into the same PostgreSQL database: one line in
    words and exit 1, no traceback, nothing written."""
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "kpis.csv").write_bytes((ROOT / "sample_data" / "kpis.csv").read_bytes())
    engine = db.make_engine(postgres_url)
    try:
        db.ensure_schema(engine)
        with HeldImport(engine):
            run = subprocess.run(
                [sys.executable, "-m", "metrics", "load", str(folder), "--db", postgres_url],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=ROOT,
            )
        assert run.returncode == 1, run.stderr
        assert "error: Another import is running; try again in a minute. Nothing was changed." in run.stderr
        assert "Traceback" not in run.stderr
        assert _batches(engine) == ["first"]
    finally:
        engine.dispose()

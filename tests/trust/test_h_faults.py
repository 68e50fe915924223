"""Trust matrix, section H (fault injection): the faults Bridgeboard meets, each reproduced.

H81, the embedded file: the CSV folder changes but its DuckDB file cannot take the rebuild (the disk
is full, the file or its folder is read-only, another process holds the file). The previous
complete import stays shown, under a banner naming the cause in words and the fix; once the cause
is gone the next check loads the folder. The faults are real where the machine allows it (a small
tmpfs that fills up, a read-only bind mount: tests run as root, and chmod does not stop root; a
second process holding DuckDB's lock); where mounting is not allowed the error is injected where
the rebuild writes.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import data
from app.navigation import CUSTOMER_EXPERIENCE, DATA, QUARTERLY_REVIEW, REQUEST_TURNAROUND, TECH_SPEND
from metrics import db, sources
from metrics.settings import SAMPLE_DIR, SettingsError, settings_from_env
from metrics.validation import ReadOptions
from tests.app import conftest as app_fixtures
from tests.app.conftest import open_page
from tests.app.test_faults import Outage

apptest = pytest.mark.apptest
sample_env = app_fixtures.sample_env  # the app's fixture: its embedded file in a temporary folder


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def _mounted(*args: str, at: Path) -> Iterator[bool]:
    """Mount (a tmpfs, a bind) at `at` when the machine allows it; yields whether it did."""
    at.mkdir(parents=True, exist_ok=True)
    ok = _mount(*args, str(at))
    try:
        yield ok
    finally:
        if ok:
            subprocess.run(["umount", "-l", str(at)], check=False)


@pytest.fixture
def folder(tmp_path, monkeypatch, sample_env) -> Path:
    """A copy of the sample that the app is configured to load (into a file each test places)."""
    path = tmp_path / "csv"
    shutil.copytree(SAMPLE_DIR, path)
    monkeypatch.setenv("BRIDGEBOARD_DATA_DIR", str(path))
    return path


def _change(folder: Path) -> None:
    """New files in the folder: every tenth spend line gone, so every quarter's totals change."""
    lines = (folder / "spend.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "spend.csv").write_text(lines[0] + "".join(lines[i] for i in range(1, len(lines)) if i % 10), "utf-8")


def _figures(at) -> list[str]:
    return [f"{m.label}={m.value}" for m in at.metric]


def _no_error_box(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error], "no error box"


def _banner(at) -> str:
    return " ".join(w.value for w in at.warning)


def _shown_then_fault(embedded: Path, monkeypatch) -> list[str]:
    """The app loads the folder into `embedded` and shows its figures; the app's connections then
    end (as after a restart), so the fault meets a file the app does not hold open."""
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(embedded))
    at = open_page(TECH_SPEND.path)
    _no_error_box(at)
    assert at.metric and not at.warning
    data.engine_for(f"duckdb:///{embedded}").dispose()
    return _figures(at)


def _previous_data_shown(before: list[str], cause: str, fix: str) -> None:
    at = open_page(TECH_SPEND.path)
    _no_error_box(at)
    assert _figures(at) == before, "the previous complete data stays shown"
    banner = _banner(at)
    assert f"could not be updated from the CSV folder: {cause}." in banner, banner
    assert fix in banner and "The figures shown are still the data imported" in banner
    page = open_page(DATA.path)
    _no_error_box(page)
    assert cause in _banner(page)
    assert not page.success, "no all-clear for files that were not loaded"


def _loaded_again(before: list[str]) -> None:
    data.forget_source()  # what the retry after a minute (REBUILD_RETRY_S) does
    at = open_page(TECH_SPEND.path)
    _no_error_box(at)
    assert not at.warning, _banner(at)
    assert _figures(at) != before, "the folder's new files are shown"


@apptest
def test_H81_disk_full_rebuild_keeps_the_previous_data(folder, tmp_path, monkeypatch):
    with _mounted("-t", "tmpfs", "-o", "size=12m", "tmpfs", at=tmp_path / "small-disk") as mounted:
        embedded = tmp_path / "small-disk" / "bridgeboard.duckdb"
        before = _shown_then_fault(embedded, monkeypatch)
        filler = embedded.parent / "filler"
        if mounted:  # the disk really fills up: DuckDB's write of the import fails
            with filler.open("wb") as fh, contextlib.suppress(OSError):
                while True:
                    fh.write(bytes(1 << 16))
                    fh.flush()
        else:
            monkeypatch.setattr(db, "import_tables", _raises(OSError(errno.ENOSPC, "No space left on device")))
        _change(folder)
        _previous_data_shown(before, "the disk is full", "Free space on the disk")
        filler.unlink(missing_ok=True)  # space is freed
        monkeypatch.setattr(db, "import_tables", _IMPORT_TABLES)
        _loaded_again(before)
        data.engine_for(f"duckdb:///{embedded}").dispose()  # before the disk is unmounted


@apptest
def test_H81_read_only_file_keeps_the_previous_data(folder, tmp_path, monkeypatch):
    writable = tmp_path / "writable"
    before = _shown_then_fault(writable / "bridgeboard.duckdb", monkeypatch)
    _change(folder)
    view = tmp_path / "read-only-view"
    with _mounted("--bind", str(writable), at=view) as mounted:
        if mounted and _mount("-o", "remount,ro,bind", str(view)):
            # The same file seen through a read-only mount: DuckDB cannot open it for writing.
            monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(view / "bridgeboard.duckdb"))
        else:
            monkeypatch.setattr(sources, "ensure_embedded", _raises(OSError(errno.EROFS, "Read-only file system")))
        _previous_data_shown(before, "the file is read-only", "writable by the user that runs Bridgeboard")
        # The read-only open holds a shared lock on the file: closed before the writable path is used.
        data.engine_for(f"duckdb:///{view / 'bridgeboard.duckdb'}?access_mode=read_only").dispose()
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(writable / "bridgeboard.duckdb"))
    monkeypatch.setattr(sources, "ensure_embedded", _ENSURE_EMBEDDED)
    _loaded_again(before)


@apptest
def test_H81_file_held_by_another_process_keeps_the_previous_data(folder, tmp_path, monkeypatch):
    embedded = tmp_path / "held" / "bridgeboard.duckdb"
    before = _shown_then_fault(embedded, monkeypatch)
    _change(folder)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.read()",
            str(embedded),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        _previous_data_shown(before, "another process holds the file", "Close the other program")
    finally:
        holder.communicate("")  # the other process ends and lets the file go
    _loaded_again(before)


_ENSURE_EMBEDDED, _IMPORT_TABLES = sources.ensure_embedded, db.import_tables


def _raises(exc: BaseException):
    def fail(*args, **kwargs):
        raise exc

    return fail


def test_H81_the_cause_in_words_from_each_error():
    """The words come from the error's number or, for DuckDB (text only), from its message."""
    assert sources.rebuild_fault(OSError(errno.ENOSPC, "x")) is sources.DISK_FULL
    assert sources.rebuild_fault(OSError(errno.EROFS, "x")) is sources.READ_ONLY
    assert sources.rebuild_fault(PermissionError(errno.EACCES, "x")) is sources.READ_ONLY
    duck_lock = RuntimeError('IO Error: Could not set lock on file "/x.duckdb": Conflicting lock is held in …')
    assert sources.rebuild_fault(duck_lock) is sources.LOCKED
    wrapped = RuntimeError("Failed to commit")
    wrapped.__cause__ = RuntimeError('Could not write file "/x.duckdb.wal": No space left on device')
    assert sources.rebuild_fault(wrapped) is sources.DISK_FULL
    other = sources.rebuild_fault(ValueError("odd"))
    assert other.cause == "an unexpected error (ValueError)" and "log" in other.fix


# --- H78-H80: a query too slow, no free connection, a database locked by a writer ------------------


@pytest.fixture
def sample_in(sample_env, monkeypatch):
    """Loads the sample into a database URL and points the app at it."""

    def load(url: str) -> str:
        engine = db.make_engine(url)
        assert sources.load_folder(SAMPLE_DIR, engine, ReadOptions(), fiscal_start_month=1).imported
        engine.dispose()
        monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", url)
        return url

    return load


def _says(at, words: str) -> bool:
    return any(words in w.value for w in at.warning)


def _usable_again() -> None:
    """The same session's next page shows the figures: nothing restarted, no cache cleared by hand."""
    at = open_page(TECH_SPEND.path)
    _no_error_box(at)
    assert at.metric and not at.warning, _banner(at)


@apptest
def test_H78_statement_timeout_message(postgres_url, sample_in, monkeypatch):
    url = sample_in(postgres_url)
    monkeypatch.setenv("BRIDGEBOARD_STATEMENT_TIMEOUT_S", "1.5")
    blocker = sa.create_engine(url)
    with blocker.connect() as conn:
        # Another session holds the spend table: every query of it waits, until the server cancels it.
        conn.execute(sa.text("LOCK TABLE spend IN ACCESS EXCLUSIVE MODE"))
        at = open_page(TECH_SPEND.path)
        _no_error_box(at)
        assert _says(at, "The database took too long to answer (over 1.5 seconds), so the query was stopped."), _banner(
            at
        )
        assert _says(at, "BRIDGEBOARD_STATEMENT_TIMEOUT_S") and not at.metric
        conn.rollback()
    blocker.dispose()
    _usable_again()


def test_H78_the_timeout_reaches_postgresql_and_the_command_line_has_none(postgres_url, monkeypatch):
    monkeypatch.setenv("BRIDGEBOARD_STATEMENT_TIMEOUT_S", "2.5")
    app_engine = data.engine_for(postgres_url)
    with app_engine.connect() as conn:
        assert conn.execute(sa.text("SHOW statement_timeout")).scalar() == "2500ms"
    app_engine.dispose()
    cli_engine = db.make_engine(postgres_url)  # imports from the command line are never cut short
    with cli_engine.connect() as conn:
        assert conn.execute(sa.text("SHOW statement_timeout")).scalar() == "0"
    cli_engine.dispose()


@pytest.mark.parametrize("value", ["soon", "-1"])
def test_H78_a_wrong_timeout_setting_is_said_in_words(value):
    with pytest.raises(SettingsError, match="BRIDGEBOARD_STATEMENT_TIMEOUT_S must be a number of seconds"):
        settings_from_env({"BRIDGEBOARD_STATEMENT_TIMEOUT_S": value})
    assert settings_from_env({}).statement_timeout_s == 60


@apptest
def test_H79_pool_exhaustion_message(postgres_url, sample_in, monkeypatch):
    url = sample_in(postgres_url)
    monkeypatch.setattr(db, "POOL_TIMEOUT_S", 1)
    engine = data.engine_for(url)
    held = [engine.connect() for _ in range(engine.pool.size() + engine.pool._max_overflow)]  # type: ignore[attr-defined]
    try:
        at = open_page(TECH_SPEND.path)
        _no_error_box(at)
        assert _says(at, "The database is busy: every connection stayed in use for 1 seconds"), _banner(at)
        assert not at.metric
    finally:
        for conn in held:
            conn.close()
    _usable_again()


@apptest
def test_H80_sqlite_database_is_locked_message(tmp_path, sample_in, monkeypatch):
    path = tmp_path / "board.sqlite"
    sample_in(f"sqlite:///{path}")
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_S", 0.1)
    writer = sqlite3.connect(path)
    writer.execute("BEGIN EXCLUSIVE")  # another program writing: no one else may read until it ends
    try:
        at = open_page(TECH_SPEND.path)
        _no_error_box(at)
        assert _says(at, "The database is locked by another program writing to it"), _banner(at)
        assert _says(at, "after several tries") and not at.metric
    finally:
        writer.rollback()
        writer.close()
    _usable_again()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_H80_a_locked_read_is_tried_again_before_the_message(monkeypatch):
    """The guard tries a locked read again after each back-off, and answers once the lock is gone."""
    monkeypatch.setattr(data, "LOCKED_RETRIES_S", (0, 0, 0))
    calls: list[int] = []

    @data.guarded
    def read() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise sa.exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))
        return "figures"

    assert read() == "figures" and len(calls) == 3


# --- H76-H77: the database goes away while the app is open, then returns ----------------------------


@apptest
def test_H77_every_page_says_unavailable_then_recovers(postgres_url, postgres_server, sample_in):
    """Every page, the Quarterly review and the Data page included, before and after the status
    cache notices: the "unavailable" words, never Streamlit's error box; the Data page no all-clear."""
    url = sample_in(postgres_url)
    outage = Outage(postgres_server, sa.make_url(url).database or "")
    pages = (None, TECH_SPEND.path, CUSTOMER_EXPERIENCE.path, REQUEST_TURNAROUND.path, QUARTERLY_REVIEW.path)
    for page in pages:  # their first results cached while the database is up
        _no_error_box(open_page(page))
    outage.start()
    try:
        for _ in ("before the status notices", "after"):
            for page in (*pages, DATA.path):
                at = open_page(page)
                _no_error_box(at)
                assert _says(at, "The database is unavailable"), (page, _banner(at))
                assert not at.success, "no all-clear during an outage"
    finally:
        outage.end()
    data.forget_source()  # what the status cache's minute does
    _usable_again()
    review = open_page(QUARTERLY_REVIEW.path)
    _no_error_box(review)
    assert not _says(review, "unavailable")

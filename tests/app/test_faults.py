"""Faults on a page: the database goes away while the app is open.

The source status is cached for a minute, so the first page run after the database has gone still
believes it is there, and meets the outage in a query. Either way (before or after the status
cache notices) the page says in words that the database is unavailable: never Streamlit's error
box (with its "Ask Google" links), never a traceback. The Data page gives no all-clear it could
not check, and the pages recover by themselves when the database is back.

The database is a real PostgreSQL one, renamed away under the running app (connections killed
first), then renamed back.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import data
from app.navigation import CUSTOMER_EXPERIENCE, DATA, REQUEST_TURNAROUND, TECH_SPEND
from metrics import db, sources
from metrics.settings import SAMPLE_DIR
from metrics.validation import ReadOptions
from tests.app.conftest import open_page

UNAVAILABLE = "The database is unavailable"


@pytest.fixture
def loaded_postgres(postgres_url, postgres_server, monkeypatch, sample_env):
    """The sample in a fresh PostgreSQL database that the app is configured to use."""
    engine = db.make_engine(postgres_url)
    outcome = sources.load_folder(SAMPLE_DIR, engine, ReadOptions(), fiscal_start_month=1)
    assert outcome.imported is not None
    engine.dispose()
    monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", postgres_url)
    name = sa.make_url(postgres_url).database
    outage = Outage(postgres_server, name)
    yield outage
    outage.end()


class Outage:
    def __init__(self, admin: sa.Engine, name: str) -> None:
        self.admin, self.name, self.gone = admin, name, False

    def start(self) -> None:
        """The database disappears: its connections are killed and it is renamed away."""
        with self.admin.connect() as c:
            c.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": self.name},
            )
            c.execute(sa.text(f'ALTER DATABASE "{self.name}" RENAME TO "{self.name}_gone"'))
        self.gone = True

    def end(self) -> None:
        if self.gone:
            with self.admin.connect() as c:
                c.execute(sa.text(f'ALTER DATABASE "{self.name}_gone" RENAME TO "{self.name}"'))
            self.gone = False


def _says_unavailable(at) -> bool:
    return any(UNAVAILABLE in w.value for w in at.warning)


def _no_error_box(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_database_lost_mid_session_gives_the_unavailable_page(loaded_postgres):
    # All pages show data while the database is up (and their first results get cached).
    overview = open_page(None)
    _no_error_box(overview)
    assert overview.metric and not _says_unavailable(overview)

    loaded_postgres.start()
    # Before the status cache notices: the status still says "available"; the pages meet the
    # outage in their own queries (the Overview's targets version is read on every run, the
    # other pages' figures are not cached yet).
    for script in (None, TECH_SPEND.path, CUSTOMER_EXPERIENCE.path, REQUEST_TURNAROUND.path):
        at = open_page(script)
        _no_error_box(at)
        assert _says_unavailable(at), (script, [w.value for w in at.warning])
        to_data = [link.proto for link in at.get("page_link") if link.proto.label.startswith("Open the Data page")]
        assert to_data and to_data[0].page == DATA.url_path, "the way to the Data page is offered"

    # After the status cache notices (the guard dropped it, as its minute would): the shell's check
    # finds the outage before any query, and the page stops there, in the same words.
    at = open_page(TECH_SPEND.path)
    _no_error_box(at)
    assert _says_unavailable(at)
    assert not at.metric, "no figure drawn from nothing"

    # The Data page: no all-clear it could not check.
    data_page = open_page(DATA.path)
    _no_error_box(data_page)
    assert not data_page.success, [s.value for s in data_page.success]
    assert any(UNAVAILABLE in w.value for w in data_page.warning)
    assert any("cannot be read while the data source is unavailable" in i.value for i in data_page.info)

    # Back: the pages recover by themselves, nothing restarted.
    loaded_postgres.end()
    data.forget_source()  # what the status cache's minute would do
    back = open_page(TECH_SPEND.path)
    _no_error_box(back)
    assert back.metric and not _says_unavailable(back)


def test_an_upload_during_another_import_is_refused_in_words(tmp_path):
    """The Data page's import while another import holds the lock: the words, nothing written."""
    from app.uploads import import_uploaded
    from metrics.validation import validate_files

    url = f"duckdb:///{tmp_path / 'busy.duckdb'}"
    engine = data.engine_for(url)
    db.ensure_schema(engine)
    files = {"kpis.csv": (SAMPLE_DIR / "kpis.csv").read_bytes()}
    report = validate_files(files, ReadOptions())
    with db._process_import_lock(engine):  # another session's import, part-way
        outcome = import_uploaded(url, report, files)
    assert (
        not outcome.ok and outcome.message == "Another import is running; try again in a minute. Nothing was changed."
    )
    assert db.latest_batch(engine) is None
    assert import_uploaded(url, report, files).ok, "once the other import is done, the same upload goes in"


def test_embedded_file_made_unreadable_gives_the_unavailable_page(tmp_path, monkeypatch, sample_env):
    """A DuckDB database file that can no longer be read (overwritten with other bytes, as a
    failing disk or a bad copy leaves it) while the app runs."""
    path = tmp_path / "board.duckdb"
    url = f"duckdb:///{path}"
    engine = db.make_engine(url)
    assert sources.load_folder(SAMPLE_DIR, engine, ReadOptions(), fiscal_start_month=1).imported
    engine.dispose()
    monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", url)
    at = open_page(TECH_SPEND.path)
    _no_error_box(at)
    assert at.metric and not _says_unavailable(at)

    data.engine_for(url).dispose()  # the app's open connections end (as after a restart of the pool)
    path.write_bytes(b"not a database " * 1000)
    for script in (None, CUSTOMER_EXPERIENCE.path, REQUEST_TURNAROUND.path, DATA.path):
        at = open_page(script)
        _no_error_box(at)
        assert _says_unavailable(at), (script, [w.value for w in at.warning])
        assert not at.success, "no all-clear"

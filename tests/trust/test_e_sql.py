"""Trust matrix E: SQL, database roles and secrets. Queries are SQLAlchemy Core with bound
parameters; engines come from `metrics.db.make_engine` (parameters hidden, passwords masked).
The read-only role (E59) is tests/trust/test_e59_read_only_role.py."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from cli import main
from metrics import db, spend, turnaround
from metrics.access import sign_in_configured
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.settings import read_secrets, settings_from_env
from metrics.sources import load_folder
from metrics.spend import LineSelection
from metrics.turnaround.queries import filter_option_stmt
from metrics.validation import ReadOptions
from tests.app.conftest import open_page
from tests.trust.cases import TODAY, lines, row
from tests.trust.cases import spend as spend_csv

HOSTILE = ["' OR 1=1 --", "1; DROP TABLE spend", "IT\u2019 OR \u20181\u2019=\u20181", "Robert'); DROP TABLE spend;--"]
PASSWORD = "S3cret-Pa55word"


@pytest.fixture
def loaded(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "spend.csv").write_bytes(spend_csv(row(1), row(2, vendor='"Robert\'); DROP TABLE spend;--"')))
    (folder / "requests.csv").write_bytes(
        lines("request_id,title,requested_at,priority,type,requested_by", "MKT-1,Form,2026-02-02,High,Data,Brand")
    )
    engine = db.make_engine(f"duckdb:///{tmp_path / 'bb.duckdb'}")
    assert load_folder(folder, engine, ReadOptions(today=TODAY)).imported is not None
    yield engine
    engine.dispose()


def test_E57_hostile_filter_values_match_literally_and_tables_stay(loaded):
    cal, q1 = FiscalCalendar(1), FiscalQuarter(2026, 1)
    for value in HOSTILE:
        selection = LineSelection(value, value, "acme", (value,), 0.0, 0)
        assert spend.load_lines(loaded, cal, q1, selection).empty
        hostile = turnaround.RequestFilter(types=(value,), priorities=(value,), teams=(value,))
        assert turnaround.request_counts(loaded, hostile).total == 0
    # The vendor literally named like an injection is found by its exact name, and only it.
    named = LineSelection("IT", "CRM", "robert", ("Robert'); DROP TABLE spend;--",), 5.0, 1)
    assert spend.load_lines(loaded, cal, q1, named)["invoice_id"].tolist() == ["INV-2"]
    with loaded.connect() as conn:
        assert conn.execute(sa.text("select count(*) from spend")).scalar() == 2
        assert conn.execute(sa.text("select count(*) from requests")).scalar() == 1
    assert turnaround.request_counts(loaded).total == 1


def test_E58_a_column_not_in_the_allow_list_is_refused_before_sql():
    assert str(filter_option_stmt("teams").compile()).startswith("SELECT DISTINCT requests.requested_by")
    for key in ("spend; DROP TABLE spend", "pg_sleep(10)", "requested_by"):
        with pytest.raises(KeyError):
            filter_option_stmt(key)  # only "types", "priorities" and "teams" name a column


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://bridgeboard:{PASSWORD}@127.0.0.1:1/bridgeboard",  # nothing listens on port 1
        f"postgresql+psycopg://bridgeboard:{PASSWORD}@127.0.0.1:notaport/bridgeboard",  # malformed
        f"nosuchdb://bridgeboard:{PASSWORD}@host/db",
    ],
    ids=["unreachable", "malformed port", "unknown dialect"],
)
def test_E60_bad_database_url_never_shows_the_password(url, tmp_path, capsys, caplog):
    (tmp_path / "spend.csv").write_bytes(spend_csv(row()))
    caplog.set_level(logging.DEBUG)
    code = main(["load", str(tmp_path), "--db", url])
    out = capsys.readouterr()
    assert code != 0
    assert "Traceback" not in out.out + out.err
    assert PASSWORD not in out.out + out.err + caplog.text
    assert db.redact_url(url).count(PASSWORD) == 0


def test_E61_sql_errors_log_no_parameter_values(tmp_path, caplog):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'bb.sqlite'}", echo=True)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    with pytest.raises(sa.exc.OperationalError) as failed, engine.connect() as conn:
        conn.execute(sa.text("insert into no_such_table values (:secret)"), {"secret": "TOPSECRET-42"})
    engine.dispose()
    assert "no such table" in str(failed.value)
    assert "TOPSECRET-42" not in str(failed.value) and "TOPSECRET-42" not in caplog.text
    assert "hidden due to hide_parameters" in caplog.text + str(failed.value)


def test_E62_without_secrets_toml_nothing_insecure_is_assumed(tmp_path):
    assert read_secrets([tmp_path / "absent" / "secrets.toml"]) == {}
    settings = settings_from_env({}, {})
    assert settings.database_url is None and not settings.require_sign_in  # the CSV folder, one local user
    assert not sign_in_configured({})
    required = settings_from_env({"BRIDGEBOARD_REQUIRE_SIGN_IN": "1"}, {})
    assert required.require_sign_in  # ... and with sign-in required, no fallback: the app refuses (below)


@pytest.mark.apptest
def test_E62_required_sign_in_without_secrets_refuses_in_words(sample_env, monkeypatch):
    monkeypatch.setenv("BRIDGEBOARD_REQUIRE_SIGN_IN", "1")
    at = open_page(None, secrets={})
    assert not at.exception
    assert "This deployment requires sign-in, and sign-in is not configured." in at.error[0].value
    assert not at.metric and not at.dataframe

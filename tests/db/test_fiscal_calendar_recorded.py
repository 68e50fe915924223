"""Budgets and targets are stored by fiscal-quarter label, so they keep the fiscal calendar they
were imported under: a later change of BRIDGEBOARD_FISCAL_START_MONTH stops with a clear message
(what changed, what to do either way) instead of re-labelling them silently."""

from __future__ import annotations

import io
import shutil

import pytest

from cli import main
from metrics import db, sources
from metrics.settings import SAMPLE_DIR, Settings


def _load(engine, folder=SAMPLE_DIR, start=1):
    outcome = sources.load_folder(folder, engine, sources.read_options(Settings()), fiscal_start_month=start)
    assert outcome.report.ok
    return outcome


def test_the_import_records_the_calendar_of_budgets_and_targets(engine):
    _load(engine, start=1)
    assert db.recorded_calendars(engine) == {"budget": 1, "kpi_targets": 1}
    assert db.calendar_mismatch(engine, 1) is None


def test_a_changed_start_month_stops_with_what_to_do(engine):
    _load(engine, start=1)
    message = db.calendar_mismatch(engine, 7)
    assert message.startswith("budget.csv and kpi_targets.csv were imported with the fiscal year starting in January")
    assert "BRIDGEBOARD_FISCAL_START_MONTH is now 7 (July)" in message
    assert "import budget.csv and kpi_targets.csv again under it" in message
    assert message.endswith("set BRIDGEBOARD_FISCAL_START_MONTH back to 1.")


def test_re_importing_under_the_new_start_confirms_it_table_by_table(engine, tmp_path):
    _load(engine, start=1)
    budget_only = tmp_path / "budget-only"
    budget_only.mkdir()
    shutil.copy(SAMPLE_DIR / "budget.csv", budget_only / "budget.csv")
    _load(engine, budget_only, start=7)
    assert db.recorded_calendars(engine) == {"budget": 7, "kpi_targets": 1}
    message = db.calendar_mismatch(engine, 7)
    assert message.startswith("kpi_targets.csv was imported with the fiscal year starting in January")


def test_tables_without_quarter_labels_record_nothing(engine, tmp_path):
    spend_only = tmp_path / "spend-only"
    spend_only.mkdir()
    shutil.copy(SAMPLE_DIR / "spend.csv", spend_only / "spend.csv")
    _load(engine, spend_only, start=1)
    assert db.recorded_calendars(engine) == {}
    assert db.calendar_mismatch(engine, 10) is None, "spend is dated: any calendar reads it right"


@pytest.mark.parametrize("backend_url", ["duckdb"], indirect=True)
def test_summary_refuses_a_changed_calendar_with_the_message(backend_url, engine, monkeypatch, capsys):
    _load(engine, start=1)
    monkeypatch.setenv("BRIDGEBOARD_FISCAL_START_MONTH", "4")
    assert main(["summary", "--db", backend_url], out=io.StringIO()) == 1
    err = capsys.readouterr().err
    assert "BRIDGEBOARD_FISCAL_START_MONTH is now 4 (April)" in err and "Traceback" not in err

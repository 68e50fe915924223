"""The Data page after `python -m metrics import jira|focus`: the import batch's findings are
listed (the agile dataset's 1,662 issues resolved before they were created among them), and the
"Import from another system" section is offered."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import data
from metrics.importers import focus, jira
from tests.app.conftest import open_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "real-data"
JIRA_CSV = FIXTURES / "agile-project-dataset" / "jira.csv"
FOCUS_CSV = FIXTURES / "focus-1.0" / "focus_sample.csv"
PAGE = "pages/9_Data.py"


@pytest.mark.skipif(not JIRA_CSV.is_file(), reason="real Jira export not available")
def test_agile_exclusions_are_shown_as_warnings(tmp_path, monkeypatch, sample_env):
    url = f"duckdb:///{tmp_path / 'jira.duckdb'}"
    jira.load(JIRA_CSV, url)
    monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", url)
    at = open_page(PAGE)
    assert not at.exception
    assert not any("no errors and no warnings" in s.value for s in at.success)
    table = at.dataframe[1].value  # the validation report (after the row counts)
    before = table[table["problem"].str.contains("resolved before it was created", regex=False)]
    assert (before["severity"] == "warning").all()
    listed = before["line"].notna().sum()
    more = before["problem"].str.extract(r"and ([\d,]+) more rows")[0].dropna().str.replace(",", "").astype(int).sum()
    assert listed + more == 1662
    assert any("0 errors · 22 warnings" in c.value for c in at.caption)
    assert at.radio(key="byod_system").options == ["Jira issues → requests", "FOCUS cloud billing → spend"]


def test_focus_import_shows_its_report(tmp_path, monkeypatch, sample_env):
    url = f"duckdb:///{tmp_path / 'focus.duckdb'}"
    focus.load(FOCUS_CSV, url, focus.FocusOptions(default_department="IT"))
    monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", url)
    at = open_page(PAGE)
    assert not at.exception
    assert any("Import batch 1" in c.value for c in at.caption)


@pytest.mark.skipif(not JIRA_CSV.is_file(), reason="real Jira export not available")
def test_in_csv_folder_mode_the_report_keeps_the_folders_and_the_jira_imports_findings(
    sample_env, tmp_path, monkeypatch
):
    path = tmp_path / "own.duckdb"
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(path))
    assert not open_page(PAGE).exception  # the sample folder is loaded into this test's database
    jira.load(JIRA_CSV, f"duckdb:///{path}")  # then the requests come from Jira instead
    data.forget_source()  # as the Data page's own import does
    at = open_page(PAGE)
    assert not at.exception
    report = at.dataframe[1].value
    assert report["problem"].str.contains("resolved before it was created", regex=False).any(), "Jira's"
    assert (report["file"] == "spend.csv").any(), "the folder's spend warnings, spend still comes from it"
    # requests.csv's own warnings are gone with its rows: the Jira import replaced them.
    assert not (report["file"] == "requests.csv").any()

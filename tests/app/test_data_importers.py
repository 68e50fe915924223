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


def _spend_lines(path: Path) -> tuple[int, float]:
    import sqlalchemy as sa

    from metrics import db

    engine = db.make_engine(f"duckdb:///{path}")
    try:
        with engine.connect() as conn:
            count, total = conn.execute(
                sa.text("SELECT COUNT(*), SUM(amount) FROM spend WHERE invoice_id LIKE 'FOCUS-%'")
            ).one()
    finally:
        engine.dispose()
    return int(count), round(float(total or 0), 2)


def test_a_focus_bill_uploaded_on_the_data_page_is_checked_then_imported(sample_env, tmp_path, monkeypatch):
    path = tmp_path / "own.duckdb"
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(path))
    at = open_page(PAGE)
    at.radio(key="byod_system").set_value("FOCUS cloud billing → spend").run()
    at.file_uploader(key="byod_file_focus").set_value((FOCUS_CSV.name, FOCUS_CSV.read_bytes(), "text/csv")).run()
    assert not at.exception
    # No department for the bill's lines yet: refused, with the values to map listed.
    assert any("nothing can be imported" in e.value for e in at.error)
    assert _spend_lines(path) == (0, 0.0)
    at.selectbox(key="byod_department").set_value("IT").run()
    assert any("Ready to import" in s.value for s in at.success)
    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception
    expected = focus.read_focus(FOCUS_CSV.read_bytes(), FOCUS_CSV.name, focus.FocusOptions(default_department="IT"))
    assert _spend_lines(path) == (len(expected.spend), round(float(expected.spend["amount"].sum()), 2))
    assert any("Imported spend" in s.value for s in at.success)


@pytest.mark.skipif(not JIRA_CSV.is_file(), reason="real Jira export not available")
def test_a_jira_export_uploaded_on_the_data_page_replaces_the_requests(sample_env, tmp_path, monkeypatch):
    path = tmp_path / "own.duckdb"
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(path))
    at = open_page(PAGE)
    at.file_uploader(key="byod_file_jira").set_value((JIRA_CSV.name, JIRA_CSV.read_bytes(), "text/csv")).run()
    assert not at.exception and any("Ready to import" in s.value for s in at.success)
    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception
    import sqlalchemy as sa

    from metrics import db

    engine = db.make_engine(f"duckdb:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM requests")).scalar() == 4123
    finally:
        engine.dispose()
    # The report now holds the Jira import's exclusions.
    at = open_page(PAGE)
    report = at.dataframe[1].value
    assert report["problem"].str.contains("resolved before it was created", regex=False).any()

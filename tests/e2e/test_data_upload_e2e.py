"""Uploading CSV files on the Data page in a real browser: check, preview, import or refuse."""

from pathlib import Path

import pytest

from devtools.browser import upload, wait_for_app

pytestmark = pytest.mark.e2e
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def _upload(page, app_server, files):
    page.goto(f"{app_server}/Data")
    wait_for_app(page)
    upload(page, "CSV files", files)


def test_bad_file_is_refused_with_line_and_fix(page, app_server, tmp_path):
    bad = tmp_path / "budget.csv"
    bad.write_text("fiscal_year,quarter,department,category,amount\n2026,Q5,IT,CRM,1000\n2026,Q1,Finance,CRM,x\n")
    _upload(page, app_server, [str(bad)])
    main = page.locator("[data-testid='stMain']")
    assert "errors: nothing can be imported" in main.inner_text()
    assert page.get_by_role("button", name="Import").count() == 0
    assert "Preview: budget (2 rows)" in main.inner_text()  # still previewed, so the user sees what was read
    assert page.locator("[data-testid='stException']").count() == 0


def test_good_file_is_previewed_then_imported(page, app_server):
    _upload(page, app_server, [str(SAMPLE / "kpis.csv")])
    main = page.locator("[data-testid='stMain']")
    assert "Ready to import" in main.inner_text()
    assert "Preview: kpis (10 rows)" in main.inner_text()
    page.get_by_role("button", name="Import 1 table(s)").click()
    page.get_by_text("Imported kpis (10 rows) as batch").first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    # Only kpis was replaced: the other six tables are still there and still counted.
    page.goto(f"{app_server}/Data")
    wait_for_app(page)
    assert "in 7 tables" in page.locator("[data-testid='stSidebar']").inner_text()

"""A new user's first run in a real browser: the app starts on an empty CSV folder and a fresh
embedded database, the pages say what to load, and uploading spend, budget and vendors on the Data
page fills the Tech spend page."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.browser import serve_app, upload, wait_for_app

pytestmark = pytest.mark.e2e
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture
def empty_app(tmp_path, browser_type_launch_args):  # the launch args skip when Chromium is absent
    folder = tmp_path / "csv"
    folder.mkdir()
    env = {
        "BRIDGEBOARD_DATA_DIR": str(folder),
        "BRIDGEBOARD_EMBEDDED_DB": str(tmp_path / "fresh.duckdb"),
        "BRIDGEBOARD_DATABASE_URL": None,
    }
    with open(tmp_path / "streamlit.log", "w") as log, serve_app(env, log) as url:
        yield url


def test_upload_spend_budget_and_vendors_into_an_empty_database(page, empty_app):
    page.goto(f"{empty_app}/Tech_spend")
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    assert "No data for this page yet" in main.inner_text() and "spend.csv" in main.inner_text()
    assert page.locator("[data-testid='stException']").count() == 0

    page.get_by_role("link", name="Open the Data page to upload files").click()
    wait_for_app(page)
    upload(page, "CSV files", [str(SAMPLE / f"{t}.csv") for t in ("spend", "budget", "vendors")])
    assert "Ready to import" in main.inner_text()
    page.get_by_role("button", name="Import 3 table(s)").click()
    page.get_by_text("Imported spend (20,000 rows)").first.wait_for(timeout=60_000)

    page.goto(f"{empty_app}/Tech_spend")
    wait_for_app(page)
    text = main.inner_text()
    assert "No data for this page yet" not in text
    assert "FY2026 Q3" in text  # the latest quarter with spend
    assert page.locator("[data-testid='stMetric']").count() >= 3
    assert page.locator(".js-plotly-plot").count() >= 1
    assert page.locator("[data-testid='stException']").count() == 0

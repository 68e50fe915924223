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


@pytest.fixture
def new_postgres_app(tmp_path, postgres_url, browser_type_launch_args):
    """The app configured with a brand-new, empty PostgreSQL database (no tables yet)."""
    env = {
        "BRIDGEBOARD_DATA_DIR": str(tmp_path / "unused"),
        "BRIDGEBOARD_EMBEDDED_DB": str(tmp_path / "unused.duckdb"),
        "BRIDGEBOARD_DATABASE_URL": postgres_url,
    }
    with open(tmp_path / "streamlit.log", "w") as log, serve_app(env, log) as url:
        yield url


def test_a_whole_folder_uploaded_into_a_new_postgresql_database(page, new_postgres_app, tmp_path):
    folder = tmp_path / "export" / "2026-q3"
    folder.mkdir(parents=True)
    for table in ("spend", "budget", "vendors", "kpis", "kpi_targets", "kpi_actuals", "requests"):
        (folder / f"{table}.csv").write_bytes((SAMPLE / f"{table}.csv").read_bytes())
    (folder / "notes.csv").write_text("who,what\nCFO,check Q3\n")  # not a table: left out, said so

    page.goto(f"{new_postgres_app}/Data")
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    assert "the database is empty" in main.inner_text()
    page.locator("[data-testid='stMain'] button").filter(has_text="A whole folder").click()
    wait_for_app(page)
    upload(page, "A folder of CSV files", str(folder))
    text = main.inner_text()
    assert "Left out, not table files: notes.csv" in text
    assert "7 files, 0 errors" in text and "Ready to import" in text
    page.get_by_role("button", name="Import 7 table(s)").click()
    page.get_by_text("Imported spend (20,000 rows)").first.wait_for(timeout=90_000)

    page.goto(new_postgres_app)
    wait_for_app(page)
    assert "FY2026 Q3" in main.inner_text()
    assert page.locator("[data-testid='stMetric']").count() >= 5
    assert page.locator("[data-testid='stException']").count() == 0

"""Bring your own data under AppTest: every page on an empty embedded database says what to load
and links to the Data page; the Data page imports some of the tables into it; a folder with errors
puts a banner at the top of every page naming the folder, the errors and the data still shown."""

from __future__ import annotations

import shutil

import pytest

from app.navigation import (
    CUSTOMER_EXPERIENCE,
    DATA,
    OVERVIEW,
    PAGES,
    QUARTERLY_REVIEW,
    REQUEST_TURNAROUND,
    TECH_SPEND,
)
from metrics import db
from metrics.settings import SAMPLE_DIR
from tests.app.conftest import open_page

# What each page's message must name: the files it needs.
NEEDED = {
    OVERVIEW.path: ["spend.csv", "kpis.csv", "requests.csv"],
    TECH_SPEND.path: ["spend.csv", "budget.csv", "vendors.csv"],
    CUSTOMER_EXPERIENCE.path: ["kpis.csv", "kpi_targets.csv", "kpi_actuals.csv"],
    REQUEST_TURNAROUND.path: ["requests.csv"],
    QUARTERLY_REVIEW.path: ["spend.csv", "kpis.csv", "requests.csv"],  # like the Overview: any one table
}


@pytest.fixture
def empty_env(tmp_path, monkeypatch, sample_env):
    """An empty CSV folder and a fresh embedded database file: a new user's first run."""
    folder = tmp_path / "csv"
    folder.mkdir()
    monkeypatch.setenv("BRIDGEBOARD_DATA_DIR", str(folder))
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(tmp_path / "fresh.duckdb"))
    return folder


def links_to_data(at) -> bool:
    return any(link.proto.page == DATA.url_path for link in at.get("page_link") if link.proto.label.startswith("Open"))


def open_script(script: str):
    return open_page(None if script == OVERVIEW.path else script)


@pytest.mark.parametrize("script", [p.path for p in PAGES], ids=[p.label for p in PAGES])
def test_every_page_on_an_empty_database_says_what_to_load(empty_env, script):
    at = open_script(script)
    assert not at.exception
    assert not at.error, "an empty database is not an error"
    if script == DATA.path:
        counts = at.dataframe[0].value
        assert set(counts["Rows"]) == {0} and set(counts["Source"]) == {"not loaded"}
        assert at.get("file_uploader"), "the Data page imports into the empty database"
        assert not any("no database to import into" in w.value for w in at.warning)
        return
    message = " ".join(i.value for i in at.info)
    assert all(name in message for name in NEEDED[script]), message
    assert links_to_data(at)
    assert not at.get("plotly_chart") and not at.metric, "no empty charts or figures"


def test_upload_some_tables_into_an_empty_database(empty_env):
    at = open_page(DATA.path)
    at.file_uploader(key="data_upload").set_value(
        [(f"{t}.csv", (SAMPLE_DIR / f"{t}.csv").read_bytes(), "text/csv") for t in ("spend", "budget", "vendors")]
    ).run()
    assert not at.exception
    at.button(key="data_import").click().run()
    assert not at.exception
    assert any("Imported spend (20,000 rows)" in s.value for s in at.success)

    spend_page = open_page(TECH_SPEND.path)
    assert not spend_page.exception and not spend_page.info
    assert {m.label for m in spend_page.metric} >= {"Technology spend", "Marketing share"}
    # The other pages say what they still lack; the Overview shows what exists.
    kpi_page = open_page(CUSTOMER_EXPERIENCE.path)
    assert "kpis.csv" in " ".join(i.value for i in kpi_page.info)
    overview = open_page(None)
    shown = {m.label: m.value for m in overview.metric}
    assert shown["Total technology spend"] != "no data" and shown["KPIs on target"] == "no data"
    data = open_page(DATA.path)
    counts = data.dataframe[0].value.set_index("Table")
    assert counts.loc["spend", "Rows"] == 20_000 and counts.loc["kpis", "Rows"] == 0
    assert counts.loc["spend", "Source"].startswith("upload: ") and counts.loc["kpis", "Source"] == "not loaded"


def test_a_spend_only_folder_loads_from_the_data_page(empty_env):
    for table in ("spend", "budget", "vendors"):
        shutil.copy(SAMPLE_DIR / f"{table}.csv", empty_env / f"{table}.csv")
    data = open_page(DATA.path)
    assert not data.exception and not data.error
    counts = data.dataframe[0].value.set_index("Table")
    assert counts.loc["spend", "Rows"] == 20_000 and counts.loc["spend", "Source"] == str(empty_env)
    assert counts.loc["requests", "Rows"] == 0
    turnaround = open_page(REQUEST_TURNAROUND.path)
    assert not turnaround.exception and "requests.csv" in " ".join(i.value for i in turnaround.info)


def test_a_folder_with_errors_puts_a_banner_at_the_top_of_every_page(empty_env, tmp_path):
    for table in ("spend", "budget", "vendors"):
        shutil.copy(SAMPLE_DIR / f"{table}.csv", empty_env / f"{table}.csv")
    assert not open_page(None).exception  # loads the good folder
    engine = db.make_engine(f"duckdb:///{tmp_path / 'fresh.duckdb'}")
    try:
        batch = db.latest_batch(engine)
    finally:
        engine.dispose()
    assert batch is not None

    # The next export has a bad amount on line 3.
    lines = (empty_env / "spend.csv").read_text().splitlines()
    cells = lines[2].split(",")
    cells[4] = "twelve"
    lines[2] = ",".join(cells)
    (empty_env / "spend.csv").write_text("\n".join(lines) + "\n")

    for script in (OVERVIEW.path, TECH_SPEND.path, DATA.path):
        at = open_script(script)
        assert not at.exception
        banner = at.main.children[0]
        assert banner.type == "error", "the banner comes first"
        text = banner.value.replace("\\", "")
        # The folder by its name: the server's path is for the Data page's Source only.
        assert f"CSV folder '{empty_env.name}' has 1 error," in text and str(empty_env) not in text
        assert f"imported {batch.imported_at:%Y-%m-%d %H:%M} UTC from CSV folder '{empty_env.name}'" in text
        assert any(link.proto.page == DATA.url_path for link in at.get("page_link") if "errors" in link.proto.label)
    # The previous data is still shown, and the Data page lists the error.
    assert open_page(TECH_SPEND.path).metric
    report = open_page(DATA.path).dataframe[1].value
    assert list(report.loc[report["severity"] == "error", "line"]) == [3]


def test_a_new_postgresql_database_is_a_first_run(postgres_url, monkeypatch, sample_env):
    monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", postgres_url)
    for script in (OVERVIEW.path, TECH_SPEND.path, REQUEST_TURNAROUND.path):
        at = open_script(script)
        assert not at.exception and not at.error and not at.warning
        assert links_to_data(at)
    data = open_page(DATA.path)
    assert not data.exception and not data.warning, "the Data page imports into the new database"
    assert set(data.dataframe[0].value["Rows"]) == {0}
    data.file_uploader(key="data_upload").set_value(
        [("requests.csv", (SAMPLE_DIR / "requests.csv").read_bytes(), "text/csv")]
    ).run()
    data.button(key="data_import").click().run()
    assert any("Imported requests" in s.value for s in data.success)
    turnaround = open_page(REQUEST_TURNAROUND.path)
    assert not turnaround.exception and not turnaround.info and turnaround.metric

"""The app shell under AppTest: every page runs, filters persist, the Data page reports."""

import pytest

from app.navigation import PAGES
from metrics import spend
from metrics.db import make_engine
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.formatting import money
from tests.app.conftest import open_page


# `script`, not `page`: pytest-playwright owns a fixture called `page`.
@pytest.mark.parametrize("script", [p.path for p in PAGES], ids=[p.label for p in PAGES])
def test_every_page_runs_without_exception(app, script):
    at = app(script)
    assert not at.exception
    assert at.title, "page has a title"
    assert at.sidebar.selectbox(key="bb_quarter").value is not None


def test_overview_total_matches_query(app, sample_env):
    at = app(None, query={"quarter": "FY2026 Q2"})
    assert at.sidebar.selectbox(key="bb_quarter").value == FiscalQuarter(2026, 2)
    engine = make_engine(f"duckdb:///{sample_env}")
    try:
        by_q = spend.spend_by_quarter(engine, FiscalCalendar(1), FiscalQuarter(2026, 2), FiscalQuarter(2026, 2))
    finally:
        engine.dispose()
    total = by_q["spend"].sum()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Total technology spend"] == money(total)
    assert shown["Marketing spend"] == money(by_q.loc[by_q.department == "Marketing", "spend"].sum())


def test_department_filter_narrows_figures(app):
    at = app(None, query={"quarter": "FY2026 Q2"})
    all_total = {m.label: m.value for m in at.metric}["Total technology spend"]
    at.sidebar.multiselect(key="bb_departments").select("IT").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Total technology spend"] == shown["IT spend"] != all_total


def test_quarter_persists_when_switching_page(app):
    at = app(None, query={"quarter": "FY2025 Q3"})
    at.switch_page("pages/9_Data.py").run()
    assert at.sidebar.selectbox(key="bb_quarter").value == FiscalQuarter(2025, 3)


def test_hostile_query_params_are_ignored(app):
    at = app(None, query={"quarter": "<script>alert(1)</script>", "department": "IT' OR 1=1 --"})
    assert not at.exception
    assert at.sidebar.multiselect(key="bb_departments").value == []


def test_data_page_shows_report_and_counts(app):
    at = app("pages/9_Data.py")
    assert not at.exception
    counts = at.dataframe[0].value
    assert set(counts["Table"]) == {
        "spend",
        "budget",
        "vendors",
        "kpis",
        "kpi_targets",
        "kpi_actuals",
        "requests",
        "fx_rates",
    }
    # Every table of the sample has rows; the sample is all in dollars, so it has no exchange rates.
    assert (counts.set_index("Table")["Rows"].drop("fx_rates") > 0).all()
    assert counts.set_index("Table").loc["fx_rates", "Rows"] == 0
    report = at.dataframe[1].value
    # The planted data-quality defects of the sample are reported as warnings, not errors.
    assert set(report["severity"]) == {"warning"}
    assert report["file"].str.contains("spend.csv").any()


def test_folder_with_errors_shows_a_message_not_a_traceback(tmp_path, monkeypatch, sample_env):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "spend.csv").write_text("date,department,vendor,category,amount\n2026-01-01,Finance,X,CRM,abc\n")
    monkeypatch.setenv("BRIDGEBOARD_DATA_DIR", str(bad))
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(tmp_path / "e.duckdb"))
    at = open_page(None)
    assert not at.exception
    # Nothing was ever imported: the banner says so, and the page says what to load.
    assert any("has 2 errors" in e.value and "Nothing has been imported yet" in e.value for e in at.error)
    assert any("The database is empty" in i.value for i in at.info)
    data = open_page("pages/9_Data.py")
    assert not data.exception
    report = data.dataframe[1].value
    assert "error" in set(report["severity"])
    # A folder may bring any subset of the tables: only the bad file is reported, no "missing" files.
    assert set(report["file"]) == {"spend.csv"}


def test_database_down_shows_a_clear_page(monkeypatch, sample_env):
    monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", "postgresql+psycopg://nobody:secret-pw@127.0.0.1:1/nowhere")
    at = open_page(None)
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    assert "unavailable" in text
    sidebar_text = " ".join(t.value for t in at.sidebar.text)
    assert "secret-pw" not in sidebar_text and "PostgreSQL database" in sidebar_text


def test_charts_are_drawn_with_no_text_under_14_px_and_18_in_presentation_mode(sample_env):
    """Every chart of a page sets its text sizes on the figure (Streamlit's chart theme would put
    12 px ticks in place of the template's): at least 14 px on screen, 18 in presentation mode."""
    import json

    def sizes(at) -> list[float]:
        specs = [json.loads(c.proto.spec)["layout"] for c in at.get("plotly_chart")]
        assert specs
        found = []
        for layout in specs:
            found.append(layout["font"]["size"])
            found.append(layout["legend"]["font"]["size"])
            for name, axis in layout.items():
                if name[1:5] == "axis" and name[0] in "xy":
                    found += [axis["tickfont"]["size"], axis["title"]["font"]["size"]]
        return found

    for query, smallest in (({}, 14), ({"present": "1"}, 18)):
        at = open_page("pages/3_Request_turnaround.py", query=query)
        assert not at.exception
        assert min(sizes(at)) >= smallest
        assert min(sizes(at)) == smallest, "the floor is the one set, not more"

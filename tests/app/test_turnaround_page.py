"""The Request turnaround page under AppTest: it renders on the sample data, every figure shown equals
the metric computed directly, the page's filters change the figures, and the real Jira export is shown
with its defect reported."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.text import plain
from metrics import db, review, sources
from metrics import turnaround as ta
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.formatting import share
from metrics.importers import jira
from metrics.settings import settings_from_env
from metrics.targets import Actor
from tests.app.conftest import open_page

PAGE = "pages/3_Request_turnaround.py"
JIRA_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "real-data" / "agile-project-dataset" / "jira.csv"
CALENDAR = FiscalCalendar(1)


def _expected(url: str, quarter: FiscalQuarter, filters: ta.RequestFilter = ta.ALL_REQUESTS) -> dict:
    """What the metric row must show, computed with the metrics functions on the same database."""
    engine = db.make_engine(url)
    try:
        t = ta.quarter_turnaround(ta.lead_time_by_quarter(engine, CALENDAR, filters=filters), quarter)
        backlog = ta.backlog_ageing(engine, CALENDAR, quarter, date.today(), filters)
        counts = ta.request_counts(engine, filters)
    finally:
        engine.dispose()
    return {
        "headline": ta.lead_time_headline(t),
        "counts": counts,
        "metrics": {
            "85% delivered within": ta.days_label(t.within_days),
            "Median lead time": ta.days_label(t.p50),
            "Delivered": f"{t.delivered:,}",
            "SLA breach rate": share(t.breach_rate),
            ("Open today" if backlog.is_today else "Open at quarter end"): f"{backlog.open:,}",
        },
    }


# The quarter is seeded in the session: AppTest's first run after switch_page shows the default
# quarter when it comes from a query parameter (a second run picks it up).


def _shown(at) -> dict:
    return {m.label: m.value for m in at.metric}


def _headline(at) -> str:
    return at.subheader[0].value


def test_page_renders_every_chart_with_a_sentence(app):
    at = app(PAGE, session={"bb_quarter": FiscalQuarter(2026, 3)})
    assert not at.exception
    assert at.title[0].value == "Request turnaround"
    charts = at.get("plotly_chart")
    assert len(charts) == 8
    specs = [json.loads(c.proto.spec) for c in charts]
    assert all(s["data"] for s in specs), "no empty chart on the sample data"
    # Only aggregated or capped data reaches the browser.
    assert all(len(trace.get("x") or trace.get("y") or []) <= ta.MAX_POINTS for s in specs for trace in s["data"])
    sentences = [m.value for m in at.markdown]
    assert sum(s.startswith("In FY2026 Q3") for s in sentences) >= 5
    assert any("Each dot is a request delivered from FY2025 Q4 to FY2026 Q3" in s.replace("\\", "") for s in sentences)


def test_figures_equal_the_metrics(app, sample_env):
    at = app(PAGE, session={"bb_quarter": FiscalQuarter(2026, 3)})
    expected = _expected(f"duckdb:///{sample_env}", FiscalQuarter(2026, 3))
    assert _headline(at) == expected["headline"]
    assert _shown(at) == expected["metrics"]
    # The defect planted in the sample is reported with its count, not averaged in.
    note = at.warning[0].value.replace("\\", "")
    n = expected["counts"].delivered_before_requested
    assert n > 0 and note.startswith(f"{n:,} of {expected['counts'].delivered:,} delivered requests")


def test_priority_filter_changes_the_figures(app, sample_env):
    at = app(PAGE, session={"bb_quarter": FiscalQuarter(2026, 3)})
    before = _shown(at)
    at.multiselect(key="rt_priorities").select("High").run()
    assert not at.exception
    expected = _expected(f"duckdb:///{sample_env}", FiscalQuarter(2026, 3), ta.RequestFilter(priorities=("High",)))
    assert _shown(at) == expected["metrics"] != before
    assert _headline(at) == expected["headline"]
    breakdown = at.dataframe[0].value
    assert breakdown.iloc[:, 0].tolist() == ["High"]


def test_type_and_team_filters_combine(app, sample_env):
    at = app(PAGE, session={"bb_quarter": FiscalQuarter(2026, 2)})
    at.multiselect(key="rt_types").select("Website").run()
    # Chosen in reverse order: the figures do not depend on the order of selection.
    at.multiselect(key="rt_teams").select("Product marketing").select("Digital").run()
    assert not at.exception
    filters = ta.RequestFilter(types=("Website",), teams=("Digital", "Product marketing"))
    assert _shown(at) == _expected(f"duckdb:///{sample_env}", FiscalQuarter(2026, 2), filters)["metrics"]


def test_sidebar_quarter_drives_the_page(app, sample_env):
    at = app(PAGE, session={"bb_quarter": FiscalQuarter(2025, 2)})
    assert _shown(at) == _expected(f"duckdb:///{sample_env}", FiscalQuarter(2025, 2))["metrics"]
    assert any("FY2025 Q2" in m.value for m in at.markdown)


@pytest.fixture
def jira_only_url(tmp_path, monkeypatch, sample_env):
    """A database holding only the Jira export (as `python -m metrics import jira ... --db URL` leaves it)."""
    url = f"duckdb:///{tmp_path / 'jira.duckdb'}"
    jira.load(JIRA_CSV, url)
    monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", url)
    return url


@pytest.mark.skipif(not JIRA_CSV.is_file(), reason="real Jira export not available")
def test_jira_export_on_the_page(jira_only_url):
    at = open_page(PAGE)
    assert not at.exception
    # No spend: the sidebar's quarters come from the request dates (newest first) and it opens on
    # the latest quarter in which requests were raised, FY2018 Q1 (122 deliveries).
    picker = at.sidebar.selectbox(key="bb_quarter")
    assert picker.options[0] == "FY2018 Q1" and picker.options[-1] == "FY2012 Q2"
    assert picker.value == FiscalQuarter(2018, 1)
    note = at.warning[0].value.replace("\\", "")
    assert note.startswith(
        "1,662 of 4,123 delivered requests (40%) are recorded as delivered before they were requested"
    )
    expected = _expected(jira_only_url, FiscalQuarter(2018, 1))
    assert _shown(at) == expected["metrics"]
    assert _headline(at) == expected["headline"] == "85% of requests delivered within 13 days"
    picker.set_value(FiscalQuarter(2017, 4)).run()
    assert not at.exception
    assert _shown(at) == _expected(jira_only_url, FiscalQuarter(2017, 4))["metrics"]
    # The export has no stage timestamps: the page says who they waited on is unknown.
    assert any("has stage timestamps" in m.value.replace("\\", "") for m in at.markdown)
    # The team filter splits the two Jira projects.
    at.multiselect(key="rt_teams").select("Project 1").run()
    assert (
        _shown(at)
        == _expected(jira_only_url, FiscalQuarter(2017, 4), ta.RequestFilter(teams=("Project 1",)))["metrics"]
    )


@pytest.mark.skipif(not JIRA_CSV.is_file(), reason="real Jira export not available")
def test_jira_requests_in_the_embedded_database(tmp_path, monkeypatch, sample_env):
    """The sample database with its requests table replaced by the Jira mapping (db.import_tables)."""
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(tmp_path / "embedded.duckdb"))
    settings = settings_from_env()
    sources.ensure_embedded(settings)  # the sample, as the app would load it
    engine = sources.embedded_engine(settings)
    try:
        db.import_tables(
            engine, {"requests": jira.read_agile_dataset(JIRA_CSV).requests}, source="jira", fingerprint="jira"
        )
    finally:
        engine.dispose()
    at = open_page(PAGE, session={"bb_quarter": FiscalQuarter(2026, 3)})
    assert not at.exception
    assert _headline(at) == "No requests delivered in FY2026 Q3"
    assert any("delivered from FY2012 Q2 to FY2019 Q3" in c.value for c in at.caption)
    note = at.warning[0].value.replace("\\", "")
    assert note.startswith("1,662 of 4,123 delivered requests (40%)") and "none of them in FY2026 Q3" in note
    assert {m.label: m.value for m in at.metric}["85% delivered within"] == "no data"


@pytest.fixture
def private_db(sample_env, tmp_path, monkeypatch):
    """The sample data in an embedded database of this test's own, for tests that record actions."""
    path = tmp_path / "bridgeboard.duckdb"
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(path))
    return path


def _action_lines(at) -> list[str]:
    try:
        return [c.value for c in at.get_by_key("rt_actions").caption]
    except KeyError:  # no open action: no block
        return []


def test_open_actions_about_request_types_show_on_the_page(app, private_db):
    at = app(PAGE)
    assert not at.exception and _action_lines(at) == []
    engine = db.make_engine(f"duckdb:///{private_db}")
    try:
        first, second = review.subject_options(engine)["request_type"][:2]
        quarter, cmo = at.selectbox(key="bb_quarter").value, Actor("CMO", "CMO")
        overdue = date.today() - timedelta(days=5)

        def record(text, subject, due, status="open"):
            return review.save_action(
                engine, None, kind="action", text=text, owner="CMO", due_on=due, status=status,
                subject_kind="request_type", subject=subject, raised=quarter, actor=cmo,
            )  # fmt: skip

        record("Agree a template for these requests", first, overdue)
        record("Staff the queue", second, date(2031, 3, 1))
        record("Already done", first, overdue, status="done")
    finally:
        engine.dispose()
    at.run()
    assert not at.exception
    block = at.get_by_key("rt_actions")
    assert "2 open actions · 1 overdue" in " ".join(m.value for m in block.markdown)
    assert _action_lines(at) == [
        plain(f"{first}: Agree a template for these requests · CMO · due {overdue:%d %b %Y} · overdue"),
        plain(f"{second}: Staff the queue · CMO · due 01 Mar 2031"),
    ]  # overdue first; the done one is not shown
    # The Type filter narrows them to the types chosen.
    at.multiselect(key="rt_types").set_value([second]).run()
    assert _action_lines(at) == [plain(f"{second}: Staff the queue · CMO · due 01 Mar 2031")]

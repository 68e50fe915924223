"""The Tech spend page under AppTest, on the sample data: every headline figure equals the metric
computed directly on the same database, the quarter and department filters change them, each
chart has its sentence, the drill-down reaches the invoice lines, no chart ships ledger lines, and
the review's open actions about vendors and budget lines show on the page (done ones do not)."""

import json
from datetime import date, timedelta

import pytest

from app.text import plain
from metrics import db, review, spend
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.formatting import money, points, share
from metrics.targets import Actor

PAGE = "pages/1_Tech_spend.py"
CALENDAR = FiscalCalendar(1)
NEWEST = FiscalQuarter(2026, 3)


def _expected(url: str, q: FiscalQuarter, departments: tuple[str, ...] = ()) -> dict:
    """The headline row as a user must see it, from the metrics functions."""
    engine = db.make_engine(url)
    try:
        by_quarter = spend.spend_by_quarter(engine, CALENDAR, departments=departments or None)
        split_all = spend.quarterly_split(spend.spend_by_quarter(engine, CALENDAR))
        directory = spend.load_vendor_directory(engine)
        period = spend.load_period(engine, CALENDAR, q, departments, directory)
        budget = spend.budget_by_line(engine, q.fiscal_year, departments or None)
        trend = spend.load_shadow_trend(engine, CALENDAR, directory, departments)
    finally:
        engine.dispose()
    headline = spend.spend_split(by_quarter, q)
    ms = spend.marketing_share(split_all, q)
    variance = spend.budget_variance(period, budget, q)
    overlap = spend.vendor_overlap(period, q, departments)
    shadow = spend.shadow_it(period, trend, q, departments)
    shown = {
        "Technology spend": money(headline.total),
        "Marketing share": share(ms.share),
        "Against budget": (
            f"{money(abs(variance.variance))} {'over' if variance.variance > 0 else 'under'}"
            if variance.budget is not None
            else "no budget"
        ),
        "At stake in vendor overlap": money(overlap.total_at_stake) if overlap.in_scope else "not in scope",
        "Shadow IT": money(shadow.amount)
        if shadow
        else "no data"
        if spend.shadow_in_scope(departments)
        else "not in scope",
    }
    return {
        "metrics": shown,
        "split": headline,
        "share": ms,
        "variance": variance,
        "overlap": overlap,
        "shadow": shadow,
        "period": period,
    }


def _shown(at) -> dict:
    return {m.label: m.value for m in at.metric if m.label != "Unmapped spend"}


def _sentences(at) -> list[str]:
    return [m.value.replace("\\", "") for m in at.markdown]


def test_page_shows_the_metrics_of_the_newest_quarter(app, sample_env):
    at = app(PAGE)
    assert not at.exception
    assert at.title[0].value == "Tech spend"
    assert at.selectbox(key="bb_quarter").value == NEWEST
    assert "FY2026 Q3 (01 Jul 2026 – 30 Sep 2026)" in at.caption[0].value  # the fiscal period, named
    expected = _expected(f"duckdb:///{sample_env}", NEWEST)
    assert _shown(at) == expected["metrics"]
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["Marketing share"] == f"{points(expected['share'].delta)} vs FY2026 Q2"
    assert deltas["Against budget"].endswith(expected["variance"].verdict)
    # One computed sentence above each chart: the same sentences the metrics produce.
    sentences = _sentences(at)
    for sentence in (
        expected["share"].sentence(),
        expected["variance"].sentence(),
        expected["overlap"].sentence(),
        expected["shadow"].sentence(),
    ):
        assert sentence in sentences
    # The sample's story: Marketing overtakes IT in FY2026 Q3, and the chart says so.
    # The claim carries its proof: the two amounts, precise enough to show the order.
    assert "Its technology spend ($6.05M) overtook IT's ($5.99M) this quarter." in expected["share"].sentence()
    split_chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert any(a.get("text") == "Marketing overtakes IT" for a in split_chart["layout"]["annotations"])


def test_changing_quarter_and_departments_changes_the_figures(app, sample_env):
    at = app(PAGE)
    before = _shown(at)
    at.selectbox(key="bb_quarter").select(FiscalQuarter(2025, 2)).run()
    assert not at.exception
    expected = _expected(f"duckdb:///{sample_env}", FiscalQuarter(2025, 2))
    assert _shown(at) == expected["metrics"] != before
    assert "FY2025 Q2" in at.caption[0].value

    at.multiselect(key="bb_departments").set_value(["Marketing", "Joint"]).run()
    assert not at.exception
    scoped = _expected(f"duckdb:///{sample_env}", FiscalQuarter(2025, 2), ("Marketing", "Joint"))
    shown = _shown(at)
    assert shown == scoped["metrics"]
    # The total is Marketing + Joint only; the share stays Marketing's share of all departments.
    assert scoped["split"].total == pytest.approx(
        scoped["split"].by_department["Marketing"] + scoped["split"].by_department["Joint"]
    )
    assert shown["Marketing share"] == expected["metrics"]["Marketing share"]
    # Overlap needs IT in scope, and the page says so instead of showing $0.
    assert shown["At stake in vendor overlap"] == "not in scope"
    assert any("include both in the department filter" in s for s in _sentences(at))


def test_it_only_has_no_shadow_it(app, sample_env):
    at = app(PAGE)
    at.selectbox(key="bb_quarter").select(FiscalQuarter(2026, 1))
    at.multiselect(key="bb_departments").set_value(["IT"]).run()
    assert not at.exception
    shown = _shown(at)
    expected = _expected(f"duckdb:///{sample_env}", FiscalQuarter(2026, 1), ("IT",))
    assert shown == expected["metrics"]
    assert shown["Shadow IT"] == "not in scope"


def test_drill_down_to_invoice_lines(app, sample_env):
    at = app(PAGE)
    expected = _expected(f"duckdb:///{sample_env}", NEWEST)
    period = expected["period"]
    assert at.selectbox(key="spend_drill_department").options == list(spend.drill_down(period, NEWEST).rows["name"])
    at.selectbox(key="spend_drill_department").select("Marketing").run()
    assert at.selectbox(key="spend_drill_category").options == list(
        spend.drill_down(period, NEWEST, "Marketing").rows["name"]
    )
    at.selectbox(key="spend_drill_category").select("CRM").run()
    at.selectbox(key="spend_drill_vendor").select("Salesforce").run()
    assert not at.exception
    selection = spend.line_selection(period, "Marketing", "CRM", "Salesforce")
    lines = at.dataframe[-1].value
    assert len(lines) == min(selection.lines, spend.LINE_CAP)
    assert set(lines["vendor"]) <= set(selection.spellings)
    assert lines["amount"].sum() == pytest.approx(selection.spend)  # the lines add up to the number
    assert any(c.value.replace("\\", "") == selection.caption(len(lines)) for c in at.caption)
    assert [b.label for b in at.main.download_button] == ["Download CSV", "Download Excel"]
    # Changing the department clears the category and vendor below it.
    at.selectbox(key="spend_drill_department").select("IT").run()
    assert at.selectbox(key="spend_drill_category").value is None
    assert at.selectbox(key="spend_drill_vendor").value is None


def test_charts_ship_only_aggregated_rows(app):
    at = app(PAGE)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(specs) == 8  # split, budget, heat map, landing, shadow trend and vendors, mix, drill-down
    assert all(s["data"] for s in specs), "no empty chart on the sample data"
    for s in specs:
        for trace in s["data"]:
            points_sent = len(trace.get("x") or trace.get("y") or trace.get("z") or [])
            assert points_sent <= 100  # quarters, departments, categories or vendors: never ledger lines


@pytest.fixture
def private_db(sample_env, tmp_path, monkeypatch):
    """The sample data in an embedded database of this test's own, for tests that record actions."""
    path = tmp_path / "bridgeboard.duckdb"
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(path))
    return path


def _captions(at, key: str) -> list[str]:
    try:
        return [c.value for c in at.get_by_key(key).caption]
    except KeyError:  # no open action: no block
        return []


def test_open_actions_about_vendors_and_budget_lines_show_on_the_page(app, private_db):
    at = app(PAGE)
    assert not at.exception
    assert _captions(at, "ts_actions_vendors") == _captions(at, "ts_actions_budget") == []
    engine = db.make_engine(f"duckdb:///{private_db}")
    try:
        options = review.subject_options(engine)
        vendor, line = options["vendor"][0], next(b for b in options["budget_line"] if b.startswith("Marketing / "))
        quarter, cio = at.selectbox(key="bb_quarter").value, Actor("CIO", "CIO")
        overdue = date.today() - timedelta(days=2)

        def record(text, kind, subject, due, status="open"):
            return review.save_action(
                engine, None, kind="action", text=text, owner="Joint", due_on=due, status=status,
                subject_kind=kind, subject=subject, raised=quarter, actor=cio,
            )  # fmt: skip

        record("Consolidate the two contracts", "vendor", vendor, overdue)
        record("Already renegotiated", "vendor", vendor, overdue, status="done")
        record("Re-plan the martech budget", "budget_line", line, date(2031, 1, 15))
    finally:
        engine.dispose()
    at.run()
    assert not at.exception
    vendors = at.get_by_key("ts_actions_vendors")
    assert "1 open action · 1 overdue" in " ".join(m.value for m in vendors.markdown)
    assert _captions(at, "ts_actions_vendors") == [
        plain(f"{vendor}: Consolidate the two contracts · Joint · due {overdue:%d %b %Y} · overdue")
    ]  # the done one is not shown
    assert _captions(at, "ts_actions_budget") == [
        plain(f"{line}: Re-plan the martech budget · Joint · due 15 Jan 2031")
    ]
    # Budget lines follow the department filter; vendors are masked when masking is on.
    at.multiselect(key="bb_departments").set_value(["IT"]).run()
    assert _captions(at, "ts_actions_budget") == []
    masked = app(PAGE, query={"mask": "1"})
    shown = " ".join(_captions(masked, "ts_actions_vendors"))
    assert "Consolidate the two contracts" in shown and plain(vendor) not in shown

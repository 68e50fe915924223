"""A closed quarter, then corrected files for every table it keeps lines of: one spend line changed,
one removed and one added, a budget line changed, a KPI observation changed and a request's delivery
moved. Each page's restated figures, the changed lines and `summary`'s "restated" key are checked
against an independent calculation from the CSV files (pandas, Decimal, numpy), on DuckDB, SQLite
and PostgreSQL (`engine` fixture)."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli import main
from metrics import review, sources
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.headline import load_headline
from metrics.settings import SAMPLE_DIR, Settings
from metrics.summary import data_as_of, summary_figures
from metrics.targets import Actor

Q3 = FiscalQuarter(2026, 3)
CAL = FiscalCalendar(1)
TODAY = date(2026, 11, 23)
CFO = Actor("CFO", "CFO")
CHANGED_INVOICE, REMOVED_INVOICE = "INV-0017375", "INV-0017376"  # Microsoft +1,234.56; Atlassian gone
ADDED = "2026-08-20,IT,Snowflake,Data platform,120400.00,INV-CORR-1,,,,,USD,Late invoice\n"
MOVED_REQUEST = "MKT-1649"  # delivered two days later


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, folder: Path, name: str) -> None:
    frame.to_csv(folder / f"{name}.csv", index=False)


def corrected_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "corrected"
    shutil.copytree(SAMPLE_DIR, folder)
    spend = _read(folder, "spend")
    row = spend["invoice_id"] == CHANGED_INVOICE
    spend.loc[row, "amount"] = f"{Decimal(spend.loc[row, 'amount'].iloc[0]) + Decimal('1234.56'):.2f}"
    _write(spend[spend["invoice_id"] != REMOVED_INVOICE], folder, "spend")
    with (folder / "spend.csv").open("a") as f:
        f.write(ADDED)
    budget = _read(folder, "budget")
    row = (budget["fiscal_year"] == "2026") & (budget["quarter"] == "Q3") & (budget["category"] == "Data platform")
    row &= budget["department"] == "IT"
    budget.loc[row, "amount"] = f"{Decimal(budget.loc[row, 'amount'].iloc[0]) + Decimal('10000'):.2f}"
    _write(budget, folder, "budget")
    actuals = _read(folder, "kpi_actuals")
    row = (actuals["kpi"] == "conversion") & (actuals["date"] >= "2026-07-01") & (actuals["date"] < "2026-10-01")
    first = actuals.index[row][0]
    actuals.loc[first, "value"] = f"{Decimal(actuals.loc[first, 'value']) + Decimal('0.3')}"
    _write(actuals, folder, "kpi_actuals")
    requests = _read(folder, "requests")
    row = requests["request_id"] == MOVED_REQUEST
    moved = pd.Timestamp(requests.loc[row, "delivered_at"].iloc[0]) + pd.Timedelta(days=2)
    requests.loc[row, "delivered_at"] = f"{moved:%Y-%m-%d %H:%M}"
    _write(requests, folder, "requests")
    return folder


@pytest.fixture
def restated(engine, tmp_path):
    """The sample imported, FY2026 Q3 closed by the CFO, the corrected folder imported."""
    options = sources.read_options(Settings())
    assert sources.load_folder(SAMPLE_DIR, engine, options).imported
    # The review as the meeting left it: commentary and a decision and an action.
    review.save_note(engine, Q3, "page", "tech_spend", "CFO", "Within plan.", actor=CFO, expected_version=0)
    review.save_note(
        engine, Q3, "kpi", "conversion", "CMO", "Checkout fix.", actor=Actor("CMO", "CMO"), expected_version=0
    )
    review.save_action(
        engine, None, kind="decision", text="Keep one CRM", owner="Joint", due_on=None, raised=Q3, actor=CFO
    )
    review.save_action(
        engine,
        None,
        kind="action",
        text="Renegotiate seats",
        owner="CFO",
        due_on=date(2026, 12, 1),
        raised=Q3,
        actor=CFO,
    )
    review.close_quarter(engine, CAL, Q3, actor=CFO, expected_version=0, today=TODAY, now=datetime(2026, 10, 14, 9))
    folder = corrected_folder(tmp_path)
    assert sources.load_folder(folder, engine, options).imported
    current = summary_figures(load_headline(engine, CAL, Q3, (), TODAY), data_as_of(engine))
    found = review.load_restated(engine, CAL, Q3, current, TODAY)
    assert found is not None
    return found, folder


def _q3(frame: pd.DataFrame, column: str = "date") -> pd.DataFrame:
    return frame[(frame[column] >= "2026-07-01") & (frame[column] < "2026-10-01")]


def spend_by_line(folder: Path) -> dict[str, Decimal]:
    q3 = _q3(_read(folder, "spend"))
    return {
        f"{d} spend on {c}": sum((Decimal(a) for a in g["amount"]), Decimal(0))
        for (d, c), g in q3.groupby(["department", "category"])
    }


def test_tech_spend_restates_each_changed_line_of_spend_and_budget_to_the_cent(restated):
    found, folder = restated
    then, now = spend_by_line(SAMPLE_DIR), spend_by_line(folder)
    expected = {k: (then.get(k), now.get(k)) for k in set(then) | set(now) if then.get(k) != now.get(k)}
    expected["IT budget for Data platform"] = None  # checked below
    shown = {r.figure: r for r in found.on_page("tech_spend") if " on " in r.figure or " for " in r.figure}
    assert set(shown) == set(expected)
    for figure, pair in expected.items():
        if pair is None:
            continue
        r = shown[figure]
        assert (Decimal(str(r.then)), Decimal(str(r.now))) == pair
        assert Decimal(str(r.change)) == pair[1] - pair[0]
    budget = shown["IT budget for Data platform"]
    assert Decimal(str(budget.change)) == Decimal("10000.00")
    # Microsoft is paid by Marketing and IT in the sample: its overlap at stake is restated too,
    # and only if IT's smaller side moved.
    assert all(r.kind == "money" for r in found.on_page("tech_spend"))


def test_the_changed_lines_are_the_edits_made_to_the_files(restated):
    found, _ = restated
    spend = found.lines["spend"]
    assert (spend.changed, spend.added, spend.removed) == (1, 1, 1)
    by_invoice = spend.lines.groupby("invoice_id")["change"].agg(set).to_dict()
    assert by_invoice == {CHANGED_INVOICE: {"changed"}, REMOVED_INVOICE: {"removed"}, "INV-CORR-1": {"added"}}
    versions = spend.lines[spend.lines["invoice_id"] == CHANGED_INVOICE]
    assert list(versions["side"]) == ["as closed", "now"]
    amounts = [Decimal(str(a)) for a in versions["amount"]]
    assert amounts[1] - amounts[0] == Decimal("1234.56")
    assert (
        spend.sentence()
        == "3 spend lines differ from those the quarter was closed with: 1 changed, 1 added and 1 removed."
    )
    assert (found.lines["budget"].changed, found.lines["budget"].added, found.lines["budget"].removed) == (1, 0, 0)
    assert found.lines["kpi_actuals"].changed == 1
    requests = found.lines["requests"]
    assert (requests.changed, requests.added, requests.removed) == (1, 0, 0)
    assert set(requests.lines["request_id"]) == {MOVED_REQUEST}
    # The drill-down's table: human titles, the change and the version first.
    frame = review.changed_lines_frame(spend)
    assert list(frame.columns[:4]) == ["Change", "Version", "Date", "Department"]
    assert "Amount" in frame and "invoice_id" not in frame


def test_customer_experience_restates_the_kpi_whose_observation_changed(restated):
    found, folder = restated

    def mean(f: Path) -> Decimal:
        values = _q3(_read(f, "kpi_actuals"))
        values = values[values["kpi"] == "conversion"]["value"]
        return sum((Decimal(v) for v in values), Decimal(0)) / len(values)

    restated_kpis = {r.figure: r for r in found.on_page("customer_experience")}
    assert set(restated_kpis) == {"Website conversion rate"}
    r = restated_kpis["Website conversion rate"]
    assert r.now - r.then == pytest.approx(float(mean(folder) - mean(SAMPLE_DIR)), abs=1e-6)
    assert r.now == pytest.approx(float(mean(folder)), abs=1e-6)


def test_request_turnaround_restates_the_percentiles_the_moved_delivery_changed(restated):
    found, folder = restated

    def lead_days(f: Path, priority: str | None = None) -> np.ndarray:
        r = _q3(_read(f, "requests"), "delivered_at")
        r = r[r["priority"] == priority] if priority else r
        days = (pd.to_datetime(r["delivered_at"]) - pd.to_datetime(r["requested_at"])).dt.total_seconds() / 86400
        return days[days >= 0].to_numpy()

    figures = {r.figure: r for r in found.on_page("request_turnaround")}
    assert "requests delivered (all requests)" not in figures, "the same requests were delivered"
    for q, name in ((50, "median lead time"), (85, "85th-percentile lead time")):
        for who, priority in (("all requests", None), ("Medium requests", "Medium")):
            then, now = np.percentile(lead_days(SAMPLE_DIR, priority), q), np.percentile(lead_days(folder, priority), q)
            key = f"{name} ({who})"
            if round(then, 6) == round(now, 6):
                assert key not in figures
            else:
                assert figures[key].then == pytest.approx(then, abs=1e-5)
                assert figures[key].now == pytest.approx(now, abs=1e-5)


# `summary --db` is for the databases the app runs on (DuckDB, PostgreSQL); SQLite is covered above.
@pytest.mark.parametrize("backend_url", ["duckdb", "postgresql"], indirect=True)
def test_summary_json_carries_the_restatements(restated, engine):
    found, _ = restated
    out = io.StringIO()
    url = engine.url.render_as_string(hide_password=False)
    assert main(["summary", "--db", url, "--quarter", "FY2026 Q3", "--format", "json"], out=out) == 0
    restated_json = json.loads(out.getvalue())["restated"]
    assert restated_json["closed_by"] == "CFO" and restated_json["closed_at"] == "2026-10-14T09:00:00"
    assert restated_json["lines"]["spend"] == {"changed": 1, "added": 1, "removed": 1}
    pages = {f["page"] for f in restated_json["figures"]}
    assert pages == {"overview", "tech_spend", "customer_experience", "request_turnaround"}
    spend = next(f for f in restated_json["figures"] if f["figure"] == "spend")
    assert spend["change"] == pytest.approx(1234.56 + 120400.00 - 43000.00, abs=0.001)

    text = io.StringIO()
    assert main(["summary", "--db", url, "--quarter", "FY2026 Q3"], out=text) == 0
    assert "3 spend lines differ from those the quarter was closed with: 1 changed, 1 added and 1 removed." in (
        text.getvalue()
    )
    assert found.sentences()[0] in text.getvalue()


def test_reopening_and_closing_again_starts_from_the_data_then(restated, engine):
    found, _ = restated
    state = found.state
    review.reopen_quarter(engine, Q3, actor=CFO, expected_version=state.version)
    assert review.load_restated(engine, CAL, Q3, None, TODAY) is None, "an open quarter restates nothing"
    review.close_quarter(engine, CAL, Q3, actor=CFO, expected_version=state.version + 1, today=TODAY)
    again = review.load_restated(engine, CAL, Q3, None, TODAY)
    assert again is not None and not again.any, "closed on the corrected data: nothing differs"


def test_the_pack_slide_groups_them_page_by_page(restated):
    found, _ = restated
    groups = found.groups(per_page=2)
    assert [heading for heading, _ in groups] == [
        None,
        "Tech spend",
        "Customer experience",
        "Request turnaround",
        "Lines that differ",
    ]
    tech = dict(groups)["Tech spend"]
    extra = len(found.on_page("tech_spend")) - 2
    assert len(tech) == 3 and tech[-1] == f"and {extra} more (on the Tech spend page)"
    assert dict(groups)["Lines that differ"][0].startswith("3 spend lines differ")


def test_the_review_is_intact_after_the_corrected_import(restated, engine):
    found, _ = restated
    notes = {(n.subject, n.side): n.text for n in review.quarter_notes(engine, Q3)}
    assert notes == {("tech_spend", "CFO"): "Within plan.", ("conversion", "CMO"): "Checkout fix."}
    assert sorted((a.kind, a.text, a.status) for a in review.actions(engine)) == [
        ("action", "Renegotiate seats", "open"),
        ("decision", "Keep one CRM", "open"),
    ]
    state = review.quarter_state(engine, Q3)
    assert (state.closed, state.changed_by, state.version) == (True, "CFO", found.state.version)

"""Every page of a closed quarter that corrected files changed says what was restated since the
review, beside its own figures, with the drill-down to the lines that differ; the Overview sums it
up. The closed quarter and the corrections are those of `tests/db/test_restated_pages_db.py`."""

from __future__ import annotations

from datetime import datetime

import pytest

from metrics import db, review, sources
from metrics.settings import SAMPLE_DIR, Settings
from tests.app.conftest import open_page
from tests.db.test_restated_pages_db import CAL, CFO, Q3, TODAY, corrected_folder


@pytest.fixture(scope="module")
def closed_and_corrected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("restated-pages")
    url = f"duckdb:///{tmp / 'closed.duckdb'}"
    engine = db.make_engine(url)
    options = sources.read_options(Settings())
    assert sources.load_folder(SAMPLE_DIR, engine, options).imported
    review.close_quarter(engine, CAL, Q3, actor=CFO, expected_version=0, today=TODAY, now=datetime(2026, 10, 14, 9))
    assert sources.load_folder(corrected_folder(tmp), engine, options).imported
    engine.dispose()
    return url


def _restated(at) -> list[str]:
    """The restatement warnings as read (Markdown escapes taken out)."""
    shown = [w.value.replace("\\", "") for w in at.warning]
    return [w for w in shown if "Restated since the FY2026 Q3 review" in w or "restated" in w]


@pytest.fixture
def on_closed(closed_and_corrected, monkeypatch):
    monkeypatch.setenv("BRIDGEBOARD_DATABASE_URL", closed_and_corrected)

    def run(page: str | None = None, **query):
        at = open_page(page, query={"quarter": "FY2026 Q3", **query})
        assert not at.exception
        return at

    return run


def test_tech_spend_lists_its_restated_figures_and_the_changed_lines(on_closed):
    at = on_closed("pages/1_Tech_spend.py")
    [shown] = _restated(at)
    assert "Restated since the FY2026 Q3 review (closed 14 Oct 2026):" in shown
    assert "IT spend on Data platform: +$120,400.00" in shown
    assert "IT budget for Data platform: +$10,000.00" in shown
    assert "3 spend lines differ from those the quarter was closed with: 1 changed, 1 added and 1 removed." in shown
    [drill] = [e for e in at.expander if e.label == "What changed since the FY2026 Q3 review"]
    spend, budget = (t.value for t in drill.dataframe)
    assert list(spend["Change"]).count("changed") == 2  # the line as closed and as now
    assert list(spend["Version"]) == ["as closed", "now", "as closed", "now"] or set(spend["Version"]) == {
        "as closed",
        "now",
    }
    assert set(spend["Invoice"]) == {"INV-0017375", "INV-0017376", "INV-CORR-1"}
    assert list(budget["Change"]) == ["changed", "changed"] and float(budget["Amount"].diff().iloc[-1]) == 10000.0


def test_customer_experience_and_turnaround_list_theirs(on_closed):
    [cx] = _restated(on_closed("pages/2_Customer_experience.py"))
    assert "Website conversion rate:" in cx and "1 KPI observation differs" in cx
    [rt] = _restated(on_closed("pages/3_Request_turnaround.py"))
    assert "1 request differs from those the quarter was closed with: 1 changed." in rt
    assert "lead time" in rt


def test_the_overview_sums_up_what_each_page_restates(on_closed):
    at = on_closed()
    [shown] = _restated(at)
    assert "Spend restated +$78,634.56 since the FY2026 Q3 review (closed 14 Oct 2026)" in shown
    assert "Restated figures on the pages:" in shown and "on Tech spend" in shown
    assert "3 spend lines differ" in shown


def test_an_open_quarter_and_another_quarter_say_nothing(on_closed):
    assert not _restated(on_closed("pages/1_Tech_spend.py", quarter="FY2026 Q2"))
    assert not _restated(on_closed(quarter="FY2026 Q2"))


def test_presentation_mode_keeps_the_warning_but_not_the_drill_down(on_closed):
    at = on_closed("pages/1_Tech_spend.py", present="1")
    assert _restated(at)
    assert not [e for e in at.expander if e.label.startswith("What changed since")]


def test_the_review_agenda_opens_with_the_restatements_and_shows_every_figure_kept(on_closed):
    at = on_closed("pages/4_Quarterly_review.py")
    first = at.get("markdown")
    agenda = [m.value.replace("\\", "") for m in first if "Restated since the last review" in m.value]
    assert agenda == ["**1. Restated since the last review**"]
    read = [m.value.replace("\\", "") for m in first]
    points = [m for m in read if "Spend restated +$78,634.56" in m]
    assert points and "3 spend lines differ from those the quarter was closed with" in points[0]
    kept = next(t.value for t in at.dataframe if "Page" in t.value.columns)
    pages = set(kept["Page"])
    assert pages == {"Overview", "Tech spend", "Customer experience", "Request turnaround"}
    conversion = kept[kept["Figure"] == "Website conversion rate"]["Value"].iloc[0]
    assert conversion.endswith(")") and "%" in conversion, "the KPI as closed, with its status then"

"""The Request turnaround page in headless Chromium: the headline matches the metrics, and changing
the priority filter changes it to the filtered figure."""

import re

import pytest
from playwright.sync_api import expect

from devtools.browser import ROOT, pick, wait_for_app
from metrics import db, sources
from metrics import turnaround as ta
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.validation import ReadOptions

pytestmark = pytest.mark.e2e

LATEST = FiscalQuarter(2026, 3)  # the sample's last quarter with spend: the sidebar's default


@pytest.fixture(scope="module")
def sample_engine(tmp_path_factory):
    """The sample data loaded independently of the server, to compute what the page must say."""
    engine = db.make_engine(f"duckdb:///{tmp_path_factory.mktemp('e2e-expected') / 'sample.duckdb'}")
    assert sources.load_folder(ROOT / "sample_data", engine, ReadOptions()).imported is not None
    yield engine
    engine.dispose()


def _headline(engine, quarter: FiscalQuarter, filters: ta.RequestFilter = ta.ALL_REQUESTS) -> str:
    return ta.lead_time_headline(
        ta.quarter_turnaround(ta.lead_time_by_quarter(engine, FiscalCalendar(1), filters=filters), quarter)
    )


def _headline_locator(page):
    return page.locator("h3", has_text=re.compile(r"^(85% of requests delivered within|No requests delivered)"))


def test_priority_filter_changes_the_headline(page, app_server, sample_engine):
    everything = _headline(sample_engine, LATEST)
    high_only = _headline(sample_engine, LATEST, ta.RequestFilter(priorities=("High",)))
    assert everything != high_only, "the sample must make the filter visible"

    page.goto(f"{app_server}/Request_turnaround")
    wait_for_app(page)
    expect(_headline_locator(page)).to_have_text(everything)
    assert page.locator("[data-testid='stException']").count() == 0

    priority = page.get_by_test_id("stMultiSelect").filter(has_text="Priority")
    pick(page, priority, "High")
    page.keyboard.press("Escape")
    wait_for_app(page)
    expect(_headline_locator(page)).to_have_text(high_only)
    # The period is named on the page and the charts are drawn.
    assert "FY2026 Q3" in page.get_by_test_id("stMain").inner_text()
    assert page.locator(".js-plotly-plot").count() == 8


def test_deep_link_to_a_quarter(page, app_server, sample_engine):
    page.goto(f"{app_server}/Request_turnaround?quarter=FY2025%20Q2")
    wait_for_app(page)
    expect(_headline_locator(page)).to_have_text(_headline(sample_engine, FiscalQuarter(2025, 2)))
    note = page.get_by_test_id("stAlertContentWarning").inner_text()
    engine_counts = ta.request_counts(sample_engine)
    assert f"{engine_counts.delivered_before_requested:,} of {engine_counts.delivered:,} delivered requests" in note
    expect(page.get_by_test_id("stMain")).to_contain_text("Open at quarter end")  # a past quarter: aged at its end

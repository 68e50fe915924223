"""Every page opens in a real browser and shows no error element."""

import pytest

from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.e2e

PAGES = ["", "Tech_spend", "Customer_experience", "Request_turnaround", "Data"]


@pytest.mark.parametrize("path", PAGES)
def test_page_opens_without_errors(page, app_server, path):
    page.goto(f"{app_server}/{path}")
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stSidebar']").count() == 1
    heading = page.locator("h1").first.inner_text()
    assert heading.strip(), "every page has a title"
    # The fiscal period and the data source are visible on every page.
    assert "Data source" in page.locator("[data-testid='stSidebar']").inner_text()
    assert page.get_by_text("Traceback").count() == 0


def test_quarter_filter_persists_across_pages(page, app_server):
    page.goto(f"{app_server}/?quarter=FY2025%20Q2")
    wait_for_app(page)
    assert "FY2025 Q2" in page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.inner_text()
    page.locator("[data-testid='stSidebarNav'] a", has_text="Data").first.click()
    wait_for_app(page)
    page.locator("[data-testid='stSidebarNav'] a", has_text="Overview").first.click()
    wait_for_app(page)
    assert "FY2025 Q2" in page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.inner_text()

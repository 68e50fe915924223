"""Every page opens in a real browser and shows no error element."""

import pytest

from app.navigation import PAGES
from devtools.browser import wait_for_app

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", [p.url_path for p in PAGES], ids=[p.label for p in PAGES])
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


def _period_caption(page) -> str:
    return page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()


def test_quarter_filter_persists_across_pages(page, app_server):
    page.goto(f"{app_server}/?quarter=FY2025%20Q2")
    wait_for_app(page)
    assert _period_caption(page).startswith("FY2025 Q2 (01 Apr 2025")
    menu = page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']")
    # Each link shows a Material icon (its ligature text comes first) and the label.
    assert [t.strip().splitlines()[-1] for t in menu.all_inner_texts()][:6] == [
        "Overview",
        "Tech spend",
        "Customer experience",
        "Request turnaround",
        "Quarterly review",
        "Data",
    ]
    menu.filter(has_text="Tech spend").first.click()
    wait_for_app(page)
    assert "quarter=FY2025" in page.url
    assert _period_caption(page).startswith("FY2025 Q2")
    menu.filter(has_text="Overview").first.click()
    wait_for_app(page)
    assert _period_caption(page).startswith("FY2025 Q2")


def test_no_request_leaves_the_machine(page, app_server):
    """Icons, fonts and scripts all come from the app itself: a board-room laptop behind a proxy,
    or a viewer who must not be tracked, loads nothing from the internet."""
    outside: list[str] = []
    page.on(
        "request", lambda r: outside.append(r.url) if not r.url.startswith((app_server, "data:", "blob:")) else None
    )
    for p in PAGES:
        page.goto(f"{app_server}/{p.url_path}")
        wait_for_app(page)
    icon = page.locator("link[rel='shortcut icon'], link[rel='icon']").first.get_attribute("href") or ""
    assert not icon.startswith("http") or icon.startswith(app_server), f"page icon from {icon}"
    assert outside == []

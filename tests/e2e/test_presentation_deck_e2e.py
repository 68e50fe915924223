"""Presentation mode as a deck in a real browser, at a laptop's 1366x768 and a projector's 1920x1080:
the slide number advances with ArrowRight, PageDown and Space and goes back with ArrowLeft and
PageUp, the last slide's key opens the next page, no slide needs scrolling and no text on it is
cut, and leaving returns to the same page and filters."""

from __future__ import annotations

import pytest

from devtools.browser import wait_for_app

pytestmark = pytest.mark.e2e

SIZES = ((1366, 768), (1920, 1080))
TOLERANCE = 4  # px: sub-pixel rounding of the layout
FIRST_VIEW_MS = 180_000  # the session's first view may load the sample into the database

# Heights of the page and of Streamlit's scrolling main area against the window; every title,
# caption, table cell and button of the slide that is wider inside than it is shown.
FIT = """() => {
  const main = document.querySelector("[data-testid='stMain']");
  const cut = [...document.querySelectorAll(
      ".st-key-bb_slide h3, .st-key-bb_slide [data-testid='stCaptionContainer'], .st-key-bb_slide td, "
      + ".st-key-bb_slide th, .st-key-bb_slide [data-testid='stMarkdownContainer'] p, .st-key-bb_deck_bar button")]
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
    .map(e => e.innerText.slice(0, 60));
  const bar = document.querySelector(".st-key-bb_deck_bar").getBoundingClientRect();
  return {page: document.scrollingElement.scrollHeight, main: main.scrollHeight, mainShown: main.clientHeight,
          window: innerHeight, barBottom: bar.bottom, cut};
}"""


def _shown(widget) -> str:
    """What a select box shows: its text and the value of its input."""
    return widget.evaluate("e => e.innerText + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')")


def _number(page) -> tuple[int, int]:
    shown, count = page.locator(".st-key-bb_slide_number").inner_text().strip().split(" / ")
    return int(shown), int(count)


def _press(page, key: str, expected: int) -> None:
    """Press a key once, then wait until the slide number reads `expected`."""
    wait_for_app(page)
    page.keyboard.press(key)
    page.locator(".st-key-bb_slide_number").get_by_text(f"{expected} /").wait_for(timeout=60_000)
    wait_for_app(page)


def _assert_fits(page, where: str) -> None:
    page.wait_for_timeout(500)  # Plotly lays its chart out after the run
    fit = page.evaluate(FIT)
    assert fit["page"] <= fit["window"] + TOLERANCE, f"{where}: the page scrolls ({fit})"
    assert fit["main"] <= fit["mainShown"] + TOLERANCE, f"{where}: the slide scrolls ({fit})"
    assert fit["barBottom"] <= fit["window"] + TOLERANCE, f"{where}: previous / next below the window"
    assert fit["cut"] == [], f"{where}: cut text {fit['cut']}"


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_overview_deck_walks_with_the_keys_and_every_slide_fits(browser, app_server, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(f"{app_server}/?present=1&quarter=FY2026%20Q2")
        wait_for_app(page, timeout=FIRST_VIEW_MS)
        shown, count = _number(page)
        assert shown == 1 and count > 3
        _assert_fits(page, f"slide 1 at {width}x{height}")
        keys = ("ArrowRight", "PageDown", "Space")
        for n in range(2, count + 1):
            _press(page, keys[n % len(keys)], n)
            assert f"slide={n}" in page.url, "the link keeps the slide"
            _assert_fits(page, f"slide {n} at {width}x{height}")
        _press(page, "ArrowLeft", count - 1)
        _press(page, "PageUp", count - 2)
        _press(page, "PageDown", count - 1)
        _press(page, "PageDown", count)
        page.keyboard.press("PageDown")  # past the last slide: the next page's first
        page.wait_for_url("**/Tech_spend?**")
        wait_for_app(page)
        assert _number(page)[0] == 1
        _assert_fits(page, f"Tech spend's first slide at {width}x{height}")
    finally:
        page.close()


def test_leaving_the_deck_returns_to_the_same_page_and_filters(browser, app_server):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        page.goto(f"{app_server}/Tech_spend?quarter=FY2026%20Q1&department=Marketing&present=1&slide=2")
        wait_for_app(page, timeout=FIRST_VIEW_MS)
        assert _number(page)[0] == 2, "a shared link lands on its slide"
        _press(page, "ArrowRight", 3)
        page.get_by_role("button", name="Exit presentation").click()
        wait_for_app(page)
        sidebar = page.locator("[data-testid='stSidebar']")
        sidebar.locator(".st-key-bb_quarter").wait_for()
        assert page.locator("h1").first.inner_text().strip() == "Tech spend"
        assert "FY2026 Q1" in _shown(sidebar.locator(".st-key-bb_quarter"))
        assert "Marketing" in _shown(sidebar.locator(".st-key-bb_departments"))
        assert "present=1" not in page.url and "slide=" not in page.url and "department=Marketing" in page.url
    finally:
        page.close()

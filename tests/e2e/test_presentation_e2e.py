"""Presentation mode and the board pack in a real browser: no sidebar, toolbar or filter widgets,
larger type (the one stylesheet Bridgeboard injects, checked by its computed effect), the period
in view, previous / next between the pages, and a board pack downloaded from the sidebar."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pptx import Presentation

from devtools.browser import wait_for_app

pytestmark = pytest.mark.e2e

WIDGETS = "[data-testid='stSelectbox'], [data-testid='stMultiSelect'], [data-testid='stCheckbox']"


def _root_font_px(page) -> float:
    return float(page.evaluate("getComputedStyle(document.documentElement).fontSize").removesuffix("px"))


def _assert_presenting(page) -> None:
    """No sidebar, toolbar or filter widgets. (A page's own controls, such as the Tech spend
    drill-down, stay: they belong to the page.)"""
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.count() == 0 or not sidebar.is_visible(), "no sidebar"
    assert page.locator("[data-testid='stExpandSidebarButton']:visible").count() == 0, "nothing to open it with"
    assert page.locator(".st-key-bb_quarter, .st-key-bb_departments").count() == 0, "no filter widgets"
    toolbar = page.locator("[data-testid='stToolbar']")
    assert toolbar.count() == 0 or not toolbar.is_visible(), "no toolbar"
    assert page.locator("[data-testid='stException']").count() == 0


def test_normal_mode_keeps_streamlit_type_size_and_sidebar(page, app_server):
    page.goto(f"{app_server}/")
    wait_for_app(page)
    assert _root_font_px(page) == 16
    assert page.locator("[data-testid='stSidebar']").is_visible()


def test_a_link_opens_in_presentation_mode_and_walks_the_pages(page, app_server):
    """The pages are decks (tests/e2e/test_presentation_deck_e2e.py walks the slides with the keys):
    from a page's last slide, Next opens the next page; from its first, Previous the previous one."""
    page.goto(f"{app_server}/?present=1&quarter=FY2026%20Q2&slide=99")
    wait_for_app(page)
    _assert_presenting(page)
    assert page.locator(WIDGETS).count() == 0, "the Overview has no widget at all"
    assert _root_font_px(page) >= 20, "type enlarged for a projector"
    assert page.get_by_text("FY2026 Q2 (01 Apr 2026 – 30 Jun 2026)").first.is_visible(), "the period stays in view"

    page.get_by_role("button", name="Next: Tech spend").first.click()  # the visible one; copies carry the other keys
    page.wait_for_url("**/Tech_spend?**")
    wait_for_app(page)
    assert page.locator(".st-key-bb_slide_number").inner_text().startswith("1 /")
    assert "present=1" in page.url and "quarter=FY2026+Q2" in page.url.replace("%20", "+")
    _assert_presenting(page)

    page.get_by_role("button", name="Previous: Overview").first.click()
    page.wait_for_url("**/?**")
    wait_for_app(page)
    shown, count = page.locator(".st-key-bb_slide_number").inner_text().strip().split(" / ")
    assert shown == count, "back to the Overview's last slide"

    page.get_by_role("button", name="Exit presentation").click()
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stSidebar'] .st-key-bb_quarter")
    assert "present=1" not in page.url
    assert _root_font_px(page) == 16


def test_the_sidebar_switch_enters_presentation_mode(page, app_server):
    page.goto(f"{app_server}/Request_turnaround")
    wait_for_app(page)
    page.locator("[data-testid='stSidebar']").get_by_text("Presentation mode").click()
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stSidebar']", state="hidden")
    _assert_presenting(page)
    assert page.get_by_role("button", name="Previous: Customer experience").first.is_visible()
    assert page.get_by_role("button", name="Next").first.is_visible(), "the next slide"


def test_board_pack_downloads_from_the_sidebar(page, app_server):
    page.goto(f"{app_server}/Tech_spend?quarter=FY2026%20Q1")
    wait_for_app(page)
    with page.expect_download(timeout=120_000) as download:
        page.locator("[data-testid='stSidebar']").get_by_role("button", name="PowerPoint", exact=True).click()
    assert download.value.suggested_filename == "bridgeboard-board-pack-FY2026-Q1.pptx"
    deck = Presentation(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(deck.slides) == 7
    assert page.locator("[data-testid='stException']").count() == 0

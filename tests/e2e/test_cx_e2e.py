"""The Customer experience page in headless Chromium: the scorecard renders, and the CIO
proposes a target through the form and sees it in the audit history.

The edit is made for a future quarter that no page shows yet, so the scorecards that other
end-to-end tests read on the same server are unchanged.
"""

import re

import pytest
from playwright.sync_api import expect

from devtools.browser import wait_for_app

pytestmark = pytest.mark.e2e


def choose(page, key: str, option: str | None = None) -> str:
    """Pick `option` (or the first option) in the select box with this key; returns its text."""
    box = page.locator(f".st-key-{key} [role='combobox']")
    box.click()
    if box.get_attribute("aria-expanded") != "true":  # a click on a box holding a value may only focus it
        box.press("ArrowDown")
    item = page.get_by_role("option", name=option, exact=True) if option else page.get_by_role("option").first
    text = item.inner_text().strip()
    item.click()
    expect(box).to_have_value(text)
    wait_for_app(page)
    return text


def test_scorecard_and_a_target_proposal(page, app_server):
    page.goto(f"{app_server}/Customer_experience")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=re.compile(r"Scorecard · FY\d{4} Q[1-4]"))).to_be_visible()
    cards = page.locator("[class*='st-key-cx_card_']")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 8
    # Each card names its status in words (with a symbol), not by colour alone.
    statuses = cards.locator("[data-testid='stMarkdownContainer']").filter(
        has_text=re.compile(r"^[●▲■○] (On target|At risk|Off target|No target|No data)$")
    )
    assert statuses.count() == cards.count()
    page.get_by_role("heading", name="Against target", exact=True).scroll_into_view_if_needed()
    expect(page.locator("[data-testid='stPlotlyChart']").first).to_be_visible(timeout=30_000)  # Plotly loads lazily

    # Acting as the CIO, propose a target for the furthest future quarter offered (listed first).
    choose(page, "cx_role", "CIO")
    quarter = choose(page, "cx_target_quarter")
    form = page.locator("[data-testid='stForm']").filter(has_text="Propose a new")  # the commentary forms too
    expect(form).to_contain_text(f"Propose a new {quarter} target")
    form.locator("[class*='st-key-cx_target_'] input").fill("91.5")
    form.locator("[class*='st-key-cx_note_'] input").fill("Proposed in the browser test")
    form.get_by_role("button", name=re.compile("Propose target")).click()
    wait_for_app(page)

    expect(
        page.get_by_text(re.compile(f"New target proposed; both agreements are cleared for .*, {quarter}"))
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"Current target: 91\.5"))).to_be_visible()
    history = page.locator("[data-testid='stDataFrame']").last
    expect(history).to_be_visible()
    # The grid draws on a canvas; its accessible table holds the cell text.
    expect(history.locator("td", has_text="Proposed in the browser test")).to_have_count(1)
    expect(history.locator("td", has_text=quarter).first).to_be_attached()
    expect(page.get_by_role("button", name=re.compile("Download the history"))).to_be_visible()

"""A quarterly review in headless Chromium, on a server and database of its own (the notes and
actions it writes would show on the pages other end-to-end tests read): the CFO comments on Tech
spend and the CMO on Request turnaround, two actions are recorded on the review page (one overdue),
and the Overview shows the commentary in short and flags the overdue action; the review page's
agenda and minutes hold them all."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from devtools.browser import ROOT, pick, serve_app, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def review_server(tmp_path_factory, browser_type_launch_args):
    env = {
        "BRIDGEBOARD_DATA_DIR": str(ROOT / "sample_data"),
        "BRIDGEBOARD_EMBEDDED_DB": str(tmp_path_factory.mktemp("e2e-review") / "bridgeboard.duckdb"),
        "BRIDGEBOARD_DATABASE_URL": None,
    }
    with open(tmp_path_factory.mktemp("e2e-review-log") / "streamlit.log", "w") as log, serve_app(env, log) as url:
        yield url


def act_as(page, key: str, role: str) -> None:
    pick(page, page.locator(f".st-key-{key} [role='combobox']"), role)
    wait_for_app(page)


def write_note(page, url: str, subject: str, role: str, text: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.get_by_text("Write commentary", exact=True).click()
    act_as(page, f"rv_role_page_{subject}", role)
    form = (
        page.locator(f".st-key-rv_form_page_{subject}")
        if page.locator(f".st-key-rv_form_page_{subject}").count()
        else page.locator("[data-testid='stForm']").filter(
            has=page.get_by_role("button", name=f"Save the {role}'s note")
        )
    )
    form.locator("textarea").fill(text)
    form.get_by_role("button", name=f"Save the {role}'s note").click()
    wait_for_app(page)
    expect(page.locator(f".st-key-rv_shown_page_{subject}_{role}")).to_contain_text(re.sub(r"\*", "", text))


def add_action(page, text: str, owner: str, due: date) -> None:
    new = ".st-key-rv_act_new_0_"
    page.locator(f"{new}text input").fill(text)
    page.locator(f"{new}text input").press("Tab")
    wait_for_app(page)
    pick(page, page.locator(f"{new}owner [role='combobox']"), owner)
    wait_for_app(page)
    # The date field is three spin buttons (year, month, day) that read keystrokes and move on.
    page.locator(f"{new}due_on [role='spinbutton'][data-type='year']").click()
    page.keyboard.type(f"{due:%Y%m%d}", delay=40)
    page.keyboard.press("Tab")
    wait_for_app(page)
    page.locator(f"{new}save button").click()
    wait_for_app(page)
    expect(page.get_by_text("The entry is added to the log.")).to_be_visible()


def test_a_review_comments_on_two_pages_and_records_two_actions(page, review_server):
    write_note(page, f"{review_server}/Tech_spend", "tech_spend", "CFO", "Cloud spend is **on plan**")
    write_note(page, f"{review_server}/Request_turnaround", "request_turnaround", "CMO", "We owe IT faster briefs")

    page.goto(f"{review_server}/Quarterly_review")
    wait_for_app(page)
    act_as(page, "rv_role_log", "CMO")
    overdue = date.today() - timedelta(days=10)
    add_action(page, "Brief template for every request", "CMO", overdue)
    add_action(page, "Retire the duplicate analytics tool", "Joint", date.today() + timedelta(days=60))

    log = page.locator("[data-testid='stDataFrame']").last
    expect(log.locator("td", has_text="Brief template for every request")).to_have_count(1)
    expect(log.locator("td", has_text="Retire the duplicate analytics tool")).to_have_count(1)
    agenda = page.locator(".st-key-rv_agenda_5")
    expect(agenda).to_contain_text(f"Overdue since {overdue:%d %b %Y}: Brief template for every request (CMO)")
    expect(agenda).to_contain_text("Open, due")
    expect(agenda).to_contain_text("Retire the duplicate analytics tool (Joint)")
    minutes = page.get_by_text(re.compile(r"Tech spend · CFO: Cloud spend is on plan"))
    expect(minutes).to_be_visible()
    expect(page.get_by_text(re.compile(r"Request turnaround · CMO: We owe IT faster briefs"))).to_be_visible()

    page.goto(review_server)
    wait_for_app(page)
    warning = page.locator("[data-testid='stAlertContentWarning']").filter(has_text="overdue")
    expect(warning).to_contain_text("1 action overdue (owners: CMO).")
    expect(warning).to_contain_text("Brief template for every request")
    commentary = page.locator(".st-key-ov_commentary")
    expect(commentary).to_contain_text("Tech spend: CFO: Cloud spend is on plan")
    expect(commentary).to_contain_text("Request turnaround: CMO: We owe IT faster briefs")

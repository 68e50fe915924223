"""A whole quarterly review in headless Chromium, then a correction: the CFO comments on Tech spend
and the CMO on Request turnaround, two actions are recorded, the CFO closes FY2026 Q3 on the
Quarterly review page, and a corrected `spend.csv` is uploaded on the Data page (the way a user
re-imports while the app serves a CSV folder: the upload replaces the spend table in the embedded
database and stays until the folder itself changes).

The correction moves two Q3 lines by known amounts (+1,234.56 on a Marketing line, -200.00 on an
IT line, vendors chosen so that overlap and shadow IT do not move), so the restatement is computed
here from the CSV files with pandas and Decimal alone. It must show on the Overview, with the
commentary and actions still there and the quarter still closed and read-only; in
`python -m metrics summary` (run once the server has stopped: the embedded DuckDB file is held by
the process that serves it); and in the board pack downloaded from the sidebar.

Its own server, embedded database and copy of the sample folder, because it closes a quarter and
changes the spend other end-to-end tests read."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect
from pptx import Presentation

from devtools.browser import ROOT, serve_app, upload, wait_for_app
from tests.e2e.test_review_e2e import act_as, add_action, write_note

pytestmark = pytest.mark.e2e

QUARTER = "FY2026 Q3"
Q3_FIRST, Q3_AFTER = "2026-07-01", "2026-10-01"
# (department, vendor, change): vendors one department alone pays in Q3, approved by IT, so that
# only the spend figures move (not overlap at stake, not shadow IT spend).
CHANGES = (("Marketing", "HubSpot", Decimal("1234.56")), ("IT", "Workday", Decimal("-200.00")))


def money(value: Decimal) -> str:
    """$1,234.56 / -$200.00, as the sentences write amounts."""
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def signed(value: Decimal) -> str:
    return f"{'+' if value > 0 else '-'}{money(abs(value))}"


def q3_spend(csv: Path) -> dict[str, Decimal]:
    lines = pd.read_csv(csv, dtype=str, keep_default_na=False)
    q3 = lines[(lines["date"] >= Q3_FIRST) & (lines["date"] < Q3_AFTER)]
    by = {d: sum((Decimal(a) for a in g["amount"]), Decimal(0)) for d, g in q3.groupby("department")}
    return {**by, "total": sum(by.values(), Decimal(0))}


def write_correction(original: Path, corrected: Path) -> list[str]:
    """The spend file with the first Q3 line of each of CHANGES moved by its amount; returns the
    invoice ids changed."""
    lines = pd.read_csv(original, dtype=str, keep_default_na=False)
    in_q3 = (lines["date"] >= Q3_FIRST) & (lines["date"] < Q3_AFTER)
    changed = []
    for department, vendor, change in CHANGES:
        assert set(lines.loc[in_q3 & (lines["vendor"] == vendor), "department"]) == {department}
        row = lines.index[in_q3 & (lines["department"] == department) & (lines["vendor"] == vendor)][0]
        lines.loc[row, "amount"] = f"{Decimal(lines.loc[row, 'amount']) + change:.2f}"
        changed.append(lines.loc[row, "invoice_id"])
    corrected.parent.mkdir(parents=True, exist_ok=True)
    lines.to_csv(corrected, index=False)
    return changed


def expected_sentences(then: dict[str, Decimal], now: dict[str, Decimal], closed_on: date) -> list[str]:
    since = f"since the {QUARTER} review (closed {closed_on:%d %b %Y})"
    figures = [("Spend", "total")] + [(f"{d} spend", d) for d in sorted(set(then) | set(now)) if d != "total"]
    return [
        f"{name} restated {signed(now[key] - then[key])} {since}: {money(then[key])} then, {money(now[key])} now."
        for name, key in figures
        if now[key] != then[key]
    ]


def category_changes(original: Path, corrected: Path) -> list[tuple[str, str, Decimal]]:
    """Per department and category of Q3, the change between the two files (only those that moved)."""

    def by_category(csv: Path) -> dict[tuple[str, str], Decimal]:
        lines = pd.read_csv(csv, dtype=str, keep_default_na=False)
        q3 = lines[(lines["date"] >= Q3_FIRST) & (lines["date"] < Q3_AFTER)]
        return {
            k: sum((Decimal(a) for a in g["amount"]), Decimal(0)) for k, g in q3.groupby(["department", "category"])
        }

    then, now = by_category(original), by_category(corrected)
    return [(d, c, now[(d, c)] - then[(d, c)]) for d, c in sorted(now) if now[(d, c)] != then.get((d, c))]


@pytest.fixture
def folder(tmp_path):
    """A copy of the sample folder for the server to read (the app names the folder, not its path)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "sample_data", data)
    return data


def test_a_closed_quarter_corrected_by_an_upload_is_restated_everywhere(page, folder, tmp_path):
    corrected = tmp_path / "upload" / "spend.csv"
    changed = write_correction(folder / "spend.csv", corrected)
    then, now = q3_spend(folder / "spend.csv"), q3_spend(corrected)
    assert now["total"] - then["total"] == Decimal("1034.56")  # the hand sum of CHANGES
    assert len(changed) == 2

    env = {
        "BRIDGEBOARD_DATA_DIR": str(folder),
        "BRIDGEBOARD_EMBEDDED_DB": str(tmp_path / "db" / "bridgeboard.duckdb"),
        "BRIDGEBOARD_DATABASE_URL": None,
        "BRIDGEBOARD_FISCAL_START_MONTH": "1",
        "BRIDGEBOARD_REPORTING_CURRENCY": "USD",
    }
    q = f"?quarter={QUARTER.replace(' ', '%20')}"
    with open(tmp_path / "streamlit.log", "w") as log, serve_app(env, log) as url:
        # The review: commentary on two pages, two actions (one overdue).
        write_note(page, f"{url}/Tech_spend{q}", "tech_spend", "CFO", "Cloud spend is **on plan**")
        write_note(page, f"{url}/Request_turnaround{q}", "request_turnaround", "CMO", "We owe IT faster briefs")
        page.goto(f"{url}/Quarterly_review{q}")
        wait_for_app(page)
        act_as(page, "rv_role_log", "CMO")
        overdue = date.today() - timedelta(days=10)
        add_action(page, "Brief template for every request", "CMO", overdue)
        add_action(page, "Retire the duplicate analytics tool", "Joint", date.today() + timedelta(days=60))

        # The CFO closes the quarter.
        act_as(page, "rv_role_close", "CFO")
        page.locator(".st-key-rv_close button").click()
        wait_for_app(page)
        closed_on = datetime.now(UTC).date()
        expect(page.get_by_text(f"{QUARTER} is closed: its figures are kept as they are now")).to_be_visible()
        expect(page.locator(".st-key-rv_close button")).to_contain_text(f"Reopen {QUARTER}")
        expect(page.get_by_text("Every figure as it was when the quarter was closed")).to_be_visible()

        # Nothing restated yet: the Overview shows no such warning.
        page.goto(f"{url}/{q}")
        wait_for_app(page)
        expect(page.locator(".st-key-ov_commentary")).to_contain_text("Tech spend: CFO: Cloud spend is on plan")
        expect(page.locator("[data-testid='stAlertContentWarning']").filter(has_text="restated")).to_have_count(0)

        # The corrected file, uploaded and imported on the Data page.
        page.goto(f"{url}/Data")
        wait_for_app(page)
        upload(page, "CSV files", str(corrected))
        page.get_by_role("button", name="Import 1 table(s)").click()
        page.get_by_text(re.compile(r"Imported spend \(20,?000 rows\) as batch")).first.wait_for(timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0

        # The Overview says what changed, to the cent; the review is still there.
        sentences = expected_sentences(then, now, closed_on)
        assert [s.split(" restated ")[0] for s in sentences] == ["Spend", "IT spend", "Marketing spend"]
        assert sentences[0].startswith(f"Spend restated +$1,034.56 since the {QUARTER} review")
        page.goto(f"{url}/{q}")
        wait_for_app(page)
        warning = page.locator("[data-testid='stAlertContentWarning']").filter(has_text="restated")
        expect(warning).to_have_count(1)
        for sentence in sentences:
            expect(warning).to_contain_text(sentence)
        assert warning.inner_text().count(" restated ") == len(sentences)  # overlap and shadow IT unchanged
        commentary = page.locator(".st-key-ov_commentary")
        expect(commentary).to_contain_text("Tech spend: CFO: Cloud spend is on plan")
        expect(commentary).to_contain_text("Request turnaround: CMO: We owe IT faster briefs")
        expect(page.locator("[data-testid='stAlertContentWarning']").filter(has_text="overdue")).to_contain_text(
            "Brief template for every request"
        )

        # Still closed, with both actions and the commentary read-only.
        page.goto(f"{url}/Quarterly_review{q}")
        wait_for_app(page)
        expect(page.locator(".st-key-rv_close button")).to_contain_text(f"Reopen {QUARTER}")
        expect(
            page.get_by_text(
                re.compile(rf"{QUARTER} was closed by CFO at .*: its commentary (is|and targets are) read-only")
            )
        ).not_to_have_count(0)
        expect(page.get_by_text("Write commentary", exact=True)).to_have_count(0)
        log_table = page.locator("[data-testid='stDataFrame']").first  # the log; the figures kept come last
        log_table.scroll_into_view_if_needed()
        for text in ("Brief template for every request", "Retire the duplicate analytics tool"):
            expect(log_table.locator("td", has_text=text)).to_have_count(1)
        expect(page.get_by_text(f"due {overdue:%d %b %Y} · OVERDUE: Brief template for every request")).to_be_visible()
        expect(page.get_by_text("· open: Retire the duplicate analytics tool")).to_be_visible()
        expect(page.get_by_text(re.compile(r"Tech spend · CFO: Cloud spend is on plan"))).to_be_visible()
        page.goto(f"{url}/Tech_spend{q}")
        wait_for_app(page)
        # Tech spend names each restated line of its figures, and the drill-down shows the two
        # invoice lines as closed and as now (their values: tests/app/test_restated_pages.py).
        panel = page.locator("[data-testid='stAlertContentWarning']").filter(has_text="Restated since the")
        expect(panel).to_have_count(1)
        for department, category, change in category_changes(folder / "spend.csv", corrected):
            expect(panel).to_contain_text(f"{department} spend on {category}: {signed(change)}")
        expect(panel).to_contain_text("2 spend lines differ from those the quarter was closed with: 2 changed.")
        page.get_by_text(f"What changed since the {QUARTER} review").click()
        drill = page.locator("[data-testid='stExpander']").filter(has_text=f"What changed since the {QUARTER} review")
        grid = drill.locator("[data-testid='stDataFrame']").first
        grid.scroll_into_view_if_needed()
        expect(grid).to_be_visible()
        expect(page.locator(".st-key-rv_shown_page_tech_spend_CFO")).to_contain_text("Cloud spend is on plan")
        expect(page.get_by_text("Write commentary", exact=True)).to_have_count(0)
        expect(page.get_by_text(re.compile(rf"{QUARTER} was closed by CFO at .*read-only"))).to_have_count(1)

        # The board pack from the sidebar tells it in the quarter's story.
        with page.expect_download(timeout=180_000) as download:
            page.locator("[data-testid='stSidebar']").get_by_role("button", name="PowerPoint", exact=True).click()
        deck = Presentation(io.BytesIO(Path(download.value.path()).read_bytes()))
        deck_text = "\n".join(
            p.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
            for p in shape.text_frame.paragraphs
        )  # fmt: skip
        for sentence in sentences:
            assert sentence in deck_text
        assert "Brief template for every request" in deck_text

    # `summary` on the same embedded database, once the app has let go of it.
    cli_env = {k: v for k, v in os.environ.items() if k != "BRIDGEBOARD_DATABASE_URL"}
    cli_env.update({k: v for k, v in env.items() if v is not None})
    cli_env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "metrics", "summary", "--quarter", QUARTER],
        cwd=ROOT,
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    for sentence in sentences:
        assert sentence in printed

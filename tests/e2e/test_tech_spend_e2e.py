"""Tech spend in a real browser: drill from the department total down to the invoice lines and
download them as CSV; the file holds exactly the lines the page says, formula-safe."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from devtools.browser import pick, wait_for_app
from metrics.formatting import money
from metrics.spend import LINE_COLUMNS

pytestmark = pytest.mark.e2e


def _choose(page, label: str, option: str) -> None:
    """Pick `option` in the main-area select box labelled `label`; clicking waits until the box is
    enabled (the level above has been chosen and the page has rerun)."""
    box = page.locator("[data-testid='stMain']").get_by_role("combobox", name=label, exact=True)
    pick(page, box, option)
    expect(box).to_have_value(option)
    wait_for_app(page)


def test_drill_down_to_invoice_lines_and_download_csv(page, app_server):
    page.goto(f"{app_server}/Tech_spend?quarter=FY2026%20Q3")
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("FY2026 Q3 (01 Jul 2026 – 30 Sep 2026)").count() == 1

    _choose(page, "Department", "Marketing")
    _choose(page, "Category", "CRM")
    _choose(page, "Vendor", "Salesforce")
    caption = page.get_by_text(re.compile(r"^All [\d,]+ invoice lines? behind")).inner_text()
    n_lines, total = re.search(r"All ([\d,]+) invoice lines? behind (\S+)\.", caption).groups()

    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == "bridgeboard_FY2026-Q3_Marketing_CRM_Salesforce_lines.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # opens in Excel with the right characters
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(LINE_COLUMNS)
    assert len(rows) == int(n_lines.replace(",", ""))
    assert {r["department"] for r in rows} == {"Marketing"} and {r["category"] for r in rows} == {"CRM"}
    assert all(r["date"].startswith("2026-0") for r in rows)
    assert money(sum(float(r["amount"]) for r in rows)) == total  # the lines add up to the number shown
    # Nothing the spreadsheet could run: every text cell that starts like a formula is quoted.
    assert not any(v.lstrip(" ").startswith(("=", "+", "@")) for r in rows for v in r.values())
    assert page.locator("[data-testid='stException']").count() == 0

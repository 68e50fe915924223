"""A new user's first quarter in a real browser: the app starts on nothing (an empty CSV folder and
a fresh embedded database), a finance export with its own headers and cost centres is mapped
column by column on the Data page, imported, and its figures fill Tech spend; the mapping is
downloaded and maps next quarter's file by itself."""

import shutil
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.text import plain
from devtools.browser import ROOT, pick, serve_app, upload, wait_for_app
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.e2e
FINANCE = ROOT / "tests" / "fixtures" / "mapping" / "spend.csv"
COST_CENTRES = {"CC-4100": "Marketing", "CC-4150": "Marketing", "CC-5200": "IT", "CC-6000": "Joint"}


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """The app on nothing: an empty CSV folder and a database of its own."""
    if shutil.which("streamlit") is None and not (Path(sys.executable).parent / "streamlit").exists():
        skip_or_fail("streamlit is not installed")
    env = {
        "BRIDGEBOARD_DATA_DIR": str(tmp_path_factory.mktemp("e2e-mapping-empty-folder")),
        "BRIDGEBOARD_EMBEDDED_DB": str(tmp_path_factory.mktemp("e2e-mapping") / "bridgeboard.duckdb"),
        "BRIDGEBOARD_DATABASE_URL": None,
    }
    with open(tmp_path_factory.mktemp("e2e-mapping-log") / "streamlit.log", "w") as log, serve_app(env, log) as url:
        yield url


def _main(page):
    return page.locator("[data-testid='stMain']")


def _choose(page, label: str, option: str) -> None:
    # Labels holding data go through app.text.plain, and the box's accessible name keeps its escapes.
    box = _main(page).get_by_role("combobox", name=plain(label), exact=True)
    pick(page, box, option)
    expect(box).to_have_value(option)
    wait_for_app(page)


def _import_and_see_total(page, app, quarter: str, total: str) -> None:
    expect(_main(page).get_by_text("Ready to import").last).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Import spend with this mapping").click()
    page.get_by_text("Imported spend (6 rows) as batch").first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    page.goto(f"{app}/Tech_spend?quarter={quarter.replace(' ', '%20')}")
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    expect(_main(page).get_by_text(total).first).to_be_visible(timeout=30_000)


def test_first_run_map_import_save_and_reuse_next_quarter(page, own_server, tmp_path):
    page.goto(f"{own_server}/Tech_spend")
    wait_for_app(page)
    assert "spend.csv" in _main(page).inner_text(), "an empty database says what to load"
    page.goto(f"{own_server}/Data")
    wait_for_app(page)
    # The euro rates first: the finance export is in euros and the reporting currency is USD.
    rates = tmp_path / "fx_rates.csv"
    rates.write_text(
        "currency,month,rate\nEUR,2026-04-01,1.0832\nEUR,2026-05-01,1.1\nEUR,2026-06-01,1.15\n"
        + "".join(f"EUR,2026-{m:02d}-01,1.1\n" for m in (7, 8, 9))
    )
    upload(page, "CSV files", str(rates))
    page.get_by_role("button", name="Import 1 table(s)").click()
    page.get_by_text("Imported fx_rates (6 rows)").first.wait_for(timeout=30_000)
    upload(page, "File to map (CSV)", str(FINANCE))
    main = _main(page)
    assert "Suggested: amount" in main.inner_text()  # Net Amount (EUR), folded
    _choose(page, "Cost Centre", "department")  # suggested: cost_center, the alias
    _choose(page, "Document No", "invoice_id")
    for written, department in COST_CENTRES.items():
        _choose(page, written, department)
    currency = main.get_by_label("Currency of every line (optional)")
    currency.fill("EUR")
    currency.press("Enter")
    wait_for_app(page)

    with page.expect_download() as info:
        page.get_by_role("button", name="Download the mapping (TOML)").click()
    saved = tmp_path / "spend-mapping.toml"
    info.value.save_as(saved)
    text = saved.read_text()
    assert '"Cost Centre" = "department"' in text and '"CC-6000" = "Joint"' in text and 'currency = "EUR"' in text

    # In euros 12,345.67 + 1,234.56 + 8,765.43 + 999.99 - 250.10 + 0.05 = 23,095.60 in FY2026 Q2 (Apr-Jun);
    # each line at its month's rate, to the cent (see tests/cli/test_mapping_cli.py), $25,029.76.
    _import_and_see_total(page, own_server, "FY2026 Q2", "$25.0K")

    # Next quarter: the saved mapping, then the new file; nothing to choose.
    next_quarter = tmp_path / "GL lines FY26 Q3.csv"
    next_quarter.write_text(
        FINANCE.read_text()
        .replace("/04/2026", "/07/2026")
        .replace("/05/2026", "/08/2026")
        .replace("/06/2026", "/09/2026")
        .replace("12,345.67", "22,345.67")
    )
    page.goto(f"{own_server}/Data")
    wait_for_app(page)
    upload(page, "Saved mapping to apply", str(saved))
    upload(page, "File to map (CSV)", str(next_quarter))
    assert "Suggested: department (from the saved mapping)" in _main(page).inner_text()
    # 22,345.67, 1,234.56, 8,765.43, 999.99, -250.10 and 0.05 euros at 1.1: 24,580.24 + 1,358.02 + 9,641.97
    # + 1,099.99 - 275.11 + 0.06 (0.055 exactly, half up) = $36,405.17.
    _import_and_see_total(page, own_server, "FY2026 Q3", "$36.4K")

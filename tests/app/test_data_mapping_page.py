"""The Data page's mapping builder under AppTest: upload a finance export, see the suggested
columns, adjust them, translate cost centres, preview, import, and the TOML shown for saving is
exactly what was chosen; the saved mapping, uploaded again, maps next quarter's file by itself."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from metrics import db
from metrics.mapping import TableMapping, parse_mapping
from tests.app.conftest import open_page

PAGE = "pages/9_Data.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mapping"
FINANCE = (FIXTURES / "spend.csv").read_bytes()
HEADERS = [
    "Posting Date",
    "Supplier Name",
    "Cost Centre",
    "Net Amount (EUR)",
    "VAT (EUR)",
    "GL Category",
    "Document No",
]


@pytest.fixture
def private_db(sample_env, tmp_path, monkeypatch):
    """The sample data in an embedded database of this test's own: the test replaces spend."""
    path = tmp_path / "bridgeboard.duckdb"
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(path))
    return path


def _column(at, header: str):
    return at.selectbox(
        key=next(s.key for s in at.selectbox if s.key and s.key.endswith(f"_col_{HEADERS.index(header)}"))
    )


def _value(at, written: str):
    return next(s for s in at.selectbox if s.key and "_val_department_" in s.key and _shown(s.label) == written)


def _shown(label: str) -> str:
    return label.replace("\\", "")  # labels are data made literal for Markdown (app.text.plain)


def _spend_totals(path: Path) -> dict[str, float]:
    engine = db.make_engine(f"duckdb:///{path}")
    try:
        with engine.connect() as c:
            rows = c.execute(sa.text("SELECT department, SUM(amount), COUNT(*) FROM spend GROUP BY department")).all()
    finally:
        engine.dispose()
    return {r[0]: round(float(r[1]), 2) for r in rows}


# The euro rates the database holds (fx_rates), for this quarter's file and the next one's.
RATES = "currency,month,rate\nEUR,2026-04-01,1.0832\nEUR,2026-05-01,1.1\nEUR,2026-06-01,1.15\n" + "".join(
    f"EUR,2026-{m:02d}-01,1.1\n" for m in (7, 8, 9)
)
# The finance file's lines converted at those rates, each to the cent (as in tests/cli/test_mapping_cli.py).
IN_DOLLARS = {"Marketing": 14710.17, "IT": 9219.6, "Joint": 1099.99}


def _load_rates(path: Path) -> None:
    from metrics.validation import validate_files

    report = validate_files({"fx_rates.csv": RATES.encode()})
    engine = db.make_engine(f"duckdb:///{path}")
    try:
        db.import_tables(engine, report.tables, source="rates", fingerprint="rates")
    finally:
        engine.dispose()


def test_map_preview_import_and_save(private_db):
    assert not open_page(PAGE).exception  # the sample is loaded into this test's database
    _load_rates(private_db)
    at = open_page(PAGE)
    at.file_uploader(key="map_upload").set_value(("GL lines FY26 Q1.csv", FINANCE, "text/csv"))
    at.run()
    assert not at.exception
    assert at.selectbox(key="map_table").value == "spend"
    suggested = {h: _column(at, h).value for h in HEADERS}
    assert suggested == {
        "Posting Date": "date",  # alias
        "Supplier Name": "vendor",  # alias
        "Cost Centre": "cost_center",  # alias: the finance system's cost centres
        "Net Amount (EUR)": "amount",  # folded: "(EUR)" and spaces aside
        "VAT (EUR)": "(ignore this column)",
        "GL Category": "category",  # fuzzy
        "Document No": "(ignore this column)",
    }
    # Before adjusting, nothing fills department: the page offers one value for every row instead.
    assert any(s.key and s.key.endswith("_const_department") for s in at.selectbox)
    assert at.error  # and the preview refuses the file

    _column(at, "Cost Centre").set_value("department")
    _column(at, "Document No").set_value("invoice_id")
    at.run()
    currency = next(t for t in at.text_input if t.key and t.key.endswith("_currency"))
    currency.set_value("EUR")
    pattern = next(t for t in at.text_input if t.key and t.key.endswith("_pattern"))
    pattern.set_value("%d/%m/%Y")
    at.run()
    cost_centres = {_shown(s.label) for s in at.selectbox if s.key and "_val_department_" in s.key}
    assert cost_centres == {"CC-4100", "CC-4150", "CC-5200", "CC-6000"}  # cc_4100 is CC-4100, folded
    for written, department in {
        "CC-4100": "Marketing",
        "CC-4150": "Marketing",
        "CC-5200": "IT",
        "CC-6000": "Joint",
    }.items():
        _value(at, written).set_value(department)
    at.run()
    assert not at.exception
    assert any("Ready to import" in s.value for s in at.success), [e.value for e in at.error]

    saved = parse_mapping(at.code[-1].value).tables
    assert saved == {
        "spend": TableMapping(
            "spend",
            columns={
                "Posting Date": "date",
                "Supplier Name": "vendor",
                "Cost Centre": "department",
                "Net Amount (EUR)": "amount",
                "VAT (EUR)": None,
                "GL Category": "category",
                "Document No": "invoice_id",
            },
            values={
                "department": {"CC-4100": "Marketing", "CC-4150": "Marketing", "CC-5200": "IT", "CC-6000": "Joint"}
            },
            currency="EUR",
            date_format="%d/%m/%Y",
        )
    }

    next(b for b in at.button if b.label == "Import spend with this mapping").click()
    at.run()
    assert not at.exception
    assert any("Imported spend (6 rows)" in s.value for s in at.success)
    assert _spend_totals(private_db) == IN_DOLLARS

    # Next quarter: a fresh session, the saved mapping uploaded with the new file, nothing to adjust.
    next_quarter = (
        FINANCE.replace(b"/04/2026", b"/07/2026").replace(b"/05/2026", b"/08/2026").replace(b"/06/2026", b"/09/2026")
    )
    at = open_page(PAGE)
    at.file_uploader(key="map_saved").set_value(("spend-mapping.toml", _toml(saved), "application/toml"))
    at.file_uploader(key="map_upload").set_value(("GL lines FY26 Q2.csv", next_quarter, "text/csv"))
    at.run()
    assert not at.exception
    assert _column(at, "Cost Centre").value == "department" and _column(at, "Document No").value == "invoice_id"
    assert parse_mapping(at.code[-1].value).tables == saved
    next(b for b in at.button if b.label == "Import spend with this mapping").click()
    at.run()
    assert any("Imported spend (6 rows)" in s.value for s in at.success)


def _toml(tables: dict[str, TableMapping]) -> bytes:
    from metrics.mapping import Mapping, to_toml

    return to_toml(Mapping(tables)).encode()

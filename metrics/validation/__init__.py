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
  over 20,000,000 lines are refused before parsing.
- Headers match ignoring case, surrounding spaces, and space/underscore/hyphen, plus the
  contract's aliases. Duplicates are errors; unknown columns are ignored with a warning. A blank
  header cell is an error when its column holds data, and ignored with a warning when it is empty
  (a stray trailing delimiter).

Numbers
- Decimal separator "auto" is decided from the values, per number column: '1234.56' and
  '1,234.56' prove '.', '12,5' and '1.234,56' prove ','; '1,234' proves nothing. The majority
  decides, and values with the other mark are errors asking for the setting. A column whose
  values do not decide follows the other number columns of the file; when nothing in the file
  decides, ',' is assumed in semicolon-delimited files and '.' otherwise. The other mark is accepted only as a thousands separator in groups of three ('1,234,567.89' /
  '1.234.567,89'); spaces (also no-break and narrow no-break) and apostrophes group thousands too.
  '12,5' read with '.' is an error suggesting decimal=',' - never 125. When the decimal comma was
  only assumed (auto) and a column's values use '.' solely as thousands separators, a warning
  says so, because '1.234' may have meant 1.234.
- Money accepts currency symbols ($ € £ ¥) and three-letter codes before or after the number, and
  negatives written -1500, 1500-, (1,500) or -$1,500. Amounts are rounded to cents and must be
  below 10**16 (stored as NUMERIC(18, 2)).
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
- A folder or upload may bring any subset of the tables (a folder with none is an error).
  Cross-table checks read the tables not brought from `reference` (an import passes the
  database's kpis and vendors), so they run against the tables as they will be after the import.
- kpi_targets and kpi_actuals naming a KPI missing from kpis are errors; with no kpis at all
  (neither a file nor a reference), one warning says the ids were not checked. Spend vendors missing
  from the vendor catalogue, after `metrics.vendors` normalisation and aliases, are warnings (one
  per supplier, with its row count).

Caps
- Each (column, problem) reports its first 20 rows one by one, then one "... and N more" finding,
  so a bad million-row file gives a readable list.
- Informational warnings (credits, future dates, stages out of order) are one finding per
  column, with the row count and the first five lines. Unknown KPIs and vendors are one finding
  per value, 20 at most, most frequent first.

Layout: `findings` (Finding, the report, the per-problem cap), `options` (ReadOptions and the size
limits), `values`, `numbers` and `dates` (one parser per column kind), `header` (header row),
`table` (typed frame and row checks), `cross` (checks between tables) and `entry` (folder, uploads,
one table). `metrics.csvread` reads the bytes into strings first; a mapping
(`metrics.mapping`) renames, maps and completes those strings before the header is matched.
"""

from __future__ import annotations

from metrics.validation.entry import IN_PARTS, read_table, reads_in_parts, validate_files, validate_folder
from metrics.validation.findings import (
    ERROR,
    LINES_LISTED,
    VALUE_DISPLAY_CHARS,
    WARNING,
    FileInfo,
    Finding,
    ValidationReport,
)
from metrics.validation.options import UPLOAD_MAX_BYTES, ReadOptions
from metrics.validation.values import DATETIME_DTYPE, WholeFileNeeded

__all__ = [
    "DATETIME_DTYPE",
    "ERROR",
    "LINES_LISTED",
    "UPLOAD_MAX_BYTES",
    "VALUE_DISPLAY_CHARS",
    "WARNING",
    "IN_PARTS",
    "FileInfo",
    "Finding",
    "ReadOptions",
    "ValidationReport",
    "WholeFileNeeded",
    "read_table",
    "reads_in_parts",
    "validate_files",
    "validate_folder",
]

"""The entry points: a server-side folder, uploaded files, or one table's bytes."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from metrics import contract, csvread
from metrics.contract import TABLES
from metrics.csvread import CsvError, NotInParts, file_parts, read_raw_table_owned
from metrics.mapping import Mapping as ColumnMapping
from metrics.mapping import TableMapping, apply_mapping, mapped_header_score
from metrics.validation.cross import _cross_table_findings
from metrics.validation.currencies import missing_rate_findings
from metrics.validation.findings import ERROR, WARNING, FileInfo, Finding, ValidationReport, _Findings
from metrics.validation.header import _map_header
from metrics.validation.options import ReadOptions
from metrics.validation.table import _check_rows, _Parts, _typed_frame
from metrics.validation.values import WholeFileNeeded


def validate_folder(
    path: str | Path,
    options: ReadOptions = ReadOptions(),
    required_tables: Iterable[str] | None = None,
    mapping: ColumnMapping | None = None,
    reference: Mapping[str, pd.DataFrame] | None = None,
    on_part: Callable[[str, pd.DataFrame, ValidationReport], None] | None = None,
    part_bytes: int | None = None,
) -> ValidationReport:
    """Validate `<table>.csv` files in a folder (names matched ignoring case; other *.csv files
    are ignored with a warning).

    A file of a table in `IN_PARTS` larger than `part_bytes` (default `csvread.PART_BYTES`) is read and validated part by part
    (`_add_table_in_parts`), so that memory does not grow with it: each part's typed frame goes to
    `on_part` (the import writes it) while the folder has no error, and the report keeps a digest of
    the table for the checks between tables. Where a part cannot be judged alone (`NotInParts`,
    `WholeFileNeeded`) the file is read whole - or, with `on_part`, the exception is raised so that
    the import can start again without parts.

    A folder may bring any of the tables (an import replaces only those); a folder with
    none of them is an error, and so is a table in `required_tables` without its file. `reference`
    holds the database's current tables (kpis, vendors) for the cross-table checks of tables the
    folder does not bring, as `validate_files` does for uploads."""
    required = _known_tables(() if required_tables is None else required_tables)
    report = ValidationReport([], {}, {})
    folder = Path(path)
    if not folder.is_dir():
        report.findings.append(
            Finding(ERROR, str(path), None, None, None, "the folder does not exist", "check the data folder setting")
        )
        return report

    by_table: dict[str, Path] = {}
    for file in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv"):
        table = file.stem.strip().lower()
        if table not in TABLES:
            report.findings.append(
                Finding(
                    WARNING,
                    file.name,
                    None,
                    None,
                    None,
                    "this file is not one of the tables and is ignored",
                    f"name files after their table ({_table_list()}) or move this one out of the folder",
                )
            )
        elif table in by_table:
            report.findings.append(
                Finding(
                    ERROR,
                    file.name,
                    None,
                    None,
                    None,
                    f"both {by_table[table].name} and {file.name} would be read as the {table} table",
                    "keep only one of them in the folder",
                )
            )
        else:
            by_table[table] = file

    # Tables read in parts come last, so that an import writing their parts has the folder's
    # exchange rates and knows of any error in the other files.
    part_bytes = csvread.PART_BYTES if part_bytes is None else part_bytes
    in_parts = reads_in_parts(folder, mapping, part_bytes)
    for table in [t for t in contract.TABLE_ORDER if t not in in_parts] + in_parts:
        csv_file = by_table.get(table)
        if csv_file is None:
            if table in required:
                report.findings.append(
                    Finding(
                        ERROR,
                        f"{table}.csv",
                        None,
                        None,
                        None,
                        f"the file {table}.csv is missing",
                        f"add {table}.csv to the folder ({TABLES[table].description})",
                    )
                )
            continue
        size = csv_file.stat().st_size
        if size > options.max_bytes:
            report.files[table] = FileInfo(csv_file.name, table, "", size, 0, "", "")
            report.findings.append(_too_large(csv_file.name, size, options.max_bytes))
            continue
        if table in in_parts:
            try:
                report.findings.extend(_add_table_in_parts(report, table, csv_file, options, on_part, part_bytes))
                continue
            except (NotInParts, WholeFileNeeded):
                if on_part is not None:
                    raise  # the import restarts from the beginning, reading the file whole
        try:
            # Handed over in a holder, so that the bytes are freed once tokenised (see `_read_table`).
            holder = [csv_file.read_bytes()]
        except OSError as e:
            report.findings.append(
                Finding(
                    ERROR,
                    csv_file.name,
                    None,
                    None,
                    None,
                    f"the file cannot be read ({e.strerror})",
                    "check that the file is readable by the dashboard",
                )
            )
            continue
        _add_table(report, table, csv_file.name, holder, options, mapping)

    if not by_table:
        report.findings.append(
            Finding(
                ERROR,
                str(path),
                None,
                None,
                None,
                "the folder holds none of the table files",
                f"put one or more of {_table_list()} in the folder (any subset: the tables not there are kept)",
            )
        )
    report.findings.extend(_cross_table_findings(report, reference or {}))
    report.findings.extend(missing_rate_findings(report, reference or {}, options))
    return report


def validate_files(
    files: Mapping[str, bytes],
    options: ReadOptions = ReadOptions(),
    reference: Mapping[str, pd.DataFrame] | None = None,
    mapping: ColumnMapping | None = None,
) -> ValidationReport:
    """Validate uploaded files. Each name must be `<table>.csv` (any case); names are only
    compared, never used as paths. `reference` holds already-loaded tables (e.g. kpis and vendors
    from the database) for cross-table checks on tables that were not uploaded."""
    report = ValidationReport([], {}, {})
    for raw_name, data in files.items():
        name = _display_name(raw_name)
        lowered = str(raw_name).strip().lower()
        table = lowered[: -len(".csv")] if lowered.endswith(".csv") else None
        if table not in TABLES:
            report.findings.append(
                Finding(
                    ERROR,
                    name,
                    None,
                    None,
                    None,
                    f"'{name}' is not the name of a table file",
                    f"name the file after its table: {_table_list()}",
                )
            )
            continue
        if table in report.files:
            report.findings.append(
                Finding(
                    ERROR,
                    name,
                    None,
                    None,
                    None,
                    f"two uploaded files would be read as the {table} table ({report.files[table].name} and {name})",
                    "upload only one file per table",
                )
            )
            continue
        _add_table(report, table, name, [data], options, mapping)
    report.findings.extend(_cross_table_findings(report, reference or {}))
    report.findings.extend(missing_rate_findings(report, reference or {}, options))
    return report


def read_table(
    table_name: str,
    file_name: str,
    data: bytes,
    options: ReadOptions = ReadOptions(),
    mapping: TableMapping | None = None,
) -> tuple[pd.DataFrame | None, list[Finding], FileInfo | None]:
    """Read one table's CSV bytes into a clean typed frame (see `_typed_frame`), with findings.

    A mapping (`metrics.mapping`) renames columns, maps values and adds constants before
    validation; findings about a renamed column name it as headed in the file.

    The frame is returned whenever the file could be tokenised, even with errors in values;
    callers refuse to import on any error. FileInfo is always returned.
    """
    return _read_table(table_name, file_name, [data], options, mapping)


def _read_table(
    table_name: str,
    file_name: str,
    holder: list[bytes],
    options: ReadOptions = ReadOptions(),
    mapping: TableMapping | None = None,
) -> tuple[pd.DataFrame | None, list[Finding], FileInfo | None]:
    """`read_table` of the bytes in `holder`, taken out of it so that they can be freed once
    tokenised (a folder's large file is not kept beside its strings and typed frame)."""
    data = holder.pop()
    table = TABLES[_known_tables([table_name])[0]]
    if len(data) > options.max_bytes:
        return (
            None,
            [_too_large(file_name, len(data), options.max_bytes)],
            FileInfo(file_name, table.name, "", len(data), 0, "", ""),
        )
    info = FileInfo(file_name, table.name, hashlib.sha256(data).hexdigest(), len(data), 0, "", "")
    out = _Findings(file_name)
    header_names = mapped_header_score(table, mapping)
    if mapping is not None:
        options = dataclasses.replace(
            options,
            date_order=mapping.date_order or options.date_order,
            decimal=mapping.decimal_mark or options.decimal,
        )
    tokens = [data]
    del data
    try:
        raw = read_raw_table_owned(
            tokens, lambda cells: sum(contract.normalise_header(c) in header_names for c in cells)
        )
    except CsvError as e:
        out.add(ERROR, e.issue.problem, e.issue.fix, line=e.issue.line, value=e.issue.value)
        return None, out.items, info
    info.encoding, info.delimiter, info.rows = raw.encoding, raw.delimiter, len(raw.rows)
    for issue in raw.issues:
        out.add(issue.severity, issue.problem, issue.fix, line=issue.line, value=issue.value)

    original: dict[str, str] = {}
    if mapping is not None:
        mapped = apply_mapping(raw, mapping)
        raw, original = mapped.raw, mapped.original_headers
        for problem in mapped.issues:
            out.add(ERROR, problem.problem, problem.fix, line=problem.line, column=problem.column, value=problem.value)

    positions = _map_header(table, raw, out)
    if raw.rows.empty:
        if not any(issue.severity == ERROR for issue in raw.issues):
            out.add(
                ERROR,
                "the file has a header but no data rows",
                "add the data rows below the header, or leave this file out",
                line=raw.header_line,
            )
        return None, out.items, info
    frame = _typed_frame(table, raw, positions, options, out)
    written = {name: raw.rows[str(pos)] for name, pos in positions.items()}
    _check_rows(table, frame, written, out, options)
    return frame, _as_headed(out.items, original), info


# Tables read in parts when their file is large: spend, the one that reaches millions of lines.
IN_PARTS = ("spend",)


def reads_in_parts(path: str | Path, mapping: ColumnMapping | None = None, part_bytes: int | None = None) -> list[str]:
    """The tables of the folder that `validate_folder` reads part by part (their file is large)."""
    part_bytes = csvread.PART_BYTES if part_bytes is None else part_bytes
    folder = Path(path)
    if not folder.is_dir():
        return []
    found = []
    for file in folder.iterdir():
        table = file.stem.strip().lower()
        readable = file.is_file() and file.suffix.lower() == ".csv" and table in IN_PARTS
        if readable and file.stat().st_size > part_bytes and (mapping is None or mapping.for_table(table) is None):
            found.append(table)
    return found


def _add_table_in_parts(
    report: ValidationReport,
    table_name: str,
    path: Path,
    options: ReadOptions,
    on_part: Callable[[str, pd.DataFrame, ValidationReport], None] | None,
    part_bytes: int,
) -> list[Finding]:
    """Validate a large file part by part (`metrics.csvread.file_parts`) with what the earlier
    parts settled (`_Parts`: decimal marks, day/month orders, the keys seen) and the findings
    merged as for the whole file; returns them, and files its `FileInfo` and digest in `report`.
    Raises `NotInParts` or `WholeFileNeeded` where the file must be read whole."""
    table = TABLES[table_name]
    out = _Findings(path.name)
    header_names = mapped_header_score(table, None)
    info = FileInfo(path.name, table.name, "", path.stat().st_size, 0, "", "")
    digest = hashlib.sha256()
    parts = _Parts()
    positions: dict[str, int] = {}
    delimiter: str | None = None
    summary: pd.DataFrame | None = None
    for part in file_parts(path, part_bytes):
        digest.update(memoryview(part.data)[part.copied :])
        try:
            raw = read_raw_table_owned(
                [part.data],
                lambda cells: sum(contract.normalise_header(c) in header_names for c in cells),
                delimiter=delimiter,
                lines_before=part.lines_before,
            )
        except CsvError:
            raise WholeFileNeeded("a part cannot be read") from None
        if raw.issues or any(h == "" for h in raw.header):
            # Rows with the wrong number of fields, or a blank header cell whose column may hold
            # data further on: the whole-file reader words and caps them.
            raise WholeFileNeeded("the file has structural findings")
        if part.first:
            info.encoding, info.delimiter, delimiter = raw.encoding, raw.delimiter, raw.delimiter
            positions = _map_header(table, raw, out)
        if raw.rows.empty:
            continue
        out.next_part()
        frame = _typed_frame(table, raw, positions, options, out, parts)
        written = {name: raw.rows[str(pos)] for name, pos in positions.items()}
        _check_rows(table, frame, written, out, options, parts)
        del raw, written
        info.rows += len(frame)
        summary = _digest(table_name, frame, summary)
        if on_part is not None and report.ok and not any(f.severity == ERROR for f in out.items):
            on_part(table_name, frame, report)
        del frame
    if summary is None:
        raise WholeFileNeeded("no data rows")  # the whole-file reader says so
    info.sha256 = digest.hexdigest()
    report.files[table_name] = info
    report.tables[table_name] = summary
    return out.items


# What the checks between tables read of a table validated in parts: one row per vendor,
# currency and month, with its first line (`_line`) and its number of rows (`_rows`).
_DIGESTED = {"spend": ["vendor", "currency", "date"]}


def _digest(table_name: str, frame: pd.DataFrame, before: pd.DataFrame | None) -> pd.DataFrame:
    keys = _DIGESTED[table_name]
    part = frame[[*keys, "_line"]].assign(_rows=1)
    if "date" in keys:
        part["date"] = part["date"].dt.to_period("M").dt.to_timestamp()  # rates are per month
    both = part if before is None else pd.concat([before, part], ignore_index=True)
    grouped = both.groupby(keys, dropna=False, sort=False).agg(_line=("_line", "min"), _rows=("_rows", "sum"))
    return grouped.reset_index().sort_values("_line", ignore_index=True)


def _as_headed(findings: list[Finding], original: dict[str, str]) -> list[Finding]:
    """Findings name a mapped column as the user sees it headed in the file."""
    if not original:
        return findings
    return [dataclasses.replace(f, column=original.get(f.column, f.column)) if f.column else f for f in findings]


def _add_table(
    report: ValidationReport,
    table: str,
    name: str,
    holder: list[bytes],
    options: ReadOptions,
    mapping: ColumnMapping | None = None,
) -> None:
    frame, findings, info = _read_table(table, name, holder, options, mapping.for_table(table) if mapping else None)
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

    return Finding(
        ERROR,
        name,
        None,
        None,
        None,
        f"the file is too large: {shown(size)}, and the limit is {shown(limit)}",
        "split the file, or load large tables from the database",
    )

"""The entry points: a server-side folder, uploaded files, or one table's bytes."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from metrics import contract
from metrics.contract import TABLES
from metrics.csvread import CsvError, read_raw_table_owned
from metrics.mapping import Mapping as ColumnMapping
from metrics.mapping import TableMapping, apply_mapping, mapped_header_score
from metrics.validation.cross import _cross_table_findings
from metrics.validation.currencies import missing_rate_findings
from metrics.validation.findings import ERROR, WARNING, FileInfo, Finding, ValidationReport, _Findings
from metrics.validation.header import _map_header
from metrics.validation.options import ReadOptions
from metrics.validation.table import _check_rows, _typed_frame


def validate_folder(
    path: str | Path,
    options: ReadOptions = ReadOptions(),
    required_tables: Iterable[str] | None = None,
    mapping: ColumnMapping | None = None,
    reference: Mapping[str, pd.DataFrame] | None = None,
) -> ValidationReport:
    """Validate `<table>.csv` files in a folder (names matched ignoring case; other *.csv files
    are ignored with a warning).

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

    for table in contract.TABLE_ORDER:
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

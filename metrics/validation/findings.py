"""What validation reports: findings, the report and per-file facts, and the helpers that word
findings the same way everywhere (quoted values, line lists, the per-problem cap)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.csvread import ROW_ISSUE_CAP

ERROR = "error"
WARNING = "warning"
VALUE_DISPLAY_CHARS = 80
LINES_LISTED = 5


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" (blocks the import) or "warning"
    file: str
    line: int | None  # as the user sees it in the file; the header is line 1
    column: str | None  # canonical column name where known, else the header as written
    value: str | None  # the offending value as written, truncated
    problem: str
    fix: str

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        where = self.file + (f" line {self.line}" if self.line is not None else "")
        where += f", column {self.column}" if self.column else ""
        return f"{self.severity.upper()} {where}: {self.problem}. Fix: {self.fix}"


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
    tables: dict[str, pd.DataFrame]  # table name -> clean typed frame, for tables that were read
    files: dict[str, FileInfo]  # table name -> the file it was read from

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

        return ", ".join(
            (count(len(self.files), "file"), count(len(self.errors), "error"), count(len(self.warnings), "warning"))
        )


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

    def add(
        self,
        severity: str,
        problem: str,
        fix: str,
        *,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        value = None if value is None else _truncate(str(value))
        self.items.append(
            Finding(severity, self.file, None if line is None else int(line), column, value, problem, fix)
        )

    def each_row(self, issue: _Issue, rows: np.ndarray, lines: np.ndarray, values: pd.Series, column: str) -> None:
        """One finding per row for the first ROW_ISSUE_CAP rows, then one summary."""
        for row in rows[:ROW_ISSUE_CAP]:
            value = values.iat[row]
            self.add(
                issue.severity,
                issue.problem.format(value=_show(value), column=column),
                issue.fix.format(value=_show(value), column=column),
                line=lines[row],
                column=column,
                value=value,
            )
        if len(rows) > ROW_ISSUE_CAP:
            generic = issue.problem.format(value="the value", column=column)
            self.add(
                issue.severity,
                f"... and {len(rows) - ROW_ISSUE_CAP:,} more rows like this ({generic})",
                issue.fix.format(value="each value", column=column),
                column=column,
            )

    def all_rows(
        self,
        severity: str,
        problem: str,
        fix: str,
        rows: np.ndarray,
        lines: np.ndarray,
        values: pd.Series | None,
        column: str | None,
        **details: object,
    ) -> None:
        """One finding for many rows. `problem` may use {count} ("3 rows"), {have} (has/have),
        {lines}, {value} (the first row's value) and the `details`; values from the file only
        ever enter as arguments, never as part of the template."""
        if len(rows) == 0:
            return
        value = None if values is None else values.iat[rows[0]]
        self.add(
            severity,
            problem.format(
                count=_rows(len(rows)),
                have="has" if len(rows) == 1 else "have",
                lines=_lines_text(lines[rows]),
                value=_show(value),
                **details,
            ),
            fix,
            line=lines[rows[0]],
            column=column,
            value=value,
        )

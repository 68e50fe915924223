"""What validation reports: findings, the report and per-file facts, and the helpers that word
findings the same way everywhere (quoted values, line lists, the per-problem cap)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

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


def _lines_text(lines: np.ndarray, total: int | None = None) -> str:
    """The first lines listed, then how many more: of `total` lines when `lines` holds only the
    first ones."""
    total = len(lines) if total is None else total
    shown = ", ".join(str(int(n)) for n in lines[:LINES_LISTED])
    more = f" and {total - LINES_LISTED:,} more" if total > LINES_LISTED else ""
    return f"line{'s' if total > 1 else ''} {shown}{more}"


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class _Issue:
    """One kind of bad value. `problem` and `fix` may use {value} and {column}."""

    problem: str
    fix: str
    severity: str = ERROR


@dataclass
class _Gathered:
    """A finding about many rows, gathered over the parts of a file read in parts."""

    at: int  # its position in the findings
    count: int
    lines: list[int]  # the first LINES_LISTED
    value: object
    line: int
    details: dict[str, object] = field(default_factory=dict)  # those of the first report


class _Findings:
    """Findings of one file, with the per-problem cap applied to row-level findings.

    A large file is validated in parts (`next_part` between them): the n-th report of a kind in a
    part continues the n-th report of that kind in the earlier parts, so that the cap, the counts
    and the lines listed are those of the whole file. Read in one part, nothing is merged."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Finding] = []
        self._calls: dict[tuple, int] = {}  # reports of each kind in the current part
        self._listed: dict[tuple, int] = {}  # rows listed one by one, per kind
        self._more: dict[tuple, tuple[int, int]] = {}  # kind -> (position, rows not listed)
        self._gathered: dict[tuple, _Gathered] = {}

    def next_part(self) -> None:
        self._calls.clear()

    def _kind(self, *key: object) -> tuple:
        n = self._calls.get(key, 0)
        self._calls[key] = n + 1
        return (*key, n)

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
        self.items.append(self._finding(severity, problem, fix, line, column, value))

    def _finding(
        self, severity: str, problem: str, fix: str, line: int | None, column: str | None, value: object
    ) -> Finding:
        value = None if value is None else _truncate(str(value))
        return Finding(severity, self.file, None if line is None else int(line), column, value, problem, fix)

    def listable(self, kind: tuple, rows: int) -> int:
        """How many of `rows` more rows of `kind` are still listed one by one (the rest are counted)."""
        listed = self._listed.get(kind, 0)
        now = min(rows, max(ROW_ISSUE_CAP - listed, 0))
        self._listed[kind] = listed + now
        return now

    def count_more(self, kind: tuple, rows: int, finding: Callable[[int], Finding]) -> None:
        """Count `rows` more rows of `kind` not listed, in one "... and N more" finding."""
        if rows <= 0:
            return
        if kind in self._more:
            at, before = self._more[kind]
            self._more[kind] = (at, before + rows)
            self.items[at] = finding(before + rows)
        else:
            self._more[kind] = (len(self.items), rows)
            self.items.append(finding(rows))

    def each_row(self, issue: _Issue, rows: np.ndarray, lines: np.ndarray, values: pd.Series, column: str) -> None:
        """One finding per row for the first ROW_ISSUE_CAP rows, then one summary."""
        kind = self._kind("each", issue, column)
        listed = self.listable(kind, len(rows))
        for row in rows[:listed]:
            value = values.iat[row]
            self.add(
                issue.severity,
                issue.problem.format(value=_show(value), column=column),
                issue.fix.format(value=_show(value), column=column),
                line=lines[row],
                column=column,
                value=value,
            )
        generic = issue.problem.format(value="the value", column=column)
        self.count_more(
            kind,
            len(rows) - listed,
            lambda more: self._finding(
                issue.severity,
                f"... and {more:,} more rows like this ({generic})",
                issue.fix.format(value="each value", column=column),
                None,
                column,
                None,
            ),
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
        ever enter as arguments, never as part of the template. Details named in `_FIRST_ROW`
        describe the first row; the others tell findings of one template apart."""
        if len(rows) == 0:
            return
        identity = tuple(sorted((k, str(v)) for k, v in details.items() if k not in _FIRST_ROW))
        kind = self._kind("all", severity, problem, column, identity)
        gathered = self._gathered.get(kind)
        if gathered is None:
            value = None if values is None else values.iat[rows[0]]
            gathered = _Gathered(len(self.items), 0, [], value, int(lines[rows[0]]), details)
            self._gathered[kind] = gathered
            self.items.append(self._finding(severity, problem, fix, None, column, None))  # worded below
        gathered.count += len(rows)
        gathered.lines += [int(n) for n in lines[rows[: LINES_LISTED - len(gathered.lines)]]]
        self.items[gathered.at] = self._finding(
            severity,
            problem.format(
                count=_rows(gathered.count),
                have="has" if gathered.count == 1 else "have",
                lines=_lines_text(np.array(gathered.lines), gathered.count),
                value=_show(gathered.value),
                **gathered.details,
            ),
            fix,
            gathered.line,
            column,
            gathered.value,
        )


# `all_rows` details that describe a finding's first row rather than tell findings apart.
_FIRST_ROW = frozenset({"number", "percent", "percent_line"})

"""What the importers share: the refusal carrying findings, findings capped per problem, the
mapping file's tables, and reading a CSV export through the same reader as validation."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metrics.csvread import ROW_ISSUE_CAP, CsvError, RawTable, read_raw_table
from metrics.validation.findings import ERROR, WARNING, Finding

__all__ = [
    "ERROR",
    "WARNING",
    "Finding",
    "ImportRefused",
    "ImportReport",
    "Notes",
    "column_positions",
    "read_csv_export",
    "read_mapping_section",
]


class ImportRefused(ValueError):
    """The file cannot be imported as it is; nothing was written. Carries every error found."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        super().__init__("\n".join(str(f) for f in self.findings))


class Notes:
    """Findings of one imported file, row-level ones capped like validation's: the first
    ROW_ISSUE_CAP rows one by one, then one "... and N more rows like this"."""

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
        shown = None if value is None else str(value)[:80]
        self.items.append(Finding(severity, self.file, line, column, shown, problem, fix))

    def rows(
        self,
        severity: str,
        problem: str,
        fix: str,
        lines: Sequence[int] | np.ndarray,
        values: Sequence[object],
        column: str | None,
    ) -> None:
        for line, value in list(zip(lines, values, strict=True))[:ROW_ISSUE_CAP]:
            self.add(severity, problem, fix, line=int(line), column=column, value=value)
        if len(lines) > ROW_ISSUE_CAP:
            self.add(
                severity, f"... and {len(lines) - ROW_ISSUE_CAP:,} more rows like this ({problem})", fix, column=column
            )

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.severity == ERROR]

    def refuse_on_errors(self) -> None:
        if self.errors:
            raise ImportRefused(self.errors)


@dataclass(frozen=True)
class ImportReport:
    """What an importer read, wrote, excluded and repaired: printed by the command line, shown on
    the Data page, and stored as the import batch's findings."""

    kind: str  # "jira" or "focus"
    file: str
    counts: dict[str, int]  # label -> count, in reading order ("rows read": 1000, ...)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # facts that are not about rows (date style...)

    def lines(self) -> list[str]:
        out = [f"{self.file} ({self.kind}):"]
        out += [f"  {label}: {count:,}" for label, count in self.counts.items()]
        out += [f"  {note}" for note in self.notes]
        return out

    def finding_dicts(self) -> list[dict]:
        return [f.as_dict() for f in self.findings]


def read_csv_export(data: bytes, file: str) -> RawTable:
    """Decode and tokenise an export with validation's reader: UTF-8 with or without a BOM,
    UTF-16 with one, CRLF or LF, quoted multi-line cells, lines numbered as seen in the file.
    Repeated headers are fine here (columns are positional)."""
    try:
        raw = read_raw_table(data)
    except CsvError as exc:
        i = exc.issue
        raise ImportRefused([Finding(ERROR, file, i.line, None, i.value, i.problem, i.fix)]) from None
    errors = [Finding(ERROR, file, i.line, None, i.value, i.problem, i.fix) for i in raw.issues if i.severity == ERROR]
    if errors:
        raise ImportRefused(errors)
    return raw


def column_positions(raw: RawTable, name: str) -> list[str]:
    """The frame columns ("0", "1"...) under every header cell spelled `name` (any case)."""
    wanted = name.strip().casefold()
    return [str(i) for i, h in enumerate(raw.header) if h.casefold() == wanted]


def read_mapping_section(path: str | Path | None, section: str, text: str | None = None) -> dict[str, Any]:
    """The `[section]` table of a TOML mapping file ({} without a file or without the table)."""
    if path is None and text is None:
        return {}
    name = str(path) if path is not None else "mapping file"
    try:
        if text is None:
            assert path is not None
            text = Path(path).read_text(encoding="utf-8")
        parsed = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRefused(
            [
                Finding(
                    ERROR,
                    name,
                    None,
                    None,
                    None,
                    f"the mapping file cannot be read ({exc})",
                    "give a readable UTF-8 TOML file",
                )
            ]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ImportRefused(
            [
                Finding(
                    ERROR,
                    name,
                    None,
                    None,
                    None,
                    f"the mapping file is not valid TOML: {exc}",
                    "fix the TOML syntax at that place",
                )
            ]
        ) from None
    table = parsed.get(section, {})
    if not isinstance(table, dict):
        raise ImportRefused(
            [
                Finding(
                    ERROR,
                    name,
                    None,
                    section,
                    None,
                    f"[{section}] must be a table",
                    f"write it as a [{section}] table of keys",
                )
            ]
        )
    return table


def text_column(raw: RawTable, name: str) -> pd.Series | None:
    """The first column headed `name`, or None."""
    cols = column_positions(raw, name)
    return raw.rows[cols[0]].fillna("") if cols else None

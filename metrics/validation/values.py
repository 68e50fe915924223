"""One column's cells on their way to typed values: the shared machinery (`_Cells`, one parse per
distinct value, required cells) and the parsers for text, ids, enums, yes/no and whole numbers.
Amounts live in `numbers`, dates in `dates`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics import contract
from metrics.contract import Column
from metrics.validation.findings import _Findings, _Issue
from metrics.validation.options import ReadOptions

DATETIME_DTYPE = "datetime64[us]"


class WholeFileNeeded(Exception):
    """A part of a file cannot be judged without the rest of it (say, a day/month order its values
    leave open); the file is read whole instead."""


@dataclass
class _Cells:
    """One column's cells and what a parser needs to report on them."""

    column: Column
    values: pd.Series  # trimmed strings, "" when empty
    lines: np.ndarray
    options: ReadOptions
    decimal: str  # "." or ",": as set, or under "auto" decided from the values (see numbers.decimal_marks)
    out: _Findings
    # Under "auto", no value of the file decided and the delimiter's convention was assumed.
    decimal_assumed: bool = False
    # A file read in parts: the day/month order each date column's earlier parts settled ("" when
    # they found it contradictory), shared by the parts; None when the file is read whole.
    orders: dict[str, str] | None = None

    def report(self, issue: _Issue, rows: np.ndarray) -> None:
        self.out.each_row(issue, rows, self.lines, self.values, self.column.name)


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
    unknown = _Issue("{value} is not an allowed {column} value", f"use one of: {allowed} (case does not matter)")
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
_NOT_YEAR = _Issue(
    "{value} is not a plausible fiscal year",
    "write the fiscal year with four digits, e.g. 2026 (FY2026 is also accepted)",
)


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

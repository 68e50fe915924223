"""Dates and times, with the day/month order settled per column (rules in the package docstring)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.validation.findings import ERROR, WARNING, _Issue, _show
from metrics.validation.values import DATETIME_DTYPE, WholeFileNeeded, _Cells, _per_unique

_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\s*(.+))?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[T ]\s*(.+))?")
_NAMED_DATE = re.compile(
    r"(?:(?P<d1>\d{1,2})[ -](?P<m1>[A-Za-z]{3,9})\.?[ -],?\s*(?P<y1>\d{4})"
    r"|(?P<m2>[A-Za-z]{3,9})\.?\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4}))(?:[T ]\s*(?P<time>.+))?"
)
_TIME = re.compile(
    r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([AaPp][Mm])?\s*"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?"
)
_MONTHS = {
    name: i
    for i, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")

_NOT_DATE = _Issue("{value} is not a date", "write dates as yyyy-mm-dd, e.g. 2026-02-14")
_NOT_REAL_DATE = _Issue(
    "{value} is not a real calendar date", "check the day and the month (e.g. February has 28 or 29 days)"
)
_SERIAL_DATE = _Issue(
    "{value} looks like an Excel date serial number, not a date",
    "format the column as a date (yyyy-mm-dd) in Excel before saving as CSV",
)
_TWO_DIGIT_YEAR = _Issue("{value} has a two-digit year", "write the year with four digits, e.g. 14/02/2026")
_BAD_TIME = _Issue(
    "{value} has a time of day that cannot be read", "write the time as HH:MM or HH:MM:SS, e.g. 2026-02-14 10:30"
)


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
            assert order is not None  # dates are only found invalid once an order is settled
            cells.report(
                _Issue(
                    f"{{value}} is not a real date in {_ORDER_WORDS[order]} order",
                    "check the value"
                    + (
                        ""
                        if cells.options.date_order == "auto"
                        else "; if the file writes dates the other way round, change the date order setting"
                    ),
                ),
                np.flatnonzero(np.isin(codes, invalid)),
            )
    stamps = np.array(
        [np.datetime64(p, "us") if p is not None else np.datetime64("NaT", "us") for p in parsed]
        + [np.datetime64("NaT", "us")],
        dtype=DATETIME_DTYPE,
    )
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
    if cells.orders is not None:
        settled = _settled_order(cells.orders, name, proof, any(parsed[i].ambiguous for i in numeric))
        if settled is not None:
            return settled or None
    if len(proof) == 2:
        dmy, mdy = proof["dmy"], proof["mdy"]
        later = max(dmy, mdy)
        cells.out.add(
            ERROR,
            f"the dates in column {name} disagree on the order of day and month: "
            f"line {line[dmy]} has {_show(value.iat[dmy])} (day first) and line {line[mdy]} has "
            f"{_show(value.iat[mdy])} (month first)",
            "write every date in the column the same way, preferably yyyy-mm-dd (2026-02-14)",
            line=line[later],
            column=name,
            value=value.iat[later],
        )
        if cells.orders is not None:
            cells.orders[name] = ""
        return None
    if proof:
        ((order, row),) = proof.items()
        if cells.orders is not None:
            cells.orders[name] = order
        cells.out.add(
            WARNING,
            f"dates in column {name} were read as {_ORDER_WORDS[order]}: line {line[row]} has "
            f"{_show(value.iat[row])}, which can only be "
            f"{'day' if order == 'dmy' else 'month'} first",
            "nothing to do if that is right; otherwise set the date order when importing",
            line=line[row],
            column=name,
            value=value.iat[row],
        )
        return order
    ambiguous = [first_rows[i] for i in numeric if parsed[i].ambiguous]
    if not ambiguous:
        return "dmy"  # every numeric date has day == month: either order reads the same
    row = min(ambiguous)
    cells.out.add(
        ERROR,
        f"dates in column {name} such as {_show(value.iat[row])} could be day/month or month/day, "
        "and no date in the column settles it",
        "set the date order when importing (dmy for 14/02/2026, mdy for 02/14/2026), or write dates as yyyy-mm-dd",
        line=line[row],
        column=name,
        value=value.iat[row],
    )
    return None


def _settled_order(orders: dict[str, str], name: str, proof: dict[str, int], ambiguous: bool) -> str | None:
    """For a part of a file: the order earlier parts settled ("" if they found the column
    contradictory), or None when this part settles it as a whole file would. Raises
    `WholeFileNeeded` where the part alone cannot tell: a proof against the settled order (the
    file's error names the first lines of each), or ambiguous dates nothing has settled yet (a
    later part may)."""
    if name in orders:
        if orders[name] and proof and set(proof) != {orders[name]}:
            raise WholeFileNeeded(f"the dates in column {name} disagree on the order of day and month")
        return orders[name]
    if not proof and ambiguous:
        raise WholeFileNeeded(f"the day/month order of column {name} is open")
    return None


def _date_from_text(text: str) -> dt.datetime | _DayMonth | _Issue:
    if m := _ISO_DATE.fullmatch(text):
        year, month, day, time_text = int(m[1]), int(m[2]), int(m[3]), m[4]
    elif m := _NAMED_DATE.fullmatch(text):
        named_month = _MONTHS.get((m["m1"] or m["m2"])[:3].lower())
        if named_month is None:
            return _NOT_DATE
        year, month, day, time_text = int(m["y1"] or m["y2"]), named_month, int(m["d1"] or m["d2"]), m["time"]
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

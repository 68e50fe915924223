"""One table: its typed frame, built column by column by the parser for each column's kind, and
the checks across the columns of a row or across rows (keys, signs, future dates, stage order,
percentage scales)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metrics.contract import Table
from metrics.csvread import RawTable
from metrics.validation import currencies
from metrics.validation.dates import _parse_date, _parse_datetime
from metrics.validation.findings import ERROR, WARNING, _Findings, _show
from metrics.validation.numbers import FIRST_VALUES, _parse_money, _parse_number, decimal_marks
from metrics.validation.options import ReadOptions
from metrics.validation.values import (
    DATETIME_DTYPE,
    WholeFileNeeded,
    _Cells,
    _check_filled,
    _parse_bool,
    _parse_enum,
    _parse_int,
    _parse_text,
)


def _typed_frame(
    table: Table,
    raw: RawTable,
    positions: dict[str, int],
    options: ReadOptions,
    out: _Findings,
    parts: _Parts | None = None,
) -> pd.DataFrame:
    """The clean typed frame: `_line`, then every contract column in contract order (absent
    optional columns are all null), empty cells null, defaults applied. `parts` carries what the
    earlier parts of a file read in parts settled."""
    lines = raw.rows["_line"].to_numpy()
    columns: dict[str, pd.Series] = {"_line": raw.rows["_line"].astype("int64")}
    empty = pd.Series("", index=raw.rows.index, dtype="str")
    if parts is None:
        decimals = _decimals(table, raw, positions, options)
    else:
        if parts.decimals is None:
            parts.decimals = _part_decimals(table, raw, positions, options)
        decimals = parts.decimals
    for column in table.columns:
        present = column.name in positions
        values = raw.rows[str(positions[column.name])] if present else empty
        if column.default is not None:
            values = values.mask(values == "", column.default)
        decimal, assumed = decimals.get(column.name, (".", False))
        cells = _Cells(column, values, lines, options, decimal, out, assumed, None if parts is None else parts.orders)
        columns[column.name] = _PARSERS[column.kind](cells)
        if present and (column.required or column.nonempty):
            _check_filled(cells)
    return pd.DataFrame(columns)


def _decimals(
    table: Table, raw: RawTable, positions: dict[str, int], options: ReadOptions
) -> dict[str, tuple[str, bool]]:
    """The decimal mark of each number column, and whether it was only assumed.

    Set explicitly, it applies to every column. Under "auto" the values decide, not the delimiter:
    a column's own values first ('1234.56', '1,234.56' prove '.'; '12,5', '1.234,56' prove ','),
    by majority (of its first values that prove one, see `decimal_marks`), so the values with the
    other mark are reported as errors asking for the setting; a column
    whose values do not decide (whole numbers, '1,234') follows the other number columns of the
    file; a file where nothing decides keeps the old convention: ',' in semicolon files, '.'
    otherwise (with a warning where that reads '.' as a thousands separator).
    """
    numeric = [c.name for c in table.columns if c.kind in ("money", "number")]
    if options.decimal != "auto":
        return dict.fromkeys(numeric, (options.decimal, False))
    evidence = {name: decimal_marks(raw.rows[str(positions[name])]) for name in numeric if name in positions}
    file_points = sum(p for p, _ in evidence.values())
    file_commas = sum(c for _, c in evidence.values())
    fallback = "," if raw.delimiter == ";" else "."
    file_decimal = "." if file_points > file_commas else "," if file_commas > file_points else None
    out: dict[str, tuple[str, bool]] = {}
    for name in numeric:
        points, commas = evidence.get(name, (0, 0))
        if points != commas:
            out[name] = ("." if points > commas else ",", False)
        elif file_decimal is not None:
            out[name] = (file_decimal, False)
        else:
            out[name] = (fallback, True)
    return out


@dataclass
class _Parts:
    """What the parts of a file read one after the other settle for those that follow."""

    decimals: dict[str, tuple[str, bool]] | None = None  # the first part's, see `_part_decimals`
    orders: dict[str, str] = field(default_factory=dict)  # day/month order per date column
    keys: _SeenKeys = field(default_factory=lambda: _SeenKeys())


def _part_decimals(
    table: Table, raw: RawTable, positions: dict[str, int], options: ReadOptions
) -> dict[str, tuple[str, bool]]:
    """The decimal marks of a file read in parts, from its first part. Under "auto" a column is
    decided by its first 20,000 values (`decimal_marks`); a column whose first values do not
    decide (or a first part shorter than that) would be read to its end, so the file is read whole."""
    if options.decimal == "auto":
        for column in table.columns:
            if column.kind in ("money", "number") and column.name in positions:
                values = raw.rows[str(positions[column.name])]
                if len(values) < FIRST_VALUES or decimal_marks(values.iloc[:FIRST_VALUES]) == (0, 0):
                    raise WholeFileNeeded(f"the decimal mark of column {column.name} is open")
    return _decimals(table, raw, positions, options)


_SECOND_HASH_KEY = "bridgeboard-keys"  # 16 bytes, as pandas wants; any other than its default


class _SeenKeys:
    """The keys of the earlier parts of a file: two independent 64-bit hashes of each (a false
    match needs both to collide) and the line it was first on, one sorted run per part, so that a
    duplicate across parts is found without keeping the keys themselves."""

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    @staticmethod
    def hashes(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        if keys.shape[1] == 1:  # the usual key (an invoice id): hashing the strings directly is faster
            values = keys.iloc[:, 0].to_numpy(dtype=object)
            return (
                pd.util.hash_array(values, categorize=False),
                pd.util.hash_array(values, hash_key=_SECOND_HASH_KEY, categorize=False),
            )
        first = pd.util.hash_pandas_object(keys, index=False).to_numpy()
        second = pd.util.hash_pandas_object(keys, index=False, hash_key=_SECOND_HASH_KEY).to_numpy()
        return first, second

    def first_lines(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """For each key, the line an earlier part had it on, else 0."""
        found = np.zeros(len(first), dtype=np.int64)
        if not self.runs:
            return found
        # Looked up in hash order: a sorted search walks each run once instead of jumping about.
        order = np.argsort(first)
        first, second = first[order], second[order]
        in_order = np.zeros(len(first), dtype=np.int64)
        for hashes, seconds, lines in self.runs:
            at = np.searchsorted(hashes, first)
            inside = np.minimum(at, len(hashes) - 1)
            same = (at < len(hashes)) & (hashes[inside] == first) & (seconds[inside] == second) & (in_order == 0)
            in_order[same] = lines[inside[same]]
        found[order] = in_order
        return found

    def add(self, first: np.ndarray, second: np.ndarray, lines: np.ndarray) -> None:
        order = np.lexsort((second, first))
        self.runs.append((first[order], second[order], lines[order]))


# One parser per contract column kind.
_PARSERS: dict[str, Callable[[_Cells], pd.Series]] = {
    "text": _parse_text,
    "id": _parse_text,
    "enum": _parse_enum,
    "bool": _parse_bool,
    "int": _parse_int,
    "money": _parse_money,
    "number": _parse_number,
    "date": _parse_date,
    "datetime": _parse_datetime,
}


# Rows ---------------------------------------------------------------------------------------

_NEGATIVE_AMOUNTS = {
    "spend": (
        "{count} {have} negative amounts and are counted as credits ({lines})",
        "nothing to do if these are credits or refunds; otherwise correct the sign",
    ),
    "budget": ("{count} {have} negative budget amounts ({lines})", "check the sign: budgets are normally positive"),
}
# (later stage, earlier stage): rows where the later one comes first are kept out of turnaround statistics.
_STAGE_ORDER = {
    "requests": (("ready_at", "requested_at"), ("started_at", "requested_at"), ("delivered_at", "requested_at")),
}


def _check_rows(
    table: Table,
    frame: pd.DataFrame,
    raw: dict[str, pd.Series],
    out: _Findings,
    options: ReadOptions,
    parts: _Parts | None = None,
) -> None:
    """Checks across the columns of a row or across rows; `raw` holds the cells as written."""
    lines = frame["_line"].to_numpy()
    _check_duplicate_keys(table, frame, raw, out, None if parts is None else parts.keys)

    if table.name in _NEGATIVE_AMOUNTS:
        problem, fix = _NEGATIVE_AMOUNTS[table.name]
        out.all_rows(
            WARNING, problem, fix, np.flatnonzero((frame["amount"] < 0).to_numpy()), lines, raw.get("amount"), "amount"
        )

    today = np.datetime64(options.today or dt.date.today(), "D").astype(DATETIME_DTYPE)
    for column in table.columns:
        if column.kind in ("date", "datetime") and not column.future_ok and column.name in raw:
            future = np.flatnonzero((frame[column.name] >= today + np.timedelta64(1, "D")).to_numpy())
            out.all_rows(
                WARNING,
                "{count} {have} a {name} in the future, after {today} ({lines})",
                "check the dates; rows dated in the future are imported as they are",
                future,
                lines,
                raw[column.name],
                column.name,
                name=column.name,
                today=today.astype("datetime64[D]"),
            )

    for later, earlier in _STAGE_ORDER.get(table.name, ()):
        if later in raw and earlier in raw:
            rows = np.flatnonzero((frame[later] < frame[earlier]).to_numpy())
            out.all_rows(
                WARNING,
                f"{{count}} {{have}} {later} earlier than {earlier} ({{lines}}); "
                "such rows are kept out of turnaround statistics",
                f"check the {later} and {earlier} timestamps in the export",
                rows,
                lines,
                raw[later],
                later,
            )

    if table.name in ("spend", "budget", "fx_rates"):
        currencies.check_codes(table.name, frame, raw, out)
    if table.name == "fx_rates":
        currencies.check_rates(frame, raw, out, options)

    if table.name in ("kpi_targets", "kpi_actuals"):
        value_column = "target" if table.name == "kpi_targets" else "value"
        if value_column in raw and "kpi" in raw:
            _check_percent_scales(frame, raw[value_column], value_column, out)


def _check_duplicate_keys(
    table: Table, frame: pd.DataFrame, raw: dict[str, pd.Series], out: _Findings, seen: _SeenKeys | None = None
) -> None:
    """Rows repeating the key of an earlier row; `seen` holds the keys of a file's earlier parts."""
    key = list(table.key)
    if not key or any(k not in raw for k in key):
        return
    # Rows missing a mandatory key part are already errors; a missing optional part (segment) is a value.
    mandatory = [k for k in key if table.column(k).required or table.column(k).nonempty]
    candidates = frame[frame[mandatory].notna().all(axis=1)] if mandatory else frame
    repeated = candidates.duplicated(subset=key, keep="first").to_numpy()
    earlier = np.zeros(len(candidates), dtype=np.int64)
    if seen is not None and len(candidates):
        first, second = _SeenKeys.hashes(candidates[key])
        earlier = seen.first_lines(first, second)
        new = ~repeated & (earlier == 0)
        seen.add(first[new], second[new], candidates["_line"].to_numpy()[new])
    if not repeated.any() and not earlier.any():
        return
    first_line = candidates.groupby(key, dropna=False, sort=False)["_line"].transform("first").to_numpy()
    # A key an earlier part had: every row of it here repeats that part's line.
    first_line = np.where(earlier > 0, earlier, first_line)
    repeated = repeated | (earlier > 0)
    rows = candidates.index.to_numpy()[repeated]
    first = first_line[repeated]
    described = " + ".join(key)
    kind = out._kind("duplicate keys")
    listed = out.listable(kind, len(rows))
    for row, first_at in zip(rows[:listed], first[:listed]):
        written = ", ".join(str(raw[k].iat[row]) or "(empty)" for k in key)
        out.add(
            ERROR,
            f"{described} {_show(written)} appears twice: on line {first_at} and again on line "
            f"{frame['_line'].iat[row]}",
            f"keep one row per {described}: delete or merge the duplicate"
            + (
                " (separate lines of one invoice need their own ids, e.g. INV-1-1, INV-1-2)"
                if key == ["invoice_id"]
                else ""
            ),
            line=frame["_line"].iat[row],
            column=", ".join(key),
            value=written,
        )
    out.count_more(
        kind,
        len(rows) - listed,
        lambda more: out._finding(
            ERROR,
            f"... and {more:,} more rows repeat a {described} of an earlier row",
            f"keep one row per {described}",
            None,
            ", ".join(key),
            None,
        ),
    )


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
        out.all_rows(
            ERROR,
            "KPI {kpi} mixes two scales: {percent} (line {percent_line}) is a percentage, "
            "while {count} {have} fractions such as {value} ({lines})",
            "write every value of the KPI on one scale, e.g. 95 or 95% - not 0.95",
            np.flatnonzero(of_kpi & fraction),
            frame["_line"].to_numpy(),
            raw_values,
            value_column,
            kpi=_show(kpi),
            percent=_show(raw_values.iat[example]),
            percent_line=frame["_line"].iat[example],
        )

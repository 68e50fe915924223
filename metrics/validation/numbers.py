"""Numbers, amounts and percentages as written in spreadsheets (rules in the package docstring)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.contract import MAX_AMOUNT
from metrics.validation.findings import WARNING, _Issue
from metrics.validation.values import _Cells

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
    "{value} has a decimal comma, but {column} is read with '.' as the decimal separator "
    "(as set, or as most of its values have it)",
    "write it with a decimal point (12.5), or if the whole file uses decimal commas, import it with "
    "the decimal separator set to ',' (decimal=\",\")",
)
_DECIMAL_POINT = _Issue(
    "{value} has a decimal point, but {column} is read with ',' as the decimal separator "
    "(as set, or as most of its values have it)",
    "write it with a decimal comma (12,5), or if the whole file uses decimal points, import it with "
    "the decimal separator set to '.' (decimal=\".\")",
)
# Which decimal mark a written number proves (RE2 syntax, on its digits and separators only).
# '1,234' and '1.234' prove nothing: either mark could be the thousands separator.
_PROVES = {
    ".": r"\d{1,3}(?:,\d{3})+\.\d+|\d{1,3}(?:,\d{3}){2,}|\d*\.\d+",
    ",": r"\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:\.\d{3}){2,}|\d*,\d+",
}
_UNDECIDED = r"[1-9]\d{0,2}[.,]\d{3}"
_TOO_LARGE = _Issue(
    "{value} is too large for an amount: amounts must be below " + f"{MAX_AMOUNT:,}",
    "check the value (a misplaced decimal separator or exponent?); amounts are stored to the cent",
)
_MONEY_PERCENT = _Issue("{value} is a percentage, not an amount", "write the amount itself, e.g. 1234.56")
_NOT_AMOUNT = _Issue(
    "{value} is not an amount", "write a number such as 1234.56 ($1,234.56, -1500 and (1,500) are accepted too)"
)
_NOT_NUMBER = _Issue(
    "{value} is not a number", "write a plain number such as 41.5 (a trailing % is accepted), without words or units"
)


FIRST_VALUES = 20_000


def decimal_marks(values: pd.Series) -> tuple[int, int]:
    """How many of the written numbers prove a decimal point, and how many a decimal comma.

    Spaces, apostrophes, signs and currency are set aside; only digits, '.' and ',' count. The
    first 20,000 values decide when any of them proves a mark; only a column where none does is
    read to the end. (A column mixing the marks is an error whichever way its majority falls, so
    a million-row column is not scanned an extra time for the count.)
    """
    head = _marks(values.iloc[:FIRST_VALUES])
    if head != (0, 0) or len(values) <= FIRST_VALUES:
        return head
    return _marks(values.iloc[FIRST_VALUES:])


def _marks(values: pd.Series) -> tuple[int, int]:
    with_mark = values[values.str.contains("[.,]", regex=True).fillna(False).to_numpy(dtype=bool)]
    if with_mark.empty:
        return 0, 0
    counts = with_mark.value_counts()  # each spelling once
    shapes = pd.Series(counts.index, dtype="str").str.replace(r"[^0-9.,]", "", regex=True)
    weights = counts.to_numpy()
    decided = ~shapes.str.fullmatch(_UNDECIDED).to_numpy(dtype=bool)
    points = shapes.str.fullmatch(_PROVES["."]).to_numpy(dtype=bool) & decided
    commas = shapes.str.fullmatch(_PROVES[","]).to_numpy(dtype=bool) & decided
    return int(weights[points].sum()), int(weights[commas].sum())


def _parse_money(cells: _Cells) -> pd.Series:
    amounts = _parse_numeric(cells, money=True).to_numpy()
    with np.errstate(over="ignore", invalid="ignore"):
        cents = np.round(amounts, 2)
    # Rounding near the float limit overflows; such amounts have no cents to round anyway.
    cents = np.where(np.isfinite(cents), cents, amounts)
    too_large = np.flatnonzero(np.abs(np.nan_to_num(cents)) >= MAX_AMOUNT)
    cells.report(_TOO_LARGE, too_large)
    cents[too_large] = np.nan
    return pd.Series(cents, dtype="float64")


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
    if cells.decimal_assumed and decimal == ",":
        _warn_assumed_decimal_comma(cells, result)
    return pd.Series(result, dtype="float64")


def _numbers_from_text(
    text: pd.Series, decimal: str, money: bool
) -> tuple[np.ndarray, list[tuple[_Issue, np.ndarray]]]:
    """Numbers that are not written plainly, parsed column-wise (rules in the package docstring).

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
    well_formed = (
        rows(parts["body"].notna())
        & rows(parts["pre"].str.replace(" ", "", regex=False).str.fullmatch(_PREFIX))
        & rows(parts["post"].str.replace(" ", "", regex=False).str.fullmatch(_SUFFIX))
        & (affixes.str.count("[+-]").to_numpy() + in_parens <= 1)
        & (money | ~rows(affixes.str.contains(_CURRENCY)))
    )
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
    problems = [
        (_NOT_FINITE, non_finite),
        (_NOT_AMOUNT if money else _NOT_NUMBER, not_number),
        (_MONEY_PERCENT, percent),
        (_DECIMAL_COMMA if decimal == "." else _DECIMAL_POINT, wrong_separator),
    ]
    return numbers, [(issue, np.flatnonzero(bad)) for issue, bad in problems if bad.any()]


def _warn_assumed_decimal_comma(cells: _Cells, result: np.ndarray) -> None:
    """Semicolon files where no value decides get a decimal comma; if a column then reads '.'
    as thousands separators, '1.234' may have meant 1.234 - say so."""
    text = cells.values
    if text.str.contains(",", regex=False).any():
        return
    rows = np.flatnonzero(text.str.contains(".", regex=False).to_numpy() & np.isfinite(result))
    if len(rows):
        cells.out.all_rows(
            WARNING,
            "{count} in {name} {have} '.' read as a thousands separator (e.g. {value} read as "
            "{number}; {lines}), because semicolon-separated files use a decimal comma, "
            "but no value in the column has one",
            "if '.' is the decimal separator in this file, import it with decimal=\".\"",
            rows,
            cells.lines,
            text,
            cells.column.name,
            name=cells.column.name,
            number=f"{result[rows[0]]:,.2f}",
        )

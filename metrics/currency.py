"""Currencies: spend and budget lines in other currencies, converted to the reporting currency.

Rules (the README's "Currencies" section says the same to users)
    - A line's currency is its `currency` cell, an ISO code in any case; an empty cell means the
      reporting currency (a setting, USD unless BRIDGEBOARD_REPORTING_CURRENCY says otherwise).
    - `fx_rates` holds, per currency and calendar month, the units of the reporting currency one
      unit buys. A spend line converts at the rate of its date's month; a budget line, which has
      a fiscal quarter and no date, at the rate of the quarter's first month.
    - Each converted line is rounded to the cent, half away from zero, from the exact decimal
      product of its amount and the rate as written (no binary-float error decides a half cent),
      as a ledger books a foreign invoice. Totals are sums of booked lines.
    - The database keeps the line's own amount (`amount_original`) and the rate used (`fx_rate`),
      so that new rates re-convert lines already imported; `amount` is in the reporting currency
      and is what every figure adds up.
    - A line whose currency has no rate for its month is an error naming the currency and the
      month; nothing is imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from metrics.fiscal import FiscalCalendar, FiscalQuarter

DEFAULT_REPORTING_CURRENCY = "USD"
# The tables whose `amount` may be in another currency, and the columns the database adds to them.
CONVERTED_TABLES = ("spend", "budget")
ORIGINAL_AMOUNT = "amount_original"
RATE_USED = "fx_rate"
# Keys of an import's `reference` (beside the tables) holding the currencies and periods of the
# lines already stored in a currency (`db.read_reference`): new rates imported alone must cover them.
STORED_NEEDS = {name: f"{name}.stored_currencies" for name in CONVERTED_TABLES}

_CODE = re.compile(r"[A-Z]{3}")
# How money reads in each reporting currency; any other code is written before the amount.
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩"}
_CENT = Decimal("0.01")


def is_code(value: str) -> bool:
    """Whether `value` (already upper-cased) reads as an ISO 4217 code: three letters."""
    return bool(_CODE.fullmatch(value))


def symbol(code: str) -> str:
    """The prefix money is written with in `code`: '$' for USD, 'CHF ' for a code without a sign."""
    return _SYMBOLS.get(code.upper(), f"{code.upper()} ")


def codes(values: pd.Series) -> pd.Series:
    """Currency cells as codes: stripped, upper-cased; empty cells stay missing."""
    text = values.astype("string").str.strip().str.upper()
    return text.mask(text == "")


def line_months(table: str, frame: pd.DataFrame, calendar: FiscalCalendar) -> pd.Series:
    """The calendar month (its first day) whose rate converts each line."""
    if table == "spend":
        return pd.to_datetime(frame["date"]).dt.to_period("M").dt.to_timestamp()
    years = frame["fiscal_year"].astype("int64").to_numpy()
    quarters = frame["quarter"].astype("string").str[1:].astype("int64").to_numpy()
    starts = [calendar.quarter_start(FiscalQuarter(int(y), int(q))) for y, q in zip(years, quarters, strict=True)]
    return pd.Series(pd.to_datetime(starts), index=frame.index)


def rate_table(fx_rates: pd.DataFrame | None) -> pd.DataFrame:
    """fx_rates as (currency, month) -> rate, months folded to their first day."""
    if fx_rates is None or fx_rates.empty:
        return pd.DataFrame({"currency": pd.Series(dtype="string"), "month": [], "rate": []})
    out = pd.DataFrame(
        {
            "currency": codes(fx_rates["currency"]),
            "month": pd.to_datetime(fx_rates["month"]).dt.to_period("M").dt.to_timestamp(),
            "rate": fx_rates["rate"].astype("float64"),
        }
    )
    return out.dropna(subset=["currency"]).drop_duplicates(["currency", "month"], keep="last")


@dataclass(frozen=True)
class MissingRate:
    """A currency and month that lines need and fx_rates does not give."""

    table: str
    currency: str
    month: pd.Timestamp
    lines: int
    first_row: int  # position in the frame of the first such line

    @property
    def month_label(self) -> str:
        return self.month.strftime("%Y-%m")


class MissingRatesError(ValueError):
    """Lines in a currency without a rate for their month; the message names them."""

    def __init__(self, missing: list[MissingRate], reporting: str) -> None:
        self.missing = missing
        first = missing[0]
        more = f" (and {len(missing) - 1} more currency-months)" if len(missing) > 1 else ""
        super().__init__(
            f"{first.table}: no {first.currency} rate for {first.month_label} in fx_rates "
            f"({first.lines:,} line{'s' if first.lines != 1 else ''}){more}; add a row "
            f"'{first.currency},{first.month_label}-01,<{reporting} for 1 {first.currency}>' to fx_rates.csv"
        )


def _foreign(frame: pd.DataFrame, reporting: str) -> np.ndarray:
    line_codes = codes(frame["currency"]) if "currency" in frame else pd.Series(pd.NA, index=frame.index)
    return (line_codes.notna() & (line_codes != reporting)).to_numpy(dtype=bool)


def missing_rates(
    table: str, frame: pd.DataFrame, fx_rates: pd.DataFrame | None, reporting: str, calendar: FiscalCalendar
) -> list[MissingRate]:
    """Each currency and month that `frame`'s foreign lines need and `fx_rates` lacks, most lines first."""
    foreign = _foreign(frame, reporting)
    if not foreign.any():
        return []
    lines = pd.DataFrame(
        {
            "currency": codes(frame["currency"])[foreign].to_numpy(),
            "month": line_months(table, frame[foreign], calendar).to_numpy(),
            "row": np.flatnonzero(foreign),
            # A digest of a table validated in parts stands for `_rows` lines per row.
            "lines": frame["_rows"].to_numpy()[foreign] if "_rows" in frame else 1,
        }
    )
    rates = rate_table(fx_rates)
    joined = lines.merge(rates, on=["currency", "month"], how="left")
    absent = joined[joined["rate"].isna()]
    if absent.empty:
        return []
    grouped = (
        absent.groupby(["currency", "month"], sort=False).agg(size=("lines", "sum"), min=("row", "min")).reset_index()
    )
    grouped = grouped.sort_values(["size", "min"], ascending=[False, True])
    return [
        MissingRate(table, str(r.currency), pd.Timestamp(r.month), int(r.size), int(r.min))
        for r in grouped.itertuples(index=False)
    ]


def _booked(amounts: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """amount x rate rounded to the cent, half away from zero, computed in exact decimals.

    The amounts are cents already (validated money); the rate is taken as the shortest decimal
    that reads back as the stored float, i.e. as the user wrote it ('1.1', not 1.100000000000000088)."""
    out = np.empty(len(amounts), dtype="float64")
    rate_decimals: dict[float, Decimal] = {}
    for i, (amount, rate) in enumerate(zip(amounts.tolist(), rates.tolist(), strict=True)):
        exact = rate_decimals.get(rate)
        if exact is None:
            exact = rate_decimals[rate] = Decimal(repr(rate))
        out[i] = float((Decimal(repr(amount)) * exact).quantize(_CENT, rounding=ROUND_HALF_UP))
    return out


def convert(
    table: str,
    frame: pd.DataFrame,
    fx_rates: pd.DataFrame | None,
    reporting: str,
    calendar: FiscalCalendar,
) -> pd.DataFrame:
    """`frame` (spend or budget lines, as validated) with `amount` in the reporting currency.

    Adds `amount_original` (the line's own amount) and `fx_rate` (the rate applied; empty for
    lines already in the reporting currency) and writes currency codes upper-case. Raises
    `MissingRatesError` when a foreign line has no rate for its month."""
    out = frame.copy(deep=False)  # copy-on-write: the columns set below are new, the others shared
    original = frame["amount_original"] if "amount_original" in frame else frame["amount"]
    out["amount_original"] = original.astype("float64")
    out["fx_rate"] = np.nan
    if "currency" in out:
        out["currency"] = codes(out["currency"]).astype(object).where(lambda c: c.notna(), None)
    foreign = _foreign(frame, reporting)
    out["amount"] = out["amount_original"]
    if not foreign.any():
        return out
    missing = missing_rates(table, frame, fx_rates, reporting, calendar)
    if missing:
        raise MissingRatesError(missing, reporting)
    keys = pd.DataFrame(
        {
            "currency": codes(frame["currency"])[foreign].to_numpy(),
            "month": line_months(table, frame[foreign], calendar).to_numpy(),
        }
    )
    rates = keys.merge(rate_table(fx_rates), on=["currency", "month"], how="left")["rate"].to_numpy()
    rows = np.flatnonzero(foreign)
    col_amount, col_rate = out.columns.get_loc("amount"), out.columns.get_loc("fx_rate")
    out.iloc[rows, col_amount] = _booked(out["amount_original"].to_numpy()[rows], rates)
    out.iloc[rows, col_rate] = rates
    return out

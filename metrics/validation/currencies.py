"""Checks of currencies: codes that are not ISO codes, unusable exchange rates, and spend or budget
lines in a currency that fx_rates gives no rate for in their month (`metrics.currency`)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from metrics import currency
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.validation.findings import ERROR, WARNING, Finding, ValidationReport, _Findings, _rows
from metrics.validation.options import ReadOptions


def check_codes(table: str, frame: pd.DataFrame, raw: dict[str, pd.Series], out: _Findings) -> None:
    """Every currency cell is a three-letter code (any case) or empty."""
    if "currency" not in raw or "currency" not in frame:
        return
    codes = currency.codes(frame["currency"])
    bad = codes.notna() & ~codes.fillna("").str.fullmatch(r"[A-Z]{3}")
    lines = frame["_line"].to_numpy()
    for value in pd.unique(codes[bad]):
        rows = np.flatnonzero((bad & (codes == value)).to_numpy())
        out.all_rows(
            ERROR,
            "{count} {have} the currency {value}, which is not a three-letter ISO code ({lines})",
            "write the ISO 4217 code (EUR, GBP, USD...)"
            + ("" if table == "fx_rates" else ", or leave the cell empty for the reporting currency"),
            rows,
            lines,
            raw["currency"],
            "currency",
            code=value,  # tells the findings of two codes apart, in a file read in parts
        )


def check_rates(frame: pd.DataFrame, raw: dict[str, pd.Series], out: _Findings, options: ReadOptions) -> None:
    """fx_rates rows: a positive rate, one rate per currency and month, none for the reporting currency."""
    lines = frame["_line"].to_numpy()
    if "rate" in raw:
        rate = frame["rate"]
        out.all_rows(
            ERROR,
            "{count} {have} a rate of zero or below ({lines})",
            "a rate is how many units of the reporting currency one unit buys, so it is above zero",
            np.flatnonzero((rate.notna() & (rate <= 0)).to_numpy()),
            lines,
            raw["rate"],
            "rate",
        )
    if "currency" not in raw or "month" not in raw:
        return
    codes = currency.codes(frame["currency"])
    months = pd.to_datetime(frame["month"]).dt.to_period("M")
    keyed = codes.notna() & months.notna()
    twice = keyed & pd.DataFrame({"c": codes, "m": months}).duplicated(keep=False)
    for (code, month), group in pd.DataFrame({"c": codes[twice], "m": months[twice]}).groupby(["c", "m"]):
        rows = np.flatnonzero(frame.index.isin(group.index))
        out.all_rows(
            ERROR,
            f"{{count}} give a {code} rate for {month} ({{lines}}); a month has one rate",
            "keep one row per currency and month (any day of the month stands for the month)",
            rows,
            lines,
            raw["month"],
            "month",
        )
    reporting = options.reporting_currency.upper()
    out.all_rows(
        WARNING,
        f"{{count}} {{have}} rates for {reporting}, the reporting currency, which needs none ({{lines}})",
        "nothing to do: they are ignored (amounts in the reporting currency are not converted)",
        np.flatnonzero((codes == reporting).fillna(False).to_numpy()),
        lines,
        raw["currency"],
        "currency",
    )


def missing_rate_findings(
    report: ValidationReport, reference: Mapping[str, pd.DataFrame], options: ReadOptions
) -> list[Finding]:
    """Spend and budget lines (these files', or those already stored when new rates come without
    them) in a currency that the rates they will meet do not cover for their month."""
    reporting = options.reporting_currency.upper()
    calendar = FiscalCalendar(options.fiscal_start_month)
    fx = report.tables.get("fx_rates", reference.get("fx_rates"))
    if "fx_rates" in report.files and "fx_rates" not in report.tables:
        return []  # fx_rates.csv was unreadable: its own errors say so
    findings: list[Finding] = []
    for name in currency.CONVERTED_TABLES:
        frame = report.tables.get(name)
        if frame is not None:
            lines = frame["_line"].to_numpy() if "_line" in frame else np.arange(len(frame)) + 2
            for gap in currency.missing_rates(name, frame, fx, reporting, calendar):
                findings.append(
                    Finding(
                        ERROR,
                        report.files[name].name,
                        int(lines[gap.first_row]),
                        "currency",
                        gap.currency,
                        f"no {gap.currency} rate for {gap.month_label} in fx_rates ({_rows(gap.lines)} in "
                        f"{gap.currency} dated in that {'month' if name == 'spend' else 'quarter'}, first on "
                        f"line {int(lines[gap.first_row])}), so they cannot be converted to {reporting}",
                        _fix(gap, reporting, "fx_rates" in report.tables),
                    )
                )
        elif "fx_rates" in report.tables and currency.STORED_NEEDS[name] in reference:
            stored = _stored_months(name, reference[currency.STORED_NEEDS[name]], calendar)
            have = currency.rate_table(fx)
            needs = stored[stored["currency"] != reporting].merge(have, on=["currency", "month"], how="left")
            for row in needs[needs["rate"].isna()].itertuples(index=False):
                month = pd.Timestamp(row.month).strftime("%Y-%m")
                findings.append(
                    Finding(
                        ERROR,
                        report.files["fx_rates"].name,
                        None,
                        "currency",
                        str(row.currency),
                        f"{_rows(int(row.lines))} of {name} already imported {'is' if row.lines == 1 else 'are'} in "
                        f"{row.currency} in {month}, and this fx_rates has no {row.currency} rate for {month}; "
                        "the new rates replace the old ones and would leave them unconverted",
                        f"add a row {row.currency},{month}-01,<{reporting} for 1 {row.currency}> to fx_rates.csv",
                    )
                )
    return findings


def _stored_months(name: str, groups: pd.DataFrame, calendar: FiscalCalendar) -> pd.DataFrame:
    """(currency, month, lines) from the stored groups: spend's by calendar year and month,
    budget's by fiscal year and quarter (converted at the quarter's first month)."""
    if groups.empty:
        return pd.DataFrame({"currency": pd.Series(dtype="string"), "month": [], "lines": []})
    if name == "spend":
        months = [pd.Timestamp(int(y), int(m), 1) for y, m in zip(groups["year"], groups["month"], strict=True)]
    else:
        months = [
            pd.Timestamp(calendar.quarter_start(FiscalQuarter(int(y), int(str(q)[1:]))))
            for y, q in zip(groups["fiscal_year"], groups["quarter"], strict=True)
        ]
    frame = pd.DataFrame({"currency": currency.codes(groups["currency"]), "month": months, "lines": groups["lines"]})
    return frame.groupby(["currency", "month"], as_index=False)["lines"].sum()


def _fix(gap: currency.MissingRate, reporting: str, rates_in_files: bool) -> str:
    row = f"{gap.currency},{gap.month_label}-01,<{reporting} for 1 {gap.currency}>"
    where = "fx_rates.csv" if rates_in_files else "fx_rates.csv and load it with these files"
    return f"add a row {row} to {where}; or, if these amounts are already in {reporting}, empty their currency cells"

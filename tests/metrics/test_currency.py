"""Converting spend and budget lines to the reporting currency: to the cent, from the exact decimal
product, at the right month's rate, and never silently without a rate."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from metrics import currency
from metrics.fiscal import FiscalCalendar

CAL = FiscalCalendar(1)
RATES = pd.DataFrame(
    {
        "currency": ["EUR", "EUR", "gbp", "JPY"],
        "month": pd.to_datetime(["2026-01-01", "2026-02-15", "2026-01-01", "2026-01-01"]),
        "rate": [1.1, 1.0832, 1.27, 0.0067],
    }
)


def spend(*lines: tuple[str, float, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime([d for d, _, _ in lines]),
            "amount": [a for _, a, _ in lines],
            "currency": pd.Series([c for _, _, c in lines], dtype="string"),
        }
    )


def booked(amount: str, rate: str) -> float:
    """The hand calculation: exact decimal product, half a cent rounded away from zero."""
    return float((Decimal(amount) * Decimal(rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_each_line_converts_at_its_months_rate_to_the_cent():
    lines = spend(
        ("2026-01-10", 1000.00, "EUR"),  # January: 1.1
        ("2026-02-28", 1234.56, "eur"),  # February (the rate was given on the 15th): 1.0832, any case
        ("2026-01-31", 99.99, "GBP"),
        ("2026-01-05", 123456.0, "JPY"),
        ("2026-02-01", 50.00, None),  # no currency: already in the reporting currency
        ("2026-02-01", 75.25, "USD"),
    )
    out = currency.convert("spend", lines, RATES, "USD", CAL)
    assert out["amount"].tolist() == [
        1100.00,
        booked("1234.56", "1.0832"),  # 1,337.275392 -> 1,337.28
        booked("99.99", "1.27"),  # 126.9873 -> 126.99
        booked("123456", "0.0067"),  # 827.1552 -> 827.16
        50.00,
        75.25,
    ]
    assert out["amount_original"].tolist() == [1000.00, 1234.56, 99.99, 123456.0, 50.00, 75.25]
    assert out["fx_rate"].tolist()[:4] == [1.1, 1.0832, 1.27, 0.0067]
    assert out["fx_rate"].iloc[4:].isna().all()
    assert out["currency"].tolist() == ["EUR", "EUR", "GBP", "JPY", None, "USD"]


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        # Exact half cents, where binary floats round the wrong way: 100.50 x 0.01 is 1.0049999... as
        # a float product, 1.005 exactly; a ledger books 1.01.
        (100.50, 0.01, 1.01),
        (-100.50, 0.01, -1.01),  # away from zero for credits too
        (0.15, 1.1, 0.17),  # 0.165
        (2.675, 1.0, 2.68),  # 2.675 is 2.67499999... as a float
        (1_000_000_000.01, 1.1, 1_100_000_000.01),  # 1,100,000,000.011: large amounts keep their cents
    ],
)
def test_half_cents_are_decided_by_the_exact_product(amount, rate, expected):
    out = currency.convert("spend", spend(("2026-01-10", amount, "CHF")), _rate("CHF", rate), "USD", CAL)
    assert out["amount"].iloc[0] == expected
    assert expected == booked(repr(amount), repr(rate))


def _rate(code: str, rate: float) -> pd.DataFrame:
    return pd.DataFrame({"currency": [code], "month": pd.to_datetime(["2026-01-01"]), "rate": [rate]})


def test_a_budget_quarter_converts_at_its_first_months_rate():
    budget = pd.DataFrame(
        {
            "fiscal_year": [2026, 2026],
            "quarter": ["Q1", "Q4"],
            "amount": [1000.0, 1000.0],
            "currency": pd.Series(["EUR", "EUR"], dtype="string"),
        }
    )
    rates = pd.DataFrame(
        {
            "currency": ["EUR"] * 3,
            "month": pd.to_datetime(["2025-04-01", "2026-01-01", "2025-10-01"]),
            "rate": [1.05, 1.2, 1.15],
        }
    )
    # Fiscal year starting in April: FY2026 Q1 is April 2025, Q4 is January 2026.
    out = currency.convert("budget", budget, rates, "USD", FiscalCalendar(4))
    assert out["amount"].tolist() == [1050.0, 1200.0]
    # Under a calendar-year fiscal year, FY2026 Q1 is January 2026 and Q4 October 2026 (no rate).
    with pytest.raises(currency.MissingRatesError) as missing:
        currency.convert("budget", budget, rates, "USD", CAL)
    assert [(m.currency, m.month_label) for m in missing.value.missing] == [("EUR", "2026-10")]


def test_a_missing_rate_names_the_currency_the_month_and_the_lines():
    lines = spend(
        ("2026-03-02", 10.0, "EUR"),
        ("2026-01-10", 10.0, "EUR"),
        ("2026-03-20", 10.0, "EUR"),
        ("2026-01-10", 10.0, "SEK"),
    )
    missing = currency.missing_rates("spend", lines, RATES, "USD", CAL)
    assert [(m.currency, m.month_label, m.lines, m.first_row) for m in missing] == [
        ("EUR", "2026-03", 2, 0),
        ("SEK", "2026-01", 1, 3),
    ]
    with pytest.raises(currency.MissingRatesError) as error:
        currency.convert("spend", lines, RATES, "USD", CAL)
    assert str(error.value) == (
        "spend: no EUR rate for 2026-03 in fx_rates (2 lines) (and 1 more currency-months); "
        "add a row 'EUR,2026-03-01,<USD for 1 EUR>' to fx_rates.csv"
    )


def test_lines_in_the_reporting_currency_need_no_rates_whatever_the_reporting_currency():
    lines = spend(("2026-01-10", 10.0, "EUR"), ("2026-05-10", 20.0, None))
    out = currency.convert("spend", lines, None, "EUR", CAL)
    assert out["amount"].tolist() == [10.0, 20.0] and out["fx_rate"].isna().all()


def test_the_reporting_currency_has_a_sign_or_its_code():
    assert [currency.symbol(c) for c in ("USD", "eur", "GBP", "JPY", "CHF")] == ["$", "€", "£", "¥", "CHF "]

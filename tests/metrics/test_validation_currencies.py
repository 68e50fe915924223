"""Validation of currencies: codes, exchange rates, and lines without a rate, each with the file,
line, column and a fix."""

from __future__ import annotations

import datetime as dt

from metrics.validation import ERROR, WARNING, ReadOptions, validate_files

OPTIONS = ReadOptions(today=dt.date(2026, 6, 30))


def files(**tables: str) -> dict[str, bytes]:
    return {f"{name}.csv": text.encode() for name, text in tables.items()}


def problems(report, severity=ERROR) -> list[tuple[str, int | None, str | None, str | None, str]]:
    return [(f.file, f.line, f.column, f.value, f.problem) for f in report.findings if f.severity == severity]


SPEND = "date,department,vendor,category,amount,currency\n"


def test_a_currency_that_is_not_an_iso_code_is_an_error():
    report = validate_files(
        files(
            spend=SPEND + "2026-01-10,IT,SAP,ERP,10,Euro\n2026-01-11,IT,SAP,ERP,10,€\n2026-01-12,IT,SAP,ERP,10,eur\n"
        ),
        OPTIONS,
    )
    found = problems(report)
    assert [(f, line, col, v) for f, line, col, v, _ in found][:2] == [
        ("spend.csv", 2, "currency", "Euro"),
        ("spend.csv", 3, "currency", "€"),
    ]
    assert found[0][4] == "1 row has the currency 'Euro', which is not a three-letter ISO code (line 2)"


def test_rates_must_be_positive_and_one_per_month():
    rates = "currency,month,rate\nEUR,2026-01-01,1.1\nEUR,2026-01-31,1.2\nGBP,2026-01-01,0\nUSD,2026-01-01,1\n"
    report = validate_files(files(fx_rates=rates), OPTIONS)
    assert [(line, col, problem) for _, line, col, _, problem in problems(report)] == [
        (4, "rate", "1 row has a rate of zero or below (line 4)"),
        (2, "month", "2 rows give a EUR rate for 2026-01 (lines 2, 3); a month has one rate"),
    ]
    [warning] = problems(report, WARNING)
    assert warning[4] == "1 row has rates for USD, the reporting currency, which needs none (line 5)"


def test_lines_without_a_rate_are_refused_with_the_row_to_add():
    spend = SPEND + "2026-01-10,IT,SAP,ERP,10,EUR\n2026-02-10,IT,SAP,ERP,10,EUR\n2026-02-11,IT,SAP,ERP,10,usd\n"
    report = validate_files(files(spend=spend, fx_rates="currency,month,rate\nEUR,2026-01-01,1.1\n"), OPTIONS)
    [error] = report.errors
    assert (error.file, error.line, error.column, error.value) == ("spend.csv", 3, "currency", "EUR")
    assert error.fix == (
        "add a row EUR,2026-02-01,<USD for 1 EUR> to fx_rates.csv; or, if these amounts are already in USD, "
        "empty their currency cells"
    )


def test_without_any_rates_the_reference_tables_rates_count():
    import pandas as pd

    spend = SPEND + "2026-01-10,IT,SAP,ERP,10,EUR\n"
    stored = pd.DataFrame({"currency": ["EUR"], "month": pd.to_datetime(["2026-01-01"]), "rate": [1.1]})
    assert validate_files(files(spend=spend), OPTIONS, reference={"fx_rates": stored}).ok
    report = validate_files(files(spend=spend), OPTIONS)
    assert [e.problem.split(" (")[0] for e in report.errors] == ["no EUR rate for 2026-01 in fx_rates"]
    assert report.errors[0].fix.startswith("add a row EUR,2026-01-01,<USD for 1 EUR> to fx_rates.csv and load it")


def test_under_another_reporting_currency_the_dollar_lines_need_rates():
    spend = SPEND + "2026-01-10,IT,SAP,ERP,10,EUR\n2026-01-10,IT,SAP,ERP,10,USD\n2026-01-10,IT,SAP,ERP,10,\n"
    euro = ReadOptions(today=dt.date(2026, 6, 30), reporting_currency="EUR")
    report = validate_files(files(spend=spend), euro)
    assert [(e.line, e.value) for e in report.errors] == [(3, "USD")]
    assert "so they cannot be converted to EUR" in report.errors[0].problem

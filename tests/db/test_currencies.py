"""Currencies through the import, on DuckDB, SQLite and a real PostgreSQL (`engine` fixture): foreign
spend and budget lines are stored converted to the cent, new rates re-convert lines already stored,
a missing rate refuses the whole import, and a change of reporting currency is caught."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from metrics import db, sources, spend
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.headline import load_headline
from metrics.settings import Settings

CAL = FiscalCalendar(1)
Q1 = FiscalQuarter(2026, 1)
OPTIONS = sources.read_options(Settings())

SPEND = """date,department,vendor,category,amount,invoice_id,currency
2026-01-15,IT,SAP,ERP,1000.00,EU-1,EUR
2026-02-10,IT,SAP,ERP,1234.56,EU-2,eur
2026-02-11,Marketing,Brandwatch,Social,250.15,UK-1,GBP
2026-03-01,Marketing,HubSpot,Marketing automation,500.00,US-1,
2026-03-02,Marketing,HubSpot,Marketing automation,-100.50,US-2,USD
2026-03-31,IT,SAP,ERP,-0.15,EU-3,EUR
"""
BUDGET = """fiscal_year,quarter,department,category,amount,currency
2026,Q1,IT,ERP,3000,EUR
2026,Q1,Marketing,Social,400,GBP
2026,Q1,Marketing,Marketing automation,1000,
"""
FX_RATES = """currency,month,rate
EUR,2026-01-01,1.1
EUR,2026-02-01,1.0832
EUR,2026-03-01,1.0835
GBP,2026-01-01,1.27
GBP,2026-02-01,1.2731
"""
# By hand, each line rounded to the cent, half away from zero:
#   EU-1  1000.00 x 1.1    = 1100.00
#   EU-2  1234.56 x 1.0832 = 1337.275392  -> 1337.28
#   UK-1   250.15 x 1.2731 =  318.465965  ->  318.47
#   US-1   500.00                          ->  500.00
#   US-2  -100.50                          -> -100.50
#   EU-3    -0.15 x 1.0835 =   -0.162525  ->   -0.16
IT_Q1 = Decimal("1100.00") + Decimal("1337.28") - Decimal("0.16")  # 2437.12
MARKETING_Q1 = Decimal("318.47") + Decimal("500.00") - Decimal("100.50")  # 717.97
#   budget IT 3000 EUR at January's 1.1 = 3300.00; Marketing 400 GBP x 1.27 = 508.00, + 1000 USD
BUDGET_Q1 = {"IT": Decimal("3300.00"), "Marketing": Decimal("1508.00")}


def folder(tmp_path: Path, name: str, **files: str) -> Path:
    out = tmp_path / name
    out.mkdir()
    for table, text in files.items():
        (out / f"{table}.csv").write_text(text)
    return out


def spend_q1(engine) -> dict[str, Decimal]:
    by = spend.spend_by_quarter(engine, CAL, Q1, Q1)
    return {r.department: Decimal(str(r.spend)).quantize(Decimal("0.01")) for r in by.itertuples()}


def budget_q1(engine) -> dict[str, Decimal]:
    lines = spend.budget_by_line(engine, 2026)
    totals = lines.groupby("department")["amount"].sum()
    return {d: Decimal(str(v)).quantize(Decimal("0.01")) for d, v in totals.items()}


def test_foreign_lines_are_stored_converted_to_the_cent(engine, tmp_path):
    outcome = sources.load_folder(
        folder(tmp_path, "q1", spend=SPEND, budget=BUDGET, fx_rates=FX_RATES), engine, OPTIONS, fiscal_start_month=1
    )
    assert outcome.report is not None and outcome.report.ok, outcome.errors
    assert spend_q1(engine) == {"IT": IT_Q1, "Marketing": MARKETING_Q1}
    assert budget_q1(engine) == BUDGET_Q1
    # The figures every page shows add up the converted amounts: the Overview's total spend.
    headline = load_headline(engine, CAL, Q1)
    assert headline.spend is not None and headline.budget is not None
    assert Decimal(str(headline.spend.total)).quantize(Decimal("0.01")) == IT_Q1 + MARKETING_Q1
    assert Decimal(str(headline.budget.budget)).quantize(Decimal("0.01")) == sum(BUDGET_Q1.values())
    # Each line keeps its own amount and the rate used.
    with engine.connect() as conn:
        kept = conn.execute(
            sa.text("SELECT invoice_id, amount_original, fx_rate, currency FROM spend ORDER BY invoice_id")
        ).all()
    assert [(i, Decimal(str(a)), r, c) for i, a, r, c in kept] == [
        ("EU-1", Decimal("1000.00"), 1.1, "EUR"),
        ("EU-2", Decimal("1234.56"), 1.0832, "EUR"),
        ("EU-3", Decimal("-0.15"), 1.0835, "EUR"),
        ("UK-1", Decimal("250.15"), 1.2731, "GBP"),
        ("US-1", Decimal("500.00"), None, None),
        ("US-2", Decimal("-100.50"), None, "USD"),
    ]
    assert db.recorded_currencies(engine) == {"spend": "USD", "budget": "USD"}


def test_new_rates_alone_reconvert_the_lines_already_stored(engine, tmp_path):
    sources.load_folder(folder(tmp_path, "q1", spend=SPEND, budget=BUDGET, fx_rates=FX_RATES), engine, OPTIONS)
    # Finance corrects February's euro rate and sends only the rates.
    corrected = FX_RATES.replace("EUR,2026-02-01,1.0832", "EUR,2026-02-01,1.09")
    outcome = sources.load_folder(folder(tmp_path, "rates", fx_rates=corrected), engine, OPTIONS)
    assert outcome.report is not None and outcome.report.ok, outcome.errors
    # EU-2: 1234.56 x 1.09 = 1345.6704 -> 1345.67 (was 1337.28); nothing else moves.
    assert spend_q1(engine) == {"IT": IT_Q1 - Decimal("1337.28") + Decimal("1345.67"), "Marketing": MARKETING_Q1}
    assert budget_q1(engine) == BUDGET_Q1
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM spend")).scalar() == 6


def test_rates_that_leave_stored_lines_without_a_rate_are_refused_and_change_nothing(engine, tmp_path):
    sources.load_folder(folder(tmp_path, "q1", spend=SPEND, budget=BUDGET, fx_rates=FX_RATES), engine, OPTIONS)
    without_pound = "\n".join(line for line in FX_RATES.splitlines() if not line.startswith("GBP")) + "\n"
    outcome = sources.load_folder(folder(tmp_path, "rates", fx_rates=without_pound), engine, OPTIONS)
    assert outcome.imported is None
    problems = sorted(e["problem"] for e in outcome.errors)
    assert problems == [
        "1 row of budget already imported is in GBP in 2026-01, and this fx_rates has no GBP rate for 2026-01; "
        "the new rates replace the old ones and would leave them unconverted",
        "1 row of spend already imported is in GBP in 2026-02, and this fx_rates has no GBP rate for 2026-02; "
        "the new rates replace the old ones and would leave them unconverted",
    ]
    assert spend_q1(engine) == {"IT": IT_Q1, "Marketing": MARKETING_Q1}
    assert budget_q1(engine) == BUDGET_Q1


def test_a_missing_rate_refuses_the_import_naming_currency_month_and_line(engine, tmp_path):
    outcome = sources.load_folder(
        folder(tmp_path, "q1", spend=SPEND, fx_rates=FX_RATES.replace("EUR,2026-03-01,1.0835\n", "")), engine, OPTIONS
    )
    assert outcome.imported is None
    [error] = outcome.errors
    assert (error["file"], error["line"], error["column"], error["value"]) == ("spend.csv", 7, "currency", "EUR")
    assert error["problem"] == (
        "no EUR rate for 2026-03 in fx_rates (1 row in EUR dated in that month, first on line 7), so they cannot "
        "be converted to USD"
    )
    assert spend_q1(engine) == {}


def test_the_import_itself_refuses_a_line_without_a_rate(engine, tmp_path):
    # A caller that skipped validation (an importer) still cannot write unconverted amounts.
    report = sources.validate_folder(folder(tmp_path, "q1", spend=SPEND), OPTIONS)
    with pytest.raises(db.ImportRefused, match=r"spend: no EUR rate for 2026-0[123] in fx_rates"):
        db.import_tables(engine, {"spend": report.tables["spend"]}, source="t", fingerprint="t")
    assert spend_q1(engine) == {}


def test_a_new_reporting_currency_is_caught_not_applied(engine, tmp_path):
    sources.load_folder(folder(tmp_path, "q1", spend=SPEND, budget=BUDGET, fx_rates=FX_RATES), engine, OPTIONS)
    assert db.settings_mismatch(engine, 1, "USD") is None
    message = db.settings_mismatch(engine, 1, "eur")
    assert message is not None and message.startswith(
        "budget.csv and spend.csv were imported with USD as the reporting currency, but "
        "BRIDGEBOARD_REPORTING_CURRENCY is now EUR."
    )
    assert "set BRIDGEBOARD_REPORTING_CURRENCY back to USD" in message
    # New rates alone cannot re-convert lines stored in another reporting currency: the euro lines
    # hold dollars now. Rates that would pass every check still do not go in.
    euro = sources.read_options(Settings(reporting_currency="EUR"))
    rates = "currency,month,rate\nUSD,2026-03-01,0.92\nGBP,2026-01-01,1.17\nGBP,2026-02-01,1.17\n"
    outcome = sources.load_folder(folder(tmp_path, "rates", fx_rates=rates), engine, euro)
    assert outcome.imported is None
    assert [e["problem"] for e in outcome.errors] == [
        "spend and budget were converted into USD, not EUR: import spend.csv and budget.csv again together "
        "with fx_rates.csv"
    ]
    assert spend_q1(engine) == {"IT": IT_Q1, "Marketing": MARKETING_Q1}


def test_a_database_from_before_currencies_gains_the_columns(engine):
    # A spend table as an older Bridgeboard created it: the contract's columns only.
    old = sa.MetaData()
    contract = [c for c in db.schema.spend.columns if c.name not in ("amount_original", "fx_rate")]
    sa.Table("spend", old, *(sa.Column(c.name, c.type) for c in contract))
    old.create_all(engine)
    db.ensure_schema(engine)
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT amount_original, fx_rate FROM spend")).all()


def test_the_invoice_lines_of_a_converted_vendor_show_currency_own_amount_and_rate(engine, tmp_path):
    sources.load_folder(folder(tmp_path, "q1", spend=SPEND, fx_rates=FX_RATES), engine, OPTIONS)
    sap = spend.spend_lines(engine, CAL, Q1, "IT", "ERP", ["SAP"], 10)
    assert list(sap.columns) == [*spend.LINE_COLUMNS, *spend.CURRENCY_COLUMNS]
    assert sap[["invoice_id", "amount", "currency", "amount_original", "fx_rate"]].values.tolist() == [
        ["EU-3", -0.16, "EUR", -0.15, 1.0835],
        ["EU-2", 1337.28, "EUR", 1234.56, 1.0832],
        ["EU-1", 1100.0, "EUR", 1000.0, 1.1],
    ]
    # Lines all in the reporting currency show no currency columns.
    hubspot = spend.spend_lines(engine, CAL, Q1, "Marketing", "Marketing automation", ["HubSpot"], 10)
    assert list(hubspot.columns) == list(spend.LINE_COLUMNS)

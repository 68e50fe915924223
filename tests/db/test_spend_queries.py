"""The Tech spend queries on DuckDB, SQLite and a real PostgreSQL: same small frames everywhere,
bound parameters only, aggregation in the database, a capped lines query."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from metrics import inventory, spend
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from tests.metrics.test_spend import BUDGET_ROWS, SPEND_ROWS, load_fixture

CAL = FiscalCalendar(1)
Q1, Q2 = FiscalQuarter(2026, 1), FiscalQuarter(2026, 2)


def test_period_spend_groups_by_department_category_vendor_and_type(engine):
    load_fixture(engine)
    got = spend.period_spend(engine, CAL, Q2, ["IT"])
    assert got.values.tolist() == [
        ["IT", "Analytics", "Tableau Software LLC", "Transform", 900.0, 1],
        ["IT", "CRM", "Salesforce", "Run", 700.0, 1],
        ["IT", "Cloud infrastructure", "Amazon AWS", "Run", -100.0, 1],  # a credit on its own spelling
        ["IT", "Cloud infrastructure", "Amazon Web Services, Inc.", "Run", 2000.0, 1],
    ]
    marketing = spend.period_spend(engine, CAL, Q2, ["Marketing"])
    hotjar = marketing[marketing["vendor"] == "Hotjar Ltd"].iloc[0]
    assert hotjar["investment_type"] is None or pd.isna(hotjar["investment_type"])  # unmapped stays unmapped
    assert marketing["spend"].sum() == 2200.0 and marketing["lines"].sum() == 8
    # Half-open quarter bounds: 2026-06-30 is in Q2, 2026-07-01 is not.
    everything = spend.period_spend(engine, CAL, Q2)
    assert everything["spend"].sum() == 5700.0 and everything["lines"].sum() == 12


def test_vendor_names_are_few_rows_with_their_spend(engine):
    load_fixture(engine)
    names = spend.spend_by_vendor_name(engine).set_index("vendor")
    assert len(names) == len({r["vendor"] for r in SPEND_ROWS}) == 15
    assert names.loc["Salesforce", ["spend", "lines"]].tolist() == [6700.0, 3]  # IT 1000 + 700, Marketing 5000
    assert names.loc["Salesforce UK Ltd", "spend"] == -200.0


def test_budget_by_line(engine):
    rows = BUDGET_ROWS + [
        dict(fiscal_year=2026, quarter="Q2", department="IT", category="CRM", amount=50.5, scenario=None),
        dict(fiscal_year=2025, quarter="Q4", department="IT", category="CRM", amount=999, scenario="Budget"),
    ]
    load_fixture(engine, budget_rows=rows)
    got = spend.budget_by_line(engine, 2026)
    # A row without a scenario is budget, and adds to the same budget line: 800 + 50.50.
    it_crm = got[(got["quarter"] == Q2) & (got["department"] == "IT") & (got["category"] == "CRM")]
    assert it_crm[["scenario", "amount"]].values.tolist() == [["Budget", 850.5]]
    assert set(got["quarter"]) == {FiscalQuarter(2026, q) for q in (2, 3, 4)}  # FY2025 not included
    assert got.loc[got["scenario"] == "Forecast", "amount"].sum() == 4000 + 3500 + 1200
    joint = spend.budget_by_line(engine, 2026, ["Joint"])
    assert joint[["quarter", "amount"]].values.tolist() == [[Q2, 300.0], [FiscalQuarter(2026, 4), 300.0]]
    assert spend.budget_by_line(engine, 2031).empty


def test_shadow_spend_by_quarter(engine):
    load_fixture(engine)
    got = spend.shadow_spend_by_quarter(engine, CAL, ["Canva", "Canva Pty Ltd", "Hotjar Ltd", "Hub Spot"])
    assert got.values.tolist() == [
        [Q1, "Joint", 500.0, 500.0],
        [Q1, "Marketing", 1500.0, 0.0],
        [Q2, "Marketing", 2200.0, 670.0],  # Canva Pty Ltd 300 + Hotjar 250 + Hub Spot 120
        [FiscalQuarter(2026, 3), "Marketing", 5000.0, 0.0],
    ]
    # IT is never part of shadow IT; an empty vendor list is valid SQL and finds nothing.
    assert spend.shadow_spend_by_quarter(engine, CAL, ["Canva"], ["IT"]).empty
    assert spend.shadow_spend_by_quarter(engine, CAL, [])["shadow"].sum() == 0


def test_spend_lines_are_filtered_by_bound_parameters_and_capped(engine):
    load_fixture(engine)
    spellings = ["Salesforce.com, Inc.", "SALESFORCE", "Salesforce UK Ltd"]
    lines = spend.spend_lines(engine, CAL, Q2, "Marketing", "CRM", spellings, limit=10)
    assert list(lines.columns) == list(spend.LINE_COLUMNS)
    assert lines["invoice_id"].tolist() == ["Q2-3", "Q2-2", "Q2-1"]  # newest first
    assert lines["date"].tolist() == [date(2026, 5, 20), date(2026, 5, 10), date(2026, 4, 10)]
    assert lines["amount"].tolist() == [-200.0, 500.0, 1000.0]
    assert len(spend.spend_lines(engine, CAL, Q2, "Marketing", "CRM", spellings, limit=1)) == 1
    # The Q1 line of the same vendor is outside the quarter.
    assert "Q1-1" not in set(lines["invoice_id"])
    hostile = "Marketing' OR 1=1 --"
    assert spend.spend_lines(engine, CAL, Q2, hostile, "CRM", spellings, limit=10).empty
    assert spend.spend_lines(engine, CAL, Q2, "Marketing", "CRM", ["x'); DROP TABLE spend; --"], 10).empty
    assert inventory.table_row_counts(engine).set_index("table").loc["spend", "rows"] == len(SPEND_ROWS)


def test_no_spend_in_quarter_is_no_rows(engine):
    load_fixture(engine)
    assert spend.period_spend(engine, CAL, FiscalQuarter(2024, 1)).empty
    assert spend.period_spend(engine, CAL, Q2, ["Joint"]).empty


def test_fiscal_year_starting_in_july(engine):
    load_fixture(engine)
    # With a July start, April-June 2026 is FY2026 Q4 and July 2026 is FY2027 Q1.
    july = FiscalCalendar(7)
    assert spend.period_spend(engine, july, FiscalQuarter(2026, 4))["spend"].sum() == 5700.0
    shadow = spend.shadow_spend_by_quarter(engine, july, ["Hotjar Ltd"])
    assert shadow.loc[shadow["quarter"] == FiscalQuarter(2026, 4), "shadow"].sum() == 250.0


def _random_rows(rng, n=120):
    vendors = ["Salesforce", "SALESFORCE", "Canva", "Hotjar Ltd", "AWS", "Looker"]
    rows = []
    for i in range(n):
        d = rng.choice(["Marketing", "IT", "Joint"])
        v = rng.choice(vendors)
        day = date(2026, 1, 1) + pd.Timedelta(days=int(rng.integers(0, 180)))
        amount = round(float(rng.uniform(1, 900)), 2)
        rows.append(
            dict(
                date=str(day),
                department=d,
                vendor=v,
                category=rng.choice(["CRM", "Design"]),
                amount=amount,
                invoice_id=f"R{i}",
            )
        )
        if rng.random() < 0.25:  # a credit note on the same invoice's department, vendor and day
            rows.append(dict(rows[-1], amount=-round(amount * float(rng.uniform(0, 1)), 2), invoice_id=f"R{i}-C"))
    return rows


def test_invariants_through_the_database(engine):
    rng = np.random.default_rng(7)
    for _ in range(4):
        rows = _random_rows(rng)
        load_fixture(engine, spend_rows=rows, budget_rows=None)
        directory = spend.load_vendor_directory(engine)
        for q in (Q1, Q2):
            start, end = CAL.quarter_bounds(q)
            in_q = [r for r in rows if start <= date.fromisoformat(r["date"]) < end]
            expected_total = round(sum(r["amount"] for r in in_q), 2)
            period = spend.load_period(engine, CAL, q, (), directory)
            # The department split sums to the total, to the cent, on every engine.
            by_dept = spend.drill_down(period, q).rows
            assert round(by_dept["spend"].sum(), 2) == pytest.approx(expected_total, abs=0.005)
            for dept, part in by_dept.groupby("name"):
                assert part["spend"].sum() == pytest.approx(
                    round(sum(r["amount"] for r in in_q if r["department"] == dept), 2), abs=0.005
                )
            ov = spend.vendor_overlap(period, q).vendors
            assert (ov["at_stake"] <= ov["Marketing"]).all() and (ov["at_stake"] <= ov["IT"]).all()
            sh = spend.shadow_it(period, pd.DataFrame(columns=["quarter", "share"]), q)
            mj = sum(r["amount"] for r in in_q if r["department"] in ("Marketing", "Joint"))
            assert sh is None or sh.amount <= round(mj, 2) + 0.005
        trend = spend.load_shadow_trend(engine, CAL, directory, ())
        assert (trend["shadow"] <= trend["spend"] + 0.005).all()

"""Tech spend definitions against a hand-made fixture with known answers, on DuckDB, SQLite and
PostgreSQL (through the real queries), plus invariants over random fixtures.

The fixture (fiscal year = calendar year, so FY2026 Q2 is April to June 2026) has:
- credits: a Salesforce credit note of -200 (Marketing) and an AWS credit of -100 (IT);
- a vendor spelled three ways by Marketing: "Salesforce.com, Inc.", "SALESFORCE", "Salesforce UK Ltd";
- vendors missing from the catalogue: "Hotjar Ltd", and "Hub Spot" (close to the catalogued HubSpot,
  so it is listed as possibly the same vendor, never merged);
- a quarter with no budget: FY2026 Q1;
- a department with no spend: Joint in FY2026 Q2 (it has a budget there).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics import db, spend
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from tests.conftest import frame

CAL = FiscalCalendar(1)
Q1, Q2, Q3, Q4 = (FiscalQuarter(2026, q) for q in range(1, 5))

SPEND_ROWS = [
    # FY2026 Q1: Marketing 1,500 · IT 4,000 · Joint 500 = 6,000
    dict(
        date="2026-01-20",
        department="Marketing",
        vendor="Salesforce.com, Inc.",
        category="CRM",
        amount=1000,
        investment_type="Grow",
        invoice_id="Q1-1",
    ),
    dict(
        date="2026-02-01",
        department="Marketing",
        vendor="HubSpot, Inc.",
        category="Marketing automation",
        amount=500,
        investment_type="Grow",
        invoice_id="Q1-2",
    ),
    dict(
        date="2026-01-10",
        department="IT",
        vendor="Salesforce",
        category="CRM",
        amount=1000,
        investment_type="Run",
        invoice_id="Q1-3",
    ),
    dict(
        date="2026-03-01",
        department="IT",
        vendor="Amazon Web Services",
        category="Cloud infrastructure",
        amount=3000,
        investment_type="Run",
        invoice_id="Q1-4",
    ),
    dict(
        date="2026-03-15",
        department="Joint",
        vendor="Canva",
        category="Design",
        amount=500,
        investment_type="Transform",
        invoice_id="Q1-5",
    ),
    # FY2026 Q2: Marketing 2,200 · IT 3,500 · Joint none = 5,700
    dict(
        date="2026-04-10",
        department="Marketing",
        vendor="Salesforce.com, Inc.",
        category="CRM",
        amount=1000,
        investment_type="Grow",
        invoice_id="Q2-1",
    ),
    dict(
        date="2026-05-10",
        department="Marketing",
        vendor="SALESFORCE",
        category="CRM",
        amount=500,
        investment_type="Grow",
        invoice_id="Q2-2",
    ),
    dict(
        date="2026-05-20",
        department="Marketing",
        vendor="Salesforce UK Ltd",
        category="CRM",
        amount=-200,
        investment_type="Grow",
        invoice_id="Q2-3",
    ),
    dict(
        date="2026-04-15",
        department="Marketing",
        vendor="Canva Pty Ltd",
        category="Design",
        amount=300,
        investment_type="Run",
        invoice_id="Q2-4",
    ),
    dict(
        date="2026-06-01",
        department="Marketing",
        vendor="Hotjar Ltd",
        category="Analytics",
        amount=250,
        investment_type=None,
        invoice_id="Q2-5",
    ),
    dict(
        date="2026-06-02",
        department="Marketing",
        vendor="Looker",
        category="Analytics",
        amount=150,
        investment_type="Grow",
        invoice_id="Q2-6",
    ),
    dict(
        date="2026-06-15",
        department="Marketing",
        vendor="Hub Spot",
        category="Marketing automation",
        amount=120,
        investment_type="Grow",
        invoice_id="Q2-7",
    ),
    dict(
        date="2026-06-20",
        department="Marketing",
        vendor="AWS",
        category="Cloud infrastructure",
        amount=80,
        investment_type="Run",
        invoice_id="Q2-8",
    ),
    dict(
        date="2026-04-05",
        department="IT",
        vendor="Salesforce",
        category="CRM",
        amount=700,
        investment_type="Run",
        invoice_id="Q2-9",
    ),
    dict(
        date="2026-04-06",
        department="IT",
        vendor="Amazon Web Services, Inc.",
        category="Cloud infrastructure",
        amount=2000,
        investment_type="Run",
        invoice_id="Q2-10",
    ),
    dict(
        date="2026-06-30",
        department="IT",
        vendor="Amazon AWS",
        category="Cloud infrastructure",
        amount=-100,
        investment_type="Run",
        invoice_id="Q2-11",
    ),
    dict(
        date="2026-05-01",
        department="IT",
        vendor="Tableau Software LLC",
        category="Analytics",
        amount=900,
        investment_type="Transform",
        invoice_id="Q2-12",
    ),
    # FY2026 Q3: Marketing 5,000 > IT 1,000: Marketing overtakes IT
    dict(
        date="2026-07-01",
        department="Marketing",
        vendor="Salesforce",
        category="CRM",
        amount=5000,
        investment_type="Grow",
        invoice_id="Q3-1",
    ),
    dict(
        date="2026-08-01",
        department="IT",
        vendor="Amazon Web Services",
        category="Cloud infrastructure",
        amount=1000,
        investment_type="Run",
        invoice_id="Q3-2",
    ),
]

VENDOR_ROWS = [
    dict(vendor="Salesforce", it_approved=True, aliases="SFDC"),
    dict(vendor="Amazon Web Services", it_approved=True, aliases="AWS|Amazon AWS"),
    dict(vendor="Canva", it_approved=False),
    dict(vendor="Tableau", it_approved=True, aliases="Tableau Software"),
    dict(vendor="Looker", it_approved=True),
    dict(vendor="HubSpot", it_approved=True),
]


def _b(q, dept, cat, amount, scenario="Budget"):
    return dict(fiscal_year=2026, quarter=f"Q{q}", department=dept, category=cat, amount=amount, scenario=scenario)


BUDGET_ROWS = [
    # No budget at all for Q1.
    _b(2, "Marketing", "CRM", 1000),
    _b(2, "Marketing", "Analytics", 500),
    _b(2, "Marketing", "Design", 200),
    _b(2, "IT", "CRM", 800),
    _b(2, "IT", "Cloud infrastructure", 2000),
    _b(2, "IT", "Analytics", 1000),
    _b(2, "Joint", "Design", 300),
    _b(3, "Marketing", "CRM", 3000),
    _b(3, "IT", "Cloud infrastructure", 1500),
    _b(4, "Marketing", "CRM", 3000),
    _b(4, "IT", "Cloud infrastructure", 1500),
    _b(4, "Joint", "Design", 300),
    # Forecasts: Q3 has actual spend, so its forecast is not used; Q4 has none yet.
    _b(3, "Marketing", "CRM", 4000, "Forecast"),
    _b(4, "Marketing", "CRM", 3500, "Forecast"),
    _b(4, "IT", "Cloud infrastructure", 1200, "Forecast"),
]


def load_fixture(engine, spend_rows=SPEND_ROWS, vendor_rows=VENDOR_ROWS, budget_rows=BUDGET_ROWS):
    tables = {"spend": frame("spend", spend_rows), "vendors": frame("vendors", vendor_rows)}
    if budget_rows:
        tables["budget"] = frame("budget", budget_rows)
    db.import_tables(engine, tables, source="test", fingerprint="spend")


class Page:
    """What the page computes for one quarter and department scope, through the real queries."""

    def __init__(self, engine, quarter, departments=()):
        self.directory = spend.load_vendor_directory(engine)
        self.period = spend.load_period(engine, CAL, quarter, departments, self.directory)
        self.by_quarter = spend.spend_by_quarter(engine, CAL, departments=departments or None)
        self.split = spend.quarterly_split(spend.spend_by_quarter(engine, CAL))
        self.budget = spend.budget_by_line(engine, quarter.fiscal_year, departments or None)
        self.trend = spend.load_shadow_trend(engine, CAL, self.directory, departments)
        self.quarter, self.departments = quarter, departments


@pytest.fixture
def loaded(engine):
    load_fixture(engine)
    return engine


# --- Split and marketing share ------------------------------------------------------------


def test_split_and_marketing_share(loaded):
    p = Page(loaded, Q2)
    row = p.split.set_index("label").loc["FY2026 Q2"]
    # Marketing: 1000 + 500 - 200 (credit) + 300 + 250 + 150 + 120 + 80 = 2,200
    # IT: 700 + 2000 - 100 (credit) + 900 = 3,500; Joint: no lines = 0
    assert (row["Marketing"], row["IT"], row["Joint"], row["total"]) == (2200.0, 3500.0, 0.0, 5700.0)
    ms = spend.marketing_share(p.split, Q2)
    assert ms.share == pytest.approx(2200 / 5700)  # 38.6%
    assert ms.previous_share == pytest.approx(1500 / 6000)  # Q1: 25%
    assert ms.delta == pytest.approx(2200 / 5700 - 0.25)  # +13.6 points
    assert ms.sentence() == "Marketing paid 39% of technology spend in FY2026 Q2, up 14 points on FY2026 Q1."


def test_marketing_overtakes_it(loaded):
    p = Page(loaded, Q3)
    # Q1 1,500 <= 4,000, Q2 2,200 <= 3,500, Q3 5,000 > 1,000.
    assert spend.overtake_quarters(p.split) == [Q3]
    ms = spend.marketing_share(p.split, Q3)
    assert ms.share == pytest.approx(5000 / 6000)
    assert ms.sentence() == (
        "Marketing paid 83% of technology spend in FY2026 Q3, up 45 points on FY2026 Q2. "
        "Its technology spend ($5.0K) overtook IT's ($1.0K) this quarter."
    )


def test_department_split_sums_to_total(loaded):
    for q, total in ((Q1, 6000.0), (Q2, 5700.0), (Q3, 6000.0)):
        p = Page(loaded, q)
        assert p.period["spend"].sum() == pytest.approx(total)
        by_dept = spend.drill_down(p.period, q).rows
        assert by_dept["spend"].sum() == pytest.approx(total)


# --- Budget against actual ----------------------------------------------------------------


def test_budget_variance_hand_computed(loaded):
    p = Page(loaded, Q2)
    bv = spend.budget_variance(p.period, p.budget, Q2)
    lines = bv.lines.set_index(["department", "category"])
    expected = {
        ("Marketing", "CRM"): (1300, 1000, 300, "unfavourable"),  # 1000 + 500 - 200
        ("Marketing", "Design"): (300, 200, 100, "unfavourable"),
        ("Marketing", "Analytics"): (400, 500, -100, "favourable"),  # Hotjar 250 + Looker 150
        ("IT", "CRM"): (700, 800, -100, "favourable"),
        ("IT", "Cloud infrastructure"): (1900, 2000, -100, "favourable"),  # 2000 - 100 credit
        ("IT", "Analytics"): (900, 1000, -100, "favourable"),
        ("Joint", "Design"): (0, 300, -300, "favourable"),  # no Joint spend: an actual of 0
    }
    for key, (actual, budget, variance, word) in expected.items():
        got = lines.loc[key]
        assert (got["actual"], got["budget"], got["variance"], got["verdict"]) == (actual, budget, variance, word), key
    assert lines.loc[("Marketing", "CRM"), "variance_pct"] == pytest.approx(0.30)
    assert lines.loc[("Joint", "Design"), "variance_pct"] == pytest.approx(-1.0)
    # Unbudgeted: Marketing automation 120 and Cloud infrastructure 80 have no budget line.
    assert lines.loc[("Marketing", "Marketing automation"), "verdict"] == "no budget"
    assert pd.isna(lines.loc[("Marketing", "Cloud infrastructure"), "variance"])
    assert bv.unbudgeted == 200.0
    depts = bv.by_department.set_index("department")
    # Marketing 2,200 vs 1,000 + 500 + 200 = 1,700: +500; IT 3,500 vs 3,800: -300; Joint 0 vs 300: -300
    assert depts["variance"].to_dict() == {"Marketing": 500.0, "IT": -300.0, "Joint": -300.0}
    assert depts["verdict"].to_dict() == {"Marketing": "unfavourable", "IT": "favourable", "Joint": "favourable"}
    # Total 5,700 vs 5,800: 100 (1.7%) under budget.
    assert (bv.actual, bv.budget, bv.variance, bv.verdict) == (5700.0, 5800.0, -100.0, "favourable")
    assert bv.variance_pct == pytest.approx(-100 / 5800)
    assert bv.sentence() == (
        "In FY2026 Q2, spend of $5.7K against a budget of $5.8K was $100 (1.7%) under budget, "
        "favourable. The largest overrun is Marketing's CRM budget (+$300). $200 went to categories with no budget."
    )


def test_quarter_without_budget(loaded):
    p = Page(loaded, Q1)
    bv = spend.budget_variance(p.period, p.budget, Q1)
    assert bv.budget is None and bv.variance is None and bv.verdict == "no budget"
    assert set(bv.lines["verdict"]) == {"no budget"}
    assert bv.sentence() == "No budget is recorded for FY2026 Q1, so its $6.0K of spend cannot be compared with one."


def test_department_with_no_spend_against_its_budget(loaded):
    p = Page(loaded, Q2, ("Joint",))
    assert p.period.empty  # Joint has no spend lines in Q2
    bv = spend.budget_variance(p.period, p.budget, Q2)
    assert (bv.actual, bv.budget, bv.variance, bv.verdict) == (0.0, 300.0, -300.0, "favourable")
    assert spend.investment_mix(p.period, Q2) is None  # no data, not zeros
    assert spend.shadow_it(p.period, p.trend, Q2, ("Joint",)) is None and spend.shadow_in_scope(("Joint",))
    drill = spend.drill_down(p.period, Q2)
    assert drill.rows.empty and drill.sentence() == "Technology spend: no spend lines in FY2026 Q2."
    assert spend.vendor_overlap(p.period, Q2, ("Joint",)).sentence().startswith("Overlap compares Marketing with IT")


def test_fiscal_year_landing(loaded):
    p = Page(loaded, Q2)
    landing = spend.fiscal_year_landing(p.by_quarter, p.budget, 2026, {Q1, Q2, Q3})
    assert landing.actual_quarters == (Q1, Q2, Q3) and landing.forecast_quarters == (Q4,)
    table = landing.by_department.set_index("department")
    # Marketing: actuals 1,500 + 2,200 + 5,000 = 8,700; forecast Q4 3,500 (the Q3 forecast is not used
    # because Q3 has actuals) = 12,200; budget Q2 1,700 + Q3 3,000 + Q4 3,000 = 7,700.
    assert table.loc["Marketing", ["actual_to_date", "forecast", "landing", "budget", "variance"]].tolist() == [
        8700.0,
        3500.0,
        12200.0,
        7700.0,
        4500.0,
    ]
    # IT: 4,000 + 3,500 + 1,000 + forecast 1,200 = 9,700 against 3,800 + 1,500 + 1,500 = 6,800.
    assert table.loc["IT", ["landing", "budget", "variance"]].tolist() == [9700.0, 6800.0, 2900.0]
    # Joint: 500 + no forecast = 500 against 300 + 300 = 600: 100 under, favourable.
    assert table.loc["Joint", ["landing", "budget", "variance", "verdict"]].tolist() == [
        500.0,
        600.0,
        -100.0,
        "favourable",
    ]
    assert (landing.landing, landing.budget, landing.variance) == (22400.0, 15100.0, 7300.0)
    assert landing.sentence() == (
        "FY2026 is on course to land at $22.4K against a full-year budget of $15.1K: "
        "$7.3K (48%) over budget, unfavourable (actuals for Q1–Q3 plus forecast for Q4)."
    )


def test_landing_needs_forecasts(loaded):
    p = Page(loaded, Q2)
    # With only Q1 and Q2 counted as actual, Q3 uses its forecast but Q4... has one too: landing exists.
    assert spend.fiscal_year_landing(p.by_quarter, p.budget, 2026, {Q1, Q2}).forecast_quarters == (Q3, Q4)
    # Without a forecast for a remaining quarter, the landing is not projected.
    no_q4 = p.budget[~((p.budget["scenario"] == "Forecast") & (p.budget["quarter"] == Q4))]
    landing = spend.fiscal_year_landing(p.by_quarter, no_q4, 2026, {Q1, Q2})
    assert landing.missing_forecast == (Q4,) and landing.landing is None
    assert landing.sentence() == "FY2026 has forecasts, but none for Q4, so its landing cannot be projected yet."
    # No forecast rows at all: nothing to show.
    assert spend.fiscal_year_landing(p.by_quarter, p.budget[p.budget["scenario"] == "Budget"], 2026, {Q1}) is None


# --- Vendors ------------------------------------------------------------------------------


def test_vendor_normalisation_and_catalogue(loaded):
    directory = spend.load_vendor_directory(loaded).set_index("vendor")
    for spelling in ("Salesforce.com, Inc.", "SALESFORCE", "Salesforce UK Ltd", "Salesforce"):
        assert directory.loc[spelling, "vendor_name"] == "Salesforce"
        assert directory.loc[spelling, "it_approved"]
    for spelling in ("AWS", "Amazon AWS", "Amazon Web Services, Inc."):
        assert directory.loc[spelling, "vendor_name"] == "Amazon Web Services"
    assert directory.loc["Tableau Software LLC", "vendor_name"] == "Tableau"  # through the alias
    assert not directory.loc["Hotjar Ltd", "in_catalogue"] and not directory.loc["Hotjar Ltd", "it_approved"]
    assert directory.loc["Canva Pty Ltd", "in_catalogue"] and not directory.loc["Canva Pty Ltd", "it_approved"]
    # "Hub Spot" is not merged with the catalogued HubSpot...
    assert directory.loc["Hub Spot", "vendor_name"] == "Hub Spot"
    assert not directory.loc["Hub Spot", "in_catalogue"]
    # ...but listed for review.
    pairs = spend.possible_duplicates(directory.reset_index())
    assert pairs[["vendor_a", "vendor_b"]].values.tolist() == [["Hub Spot", "HubSpot"]]
    assert pairs["score"].iloc[0] >= spend.NEAR_MATCH_THRESHOLD
    assert spend.duplicates_sentence(pairs).startswith("1 pair of vendor names look alike")


def test_vendor_overlap_and_at_stake(loaded):
    p = Page(loaded, Q2)
    ov = spend.vendor_overlap(p.period, Q2)
    got = ov.vendors[["vendor", "Marketing", "IT", "Joint", "total", "at_stake"]].values.tolist()
    assert got == [
        # Salesforce: Marketing 1000 + 500 - 200 = 1,300 (three spellings), IT 700: at stake 700
        ["Salesforce", 1300.0, 700.0, 0.0, 2000.0, 700.0],
        # AWS: Marketing 80, IT 2000 - 100 = 1,900: at stake 80
        ["Amazon Web Services", 80.0, 1900.0, 0.0, 1980.0, 80.0],
    ]
    assert ov.vendors["spellings"].iloc[0] == "SALESFORCE | Salesforce | Salesforce UK Ltd | Salesforce.com, Inc."
    assert ov.total_at_stake == 780.0
    assert ov.sentence() == (
        "In FY2026 Q2, 2 vendors were paid by both Marketing and IT: $780 at stake, the most with Salesforce ($700)."
    )
    # Overlap needs both sides in scope.
    it_only = spend.vendor_overlap(Page(loaded, Q2, ("IT",)).period, Q2, ("IT",))
    assert not it_only.in_scope and it_only.total_at_stake is None
    assert "include both" in it_only.sentence()


def test_redundant_tools(loaded):
    p = Page(loaded, Q2)
    rt = spend.redundant_tools(p.period, Q2)
    # CRM and Cloud infrastructure: both sides pay the same vendor (overlap, not redundancy).
    # Analytics: Marketing pays Hotjar 250 + Looker 150 = 400, IT pays Tableau 900: sized at 400.
    assert rt.categories.values.tolist() == [["Analytics", "Hotjar Ltd, Looker", "Tableau", 400.0, 900.0, 400.0]]
    assert rt.total == 400.0
    assert rt.sentence() == (
        "In 1 category, Marketing and IT paid different vendors for the same capability in "
        "FY2026 Q2, sized at $400. The largest is Analytics ($400): Marketing pays Hotjar Ltd, "
        "Looker; IT pays Tableau."
    )


def test_shadow_it(loaded):
    p = Page(loaded, Q2)
    sh = spend.shadow_it(p.period, p.trend, Q2)
    # Canva 300 (catalogued, not approved) + Hotjar 250 + Hub Spot 120 (not in the catalogue) = 670
    # of Marketing + Joint spend 2,200 + 0 = 30.5%; Q1: Joint's Canva 500 of 1,500 + 500 = 25%.
    assert (sh.amount, sh.base) == (670.0, 2200.0)
    assert sh.share == pytest.approx(670 / 2200)
    assert sh.previous_share == pytest.approx(0.25)
    assert sh.top_vendors.values.tolist() == [
        ["Canva", "not approved by IT", 300.0, 1],
        ["Hotjar Ltd", "not in the catalogue", 250.0, 1],
        ["Hub Spot", "not in the catalogue", 120.0, 1],
    ]
    assert sh.sentence() == (
        "In FY2026 Q2, $670 of Marketing and Joint spend (30%) went to vendors IT has not "
        "approved, up 5 points on FY2026 Q1. The largest is Canva ($300, not approved by IT)."
    )
    trend = p.trend.set_index("label")
    assert trend.loc["FY2026 Q1", ["spend", "shadow"]].tolist() == [2000.0, 500.0]
    assert trend.loc["FY2026 Q2", ["spend", "shadow"]].tolist() == [2200.0, 670.0]
    assert trend.loc["FY2026 Q3", ["spend", "shadow"]].tolist() == [5000.0, 0.0]
    assert (
        spend.shadow_trend_sentence(p.trend, Q3)
        == "Shadow IT fell from 25% of Marketing and Joint spend in FY2026 Q1 to 0% in FY2026 Q3."
    )
    # IT alone has no shadow IT to measure.
    assert spend.shadow_it(Page(loaded, Q2, ("IT",)).period, p.trend, Q2, ("IT",)) is None


def test_investment_mix_with_unmapped_share(loaded):
    p = Page(loaded, Q2)
    mix = spend.investment_mix(p.period, Q2)
    table = mix.mix.set_index(["department", "investment_type"])
    # Marketing: Grow 1,300 + 150 + 120 = 1,570; Run 300 + 80 = 380; Unmapped (Hotjar) 250; of 2,200
    assert table.loc[("Marketing", "Grow"), "spend"] == 1570.0
    assert table.loc[("Marketing", "Run"), "share"] == pytest.approx(380 / 2200)
    assert table.loc[("Marketing", "Unmapped"), "share"] == pytest.approx(250 / 2200)
    # IT: Run 700 + 2000 - 100 = 2,600; Transform 900; of 3,500
    assert table.loc[("IT", "Run"), "share"] == pytest.approx(2600 / 3500)
    assert table.loc[("IT", "Transform"), "share"] == pytest.approx(900 / 3500)
    assert list(mix.mix["investment_type"][mix.mix["department"] == "Marketing"]) == ["Run", "Grow", "Unmapped"]
    assert mix.unmapped == 250.0 and mix.unmapped_share == pytest.approx(250 / 5700)
    assert mix.sentence() == (
        "In FY2026 Q2, the largest slice is Grow for Marketing (71%); Run for IT (74%). "
        "4% of spend ($250) has no investment type."
    )


def test_drill_down_to_invoice_lines(loaded):
    p = Page(loaded, Q2)
    top = spend.drill_down(p.period, Q2)
    assert top.level == "department"
    assert top.rows[["name", "spend", "lines"]].values.tolist() == [["IT", 3500.0, 4], ["Marketing", 2200.0, 8]]
    cats = spend.drill_down(p.period, Q2, "Marketing")
    assert cats.rows[["name", "spend"]].values.tolist() == [
        ["CRM", 1300.0],
        ["Analytics", 400.0],
        ["Design", 300.0],
        ["Marketing automation", 120.0],
        ["Cloud infrastructure", 80.0],
    ]
    assert cats.sentence() == ("Marketing in FY2026 Q2: $2.2K across 5 categories; the largest is CRM at $1.3K (59%).")
    vendors = spend.drill_down(p.period, Q2, "Marketing", "CRM")
    assert vendors.rows[["name", "spend", "lines"]].values.tolist() == [["Salesforce", 1300.0, 3]]
    selection = spend.line_selection(p.period, "Marketing", "CRM", "Salesforce")
    assert selection.spellings == ("SALESFORCE", "Salesforce UK Ltd", "Salesforce.com, Inc.")
    lines = spend.load_lines(loaded, CAL, Q2, selection)
    # Newest first; the lines add up to the number they explain, credit included.
    assert lines["invoice_id"].tolist() == ["Q2-3", "Q2-2", "Q2-1"]
    assert lines["amount"].sum() == selection.spend == 1300.0
    assert selection.caption(len(lines)) == "All 3 invoice lines behind $1.3K."
    capped = spend.load_lines(loaded, CAL, Q2, selection, cap=2)
    assert capped["invoice_id"].tolist() == ["Q2-3", "Q2-2"]
    assert selection.caption(2, cap=2).startswith("Showing the 2 most recent of 3 invoice lines")


# --- Pure rules ---------------------------------------------------------------------------


def _labelled_by_quarter(rows):
    """A `spend_by_quarter`-like frame with only the columns `spend_split` reads."""
    return pd.DataFrame(rows, columns=["quarter", "department", "spend"])


def test_spend_split_hand_computed():
    by_q = _labelled_by_quarter(
        [
            ("FY2026 Q1", "Marketing", 300.0),
            ("FY2026 Q1", "IT", 600.0),
            ("FY2026 Q1", "Joint", 100.0),
            ("FY2025 Q4", "IT", 800.0),
        ]
    )
    s = spend.spend_split(by_q, FiscalQuarter(2026, 1))
    assert s.total == 1000.0
    assert s.shares == {"Marketing": 0.3, "IT": 0.6, "Joint": 0.1}
    assert sum(s.by_department.values()) == s.total  # the split sums to the total
    assert s.previous_total == 800.0
    assert s.total_delta_label() == "$200 vs FY2025 Q4"
    assert s.sentence() == "FY2026 Q1: $1.0K of technology spend, of which Marketing paid 30%."


def test_spend_split_edge_cases():
    by_q = _labelled_by_quarter([("FY2026 Q1", "IT", 500.0)])
    s = spend.spend_split(by_q, FiscalQuarter(2026, 1))
    assert s.by_department["Marketing"] == 0.0  # no lines: zero spend, and the share says 0%
    assert s.previous_total is None and s.total_delta_label() is None  # no data for the previous quarter
    assert spend.spend_split(by_q, FiscalQuarter(2026, 2)) is None  # no data, not zero
    zero = spend.spend_split(
        _labelled_by_quarter([("FY2026 Q1", "IT", 100.0), ("FY2026 Q1", "IT", -100.0)]), FiscalQuarter(2026, 1)
    )
    assert zero.total == 0 and zero.shares["IT"] is None  # a share of nothing is undefined


@pytest.mark.parametrize(
    "variance, word",
    [
        (-0.01, "favourable"),
        (0.0, "on budget"),
        (0.004, "on budget"),
        (12.5, "unfavourable"),
        (None, "no budget"),
        (float("nan"), "no budget"),
    ],
)
def test_verdict(variance, word):
    assert spend.verdict(variance) == word


@pytest.mark.parametrize(
    "variance, pct, parts, text",
    [
        (250, 0.04, dict(against="budget", with_verdict=True), "$250 (4.0%) over budget, unfavourable"),  # sentences
        (-40_000, 0.03, dict(against="budget"), "$40.0K (3.0%) under budget"),  # the Overview story
        (250, 0.04, dict(symbol=True, against="the $6.2K budget"), "▲ $250 (4.0%) over the $6.2K budget"),  # tile
        (0.004, None, dict(zero="● On budget ($6.5K)"), "● On budget ($6.5K)"),
        (-1500, 0.095, dict(symbol=True, percent_decimals=0, zero="on budget"), "▼ $1.5K (10%) under"),  # slide table
        (1500, 0.095, dict(symbol=True, short=True, percent_decimals=0), "▲ 10%"),  # beside a slide's bar
        (1500, None, dict(short=True, missing=""), ""),
        (-300, None, dict(symbol=True, zero="on budget"), "▼ $300 under"),  # chart labels
        (None, None, {}, "no budget"),
        (0.0, None, dict(zero=None), "$0 under"),  # the Tech spend page's figure
    ],
)
def test_one_variance_wording(variance, pct, parts, text):
    assert spend.variance_words(variance, pct, **parts) == text


def test_overtake_needs_a_crossing():
    split = pd.DataFrame(
        {
            "quarter": [FiscalQuarter(2025, q) for q in (1, 2, 3, 4)],
            "Marketing": [10, 30, 20, 40],
            "IT": [20, 20, 25, 30],
        }
    )
    # Q2 crosses (10 <= 20, then 30 > 20), Q3 falls back, Q4 crosses again.
    assert spend.overtake_quarters(split) == [FiscalQuarter(2025, 2), FiscalQuarter(2025, 4)]
    assert spend.overtake_quarters(split.iloc[1:2]) == []  # ahead from the start is not an overtaking


def test_near_match_threshold_is_documented_behaviour():
    directory = pd.DataFrame(
        {
            "vendor": ["Tablau", "Tableau", "Figma", "FigJam", "AWS", "Azure"],
            "vendor_key": ["tablau", "tableau", "figma", "figjam", "aws", "azure"],
            "vendor_name": ["Tablau", "Tableau", "Figma", "FigJam", "AWS", "Azure"],
            "in_catalogue": [False] * 6,
            "it_approved": [False] * 6,
        }
    )
    pairs = spend.possible_duplicates(directory)
    assert pairs[["vendor_a", "vendor_b"]].values.tolist() == [["Tablau", "Tableau"]]


# --- Invariants over random fixtures ------------------------------------------------------

DEPTS = ("Marketing", "IT", "Joint")
VENDORS = ("Salesforce", "SALESFORCE", "Salesforce UK Ltd", "Canva", "Hotjar Ltd", "AWS", "Looker", "Asana Inc")
CATEGORIES = ("CRM", "Analytics", "Design", "Cloud infrastructure")


def random_period(rng: np.random.Generator, n: int = 40) -> pd.DataFrame:
    """A period frame with charges, and credits that never exceed what the same department paid
    the same vendor in the period (a credit note refunds an invoice)."""
    rows = []
    for _ in range(n):
        d, v, c = rng.choice(DEPTS), rng.choice(VENDORS), rng.choice(CATEGORIES)
        amount = round(float(rng.uniform(1, 5000)), 2)
        rows.append((d, c, v, rng.choice(["Run", "Grow", "Transform", None]), amount, 1))
        if rng.random() < 0.3:
            rows.append((d, c, v, None, -round(amount * float(rng.uniform(0, 1)), 2), 1))
    period = pd.DataFrame(rows, columns=["department", "category", "vendor", "investment_type", "spend", "lines"])
    names = period.groupby("vendor", as_index=False).agg(spend=("spend", "sum"), lines=("lines", "sum"))
    catalogue = pd.DataFrame(
        {
            "vendor": ["Salesforce", "Canva", "AWS", "Looker"],
            "it_approved": [True, False, True, bool(rng.random() < 0.5)],
            "aliases": [None] * 4,
        }
    )
    return spend.with_vendors(period, spend.vendor_directory(names, catalogue))


def test_invariants_over_random_periods():
    rng = np.random.default_rng(20260701)
    for _ in range(50):
        period = random_period(rng)
        total = period["spend"].sum()
        # The department split sums to the total, and each drill level to its parent.
        top = spend.drill_down(period, Q2)
        assert top.rows["spend"].sum() == pytest.approx(total, abs=0.01)
        for dept in top.rows["name"]:
            cats = spend.drill_down(period, Q2, dept)
            assert cats.total == pytest.approx(top.rows.set_index("name").loc[dept, "spend"], abs=0.01)
        # At stake never exceeds either side.
        ov = spend.vendor_overlap(period, Q2).vendors
        assert (ov["at_stake"] <= ov["Marketing"]).all() and (ov["at_stake"] <= ov["IT"]).all()
        assert (ov["at_stake"] > 0).all()
        rt = spend.redundant_tools(period, Q2).categories
        assert (rt["at_stake"] <= rt["Marketing"]).all() and (rt["at_stake"] <= rt["IT"]).all()
        # Shadow IT never exceeds Marketing plus Joint spend.
        sh = spend.shadow_it(period, pd.DataFrame(columns=["quarter", "share"]), Q2)
        if sh is not None:
            mj = period.loc[period["department"].isin(["Marketing", "Joint"]), "spend"].sum()
            assert sh.amount <= mj + 0.005 and sh.base == pytest.approx(mj, abs=0.01)
        # Every department's Run/Grow/Transform/Unmapped shares add up to 100%.
        mix = spend.investment_mix(period, Q2).mix.dropna(subset=["share"])
        assert mix.groupby("department")["share"].sum().round(9).eq(1).all()

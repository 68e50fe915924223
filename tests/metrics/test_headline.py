"""The Overview's five figures and the quarter's story, against a hand-made company whose answers
are worked out below, on DuckDB, SQLite and PostgreSQL (through the pages' own queries).

Fiscal year = calendar year: FY2026 Q1 is Jan-Mar 2026, FY2026 Q2 (the quarter shown) Apr-Jun.

Spend, FY2026 Q2                               Spend, FY2026 Q1
  Marketing  Salesforce.com, Inc.  CRM  1,500    Marketing  Salesforce  CRM     1,000
  Marketing  Hotjar     Analytics         300    IT         Salesforce  CRM     2,000
  Marketing  Canva Pty Ltd  Design        200    Joint      Canva       Design    500
  IT         SALESFORCE  CRM            1,000    total 3,500, Marketing 1,000 (28.6%)
  IT         Canva       Design           400
  IT         Amazon Web Services  Cloud 3,000
  Joint      Canva       Design           100
  Marketing 2,000 · IT 4,400 · Joint 100 = 6,500; Marketing share 2,000 / 6,500 = 30.8%.

Catalogue: Salesforce and Amazon Web Services approved; Canva listed, not approved; Hotjar absent.
"""

from __future__ import annotations

from datetime import date

import pytest

from metrics import db
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.headline import BAD, GOOD, WARNING, load_headline
from metrics.masking import VendorMask, letters, vendor_mask
from tests.conftest import frame

CAL = FiscalCalendar(1)
Q1, Q2, Q3 = FiscalQuarter(2026, 1), FiscalQuarter(2026, 2), FiscalQuarter(2026, 3)
TODAY = date(2026, 11, 23)

SPEND = [
    dict(date="2026-02-01", department="Marketing", vendor="Salesforce", category="CRM", amount=1000, invoice_id="a1"),
    dict(date="2026-02-01", department="IT", vendor="Salesforce", category="CRM", amount=2000, invoice_id="a2"),
    dict(date="2026-03-01", department="Joint", vendor="Canva", category="Design", amount=500, invoice_id="a3"),
    dict(
        date="2026-04-10",
        department="Marketing",
        vendor="Salesforce.com, Inc.",
        category="CRM",
        amount=1500,
        invoice_id="b1",
    ),
    dict(date="2026-05-10", department="Marketing", vendor="Hotjar", category="Analytics", amount=300, invoice_id="b2"),
    dict(
        date="2026-05-11",
        department="Marketing",
        vendor="Canva Pty Ltd",
        category="Design",
        amount=200,
        invoice_id="b3",
    ),
    dict(date="2026-04-20", department="IT", vendor="SALESFORCE", category="CRM", amount=1000, invoice_id="b4"),
    dict(date="2026-06-01", department="IT", vendor="Canva", category="Design", amount=400, invoice_id="b5"),
    dict(
        date="2026-06-02", department="IT", vendor="Amazon Web Services", category="Cloud", amount=3000, invoice_id="b6"
    ),
    dict(date="2026-06-03", department="Joint", vendor="Canva", category="Design", amount=100, invoice_id="b7"),
]
# FY2026 Q2 budget: 1,400 + 250 + 1,000 + 3,500 + 100 = 6,250; actual 6,500 is 250 (4%) over.
BUDGET = [
    dict(fiscal_year=2026, quarter="Q2", department=d, category=c, amount=a, scenario="Budget")
    for d, c, a in (
        ("Marketing", "CRM", 1400),
        ("Marketing", "Analytics", 250),
        ("IT", "CRM", 1000),
        ("IT", "Cloud", 3500),
        ("Joint", "Design", 100),
    )
]
VENDORS = [
    dict(vendor="Salesforce", it_approved=True, aliases="SFDC"),
    dict(vendor="Amazon Web Services", it_approved=True, aliases="AWS"),
    dict(vendor="Canva", it_approved=False),
]
KPIS = [
    dict(kpi=k, name=n, unit=u, direction=d, owner="Joint", definition=f"{n}.")
    for k, n, u, d in (
        ("nps", "Net Promoter Score", "points", "higher"),
        ("churn", "Churn", "%", "lower"),
        ("uptime", "Uptime", "%", "higher"),
        ("speed", "Page speed", "seconds", "lower"),
        ("csat", "CSAT", "%", "higher"),
    )
]
TARGETS = [
    dict(
        kpi=k,
        fiscal_year=2026,
        quarter=q,
        target=t,
        at_risk_threshold=r,
        agreed_by_cio_on="2025-12-01",
        agreed_by_cmo_on="2025-12-02",
    )
    for q in ("Q1", "Q2")
    for k, t, r in (("nps", 40, 3), ("churn", 2.0, 0.2), ("uptime", 99.9, 0.05), ("speed", 2.0, 0.3))
]
# Q2: NPS 42 on target; churn 2.1 misses by 0.1 <= 0.2: at risk; uptime 99.7 misses by 0.2 > 0.05: off
# target; page speed has a target but no value; CSAT has no target. 1 of 3 judged is on target.
# Q1: NPS 38 at risk (miss 2 <= 3); churn 1.9, uptime 99.95 and speed 1.9 on target: 3 of 4.
ACTUALS = [
    dict(date=d, kpi=k, value=v)
    for d, k, v in (
        ("2026-05-01", "nps", 42),
        ("2026-05-01", "churn", 2.1),
        ("2026-05-01", "uptime", 99.7),
        ("2026-05-01", "csat", 80),
        ("2026-02-01", "nps", 38),
        ("2026-02-01", "churn", 1.9),
        ("2026-02-01", "uptime", 99.95),
        ("2026-02-01", "speed", 1.9),
    )
]
# Delivered in Q2 after 10, 20, 30 and 40 days (Medium: SLA 20 days): p50 = 25; p85 at rank 3 x 0.85
# = 2.55: 30 + 0.55 x 10 = 35.5, "within 36 days"; breaches 30 and 40: 2 of 4 = 50%. In Q1 one
# request took 10 days (p85 10). R6 is still open at the end of Q2.
REQUESTS = [
    dict(
        request_id=f"R{i}",
        title="Access",
        requested_at=r,
        priority="Medium",
        type="Access",
        delivered_at=d,
        status="Done" if d else "To do",
    )
    for i, (r, d) in enumerate(
        (
            ("2026-04-01 09:00", "2026-04-11 09:00"),
            ("2026-04-01 09:00", "2026-04-21 09:00"),
            ("2026-04-01 09:00", "2026-05-01 09:00"),
            ("2026-04-01 09:00", "2026-05-11 09:00"),
            ("2026-01-01 09:00", "2026-01-11 09:00"),
            ("2026-06-01 09:00", None),
        ),
        1,
    )
]


def _load(engine, **overrides) -> None:
    tables = {
        "spend": SPEND,
        "budget": BUDGET,
        "vendors": VENDORS,
        "kpis": KPIS,
        "kpi_targets": TARGETS,
        "kpi_actuals": ACTUALS,
        "requests": REQUESTS,
        **overrides,
    }
    db.import_tables(engine, {name: frame(name, rows) for name, rows in tables.items()}, source="test", fingerprint="x")


@pytest.fixture
def company(engine):
    _load(engine)
    return engine


def test_the_five_figures(company):
    h = load_headline(company, CAL, Q2, today=TODAY)
    assert h.spend.total == 6500 and h.spend.by_department == {"Marketing": 2000, "IT": 4400, "Joint": 100}
    assert (h.budget.budget, h.budget.variance) == (6250, 250)
    assert h.share.share == pytest.approx(2000 / 6500)
    # Overlap: Salesforce (Marketing 1,500, IT 1,000) at stake 1,000; Canva (200, 400) at stake 200.
    # Shadow IT: Hotjar 300 + Canva 200 (Marketing) + Canva 100 (Joint) = 600 of 2,100.
    # Canva's 200 at stake is shadow IT too: counted once, 1,200 + 600 - 200 = 1,600.
    a = h.at_stake
    assert (a.overlap, a.overlap_vendors, a.shadow, a.counted_twice, a.total) == (1200, 2, 600, 200, 1600)
    assert a.shadow_share == pytest.approx(600 / 2100)
    # Q1: Salesforce at stake 1,000 plus Canva's Joint 500 as shadow IT.
    assert h.previous_at_stake.total == 1500
    t = h.kpis
    assert (t.on_target, t.judged, t.off_target, t.at_risk, t.without_value) == (
        1,
        3,
        ("Uptime",),
        ("Churn",),
        ("Page speed",),
    )
    assert (h.previous_kpis.on_target, h.previous_kpis.judged) == (3, 4)
    assert (h.lead_time_p50, h.lead_time_p85, h.turnaround.within_days) == (pytest.approx(25), pytest.approx(35.5), 36)
    assert (h.breach_rate, h.sla_days, h.open_requests) == (0.5, 20, 1)


def test_tiles_say_each_figure_with_its_change_and_its_verdict(company):
    tiles = {t.key: t for t in load_headline(company, CAL, Q2, today=TODAY).tiles()}
    spend = tiles["spend"]
    assert (spend.label, spend.value, spend.delta.text) == ("Total technology spend", "$6.5K", "+$3.0K vs FY2026 Q1")
    assert [(n.text, n.tone) for n in spend.notes] == [("▲ $250 (4.0%) over the $6.2K budget", BAD)]
    share = tiles["share"]
    # 30.8% - 28.6% = +2.2 points
    assert (share.value, share.delta.text) == ("31%", "+2 pts vs FY2026 Q1")
    stake = tiles["at_stake"]
    assert (stake.value, stake.delta.text, stake.delta.higher_is_better) == ("$1.6K", "+$100 vs FY2026 Q1", False)
    assert "$200 of overlap is also shadow IT, counted once" in [n.text for n in stake.notes]
    kpi = tiles["kpis"]
    assert (kpi.value, kpi.delta.text, kpi.delta.sign) == ("1 of 3", "-2 on target vs FY2026 Q1", -1)
    assert [(n.text, n.tone) for n in kpi.notes] == [
        ("■ Off target: Uptime", BAD),
        ("▲ At risk: Churn", WARNING),
        ("○ No data yet: Page speed", "neutral"),
    ]
    lead = tiles["lead_time"]
    assert (lead.value, lead.delta.text, lead.delta.higher_is_better) == ("36 days", "+26 days vs FY2026 Q1", False)
    # Days past each request's own SLA (Medium, 20): 10, 20, 30, 40 - 20 = -10, 0, 10, 20;
    # p85: h = 3 * 0.85 = 2.55 -> 10 + 0.55 * 10 = 15.5, rounded up to 16 days.
    assert lead.notes[0].text == "▲ 85% were delivered within 16 days of their own SLA" and lead.notes[0].tone == BAD
    assert "50% of 4 requests missed their SLA" in [n.text for n in lead.notes]


def test_story_tells_the_quarter_in_three_to_five_sentences(company):
    story = load_headline(company, CAL, Q2, today=TODAY).story()
    assert 3 <= len(story) <= 5
    assert story[0] == "Technology spend was $6.5K in FY2026 Q2, up $3.0K on FY2026 Q1 and $250 (4.0%) over budget."
    assert story[2] == (
        "$1.6K is at stake: $1.2K with 2 vendors that both Marketing and IT pay (the most with "
        "Salesforce) and $600 of shadow IT, 29% of Marketing and Joint spend."
    )
    assert story[3] == "1 of 3 KPIs with a target met it; Uptime is off target and Churn is at risk."
    assert story[4] == (
        "85% of requests were delivered within 36 days, up from 10 days in FY2026 Q1; 85% were delivered "
        "within 16 days of their own SLA and 50% missed their SLA."
    )


def test_department_scope_narrows_spend_but_not_kpis_or_requests(company):
    h = load_headline(company, CAL, Q2, ("IT",), today=TODAY)
    assert h.spend.total == 4400 and h.budget.budget == 4500
    assert h.share.share == pytest.approx(2000 / 6500), "marketing share is always of all departments"
    assert h.at_stake.total is None, "overlap needs Marketing and IT, shadow IT Marketing or Joint"
    assert {t.key: t.value for t in h.tiles()}["at_stake"] == "not in scope"
    assert h.kpis.judged == 3 and h.turnaround.delivered == 4


def test_a_quarter_without_data_is_no_data_not_zero(company):
    h = load_headline(company, CAL, Q3, today=TODAY)
    assert h.spend is None and h.at_stake.total is None and h.kpis is None and h.turnaround is None
    values = {t.key: t.value for t in h.tiles()}
    assert values == {
        "spend": "no data",
        "share": "no data",
        "at_stake": "no data",  # all departments are in scope: there is just no spend
        "kpis": "no data",
        "lead_time": "no data",
    }
    assert h.story() == ()


def test_first_quarter_has_no_change_to_show(company):
    h = load_headline(company, CAL, Q1, today=TODAY)
    assert all(t.delta is None for t in h.tiles() if t.key != "kpis"), "nothing in FY2025 Q4 to compare with"


def test_on_budget_and_every_kpi_on_target_read_as_good(engine):
    on_budget = [dict(b, amount=a) for b, a in zip(BUDGET, (1500 + 200, 300, 1000 + 400, 3000, 100))]
    _load(engine, budget=on_budget, kpi_actuals=[a for a in ACTUALS if a["kpi"] == "nps"])
    tiles = {t.key: t for t in load_headline(engine, CAL, Q2, today=TODAY).tiles()}
    assert [(n.text, n.tone) for n in tiles["spend"].notes] == [("● On budget ($6.5K)", GOOD)]
    assert tiles["kpis"].value == "1 of 1"
    assert ("● Every KPI with a target meets it", GOOD) in [(n.text, n.tone) for n in tiles["kpis"].notes]


# --- Vendor masks ---------------------------------------------------------------------------


def test_letters_count_like_spreadsheet_columns():
    assert [letters(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_every_spelling_of_a_vendor_gets_one_letter_largest_spend_first():
    import pandas as pd

    names = pd.DataFrame(
        {
            "vendor": ["Salesforce.com, Inc.", "SALESFORCE", "Hotjar", "Canva Pty Ltd"],
            "spend": [100.0, 50.0, 900.0, 10.0],
            "lines": [1, 1, 1, 1],
        }
    )
    catalogue = pd.DataFrame(
        {"vendor": ["Salesforce", "Canva"], "it_approved": [True, False], "aliases": ["SFDC", None]}
    )
    mask = vendor_mask(names, catalogue)
    # Hotjar 900 > Salesforce 150 > Canva 10
    assert mask.labels == {"hotjar": "Vendor A", "salesforce": "Vendor B", "canva": "Vendor C"}
    text = "Salesforce.com, Inc., SALESFORCE, SFDC and salesforce's CRM; Hotjar (Canva Pty Ltd) and Canva."
    assert mask.text(text) == "Vendor B, Vendor B, Vendor B and Vendor B's CRM; Vendor A (Vendor C) and Vendor C."


def test_masking_replaces_whole_names_only():
    mask = VendorMask({"clay": ["Clay"], "sap": ["SAP"]})
    assert mask.text("Clayton uses Clay; SAPPHIRE is not SAP.") == "Clayton uses Vendor A; SAPPHIRE is not Vendor B."
    assert VendorMask().text("Clay") == "Clay" and not VendorMask().enabled


def test_masking_keeps_phrases_that_only_contain_a_vendor_name():
    mask = VendorMask({"contentful": ["Contentful"]})
    text = "LCP is the Largest Contentful Paint; the CMS is Contentful."
    assert mask.text(text) == "LCP is the Largest Contentful Paint; the CMS is Vendor A."

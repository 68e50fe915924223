"""KPI values, statuses, changes and sentences, checked against hand-computed expectations."""

from datetime import date

import pandas as pd
import pytest

from metrics import kpis
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.kpis import AT_RISK, NO_DATA, NO_TARGET, OFF_TARGET, ON_TARGET, status
from metrics.targets import TARGET_COLUMNS

Q3 = FiscalQuarter(2026, 3)


# --- status -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        # Higher is better, target 45, at-risk threshold 3: at risk from 42 (45 - 3) up to just below 45.
        (50.0, ON_TARGET),
        (45.0, ON_TARGET),  # meeting the target exactly is meeting it
        (44.9, AT_RISK),
        (42.0, AT_RISK),  # a miss of exactly the threshold (45 - 42 = 3) is at risk, not off target
        (41.99, OFF_TARGET),
        (-10.0, OFF_TARGET),
    ],
)
def test_status_higher_is_better(value, expected):
    assert status(value, 45.0, 3.0, "higher") == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        # Lower is better (churn %), target 2.0, threshold 0.25: at risk above 2.0 up to 2.25 included.
        (1.5, ON_TARGET),
        (2.0, ON_TARGET),
        (2.1, AT_RISK),
        (2.25, AT_RISK),  # exactly on the boundary: 2.25 - 2.0 = 0.25
        (2.26, OFF_TARGET),
    ],
)
def test_status_lower_is_better(value, expected):
    assert status(value, 2.0, 0.25, "lower") == expected


def test_default_threshold_is_five_percent_of_the_target():
    # Target 45, no threshold: 5% of 45 = 2.25, so at risk down to 42.75 included.
    assert kpis.at_risk_threshold(45.0, None) == pytest.approx(2.25)
    assert status(42.75, 45.0, None, "higher") == AT_RISK
    assert status(42.74, 45.0, None, "higher") == OFF_TARGET
    # Lower is better, target 20 days: 5% = 1 day, at risk up to 21 included.
    assert status(21.0, 20.0, None, "lower") == AT_RISK
    assert status(21.01, 20.0, None, "lower") == OFF_TARGET
    # A negative target (spend variance -2%): the threshold is 5% of its size, 0.1.
    assert kpis.at_risk_threshold(-2.0, None) == pytest.approx(0.1)
    # An explicit threshold of zero means no at-risk band at all.
    assert status(44.99, 45.0, 0.0, "higher") == OFF_TARGET


def test_boundary_survives_binary_fractions():
    # 0.4 - 0.3 is 0.10000000000000003 in binary floating point: still exactly the threshold.
    assert status(0.4, 0.3, 0.1, "lower") == AT_RISK
    assert status(0.2, 0.3, 0.1, "higher") == AT_RISK


def test_missing_data_and_missing_target():
    assert status(None, 45.0, 3.0, "higher") == NO_DATA
    assert status(44.0, None, None, "higher") == NO_TARGET
    assert status(None, None, None, "lower") == NO_DATA  # nothing to judge without a value


def test_status_never_improves_when_a_higher_is_better_value_falls():
    rank = {ON_TARGET: 0, AT_RISK: 1, OFF_TARGET: 2}
    for target, threshold in ((45.0, 3.0), (45.0, None), (0.0, 1.0), (-5.0, 0.5), (99.9, 0.05)):
        values = [target + 10 - step * 0.05 for step in range(400)]  # falling through every band
        ranks = [rank[status(v, target, threshold, "higher")] for v in values]
        assert ranks == sorted(ranks), (target, threshold)
        assert set(ranks) == ({0, 1, 2} if kpis.at_risk_threshold(target, threshold) else {0, 2})


def test_status_never_improves_when_a_lower_is_better_value_rises():
    rank = {ON_TARGET: 0, AT_RISK: 1, OFF_TARGET: 2}
    values = [1.0 + step * 0.01 for step in range(300)]
    ranks = [rank[status(v, 2.0, 0.25, "lower")] for v in values]
    assert ranks == sorted(ranks)


def test_agreement_state():
    day = date(2026, 6, 20)
    assert kpis.agreement_state(day, day) == "agreed"
    assert kpis.agreement_state(day, None) == "awaiting CMO"
    assert kpis.agreement_state(None, day) == "awaiting CIO"
    assert kpis.agreement_state(None, None) == "awaiting both"


# --- folding months into quarters ---------------------------------------------------------


def _monthly(rows):
    return pd.DataFrame(rows, columns=["kpi", "year", "month", "total", "observations", "low", "high", "last_date"])


MONTHLY = _monthly(
    [
        # Calendar quarter 2026 Q1 with a January fiscal start.
        # nps (mean): January has two observations (40, 42), February one (45).
        ("nps", 2026, 1, 82.0, 2, 40.0, 42.0, date(2026, 1, 5)),
        ("nps", 2026, 2, 45.0, 1, 45.0, 45.0, date(2026, 2, 5)),
        # tickets (sum): 10 + 20 + 12.5
        ("tickets", 2026, 1, 10.0, 1, 10.0, 10.0, date(2026, 1, 31)),
        ("tickets", 2026, 2, 20.0, 1, 20.0, 20.0, date(2026, 2, 28)),
        ("tickets", 2026, 3, 12.5, 1, 12.5, 12.5, date(2026, 3, 31)),
        # uptime (min) and load (max): one observation a month.
        ("uptime", 2026, 1, 99.5, 1, 99.5, 99.5, date(2026, 1, 31)),
        ("uptime", 2026, 2, 98.75, 1, 98.75, 98.75, date(2026, 2, 28)),
        ("uptime", 2026, 3, 99.25, 1, 99.25, 99.25, date(2026, 3, 31)),
        ("load", 2026, 1, 1.5, 1, 1.5, 1.5, date(2026, 1, 31)),
        ("load", 2026, 3, 2.25, 1, 2.25, 2.25, date(2026, 3, 31)),
        # churn (last): latest date in the quarter is 15 March (two segments that day).
        ("churn", 2026, 1, 5.0, 1, 5.0, 5.0, date(2026, 1, 31)),
        ("churn", 2026, 3, 8.0, 2, 3.5, 4.5, date(2026, 3, 15)),
        ("churn", 2026, 2, 6.0, 1, 6.0, 6.0, date(2026, 2, 28)),
        # April belongs to the next quarter.
        ("nps", 2026, 4, 50.0, 1, 50.0, 50.0, date(2026, 4, 1)),
    ]
)
AGGREGATIONS = {"nps": "mean", "tickets": "sum", "uptime": "min", "load": "max", "churn": "last"}
LATEST = pd.DataFrame([("churn", date(2026, 3, 15), 4.0)], columns=["kpi", "date", "value"])  # mean of 3.5 and 4.5


def test_each_aggregation_hand_computed():
    cal = FiscalCalendar(1)
    values = kpis.combine_quarters(kpis.fold_months(MONTHLY, cal), AGGREGATIONS, LATEST)
    got = {(r.kpi, r.quarter): (r.value, r.observations) for r in values.itertuples()}
    assert got[("nps", "FY2026 Q1")][0] == pytest.approx((40 + 42 + 45) / 3)  # 42.33: every observation weighs the same
    assert got[("nps", "FY2026 Q1")][0] != pytest.approx((41 + 45) / 2)  # not the mean of monthly means (43)
    assert got[("nps", "FY2026 Q1")][1] == 3
    assert got[("nps", "FY2026 Q2")] == (50.0, 1)
    assert got[("tickets", "FY2026 Q1")] == (42.5, 3)  # 10 + 20 + 12.5
    assert got[("uptime", "FY2026 Q1")] == (98.75, 3)  # the worst month
    assert got[("load", "FY2026 Q1")] == (2.25, 2)  # the highest
    assert got[("churn", "FY2026 Q1")] == (4.0, 4)  # the latest day's observations, not 5 or 6
    assert len(values) == 6


def test_months_fold_into_fiscal_quarters_by_the_start_month():
    # July start: January to March 2026 is FY2026 Q3 and April is FY2026 Q4.
    values = kpis.combine_quarters(kpis.fold_months(MONTHLY, FiscalCalendar(7)), AGGREGATIONS, LATEST)
    assert set(values["quarter"]) == {"FY2026 Q3", "FY2026 Q4"}


def test_no_observations_means_no_rows_not_zero():
    empty = kpis.combine_quarters(kpis.fold_months(_monthly([]), FiscalCalendar(1)), AGGREGATIONS, LATEST)
    assert empty.empty


# --- scorecard ------------------------------------------------------------------------------

GLOSSARY = pd.DataFrame(
    [
        {
            "kpi": "nps",
            "name": "Net Promoter Score",
            "unit": "points",
            "direction": "higher",
            "owner": "Joint",
            "definition": "Promoters minus detractors",
            "formula": "%P - %D",
            "source": "Survey",
            "aggregation": "mean",
        },
        {
            "kpi": "churn",
            "name": "Churn",
            "unit": "%",
            "direction": "lower",
            "owner": "CMO",
            "definition": "Members lost",
            "formula": None,
            "source": None,
            "aggregation": "last",
        },
        {
            "kpi": "speed",
            "name": "Page speed",
            "unit": "seconds",
            "direction": "lower",
            "owner": "CIO",
            "definition": "LCP p75",
            "formula": None,
            "source": None,
            "aggregation": "mean",
        },
        {
            "kpi": "csat",
            "name": "CSAT",
            "unit": "%",
            "direction": "higher",
            "owner": "CMO",
            "definition": "Satisfied share",
            "formula": None,
            "source": None,
            "aggregation": "mean",
        },
    ]
)


def _values(rows):
    return pd.DataFrame(
        [
            {
                "kpi": k,
                "quarter": q.label,
                "fiscal_year": q.fiscal_year,
                "fiscal_quarter": q.quarter,
                "value": v,
                "observations": 1,
            }
            for k, q, v in rows
        ],
        columns=kpis.VALUE_COLUMNS,
    )


def _targets(rows):
    out = []
    for kpi, q, target, threshold, cio, cmo in rows:
        out.append(
            {
                "kpi": kpi,
                "fiscal_year": q.fiscal_year,
                "fiscal_quarter": q.quarter,
                "quarter": q.label,
                "target": target,
                "at_risk_threshold": threshold,
                "note": None,
                "agreed_by_cio_on": cio,
                "agreed_by_cmo_on": cmo,
                "version": 0,
                "source": "imported",
                "changed_by": None,
                "changed_at": None,
            }
        )
    return pd.DataFrame(out, columns=TARGET_COLUMNS)


AGREED_ON = date(2026, 6, 20)
VALUES = _values(
    [
        ("nps", Q3, 43.0),
        ("nps", Q3.previous(), 40.0),
        ("nps", Q3.same_quarter_last_year(), 44.0),
        ("churn", Q3, 2.1),
        ("churn", Q3.previous(), 2.4),
        ("speed", Q3, 2.5),
    ]
)
TARGETS = _targets(
    [
        ("nps", Q3, 45.0, 3.0, AGREED_ON, AGREED_ON),  # 45 - 43 = 2 <= 3: at risk
        ("churn", Q3, 2.0, 0.25, AGREED_ON, None),  # 2.1 - 2.0 = 0.1 <= 0.25: at risk; CMO has not agreed
        ("csat", Q3, 85.0, None, None, None),  # no value: no data
        ("nps", Q3.previous(), 44.0, 3.0, AGREED_ON, AGREED_ON),
    ]
)


def _cards():
    return {c.kpi.kpi: c for c in kpis.scorecard(GLOSSARY, VALUES, TARGETS, Q3)}


def test_scorecard_cards_hand_computed():
    cards = _cards()
    assert list(cards) == ["nps", "churn", "speed", "csat"]  # glossary order, every KPI
    nps, churn, speed, csat = cards["nps"], cards["churn"], cards["speed"], cards["csat"]
    assert (nps.value, nps.target.target, nps.status, nps.agreement) == (43.0, 45.0, AT_RISK, "agreed")
    assert (churn.status, churn.agreement) == (AT_RISK, "awaiting CMO")  # shown, not hidden
    assert (speed.status, speed.target, speed.agreement) == (NO_TARGET, None, None)
    assert (csat.status, csat.value, csat.agreement) == (NO_DATA, None, "awaiting both")
    assert csat.value_label == "no data"
    assert nps.value_label == "43 points" and churn.value_label == "2.1%"
    assert nps.target_label == "Target 45 points · at risk within 3 points"
    assert churn.target_label == "Target 2% · at risk within 0.25 pts"


def test_changes_are_judged_by_direction():
    cards = _cards()
    nps, churn = cards["nps"], cards["churn"]
    assert nps.vs_previous.delta == pytest.approx(3.0) and nps.vs_previous.sentiment == "better"  # 43 - 40
    assert nps.vs_last_year.delta == pytest.approx(-1.0) and nps.vs_last_year.sentiment == "worse"  # 43 - 44
    assert churn.vs_previous.delta == pytest.approx(-0.3) and churn.vs_previous.sentiment == "better"  # a fall in churn
    assert churn.vs_previous.label == "-0.3 pts vs FY2026 Q2"
    assert churn.vs_last_year.delta is None and churn.vs_last_year.sentiment is None
    assert churn.vs_last_year.label == "no data for FY2025 Q3"


def test_trend_covers_eight_quarters_with_their_own_targets():
    nps = _cards()["nps"]
    assert [p.quarter for p in nps.trend] == kpis.window(Q3)
    assert nps.trend[0].quarter == FiscalQuarter(2024, 4) and len(nps.trend) == 8
    assert nps.trend[-2].status(nps.kpi) == OFF_TARGET  # FY2026 Q2: 40 against 44, a miss of 4 > 3
    assert nps.sparkline == [44.0, 40.0, 43.0]  # quarters with a value, oldest first


def test_filters():
    cards = list(_cards().values())
    assert [c.kpi.kpi for c in kpis.filter_cards(cards, owners=["CMO"])] == ["churn", "csat"]
    assert [c.kpi.kpi for c in kpis.filter_cards(cards, statuses=[AT_RISK])] == ["nps", "churn"]
    assert [c.kpi.kpi for c in kpis.filter_cards(cards, ["CMO"], [AT_RISK])] == ["churn"]
    assert len(kpis.filter_cards(cards)) == 4


def test_changing_a_target_never_changes_a_value():
    before = _cards()
    for target in (0.0, 10.0, 43.0, 100.0):
        moved = TARGETS.copy()
        moved.loc[moved["kpi"] == "nps", "target"] = target
        after = {c.kpi.kpi: c for c in kpis.scorecard(GLOSSARY, VALUES, moved, Q3)}
        assert [c.value for c in after.values()] == [c.value for c in before.values()]
        assert [p.value for p in after["nps"].trend] == [p.value for p in before["nps"].trend]


def test_sentences():
    cards = list(_cards().values())
    assert kpis.scorecard_sentence(cards, Q3) == (
        "FY2026 Q3: 2 of 4 KPIs at risk, 1 without a target and 1 without data; 2 targets await agreement."
    )
    assert kpis.bullet_sentence(cards, Q3) == (
        # nps misses by 2 of its 3-point threshold (0.67); churn by 0.1 of 0.25 (0.4): nps is further behind.
        "2 of 2 KPIs with a target miss it in FY2026 Q3; furthest behind is Net Promoter Score at 43 points "
        "against 45 points."
    )
    assert kpis.trend_sentence(cards, Q3) == "Since FY2025 Q3, 0 of 1 KPI improved and 1 worsened (Net Promoter Score)."
    assert kpis.scorecard_sentence([], Q3) == "FY2026 Q3: no KPI matches the filters."
    met = kpis.filter_cards(
        kpis.scorecard(GLOSSARY, VALUES, _targets([("nps", Q3, 40.0, 1.0, AGREED_ON, AGREED_ON)]), Q3), owners=["Joint"]
    )
    assert kpis.scorecard_sentence(met, Q3) == (
        "FY2026 Q3: 1 of 1 KPI on target; every target shown is agreed by both sides."
    )
    assert kpis.bullet_sentence(met, Q3) == "Every KPI shown with a target meets it in FY2026 Q3 (1 of 1)."


def test_glossary_search_matches_every_word_in_any_column():
    table = kpis.glossary_table(GLOSSARY, "")
    assert list(table.columns) == [
        "KPI",
        "Code",
        "Definition",
        "Formula",
        "Unit",
        "Direction",
        "Owner",
        "Source",
        "Quarter value",
    ]
    assert table.loc[0, "Direction"] == "Higher is better" and table.loc[1, "Quarter value"] == "Latest"
    assert list(kpis.glossary_table(GLOSSARY, "cmo")["Code"]) == ["churn", "csat"]
    assert list(kpis.glossary_table(GLOSSARY, "  PROMOTERS  survey")["Code"]) == ["nps"]
    assert kpis.glossary_table(GLOSSARY, "no such words").empty


def test_target_quarters_run_ahead_of_the_data():
    known = [FiscalQuarter(2026, 2), FiscalQuarter(2026, 3)]
    assert kpis.target_quarters(known, ahead=2) == [
        FiscalQuarter(2027, 1),
        FiscalQuarter(2026, 4),
        FiscalQuarter(2026, 3),
        FiscalQuarter(2026, 2),
    ]
    assert kpis.target_quarters([]) == []


def test_agreement_labels_keep_the_roles_in_capitals():
    cards = _cards()
    assert cards["nps"].agreement_label == "Agreed by both, 20 Jun 2026"
    assert cards["churn"].agreement_label == "Target awaiting CMO"
    assert cards["csat"].agreement_label == "Target awaiting CIO and CMO"
    assert cards["speed"].agreement_label == "No target to agree"


def test_masked_cards_mask_the_kpis_text_and_target_notes_and_keep_codes_and_figures():
    from dataclasses import replace

    from metrics.masking import NO_MASK, VendorMask

    nps = _cards()["nps"]
    noted = tuple(
        replace(p, target=replace(p.target, note="Survey runs in Qualtrics")) if p.target else p for p in nps.trend
    )
    card = replace(nps, trend=noted)
    assert kpis.masked_cards([card], NO_MASK) == [card]  # masking off: the cards as they are
    [masked] = kpis.masked_cards([card], VendorMask({"qualtrics": ["Qualtrics"], "survey": ["Survey"]}))
    assert masked.kpi.source == "Vendor B" and masked.kpi.definition == "Promoters minus detractors"
    assert masked.target.note == "Vendor B runs in Vendor A"
    assert masked.vs_previous.kpi is masked.kpi and masked.vs_last_year.kpi is masked.kpi
    assert (masked.kpi.kpi, masked.value, masked.status, masked.target.target) == ("nps", 43.0, AT_RISK, 45.0)

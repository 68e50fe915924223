"""Restatements: a closed quarter's money figures against the same figures now, to the cent."""

from __future__ import annotations

from datetime import datetime

from metrics import review
from metrics.fiscal import FiscalQuarter
from metrics.review import QuarterState, Restatement

Q3 = FiscalQuarter(2026, 3)
CLOSED = QuarterState(Q3, True, None, 1, "CFO", datetime(2026, 10, 14, 9, 30))
THEN = {
    "currency": "USD",
    "total_spend": 100.0,
    "spend_by_department": {"Marketing": 40.0, "IT": 60.0, "Joint": None},
    "budget_total": 200.0,
    "overlap_at_stake": 5.0,
    "shadow_it_spend": None,
    "marketing_share": 0.4,
}


def test_only_the_money_figures_that_changed_are_restated():
    now = {
        **THEN,
        "total_spend": 101.23,
        "spend_by_department": {"Marketing": 40.0, "IT": 61.23, "Joint": None},
        "marketing_share": 0.395,  # a share is not money: not restated on its own
        "shadow_it_spend": 2.5,  # no data then
    }
    found = review.restatements(THEN, now)
    assert found == [
        Restatement("spend", 100.0, 101.23),
        Restatement("IT spend", 60.0, 61.23),
        Restatement("shadow IT spend", None, 2.5),
    ]
    assert [r.change for r in found] == [1.23, 1.23, None]


def test_figures_equal_to_the_cent_are_not_restated_and_other_currencies_are_not_compared():
    assert review.restatements(THEN, {**THEN, "total_spend": 100.004}) == []
    assert review.restatements(THEN, {**THEN, "currency": "EUR", "total_spend": 92.0}) == []


def test_the_sentences_say_how_much_since_which_review():
    now = {**THEN, "total_spend": 98.5, "spend_by_department": {"Marketing": 38.5, "IT": 60.0, "Joint": None}}
    state = QuarterState(Q3, True, THEN, 1, "CFO", datetime(2026, 10, 14, 9, 30))
    assert review.restatement_lines(state, now) == [
        "Spend restated -$1.50 since the FY2026 Q3 review (closed 14 Oct 2026): $100.00 then, $98.50 now.",
        "Marketing spend restated -$1.50 since the FY2026 Q3 review (closed 14 Oct 2026): $40.00 then, $38.50 now.",
    ]
    # An open quarter has nothing to restate.
    assert review.restatement_lines(QuarterState(Q3, False, None, 2, "CFO", None), now) == []

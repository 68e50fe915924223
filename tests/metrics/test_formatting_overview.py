import pandas as pd
import pytest

from metrics.fiscal import FiscalQuarter
from metrics.formatting import money, money_exact, points, share
from metrics.overview import spend_split


@pytest.mark.parametrize("value, text", [
    (1_234_567, "$1.2M"), (-1500, "-$1.5K"), (999, "$999"), (0, "$0"), (999_950, "$1.0M"),
    (2_500_000_000, "$2.5B"), (None, "no data"), (float("nan"), "no data"),
])
def test_money(value, text):
    assert money(value) == text


@pytest.mark.parametrize("value, text", [(600_000, "$600K"), (999_600, "$1M"), (1_400_000, "$1M"), (0, "$0")])
def test_money_without_decimals(value, text):
    assert money(value, decimals=0) == text


def test_other_formats():
    assert money_exact(-1234.5) == "-$1,234.50"
    assert share(0.384) == "38%"
    assert points(0.04) == "+4 pts"
    assert share(None) == "no data"


def _by_quarter(rows):
    return pd.DataFrame(rows, columns=["quarter", "department", "spend"])


def test_spend_split_hand_computed():
    by_q = _by_quarter([("FY2026 Q1", "Marketing", 300.0), ("FY2026 Q1", "IT", 600.0), ("FY2026 Q1", "Joint", 100.0),
                        ("FY2025 Q4", "IT", 800.0)])
    s = spend_split(by_q, FiscalQuarter(2026, 1))
    assert s.total == 1000.0
    assert s.shares == {"Marketing": 0.3, "IT": 0.6, "Joint": 0.1}
    assert sum(s.by_department.values()) == s.total  # the split sums to the total
    assert s.previous_total == 800.0
    assert s.total_delta_label == "$200 vs FY2025 Q4"
    assert s.sentence == "FY2026 Q1: $1.0K of technology spend, of which Marketing paid 30%."


def test_spend_split_edge_cases():
    by_q = _by_quarter([("FY2026 Q1", "IT", 500.0)])
    s = spend_split(by_q, FiscalQuarter(2026, 1))
    assert s.by_department["Marketing"] == 0.0  # no lines: zero spend, and the share says 0%
    assert s.previous_total is None and s.total_delta_label is None  # no data for the previous quarter
    assert spend_split(by_q, FiscalQuarter(2026, 2)) is None  # no data, not zero
    zero = spend_split(_by_quarter([("FY2026 Q1", "IT", 100.0), ("FY2026 Q1", "IT", -100.0)]), FiscalQuarter(2026, 1))
    assert zero.total == 0 and zero.shares["IT"] is None  # a share of nothing is undefined

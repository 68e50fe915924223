"""KPI figures in their unit and the words around figures (metrics.formatting)."""

import pytest

from metrics.formatting import and_join, counted, money_apart, number


@pytest.mark.parametrize(
    "value, unit, signed, distance, expected",
    [
        (42.333, "points", False, False, "42.3 points"),
        (45.0, "points", False, False, "45 points"),
        (99.95, "%", False, False, "99.95%"),
        (2.05, "% per month", False, False, "2.05% per month"),
        (-0.05, "% per month", True, False, "-0.05 pts"),
        (0.2, "%", False, True, "0.2 pts"),
        (3.0, "points", True, False, "+3 points"),
        (0.0, "days", True, False, "0 days"),
        (1234.5, "incidents", False, False, "1,234 incidents"),
        (1_250_000, "$", False, False, "$1.2M"),
    ],
)
def test_number_formats(value, unit, signed, distance, expected):
    assert number(value, unit, signed=signed, distance=distance) == expected


def test_lists_and_counts_in_sentences():
    assert and_join(["NPS"]) == "NPS"
    assert and_join(("NPS", "Churn")) == "NPS and Churn"
    assert and_join(["NPS", "Churn", "CSAT"]) == "NPS, Churn and CSAT"
    assert counted(1, "KPI") == "1 KPI" and counted(3, "KPI") == "3 KPIs"
    assert counted(2, "target awaits", "targets await") == "2 targets await"


@pytest.mark.parametrize(
    "first, second, expected",
    [
        (6_049_485, 5_986_406, ("$6.05M", "$5.99M")),  # one decimal would read $6.0M twice
        (6_400_000, 5_100_000, ("$6.4M", "$5.1M")),  # already apart: the headline style
        (1_000_001, 1_000_000, ("$1,000,001.00", "$1,000,000.00")),  # apart only to the dollar
        (2_500.004, 2_500.001, ("$2.5K", "$2.5K")),  # equal to the cent: read the same
    ],
)
def test_money_apart_shows_just_enough_precision_to_compare(first, second, expected):
    assert money_apart(first, second) == expected

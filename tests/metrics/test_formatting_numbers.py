"""KPI figures in their unit and the words around figures (metrics.formatting)."""

import pytest

from metrics.formatting import and_join, counted, number


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

"""Bullet bars start at zero where the measure is a quantity (`charts.kpis.zero_based`): the bar's
length is then the amount. Percentages near 100 and interval scales keep the window centred on the
target, where a zero base would hide the differences or mean nothing."""

import pytest

from charts.kpis import NEAR_FULL_PERCENT, bullet_chart, bullet_range, value_range, zero_based
from metrics import kpis
from tests.charts.test_kpi_colours import Q2, _target


@pytest.mark.parametrize(
    "value, target, unit, expected",
    [
        (12, 10, "days", True),
        (4.5, 4, "hours", True),
        (2.6, 2.5, "seconds", True),
        (3, 5, "incidents", True),
        (120_000, 100_000, "$", True),
        (0, 10, "days", True),  # a zero value is a quantity too
        (2.1, 2.0, "% per month", True),  # churn: far from 100, zero is "none"
        (82, 85, "%", True),
        (99.5, 99.9, "%", False),  # availability: the differences are in the top tenth
        (NEAR_FULL_PERCENT, 95, "%", False),
        (89.9, 99, "%", True),  # one of the two below the top tenth: from zero
        (41, 45, "points", False),  # NPS: an interval scale, can be negative
        (-3, 2, "% over budget", False),  # under budget is negative: no zero base
        (-1, 5, "days", False),
    ],
)
def test_zero_based_rule(value, target, unit, expected):
    assert zero_based(value, target, unit) is expected


def test_quantities_start_at_zero_and_keep_the_bands_in_view():
    # Target 10 days, threshold 2: half = max(4, 2) * 1.25 = 5 -> up to 15, from 0.
    assert bullet_range(12, 10, 2, "days") == (0.0, 15.0)
    # A value far past the window still fits: 40 days against 10 -> half = 37.5 -> up to 47.5.
    assert bullet_range(40, 10, 2, "days") == (0.0, 47.5)
    # Money, counts, seconds: from zero.
    assert bullet_range(120_000, 100_000, 5_000, "$")[0] == 0.0
    assert bullet_range(3, 5, 1, "incidents") == (0.0, 7.5)


def test_percentages_near_100_and_points_stay_centred():
    low, high = bullet_range(99.5, 99.9, 0.2, "%")
    # half = max(0.4, 0.4) * 1.25 = 0.5 -> 99.4 .. 100 (clamped): the 0.4-point miss fills the bar.
    assert (low, high) == pytest.approx((99.4, 100.0))
    assert bullet_range(41, 45, 3, "points") == (45 - 7.5, 45 + 7.5)
    # A percentage far from 100 starts at zero and stops at 100.
    assert bullet_range(82, 85, 3, "%") == (0.0, pytest.approx(92.5))
    assert bullet_range(85, 98, 20, "%") == (0.0, 100.0)  # 98 + 50 clamped at 100


def test_without_a_target_quantities_start_at_zero():
    assert value_range(8, "days") == (0.0, 10.0)
    assert value_range(40, "points") == (30.0, 50.0)


def test_the_bullet_chart_draws_the_range():
    kpi = kpis.Kpi("k", "Cycle time", "days", "lower", "Joint", "A KPI")
    trend = (kpis.QuarterPoint(Q2, 12.0, _target(Q2)),)  # target 100, threshold 10
    change = kpis.Change(kpi, Q2.previous(), None)
    fig = bullet_chart([kpis.KpiCard(kpi, Q2, trend, change, change)])
    assert tuple(fig.data[0].gauge.axis.range) == bullet_range(12.0, 100.0, 10.0, "days")
    assert fig.data[0].gauge.axis.range[0] == 0.0

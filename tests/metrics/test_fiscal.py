from datetime import date

import pytest

from metrics.fiscal import FiscalCalendar, FiscalQuarter, parse_quarter


@pytest.mark.parametrize(
    "start, day, fy, q",
    [
        (1, date(2026, 1, 1), 2026, 1),
        (1, date(2026, 12, 31), 2026, 4),
        (1, date(2026, 4, 1), 2026, 2),
        # July start: July 2025 to June 2026 is FY2026.
        (7, date(2025, 7, 1), 2026, 1),
        (7, date(2025, 12, 31), 2026, 2),
        (7, date(2026, 1, 1), 2026, 3),
        (7, date(2026, 6, 30), 2026, 4),
        (7, date(2026, 7, 1), 2027, 1),
        # October start (US federal style): Oct 2025 is FY2026 Q1.
        (10, date(2025, 10, 15), 2026, 1),
        (10, date(2026, 9, 30), 2026, 4),
        (4, date(2026, 3, 31), 2026, 4),
        (4, date(2026, 4, 1), 2027, 1),
    ],
)
def test_quarter_of(start, day, fy, q):
    cal = FiscalCalendar(start)
    assert cal.quarter_of(day) == FiscalQuarter(fy, q)
    assert cal.fiscal_year(day) == fy


@pytest.mark.parametrize("start", range(1, 13))
def test_every_day_lies_in_its_quarter_bounds(start):
    cal = FiscalCalendar(start)
    d = date(2024, 1, 1)
    while d.year < 2026:
        fq = cal.quarter_of(d)
        assert cal.quarter_start(fq) <= d <= cal.quarter_end(fq)
        d = date.fromordinal(d.toordinal() + 7)


def test_quarter_dates_july_start():
    cal = FiscalCalendar(7)
    q3 = FiscalQuarter(2026, 3)
    assert cal.quarter_start(q3) == date(2026, 1, 1)
    assert cal.quarter_end(q3) == date(2026, 3, 31)
    assert cal.quarter_bounds(FiscalQuarter(2026, 2)) == (date(2025, 10, 1), date(2026, 1, 1))
    assert cal.year_start(2026) == date(2025, 7, 1)


def test_labels_previous_and_last_year():
    q = FiscalQuarter(2026, 1)
    assert q.label == "FY2026 Q1"
    assert q.previous() == FiscalQuarter(2025, 4)
    assert q.same_quarter_last_year() == FiscalQuarter(2025, 1)
    assert FiscalQuarter(2025, 4).next() == q
    assert parse_quarter("FY2026 Q3") == FiscalQuarter(2026, 3)
    assert parse_quarter("fy2026-q3") == FiscalQuarter(2026, 3)
    with pytest.raises(ValueError, match="FY2026 Q3"):
        parse_quarter("2026/3")


def test_short_label_for_chart_ticks():
    """Eleven quarters fit a half-width chart's axis at 14 px only as 'FY24 Q1'; the label the pages
    and packs write stays in full."""
    assert FiscalQuarter(2024, 1).short_label == "FY24 Q1"
    assert FiscalQuarter(2026, 4).short_label == "FY26 Q4"
    assert FiscalQuarter(2024, 1).label == "FY2024 Q1"


def test_quarter_to_date_and_range():
    cal = FiscalCalendar(7)
    fq, start, end = cal.quarter_to_date(date(2026, 11, 23))
    assert (fq, start, end) == (FiscalQuarter(2027, 2), date(2026, 10, 1), date(2026, 11, 23))
    assert cal.quarters_between(FiscalQuarter(2025, 3), FiscalQuarter(2026, 2)) == [
        FiscalQuarter(2025, 3),
        FiscalQuarter(2025, 4),
        FiscalQuarter(2026, 1),
        FiscalQuarter(2026, 2),
    ]


def test_bad_start_month():
    with pytest.raises(ValueError):
        FiscalCalendar(13)


# --- pandas as an independent oracle -------------------------------------------------------------
# pandas' quarterly periods anchored on the fiscal year's last month (`Q-JUN` for a July start)
# name a fiscal year by the calendar year in which it ends, exactly Bridgeboard's convention.


@pytest.mark.parametrize("start_month", range(1, 13))
def test_calendar_agrees_with_pandas_fiscal_periods(start_month):
    import pandas as pd

    cal = FiscalCalendar(start_month)
    for day in pd.date_range("2023-01-01", "2027-12-31", freq="5D"):
        period = pd.Period(day, freq=cal.pandas_freq)
        fq = cal.quarter_of(day.date())
        assert fq == FiscalQuarter(period.qyear, period.quarter), (start_month, day)
        assert cal.quarter_start(fq) == period.start_time.date()
        assert cal.quarter_end(fq) == period.end_time.date()


@pytest.mark.parametrize("start_month", [1, 4, 7, 10, 2, 11])
def test_months_fold_into_the_same_quarters_vectorised(start_month):
    cal = FiscalCalendar(start_month)
    years = [y for y in range(2023, 2028) for _ in range(12)]
    months = list(range(1, 13)) * 5
    fiscal_years, quarters = cal.quarters_of_months(years, months)
    assert [FiscalQuarter(int(y), int(q)) for y, q in zip(fiscal_years, quarters)] == [
        cal.quarter_of_month(y, m) for y, m in zip(years, months)
    ]

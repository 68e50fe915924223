"""Calendar helpers for the generator: month index t = 0 is January 2024 (FIRST_YEAR), and the
story's position x along its arc."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from metrics.fiscal import FiscalQuarter
from metrics.sample.story import CALENDAR, FIRST_YEAR, MONTH_NAMES


def _month_start(t: int) -> date:
    return date(FIRST_YEAR + t // 12, t % 12 + 1, 1)


def _month_index(yyyy_mm: str) -> int:
    y, m = (int(p) for p in yyyy_mm[:7].split("-"))
    return (y - FIRST_YEAR) * 12 + m - 1


def _month_label(t: int) -> str:
    return f"{MONTH_NAMES[t % 12]} {FIRST_YEAR + t // 12}"


def _quarter(t: int) -> FiscalQuarter:
    d = _month_start(t)
    return CALENDAR.quarter_of_month(d.year, d.month)


def _working_days(t: int) -> list[date]:
    d, out = _month_start(t), []
    while d.month == _month_start(t).month:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def _month_end(t: int) -> date:
    return _month_start(t + 1) - timedelta(days=1)


def _lerp(ends: tuple[float, float], x):
    return ends[0] + (ends[1] - ends[0]) * x


# Month index -> x, where x = 0 at the centre of FY2024 Q1 and 1 at the centre of FY2026 Q3.
def _story_x(t):
    return (np.asarray(t, dtype=float) - 1.0) / 30.0

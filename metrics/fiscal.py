"""Fiscal calendar.

A fiscal year is named by the calendar year in which it ends: with a July start, July 2025 to
June 2026 is FY2026. Quarters are three-month blocks from the start month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    fiscal_year: int
    quarter: int  # 1..4

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1 to 4, got {self.quarter}")

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year} Q{self.quarter}"

    @property
    def short_label(self) -> str:
        """'FY26 Q3': a chart's category tick. Eleven full labels do not fit a half-width chart at
        14 px, and the front end shrinks them to 12 px instead; pages and packs say `label`."""
        return f"FY{self.fiscal_year % 100:02d} Q{self.quarter}"

    @property
    def q(self) -> str:
        return f"Q{self.quarter}"

    def __str__(self) -> str:
        return self.label

    def previous(self) -> FiscalQuarter:
        if self.quarter == 1:
            return FiscalQuarter(self.fiscal_year - 1, 4)
        return FiscalQuarter(self.fiscal_year, self.quarter - 1)

    def next(self) -> FiscalQuarter:
        if self.quarter == 4:
            return FiscalQuarter(self.fiscal_year + 1, 1)
        return FiscalQuarter(self.fiscal_year, self.quarter + 1)

    def window(self, size: int) -> list[FiscalQuarter]:
        """The `size` quarters ending with this one, oldest first (the trend charts' span)."""
        return [FiscalQuarter.from_index(self.index - back) for back in range(size - 1, -1, -1)]

    @staticmethod
    def from_index(index: int) -> FiscalQuarter:
        return FiscalQuarter(index // 4, index % 4 + 1)

    def same_quarter_last_year(self) -> FiscalQuarter:
        return FiscalQuarter(self.fiscal_year - 1, self.quarter)

    @property
    def index(self) -> int:
        """A running number: consecutive quarters differ by one."""
        return self.fiscal_year * 4 + self.quarter - 1


_LABEL = re.compile(r"^\s*FY\s*(\d{4})\s*[-_ ]?\s*Q([1-4])\s*$", re.IGNORECASE)


def parse_quarter(label: str) -> FiscalQuarter:
    """'FY2026 Q3' (also 'fy2026-q3', 'FY2026Q3') -> FiscalQuarter(2026, 3)."""
    m = _LABEL.match(label or "")
    if not m:
        raise ValueError(f"'{label}' is not a fiscal quarter; write it like 'FY2026 Q3'")
    return FiscalQuarter(int(m.group(1)), int(m.group(2)))


@dataclass(frozen=True)
class FiscalCalendar:
    start_month: int = 1  # month in which the fiscal year starts, 1 = January

    def __post_init__(self) -> None:
        if not 1 <= self.start_month <= 12:
            raise ValueError(f"fiscal-year start month must be 1 to 12, got {self.start_month}")

    def _offset(self, year: int, month: int) -> tuple[int, int]:
        """(fiscal_year, month index 0..11 within the fiscal year) of a calendar month."""
        idx = (month - self.start_month) % 12
        fy = year if self.start_month == 1 or month < self.start_month else year + 1
        return fy, idx

    @property
    def pandas_freq(self) -> str:
        """pandas' quarterly frequency for this calendar, ``Q-<month the fiscal year ends>``: pandas
        names a fiscal year by the calendar year in which it ends, as Bridgeboard does."""
        return "Q-" + pd.Timestamp(2000, (self.start_month - 2) % 12 + 1, 1).strftime("%b").upper()

    def quarters_of_months(self, years, months) -> tuple[pd.Index, pd.Index]:
        """(fiscal years, quarters 1-4) of calendar months, vectorised: how monthly aggregates from
        the database are folded into fiscal quarters (quarters always start on a month)."""
        periods = pd.PeriodIndex.from_fields(
            year=np.asarray(years, dtype="int64"), month=np.asarray(months, dtype="int64"), freq="M"
        ).asfreq(self.pandas_freq)
        return periods.qyear, periods.quarter

    def fiscal_year(self, d: date) -> int:
        return self._offset(d.year, d.month)[0]

    def quarter_of(self, d: date) -> FiscalQuarter:
        fy, idx = self._offset(d.year, d.month)
        return FiscalQuarter(fy, idx // 3 + 1)

    def quarter_of_month(self, year: int, month: int) -> FiscalQuarter:
        fy, idx = self._offset(year, month)
        return FiscalQuarter(fy, idx // 3 + 1)

    def year_start(self, fiscal_year: int) -> date:
        year = fiscal_year if self.start_month == 1 else fiscal_year - 1
        return date(year, self.start_month, 1)

    def quarter_start(self, fq: FiscalQuarter) -> date:
        start = self.year_start(fq.fiscal_year)
        month0 = start.month - 1 + (fq.quarter - 1) * 3
        return date(start.year + month0 // 12, month0 % 12 + 1, 1)

    def quarter_end(self, fq: FiscalQuarter) -> date:
        """Last day of the quarter (inclusive)."""
        return self.quarter_start(fq.next()) - timedelta(days=1)

    def quarter_bounds(self, fq: FiscalQuarter) -> tuple[date, date]:
        """[start, end) half-open bounds, the form used in SQL filters."""
        return self.quarter_start(fq), self.quarter_start(fq.next())

    def quarter_to_date(self, today: date) -> tuple[FiscalQuarter, date, date]:
        """The quarter containing `today`, its first day and `today` (inclusive)."""
        fq = self.quarter_of(today)
        return fq, self.quarter_start(fq), today

    def quarters_between(self, first: FiscalQuarter, last: FiscalQuarter) -> list[FiscalQuarter]:
        out, q = [], first
        while q <= last:
            out.append(q)
            q = q.next()
        return out

"""Headline figures computed from small aggregated frames (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.contract import DEPARTMENTS
from metrics.fiscal import FiscalQuarter
from metrics.formatting import money, share


@dataclass(frozen=True)
class SpendSplit:
    quarter: FiscalQuarter
    total: float
    by_department: dict[str, float]  # every department, 0.0 where it had no lines
    shares: dict[str, float | None]  # None when the total is zero (a share of nothing)
    previous_total: float | None  # None: no spend lines in the previous quarter (no data)

    @property
    def total_delta_label(self) -> str | None:
        if self.previous_total is None:
            return None
        return f"{money(self.total - self.previous_total)} vs {self.quarter.previous().label}"

    @property
    def sentence(self) -> str:
        mk = self.shares.get("Marketing")
        base = f"{self.quarter.label}: {money(self.total)} of technology spend"
        if mk is None:
            return base + "."
        return base + f", of which Marketing paid {share(mk)}."


def spend_split(by_quarter: pd.DataFrame, quarter: FiscalQuarter | None) -> SpendSplit | None:
    """Split of one quarter's spend by department, from `queries.spend_by_quarter` output.

    Returns None when the quarter has no spend lines ("no data", not zero).
    """
    if quarter is None or by_quarter.empty:
        return None
    this = by_quarter[by_quarter["quarter"] == quarter.label]
    if this.empty:
        return None
    by_dept = {d: float(this.loc[this["department"] == d, "spend"].sum()) for d in DEPARTMENTS}
    total = round(sum(by_dept.values()), 2)
    shares = {d: (v / total if total else None) for d, v in by_dept.items()}
    prev = by_quarter[by_quarter["quarter"] == quarter.previous().label]
    previous_total = round(float(prev["spend"].sum()), 2) if not prev.empty else None
    return SpendSplit(quarter, total, by_dept, shares, previous_total)

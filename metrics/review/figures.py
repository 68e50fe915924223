"""Every figure a quarter's pages show, flat and keyed, so that a closed quarter can keep them and
later imports that change one can be named figure by figure (a restatement).

A figure is one number a reader sees: a department's spend on a category, a budget line, what is
at stake with an overlapping vendor, a shadow-IT vendor's spend, a KPI's actual and its target, a
lead-time percentile or breach rate per priority. Figures that follow from others (a variance is
actual minus budget, a total the sum of its lines) are left out, so one changed invoice line is
named once per page, not three times. The Overview's own figures are `summary`'s (see
`metrics.summary.summary_figures`); they are kept beside these.

Keys are ``kind|part|part`` (``spend|Marketing|Cloud``, ``kpi|nps``, ``p85|P1``); a snapshot is
JSON, so each figure is a small dict: page, words, kind, unit, value and, for KPIs, the status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from metrics import spend, turnaround
from metrics.contract import PRIORITIES
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.review.compute import Restatement

MONEY, NUMBER, DAYS, RATE, COUNT = "money", "number", "days", "rate", "count"
PRECISION = {MONEY: 2, NUMBER: 6, DAYS: 6, RATE: 6, COUNT: 0}  # what "changed" means, per kind


@dataclass(frozen=True)
class Figure:
    page: str  # a review.PAGES key
    words: str  # how a sentence names it: "Marketing spend on Cloud"
    kind: str  # MONEY, NUMBER, DAYS, RATE or COUNT
    value: float | None  # None: no data
    unit: str = ""  # a KPI's unit
    status: str | None = None  # a KPI's status against its target

    def rounded(self) -> float | None:
        return None if self.value is None else round(float(self.value), PRECISION[self.kind])


def _money(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 2)


def _fraction(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 6)


def spend_figures(variance: spend.BudgetVariance | None, overlap, shadow) -> dict[str, Figure]:
    """Tech spend: each department's spend and budget per category, what is at stake with each
    overlapping vendor, each shadow-IT vendor's spend."""
    out: dict[str, Figure] = {}
    page = "tech_spend"
    if variance is not None:
        for row in variance.lines.itertuples(index=False):
            d, c = row.department, row.category
            out[f"spend|{d}|{c}"] = Figure(page, f"{d} spend on {c}", MONEY, _money(row.actual))
            if not pd.isna(row.budget):
                out[f"budget|{d}|{c}"] = Figure(page, f"{d} budget for {c}", MONEY, _money(row.budget))
    if overlap is not None and overlap.in_scope:
        for row in overlap.vendors.itertuples(index=False):
            out[f"overlap|{row.vendor}"] = Figure(
                page, f"overlap at stake with {row.vendor}", MONEY, _money(row.at_stake)
            )
    if shadow is not None:
        for row in shadow.top_vendors.itertuples(index=False):
            out[f"shadow|{row.vendor}"] = Figure(page, f"shadow IT spend with {row.vendor}", MONEY, _money(row.spend))
    return out


def kpi_figures(cards) -> dict[str, Figure]:
    """Customer experience: each KPI's actual for the quarter (with its status) and its target."""
    out: dict[str, Figure] = {}
    page = "customer_experience"
    for card in cards:
        k = card.kpi
        out[f"kpi|{k.kpi}"] = Figure(page, k.name, NUMBER, _fraction(card.value), k.unit, card.status)
        if card.target is not None:
            target = card.target.target
            out[f"target|{k.kpi}"] = Figure(page, f"{k.name} target", NUMBER, _fraction(target), k.unit)
    return out


def turnaround_figures(lead_times: pd.DataFrame, by_priority: pd.DataFrame, quarter: FiscalQuarter) -> dict:
    """Request turnaround: lead-time p50 and p85 and the SLA breach rate, of all requests delivered
    in the quarter and per priority, with the number delivered."""
    out: dict[str, Figure] = {}
    page = "request_turnaround"
    this = lead_times[lead_times["quarter"] == quarter.label] if not lead_times.empty else lead_times
    rows = [("all", "all requests", this.iloc[0] if not this.empty else None)]
    order = {p: i for i, p in enumerate(PRIORITIES)}
    for row in sorted(by_priority.itertuples(index=False), key=lambda r: order.get(r.value, len(order))):
        rows.append((str(row.value), f"{row.value} requests", pd.Series(row._asdict())))
    for key, who, row in rows:
        if row is None:
            continue
        out[f"delivered|{key}"] = Figure(page, f"requests delivered ({who})", COUNT, _fraction(row["delivered"]))
        out[f"p50|{key}"] = Figure(page, f"median lead time ({who})", DAYS, _fraction(row["p50"]))
        out[f"p85|{key}"] = Figure(page, f"85th-percentile lead time ({who})", DAYS, _fraction(row["p85"]))
        out[f"breach|{key}"] = Figure(page, f"SLA breach rate ({who})", RATE, _fraction(row["breach_rate"]))
    return out


def quarter_figures(engine: Engine, calendar: FiscalCalendar, quarter: FiscalQuarter, today: date | None = None):
    """Every figure of `quarter`'s pages, all departments, by the pages' own queries."""
    from metrics.headline import load_quarter_data

    data = load_quarter_data(engine, calendar, quarter, (), today)
    variance = spend.budget_variance(data.period, data.budget, quarter)
    overlap = spend.vendor_overlap(data.period, quarter)
    shadow = spend.shadow_it(data.period, data.shadow_trend, quarter, top=1_000_000)
    by_priority = turnaround.lead_time_by(engine, calendar, quarter, "priority")
    return {
        **spend_figures(variance, overlap, shadow),
        **kpi_figures(data.kpi_cards),
        **turnaround_figures(data.lead_times, by_priority, quarter),
    }


def as_json(figures: Mapping[str, Figure]) -> dict[str, dict]:
    return {key: asdict(f) for key, f in figures.items()}


def from_json(stored: Mapping[str, Mapping] | None) -> dict[str, Figure]:
    return {key: Figure(**value) for key, value in (stored or {}).items()}


# The order a page reads its figures in (snapshots are stored with their keys sorted).
READING_ORDER = ("spend", "budget", "overlap", "shadow", "kpi", "target", "delivered", "p50", "p85", "breach")


def _reading_order(key: str) -> tuple[int, str]:
    kind, _, rest = key.partition("|")
    return (READING_ORDER.index(kind) if kind in READING_ORDER else len(READING_ORDER), rest)


def figure_restatements(then: Mapping[str, Figure], now: Mapping[str, Figure]) -> list[Restatement]:
    """The figures that differ between a closed quarter's and now, in the order a page reads them
    (spend, budget, overlap, shadow IT; KPI actuals, targets; deliveries, percentiles, breaches). A figure gone from a page (a
    vendor no longer overlapping) reads "no data" now; a KPI whose status changed says so."""
    out = []
    for key in sorted({*then, *now}, key=_reading_order):
        before, after = then.get(key), now.get(key)
        shown = before or after
        assert shown is not None
        a, b = (before.rounded() if before else None), (after.rounded() if after else None)
        status_then, status_now = (before.status if before else None), (after.status if after else None)
        if a != b or status_then != status_now:
            out.append(Restatement(shown.words, a, b, shown.page, shown.kind, shown.unit, status_then, status_now))
    return out

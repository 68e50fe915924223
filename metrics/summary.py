"""``python -m metrics summary``: the headline figures of a quarter, as JSON for machines or as
text for people, computed by `metrics.headline` (the Overview page's functions).

JSON: money as numbers in the reporting currency, named by `currency` (rounded to the cent), shares and rates as
fractions, days as numbers, absent figures as null. `as_of` is when the data was imported
(ISO 8601, UTC) or, for a database filled by other means, the latest date in its data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine

from metrics import db, inventory
from metrics.contract import DEPARTMENTS
from metrics.currency import DEFAULT_REPORTING_CURRENCY
from metrics.fiscal import FiscalCalendar
from metrics.headline import Headline

SUMMARY_KEYS = (
    "quarter",
    "as_of",
    "currency",
    "total_spend",
    "spend_by_department",
    "budget_total",
    "budget_variance",
    "marketing_share",
    "overlap_at_stake",
    "shadow_it_spend",
    "kpis_on_target",
    "kpis_with_target",
    "lead_time_p50_days",
    "lead_time_p85_days",
    "sla_breach_rate",
    "open_requests",
)
# After them in `summary --format json`: null while the quarter is open, else what later imports
# changed since it was closed (`metrics.review.Restated.as_json`).
RESTATED_KEY = "restated"


@dataclass(frozen=True)
class DataAsOf:
    """When the numbers were taken: an import's time, or the latest date in the data."""

    moment: datetime | date | None

    @property
    def label(self) -> str:
        if isinstance(self.moment, datetime):
            return f"{self.moment:%Y-%m-%d %H:%M} UTC"
        if isinstance(self.moment, date):
            return f"latest data {self.moment:%d %b %Y}"
        return "not recorded"

    @property
    def iso(self) -> str | None:
        if isinstance(self.moment, datetime):
            return self.moment.replace(microsecond=0).isoformat() + "Z"
        return self.moment.isoformat() if isinstance(self.moment, date) else None


def data_as_of(engine: Engine) -> DataAsOf:
    batch = db.latest_batch(engine)
    if batch is not None:
        return DataAsOf(batch.imported_at)
    counts = inventory.table_row_counts(engine)
    dates = [d for d in counts["last_date"] if d is not None]
    return DataAsOf(max(dates) if dates else None)


def _cents(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _fraction(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def summary_figures(h: Headline, as_of: DataAsOf, reporting_currency: str = DEFAULT_REPORTING_CURRENCY) -> dict:
    """The figures with the keys of SUMMARY_KEYS, in that order; money in `reporting_currency`."""
    s, b, ms, k = h.spend, h.budget, h.share, h.kpis
    return {
        "quarter": h.quarter.label,
        "as_of": as_of.iso,
        "currency": reporting_currency,
        "total_spend": _cents(s.total) if s else None,
        "spend_by_department": {d: _cents(s.by_department.get(d)) if s else None for d in DEPARTMENTS},
        "budget_total": _cents(b.budget) if b else None,
        "budget_variance": _cents(b.variance) if b else None,
        "marketing_share": _fraction(ms.share) if ms else None,
        "overlap_at_stake": _cents(h.at_stake.overlap),
        "shadow_it_spend": _cents(h.at_stake.shadow),
        "kpis_on_target": k.on_target if k else None,
        "kpis_with_target": k.judged if k else None,
        "lead_time_p50_days": _fraction(h.lead_time_p50),
        "lead_time_p85_days": _fraction(h.lead_time_p85),
        "sla_breach_rate": _fraction(h.breach_rate),
        "open_requests": h.open_requests,
    }


def summary_text(h: Headline, as_of: DataAsOf, calendar: FiscalCalendar) -> str:
    """The five tiles and the story, as a person reads them in a terminal or an e-mail."""
    q = h.quarter
    lines = [
        f"Bridgeboard summary, {q.label} ({calendar.quarter_start(q):%d %b %Y} – "
        f"{calendar.quarter_end(q):%d %b %Y}), data as of {as_of.label}",
        "",
    ]
    for tile in h.tiles():
        change = f"   ({tile.delta.text})" if tile.delta else ""
        lines.append(f"{tile.label:<26}{tile.value}{change}")
        lines += [f"{'':<26}{note.text}" for note in tile.notes]
    lines += ["", "The quarter's story:"]
    lines += [f"- {sentence}" for sentence in h.story()]
    return "\n".join(lines) + "\n"

"""KPI values, statuses, changes and the scorecard's cards, computed from small frames. No
engine, no SQL: `metrics.kpis.queries` loads the frames, `metrics.kpis.load` combines both.

Definitions (the issue's, made precise)
    Value
        The observations in ``kpi_actuals`` dated in the quarter, combined by the KPI's
        ``aggregation``: ``mean`` (the default; every observation weighs the same, whichever
        month or segment it belongs to), ``sum``, ``min``, ``max``, or ``last`` (the observations
        on the latest date in the quarter; their mean when several segments report that day).
        No observations: None, shown as "no data", never 0.
    Status (by the KPI's direction)
        - ``no data``: no value for the quarter (checked first: without a value nothing is judged);
        - ``no target``: a value but no target for the quarter;
        - ``on target``: the value meets the target (equal counts as met);
        - ``at risk``: it misses by no more than the at-risk threshold, *including exactly the
          threshold* (a miss of 2.25 with a threshold of 2.25 is at risk, not off target);
        - ``off target``: it misses by more.
        The threshold is the target's ``at_risk_threshold`` in the KPI's unit, by default 5% of
        the target's size. Misses and thresholds are compared rounded to 9 decimals, so that a
        value typed exactly on the boundary is not pushed over it by binary fractions.
    Agreement
        ``agreed`` when both the CIO and the CMO have agreed the target, else ``awaiting CIO``,
        ``awaiting CMO`` or ``awaiting both``; None when there is no target.
    Change
        This quarter's value minus an earlier quarter's (the previous one, the same one last
        year); "better" or "worse" follows the KPI's direction (a fall in churn is better).

Folding months
    The database groups observations by (kpi, calendar year, month) with sum, count, min, max and
    the latest date (every engine does that cheaply and alike); the few monthly rows are folded
    into fiscal quarters here, which is exact because quarters start on month boundaries. A mean
    is the sum of the months' sums over the sum of their counts, never a mean of monthly means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.formatting import number
from metrics.masking import VendorMask
from metrics.sql import as_date
from metrics.targets import EffectiveTarget, targets_by_quarter

DEFAULT_AGGREGATION = "mean"
DEFAULT_AT_RISK_SHARE = 0.05  # of the target's size, when a target has no at-risk threshold
TREND_QUARTERS = 8

ON_TARGET, AT_RISK, OFF_TARGET, NO_TARGET, NO_DATA = "on target", "at risk", "off target", "no target", "no data"
STATUSES = (ON_TARGET, AT_RISK, OFF_TARGET, NO_TARGET, NO_DATA)
AGREED = "agreed"

VALUE_COLUMNS = ["kpi", "quarter", "fiscal_year", "fiscal_quarter", "value", "observations"]
MONTHLY_COLUMNS = ["kpi", "year", "month", "total", "observations", "low", "high", "last_date"]


# --- folding months into quarters ---------------------------------------------------------


def fold_months(monthly: pd.DataFrame, calendar: FiscalCalendar) -> pd.DataFrame:
    """Monthly aggregates (kpi, year, month, total, observations, low, high, last_date) folded
    into fiscal quarters: sums and counts add up, min of mins, max of maxes, latest date."""
    cols = ["kpi", "fiscal_year", "fiscal_quarter", "total", "observations", "low", "high", "last_date"]
    if monthly.empty:
        return pd.DataFrame(columns=cols)
    m = monthly.copy()
    m["fiscal_year"], m["fiscal_quarter"] = calendar.quarters_of_months(m["year"], m["month"])
    for c in ("total", "low", "high"):
        m[c] = m[c].astype(float)
    m["observations"] = m["observations"].astype(int)
    m["last_date"] = [as_date(d) for d in m["last_date"]]
    out = m.groupby(["kpi", "fiscal_year", "fiscal_quarter"], as_index=False).agg(
        total=("total", "sum"),
        observations=("observations", "sum"),
        low=("low", "min"),
        high=("high", "max"),
        last_date=("last_date", "max"),
    )
    return out[cols]


def combine_quarters(quarterly: pd.DataFrame, aggregations: Mapping[str, str], latest: pd.DataFrame) -> pd.DataFrame:
    """The value of each KPI and quarter from the folded aggregates and, for `last` KPIs, the
    mean observation on each quarter's latest date (`latest`: kpi, date, value)."""
    if quarterly.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    on_day = {(k, as_date(d)): float(v) for k, d, v in zip(latest["kpi"], latest["date"], latest["value"])}
    rows = []
    for r in quarterly.itertuples(index=False):
        how = aggregations.get(r.kpi, DEFAULT_AGGREGATION)
        value = {
            "mean": r.total / r.observations,
            "sum": r.total,
            "min": r.low,
            "max": r.high,
            "last": on_day.get((r.kpi, as_date(r.last_date))),
        }[how]
        q = FiscalQuarter(int(r.fiscal_year), int(r.fiscal_quarter))
        rows.append(
            {
                "kpi": r.kpi,
                "quarter": q.label,
                "fiscal_year": q.fiscal_year,
                "fiscal_quarter": q.quarter,
                "value": None if value is None else float(value),
                "observations": int(r.observations),
            }
        )
    out = pd.DataFrame(rows, columns=VALUE_COLUMNS)
    return out.sort_values(["kpi", "fiscal_year", "fiscal_quarter"]).reset_index(drop=True)


# --- status, agreement, change ---------------------------------------------------------------


def at_risk_threshold(target: float, threshold: float | None) -> float:
    """The threshold as set, or by default 5% of the target's size."""
    return abs(target) * DEFAULT_AT_RISK_SHARE if threshold is None else threshold


def shortfall(value: float, target: float, direction: str) -> float:
    """How far the value falls short of the target in the KPI's unit; zero or less = met."""
    return target - value if direction == "higher" else value - target


def status(value: float | None, target: float | None, threshold: float | None, direction: str) -> str:
    """The status of a value against a target (see the module docstring for the rules)."""
    if value is None:
        return NO_DATA
    if target is None:
        return NO_TARGET
    miss = round(shortfall(value, target, direction), 9)
    if miss <= 0:
        return ON_TARGET
    if miss <= round(at_risk_threshold(target, threshold), 9):
        return AT_RISK
    return OFF_TARGET


def agreement_state(agreed_by_cio_on: date | None, agreed_by_cmo_on: date | None) -> str:
    if agreed_by_cio_on and agreed_by_cmo_on:
        return AGREED
    if not agreed_by_cio_on and not agreed_by_cmo_on:
        return "awaiting both"
    return "awaiting CIO" if not agreed_by_cio_on else "awaiting CMO"


@dataclass(frozen=True)
class Kpi:
    """A glossary entry."""

    kpi: str
    name: str
    unit: str
    direction: str  # "higher" or "lower" is better
    owner: str  # CIO, CMO or Joint
    definition: str
    formula: str | None = None
    source: str | None = None
    aggregation: str = DEFAULT_AGGREGATION

    @property
    def direction_label(self) -> str:
        return f"{self.direction.capitalize()} is better"

    def show(self, value: float | None, *, signed: bool = False, distance: bool = False) -> str:
        return "no data" if value is None else number(value, self.unit, signed=signed, distance=distance)


@dataclass(frozen=True)
class Change:
    """A KPI's change since an earlier quarter."""

    kpi: Kpi
    versus: FiscalQuarter
    delta: float | None  # None: no value now or then

    @property
    def sentiment(self) -> str | None:
        """'better', 'worse' or 'unchanged' by the KPI's direction; None without both values."""
        if self.delta is None:
            return None
        if self.delta == 0:
            return "unchanged"
        return "better" if (self.delta > 0) == (self.kpi.direction == "higher") else "worse"

    @property
    def label(self) -> str:
        if self.delta is None:
            return f"no data for {self.versus.label}"
        return f"{self.kpi.show(self.delta, signed=True)} vs {self.versus.label}"


# How a change is shown: the word and the arrow say which way it went, the tone only whether it is
# good news. A KPI off target or at risk is never good news, even when it improved.
FAVOURABLE, UNFAVOURABLE, NEUTRAL = "favourable", "unfavourable", "neutral"
MISSING = (AT_RISK, OFF_TARGET)


def change_tone(status: str, change: Change) -> str:
    """FAVOURABLE for a KPI that improved and is not off target or at risk; UNFAVOURABLE when it
    worsened; NEUTRAL otherwise (unchanged, no data, or an improvement that still misses the target:
    the status says the rest in its own colour)."""
    sentiment = change.sentiment
    if sentiment == "worse":
        return UNFAVOURABLE
    if sentiment == "better" and status not in MISSING:
        return FAVOURABLE
    return NEUTRAL


@dataclass(frozen=True)
class QuarterPoint:
    quarter: FiscalQuarter
    value: float | None
    target: EffectiveTarget | None

    def status(self, kpi: Kpi) -> str:
        t = self.target
        return status(self.value, t.target if t else None, t.at_risk_threshold if t else None, kpi.direction)


@dataclass(frozen=True)
class KpiCard:
    """Everything the scorecard shows for one KPI in one quarter."""

    kpi: Kpi
    quarter: FiscalQuarter
    trend: tuple[QuarterPoint, ...]  # oldest first; the last point is `quarter`
    vs_previous: Change
    vs_last_year: Change

    @property
    def value(self) -> float | None:
        return self.trend[-1].value

    @property
    def target(self) -> EffectiveTarget | None:
        return self.trend[-1].target

    @property
    def threshold(self) -> float | None:
        t = self.target
        return None if t is None else at_risk_threshold(t.target, t.at_risk_threshold)

    @property
    def status(self) -> str:
        return self.trend[-1].status(self.kpi)

    @property
    def agreement(self) -> str | None:
        t = self.target
        return None if t is None else agreement_state(t.agreed_by_cio_on, t.agreed_by_cmo_on)

    @property
    def value_label(self) -> str:
        return self.kpi.show(self.value)

    @property
    def target_label(self) -> str:
        t = self.target
        if t is None:
            return f"No target for {self.quarter.label}"
        return f"Target {self.kpi.show(t.target)} · at risk within {self.kpi.show(self.threshold, distance=True)}"

    @property
    def agreement_label(self) -> str:
        """'Agreed by both, 14 Jun 2026', 'Target awaiting CMO', 'Target awaiting CIO and CMO'."""
        t = self.target
        if t is None:
            return "No target to agree"
        if self.agreement == AGREED:
            cio, cmo = t.agreed_by_cio_on, t.agreed_by_cmo_on
            assert cio is not None and cmo is not None  # AGREED: both sides have agreed
            return f"Agreed by both, {max(cio, cmo):%d %b %Y}"
        return "Target awaiting CIO and CMO" if self.agreement == "awaiting both" else f"Target {self.agreement}"

    @property
    def sparkline(self) -> list[float]:
        """The quarters' values that exist, oldest first (a sparkline skips empty quarters)."""
        return [p.value for p in self.trend if p.value is not None]

    @property
    def miss_in_thresholds(self) -> float | None:
        """How many at-risk thresholds the value misses by (0 when met); None without both."""
        t = self.target
        if t is None or self.value is None:
            return None
        miss = max(0.0, shortfall(self.value, t.target, self.kpi.direction))
        return miss / self.threshold if self.threshold else (float("inf") if miss else 0.0)


def glossary_entries(glossary: pd.DataFrame) -> dict[str, Kpi]:
    """`kpi_glossary` rows as Kpi entries, by KPI code, in glossary order."""

    def text(v) -> str | None:
        return None if v is None or pd.isna(v) else str(v)

    return {
        r["kpi"]: Kpi(
            kpi=r["kpi"],
            name=r["name"],
            unit=text(r["unit"]) or "",
            direction=r["direction"],
            owner=r["owner"],
            definition=text(r["definition"]) or "",
            formula=text(r.get("formula")),
            source=text(r.get("source")),
            aggregation=text(r.get("aggregation")) or DEFAULT_AGGREGATION,
        )
        for r in glossary.to_dict("records")
    }


def _value_lookup(values: pd.DataFrame) -> dict[tuple[str, FiscalQuarter], float]:
    return {
        (k, FiscalQuarter(int(y), int(q))): float(v)
        for k, y, q, v in zip(values["kpi"], values["fiscal_year"], values["fiscal_quarter"], values["value"])
        if v is not None and not pd.isna(v)
    }


def window(quarter: FiscalQuarter, size: int = TREND_QUARTERS) -> list[FiscalQuarter]:
    """The `size` quarters ending with `quarter`, oldest first."""
    return quarter.window(size)


def target_quarters(known: Sequence[FiscalQuarter], ahead: int = 4) -> list[FiscalQuarter]:
    """Quarters a target can be set for: those with data and the `ahead` after them, newest first."""
    out = list(known)
    for _ in range(ahead if out else 0):
        out.append(out[-1].next())
    return sorted(set(out), reverse=True)


def _change(kpi: Kpi, now: float | None, then: float | None, versus: FiscalQuarter) -> Change:
    delta = None if now is None or then is None else round(now - then, 9)
    return Change(kpi, versus, delta)


def scorecard(
    glossary: pd.DataFrame,
    values: pd.DataFrame,
    targets: pd.DataFrame,
    quarter: FiscalQuarter,
    size: int = TREND_QUARTERS,
) -> list[KpiCard]:
    """One card per glossary KPI for `quarter`, in glossary order.

    `values` is `kpi_quarter_values` output and `targets` is `targets.effective_targets`
    output; both should cover the `size` quarters ending with `quarter` (the trend).
    """
    value_of, target_of = _value_lookup(values), targets_by_quarter(targets)
    quarters = window(quarter, size)
    cards = []
    for kpi in glossary_entries(glossary).values():
        trend = tuple(QuarterPoint(q, value_of.get((kpi.kpi, q)), target_of.get((kpi.kpi, q))) for q in quarters)
        now = trend[-1].value
        prev, last_year = quarter.previous(), quarter.same_quarter_last_year()
        cards.append(
            KpiCard(
                kpi,
                quarter,
                trend,
                _change(kpi, now, value_of.get((kpi.kpi, prev)), prev),
                _change(kpi, now, value_of.get((kpi.kpi, last_year)), last_year),
            )
        )
    return cards


def filter_cards(cards: Iterable[KpiCard], owners: Sequence[str] = (), statuses: Sequence[str] = ()) -> list[KpiCard]:
    """Cards whose owner and status are among those chosen (nothing chosen = all)."""
    return [c for c in cards if (not owners or c.kpi.owner in owners) and (not statuses or c.status in statuses)]


def masked_cards(cards: Sequence[KpiCard], mask: VendorMask) -> list[KpiCard]:
    """The cards as shown outside the company, on the page and in the board pack (the same cards
    when masking is off): the text of each KPI, whose source is often a vendor
    ("Datadog synthetic checks"), and the notes of its targets. Codes and numbers are kept: they
    key the widgets and the statuses."""
    if not mask.enabled:
        return list(cards)
    return [_masked_card(card, mask) for card in cards]


def _masked_card(card: KpiCard, mask: VendorMask) -> KpiCard:
    kpi = replace(
        card.kpi,
        name=mask.text(card.kpi.name),
        definition=mask.text(card.kpi.definition),
        formula=mask.text(card.kpi.formula),
        source=mask.text(card.kpi.source),
    )
    trend = tuple(
        replace(p, target=replace(p.target, note=mask.text(p.target.note)) if p.target else None) for p in card.trend
    )
    return replace(
        card,
        kpi=kpi,
        trend=trend,
        vs_previous=replace(card.vs_previous, kpi=kpi),
        vs_last_year=replace(card.vs_last_year, kpi=kpi),
    )

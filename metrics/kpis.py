"""Customer-experience KPIs: each KPI's value per fiscal quarter, its status against the
quarter's effective target, its change since earlier quarters, and the sentences the page shows.

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

The database groups observations by (kpi, calendar year, month) with sum, count, min, max and
the latest date (every engine does that cheaply and alike); the few monthly rows are folded into
fiscal quarters here, which is exact because quarters start on month boundaries. A mean is the
sum of the months' sums over the sum of their counts, never a mean of monthly means.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping, Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrics import schema
from metrics.contract import TABLES
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.formatting import and_join, counted, number
from metrics.targets import EffectiveTarget, targets_by_quarter

DEFAULT_AGGREGATION = "mean"
DEFAULT_AT_RISK_SHARE = 0.05  # of the target's size, when a target has no at-risk threshold
TREND_QUARTERS = 8

ON_TARGET, AT_RISK, OFF_TARGET, NO_TARGET, NO_DATA = "on target", "at risk", "off target", "no target", "no data"
STATUSES = (ON_TARGET, AT_RISK, OFF_TARGET, NO_TARGET, NO_DATA)
AGREED = "agreed"

VALUE_COLUMNS = ["kpi", "quarter", "fiscal_year", "fiscal_quarter", "value", "observations"]
_MONTHLY_COLUMNS = ["kpi", "year", "month", "total", "observations", "low", "high", "last_date"]


# --- queries ------------------------------------------------------------------------------


def _has_table(engine: Engine, name: str) -> bool:
    return sa.inspect(engine).has_table(name)


def kpi_glossary(engine: Engine) -> pd.DataFrame:
    """The shared glossary (the whole `kpis` table: tens of rows), ordered by name; a missing
    aggregation reads as the default, mean."""
    columns = list(TABLES["kpis"].column_names)
    if not _has_table(engine, "kpis"):
        return pd.DataFrame(columns=columns)
    k = schema.kpis
    with engine.connect() as conn:
        out = pd.DataFrame(conn.execute(sa.select(k).order_by(k.c.name, k.c.kpi)).mappings().all(), columns=columns)
    out["aggregation"] = [a or DEFAULT_AGGREGATION for a in out["aggregation"]]
    return out


def kpi_monthly_stmt(start: date, end: date) -> sa.Select:
    """Per KPI and calendar month in [start, end): sum, count, min and max of the observations
    and the latest date observed."""
    a = schema.kpi_actuals
    year = sa.extract("year", a.c.date).label("year")
    month = sa.extract("month", a.c.date).label("month")
    return (
        sa.select(a.c.kpi, year, month,
                  sa.func.sum(a.c.value).label("total"), sa.func.count(a.c.value).label("observations"),
                  sa.func.min(a.c.value).label("low"), sa.func.max(a.c.value).label("high"),
                  sa.func.max(a.c.date).label("last_date"))
        .where(a.c.date >= sa.bindparam("start", start, type_=sa.Date),
               a.c.date < sa.bindparam("end", end, type_=sa.Date))
        .group_by(a.c.kpi, year, month)
    )


def kpi_observations_on_stmt(kpis: Sequence[str], dates: Sequence[date]) -> sa.Select:
    """Mean observation per KPI and day, for the given KPIs and days (the quarters' last days)."""
    a = schema.kpi_actuals
    return (
        sa.select(a.c.kpi, a.c.date, sa.func.avg(a.c.value).label("value"))
        .where(a.c.kpi.in_(sa.bindparam("kpis", list(kpis), expanding=True)),
               a.c.date.in_(sa.bindparam("dates", list(dates), expanding=True)))
        .group_by(a.c.kpi, a.c.date)
    )


def kpi_quarter_values(engine: Engine, calendar: FiscalCalendar, first: FiscalQuarter,
                       last: FiscalQuarter) -> pd.DataFrame:
    """Each KPI's value per fiscal quarter in [first, last], by its aggregation.

    Columns: kpi, quarter (label), fiscal_year, fiscal_quarter, value, observations. A quarter
    without observations of a KPI has no row (no data, not zero).
    """
    if not _has_table(engine, "kpi_actuals"):
        return pd.DataFrame(columns=VALUE_COLUMNS)
    glossary = kpi_glossary(engine)
    aggregations = dict(zip(glossary["kpi"], glossary["aggregation"]))
    start, end = calendar.quarter_start(first), calendar.quarter_start(last.next())
    with engine.connect() as conn:
        monthly = pd.DataFrame(conn.execute(kpi_monthly_stmt(start, end)).mappings().all(), columns=_MONTHLY_COLUMNS)
        quarterly = fold_months(monthly, calendar)
        wanted = quarterly[[aggregations.get(k, DEFAULT_AGGREGATION) == "last" for k in quarterly["kpi"]]]
        latest = pd.DataFrame(columns=["kpi", "date", "value"])
        if not wanted.empty:
            stmt = kpi_observations_on_stmt(sorted(set(wanted["kpi"])), sorted(set(wanted["last_date"])))
            latest = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=["kpi", "date", "value"])
    return combine_quarters(quarterly, aggregations, latest)


# --- folding months into quarters (pure) --------------------------------------------------


def _day(v) -> date:
    if isinstance(v, str):  # SQLite may hand back the stored text
        return date.fromisoformat(v[:10])
    return pd.Timestamp(v).date()


def fold_months(monthly: pd.DataFrame, calendar: FiscalCalendar) -> pd.DataFrame:
    """Monthly aggregates (kpi, year, month, total, observations, low, high, last_date) folded
    into fiscal quarters: sums and counts add up, min of mins, max of maxes, latest date."""
    cols = ["kpi", "fiscal_year", "fiscal_quarter", "total", "observations", "low", "high", "last_date"]
    if monthly.empty:
        return pd.DataFrame(columns=cols)
    m = monthly.copy()
    fqs = [calendar.quarter_of_month(int(y), int(mo)) for y, mo in zip(m["year"], m["month"])]
    m["fiscal_year"] = [q.fiscal_year for q in fqs]
    m["fiscal_quarter"] = [q.quarter for q in fqs]
    for c in ("total", "low", "high"):
        m[c] = m[c].astype(float)
    m["observations"] = m["observations"].astype(int)
    m["last_date"] = [_day(d) for d in m["last_date"]]
    out = (m.groupby(["kpi", "fiscal_year", "fiscal_quarter"], as_index=False)
           .agg(total=("total", "sum"), observations=("observations", "sum"), low=("low", "min"),
                high=("high", "max"), last_date=("last_date", "max")))
    return out[cols]


def combine_quarters(quarterly: pd.DataFrame, aggregations: Mapping[str, str], latest: pd.DataFrame) -> pd.DataFrame:
    """The value of each KPI and quarter from the folded aggregates and, for `last` KPIs, the
    mean observation on each quarter's latest date (`latest`: kpi, date, value)."""
    if quarterly.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    on_day = {(k, _day(d)): float(v) for k, d, v in zip(latest["kpi"], latest["date"], latest["value"])}
    rows = []
    for r in quarterly.itertuples(index=False):
        how = aggregations.get(r.kpi, DEFAULT_AGGREGATION)
        value = {
            "mean": r.total / r.observations,
            "sum": r.total,
            "min": r.low,
            "max": r.high,
            "last": on_day.get((r.kpi, _day(r.last_date))),
        }[how]
        q = FiscalQuarter(int(r.fiscal_year), int(r.fiscal_quarter))
        rows.append({"kpi": r.kpi, "quarter": q.label, "fiscal_year": q.fiscal_year, "fiscal_quarter": q.quarter,
                     "value": None if value is None else float(value), "observations": int(r.observations)})
    out = pd.DataFrame(rows, columns=VALUE_COLUMNS)
    return out.sort_values(["kpi", "fiscal_year", "fiscal_quarter"]).reset_index(drop=True)


# --- status, agreement, change (pure) -----------------------------------------------------


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
            return f"Agreed by both, {max(t.agreed_by_cio_on, t.agreed_by_cmo_on):%d %b %Y}"
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

    return {r["kpi"]: Kpi(kpi=r["kpi"], name=r["name"], unit=text(r["unit"]) or "", direction=r["direction"],
                          owner=r["owner"], definition=text(r["definition"]) or "", formula=text(r.get("formula")),
                          source=text(r.get("source")), aggregation=text(r.get("aggregation")) or DEFAULT_AGGREGATION)
            for r in glossary.to_dict("records")}


def _value_lookup(values: pd.DataFrame) -> dict[tuple[str, FiscalQuarter], float]:
    return {(k, FiscalQuarter(int(y), int(q))): float(v)
            for k, y, q, v in zip(values["kpi"], values["fiscal_year"], values["fiscal_quarter"], values["value"])
            if v is not None and not pd.isna(v)}


def window(quarter: FiscalQuarter, size: int = TREND_QUARTERS) -> list[FiscalQuarter]:
    """The `size` quarters ending with `quarter`, oldest first."""
    out = [quarter]
    while len(out) < size:
        out.insert(0, out[0].previous())
    return out


def target_summary(target: EffectiveTarget, kpi: Kpi) -> str:
    """'Current target: 45 points, at risk within 2.25 points · agreed by the CIO on 20 Jun 2026,
    awaiting the CMO · version 3, changed in the app by CIO at 2026-08-03 14:02 UTC.'"""
    threshold = at_risk_threshold(target.target, target.at_risk_threshold)
    default = " (the default, 5% of the target)" if target.at_risk_threshold is None else ""
    sides = [f"agreed by the {side} on {day:%d %b %Y}" if day else f"awaiting the {side}"
             for side, day in (("CIO", target.agreed_by_cio_on), ("CMO", target.agreed_by_cmo_on))]
    origin = (f"changed in the app by {target.changed_by} at {target.changed_at:%Y-%m-%d %H:%M} UTC"
              if target.changed_at else "as imported")
    return (f"Current target: {kpi.show(target.target)}, at risk within {kpi.show(threshold, distance=True)}{default} · "
            f"{', '.join(sides)} · version {target.version}, {origin}.")


def target_quarters(known: Sequence[FiscalQuarter], ahead: int = 4) -> list[FiscalQuarter]:
    """Quarters a target can be set for: those with data and the `ahead` after them, newest first."""
    out = list(known)
    for _ in range(ahead if out else 0):
        out.append(out[-1].next())
    return sorted(set(out), reverse=True)


def _change(kpi: Kpi, now: float | None, then: float | None, versus: FiscalQuarter) -> Change:
    delta = None if now is None or then is None else round(now - then, 9)
    return Change(kpi, versus, delta)


def scorecard(glossary: pd.DataFrame, values: pd.DataFrame, targets: pd.DataFrame, quarter: FiscalQuarter,
              size: int = TREND_QUARTERS) -> list[KpiCard]:
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
        cards.append(KpiCard(kpi, quarter, trend,
                             _change(kpi, now, value_of.get((kpi.kpi, prev)), prev),
                             _change(kpi, now, value_of.get((kpi.kpi, last_year)), last_year)))
    return cards


def filter_cards(cards: Iterable[KpiCard], owners: Sequence[str] = (), statuses: Sequence[str] = ()) -> list[KpiCard]:
    """Cards whose owner and status are among those chosen (nothing chosen = all)."""
    return [c for c in cards if (not owners or c.kpi.owner in owners) and (not statuses or c.status in statuses)]


# --- sentences (pure) ---------------------------------------------------------------------


_STATUS_PHRASES = {ON_TARGET: "on target", AT_RISK: "at risk", OFF_TARGET: "off target",
                   NO_TARGET: "without a target", NO_DATA: "without data"}


def scorecard_sentence(cards: Sequence[KpiCard], quarter: FiscalQuarter) -> str:
    """'FY2026 Q3: 4 of 9 KPIs on target, 2 at risk and 1 off target; 2 targets await agreement.'"""
    if not cards:
        return f"{quarter.label}: no KPI matches the filters."
    counts = Counter(c.status for c in cards)
    first, *rest = [s for s in STATUSES if counts[s]]
    parts = [f"{counts[first]} of {counted(len(cards), 'KPI')} {_STATUS_PHRASES[first]}"]
    parts += [f"{counts[s]} {_STATUS_PHRASES[s]}" for s in rest]
    pending = sum(1 for c in cards if c.agreement not in (None, AGREED))
    if pending:
        tail = f"; {counted(pending, 'target awaits', 'targets await')} agreement."
    elif any(c.target for c in cards):
        tail = "; every target shown is agreed by both sides."
    else:
        tail = "."
    return f"{quarter.label}: {and_join(parts)}{tail}"


def bullet_sentence(cards: Sequence[KpiCard], quarter: FiscalQuarter) -> str:
    """Which KPIs miss their target, and which is furthest behind (in at-risk thresholds)."""
    judged = [c for c in cards if c.status in (ON_TARGET, AT_RISK, OFF_TARGET)]
    if not judged:
        return f"No KPI shown has both a value and a target for {quarter.label}, so there is nothing to compare."
    missing = [c for c in judged if c.status != ON_TARGET]
    if not missing:
        return f"Every KPI shown with a target meets it in {quarter.label} ({len(judged)} of {len(judged)})."
    worst = max(missing, key=lambda c: c.miss_in_thresholds or 0.0)
    verb = "misses" if len(missing) == 1 else "miss"
    return (f"{len(missing)} of {counted(len(judged), 'KPI')} with a target {verb} it in {quarter.label}; furthest "
            f"behind is {worst.kpi.name} at {worst.value_label} against {worst.kpi.show(worst.target.target)}.")


def trend_sentence(cards: Sequence[KpiCard], quarter: FiscalQuarter) -> str:
    """How the KPIs moved since the same quarter last year, naming those that worsened."""
    versus = quarter.same_quarter_last_year().label
    compared = [c for c in cards if c.vs_last_year.sentiment is not None]
    if not compared:
        return f"No KPI shown has values for both {quarter.label} and {versus} to compare."
    better = [c for c in compared if c.vs_last_year.sentiment == "better"]
    worse = [c for c in compared if c.vs_last_year.sentiment == "worse"]
    text = f"Since {versus}, {len(better)} of {counted(len(compared), 'KPI')} improved"
    if worse:
        return text + f" and {len(worse)} worsened ({and_join([c.kpi.name for c in worse])})."
    return text + " and none worsened."


# --- glossary (pure) ----------------------------------------------------------------------

GLOSSARY_COLUMNS = {"name": "KPI", "kpi": "Code", "definition": "Definition", "formula": "Formula", "unit": "Unit",
                    "direction": "Direction", "owner": "Owner", "source": "Source", "aggregation": "Quarter value"}
_AGGREGATION_WORDS = {"mean": "Mean", "last": "Latest", "sum": "Sum", "min": "Lowest", "max": "Highest"}


def glossary_table(glossary: pd.DataFrame, search: str = "") -> pd.DataFrame:
    """The glossary as the page lists it, keeping the KPIs where every word of `search` appears
    (case-insensitive) in any column."""
    out = glossary[list(GLOSSARY_COLUMNS)].copy()
    out["direction"] = [f"{d.capitalize()} is better" for d in out["direction"]]
    out["aggregation"] = [_AGGREGATION_WORDS.get(a, a) for a in out["aggregation"]]
    words = search.lower().split()
    if words:
        haystack = out.astype("string").fillna("").agg(" ".join, axis=1).str.lower()
        keep = pd.Series(True, index=out.index)
        for w in words:
            keep &= haystack.str.contains(w, regex=False)
        out = out[keep]
    return out.rename(columns=GLOSSARY_COLUMNS).reset_index(drop=True)

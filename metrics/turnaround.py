"""Request turnaround: lead time, percentiles, SLA breaches, stage durations, backlog ageing, flow.

Definitions (the page's "Definitions" section and docs quote these):

- **Lead time** of a delivered request: ``delivered_at - requested_at`` in days (fractional: 12
  hours is 0.5 days), counted in the fiscal quarter in which it was delivered.
- **Recording defect**: a request "delivered before it was requested" (``delivered_at <
  requested_at``). Its timestamps cannot both be right, so it is left out of every figure (lead
  time, SLA, stages, flow) and counted instead, for the page's data-quality note.
- **Percentiles** p50, p85 and p95 interpolate linearly between the two closest ranks: PostgreSQL's
  ``percentile_cont``, DuckDB's ``quantile_cont`` and numpy's ``method="linear"`` all compute
  ``x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)])`` with ``h = (n - 1) * p``.
  PostgreSQL and DuckDB compute them in SQL; SQLite has no such aggregate, so there only the one
  numeric column being summarised is fetched for the filtered rows and numpy interpolates.
- **SLA** of a request: its ``sla_days`` when set, else the default for its priority
  (``DEFAULT_SLA_DAYS``, overridable by passing another mapping). A **breach** is a lead time
  strictly above the SLA; the **breach rate** is breaches / delivered requests in the quarter.
- **Stages**: waiting on marketing = ``ready_at - requested_at``; IT queue = ``started_at -
  ready_at``; delivery = ``delivered_at - started_at``. A stage whose two timestamps are not both
  present, or are out of order, is "unknown" for that request and counted as such.
- **Backlog** at the end of a quarter (or at the end of ``today``, for the quarter containing
  today): requests requested before that moment and not delivered by it, aged in completed days:
  0-30, 31-60, 61-90 and over 90 days.
- **Flow**: requests arriving (by ``requested_at``) against requests delivered, per quarter.

Every query is SQLAlchemy Core with bound parameters and runs unchanged on DuckDB, SQLite and
PostgreSQL; the three dialect differences (duration in days, percentiles, floor) are small
constructs compiled per dialect. Results are small aggregated frames: per quarter, per priority,
a capped sample of points; never the whole table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Mapping

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrics import schema
from metrics.sql import continuous_percentile, days_between, fiscal_quarter_index, floor_nonnegative, sql_percentiles
from metrics.contract import PRIORITIES
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.formatting import share

# SLA in days when a request has no sla_days of its own. Overridable per call (a settings mapping).
DEFAULT_SLA_DAYS: Mapping[str, float] = {"Critical": 5, "High": 10, "Medium": 20, "Low": 40}
PERCENTILES = {"p50": 0.50, "p85": 0.85, "p95": 0.95}
# Completed days at the end of the period -> bucket; the last bucket is open-ended.
AGE_BUCKETS = (("0-30 days", 31), ("31-60 days", 61), ("61-90 days", 91), ("Over 90 days", None))
TREND_QUARTERS = 12  # three fiscal years of history on the trend charts
SCATTER_QUARTERS = 4  # a year of deliveries on the scatter
MAX_POINTS = 3000  # above this many deliveries the scatter shows a deterministic systematic sample
ROLLING_WINDOW = "30D"
OLDEST_OPEN = 10
STAGES = {
    "marketing": "Waiting on marketing",
    "it_queue": "IT queue",
    "delivery": "IT delivery",
}
_HISTOGRAM_WIDTHS = (1, 2, 5, 7, 10, 14, 30, 60, 90, 180, 365)
_HISTOGRAM_MAX_BINS = 25


# --- Filters and the per-request facts every query summarises -----------------------------

@dataclass(frozen=True)
class RequestFilter:
    """The page's filters; an empty tuple means all."""

    types: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    def clauses(self, r: sa.Table) -> list[sa.ColumnElement]:
        out = []
        for values, col, name in ((self.types, r.c.type, "types"), (self.priorities, r.c.priority, "priorities"),
                                  (self.teams, r.c.requested_by, "teams")):
            if values:
                out.append(col.in_(sa.bindparam(name, list(values), expanding=True)))
        return out


ALL_REQUESTS = RequestFilter()


def _stage_days(start, end) -> sa.ColumnElement:
    """Stage duration, NULL (unknown) when a timestamp is missing or the two are out of order."""
    return sa.case((sa.and_(start.is_not(None), end.is_not(None), end >= start), days_between(start, end)))


def _sla_days(r: sa.Table, sla_defaults: Mapping[str, float]) -> sa.ColumnElement:
    if not sla_defaults:
        return r.c.sla_days
    by_priority = sa.case({p: float(d) for p, d in sla_defaults.items()}, value=r.c.priority)
    return sa.func.coalesce(r.c.sla_days, by_priority)


def request_facts(calendar: FiscalCalendar, filters: RequestFilter = ALL_REQUESTS,
                  sla_defaults: Mapping[str, float] = DEFAULT_SLA_DAYS) -> sa.Subquery:
    """One row per (filtered) request with everything the summaries need, as a subquery.

    ``lead_days`` is NULL for open requests and for those delivered before they were requested
    (``delivered_before_requested`` = 1), so every aggregate over it leaves them out;
    ``delivered_sla_days`` is the SLA of the requests that do have a lead time.
    """
    r = schema.requests
    delivered_ok = r.c.delivered_at >= r.c.requested_at
    lead = sa.case((delivered_ok, days_between(r.c.requested_at, r.c.delivered_at)))
    sla = _sla_days(r, sla_defaults)
    stmt = sa.select(
        r.c.request_id, r.c.title, r.c.priority, r.c.type, r.c.requested_by, r.c.status,
        r.c.requested_at, r.c.ready_at, r.c.started_at, r.c.delivered_at,
        fiscal_quarter_index(r.c.requested_at, calendar).label("requested_q"),
        fiscal_quarter_index(r.c.delivered_at, calendar).label("delivered_q"),
        lead.label("lead_days"),
        sa.case((r.c.delivered_at < r.c.requested_at, 1), else_=0).label("delivered_before_requested"),
        sla.label("sla_days"),
        sa.case((delivered_ok, sla)).label("delivered_sla_days"),
        _stage_days(r.c.requested_at, r.c.ready_at).label("marketing_days"),
        _stage_days(r.c.ready_at, r.c.started_at).label("it_queue_days"),
        _stage_days(r.c.started_at, r.c.delivered_at).label("delivery_days"),
    )
    clauses = filters.clauses(r)
    if clauses:
        stmt = stmt.where(*clauses)
    return stmt.subquery("request_facts")


def _at(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


def _in_period(col, calendar: FiscalCalendar, first: FiscalQuarter | None, last: FiscalQuarter | None,
               name: str) -> list[sa.ColumnElement]:
    """Half-open [start of first, start of the quarter after last) bounds as bound parameters."""
    out = []
    if first is not None:
        out.append(col >= sa.bindparam(f"{name}_from", _at(calendar.quarter_start(first)), type_=sa.DateTime))
    if last is not None:
        out.append(col < sa.bindparam(f"{name}_to", _at(calendar.quarter_start(last.next())), type_=sa.DateTime))
    return out


def _aggregate(engine: Engine, facts: sa.Subquery, keys: list[str], counts: Mapping[str, sa.ColumnElement],
               quantiles: Mapping[str, tuple[float, str]], where: list[sa.ColumnElement]) -> pd.DataFrame:
    """Counts and percentiles per group of `keys`.

    ``quantiles`` maps an output name to (fraction, facts column); NULLs are ignored, as SQL
    aggregates do. PostgreSQL and DuckDB compute everything in one GROUP BY; on SQLite the
    counts still come from SQL and the percentiles from numpy over the fetched value columns.
    """
    key_cols = [facts.c[k] for k in keys]
    count_cols = [expr.label(name) for name, expr in counts.items()]
    if sql_percentiles(engine):
        q_cols = [continuous_percentile(f, facts.c[col]).label(name) for name, (f, col) in quantiles.items()]
        stmt = sa.select(*key_cols, *count_cols, *q_cols).where(*where).group_by(*key_cols)
        with engine.connect() as conn:
            out = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=[*keys, *counts, *quantiles])
    else:
        value_cols = sorted({col for _, col in quantiles.values()})
        with engine.connect() as conn:
            out = pd.DataFrame(
                conn.execute(sa.select(*key_cols, *count_cols).where(*where).group_by(*key_cols)).mappings().all(),
                columns=[*keys, *counts])
            values = pd.DataFrame(
                conn.execute(sa.select(*key_cols, *(facts.c[c] for c in value_cols)).where(
                    *where, sa.or_(*(facts.c[c].is_not(None) for c in value_cols)))).mappings().all(),
                columns=[*keys, *value_cols])
        out = out.merge(_numpy_quantiles(values, keys, quantiles), on=keys, how="left")
    for name in counts:
        out[name] = out[name].fillna(0).astype(int)
    for name in quantiles:
        out[name] = out[name].astype(float)
    return out


def _numpy_quantiles(values: pd.DataFrame, keys: list[str], quantiles: Mapping[str, tuple[float, str]]) -> pd.DataFrame:
    rows = []
    for group, part in values.groupby(keys, dropna=False, sort=False):
        row = dict(zip(keys, group if isinstance(group, tuple) else (group,)))
        for name, (fraction, col) in quantiles.items():
            known = part[col].dropna().astype(float).to_numpy()
            row[name] = float(np.percentile(known, fraction * 100, method="linear")) if known.size else None
        rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, *quantiles])


def _quarter_columns(frame: pd.DataFrame, index_col: str) -> pd.DataFrame:
    """Replace a quarter-index column by quarter label, fiscal_year and fiscal_quarter."""
    idx = frame.pop(index_col).astype(int)
    frame.insert(0, "fiscal_quarter", idx % 4 + 1)
    frame.insert(0, "fiscal_year", idx // 4)
    frame.insert(0, "quarter", [FiscalQuarter(int(y), int(q)).label
                                for y, q in zip(frame["fiscal_year"], frame["fiscal_quarter"])])
    return frame.sort_values(["fiscal_year", "fiscal_quarter"]).reset_index(drop=True)


def trend_window(quarter: FiscalQuarter, quarters: int = TREND_QUARTERS) -> tuple[FiscalQuarter, FiscalQuarter]:
    """(first, last) of the `quarters` quarters ending with `quarter`."""
    first = quarter
    for _ in range(quarters - 1):
        first = first.previous()
    return first, quarter


def in_window(frame: pd.DataFrame, first: FiscalQuarter, last: FiscalQuarter) -> pd.DataFrame:
    """Rows of a per-quarter frame (fiscal_year, fiscal_quarter columns) from `first` to `last`."""
    index = frame["fiscal_year"] * 4 + frame["fiscal_quarter"] - 1
    return frame[(index >= first.index) & (index <= last.index)].reset_index(drop=True)


def delivery_quarters(by_quarter: pd.DataFrame) -> list[FiscalQuarter]:
    """The quarters of a `lead_time_by_quarter` frame, oldest first."""
    return [FiscalQuarter(int(y), int(q)) for y, q in zip(by_quarter["fiscal_year"], by_quarter["fiscal_quarter"])]


def default_delivery_quarter(by_quarter: pd.DataFrame, minimum: int = 10) -> FiscalQuarter | None:
    """The latest quarter with at least `minimum` measured deliveries (else the latest with any): the
    period to open on when there is no sidebar quarter. A lone straggler delivered long after the
    rest would otherwise make the headline."""
    if by_quarter.empty:
        return None
    busy = by_quarter[by_quarter["delivered"] >= minimum]
    row = (busy if not busy.empty else by_quarter).iloc[-1]
    return FiscalQuarter(int(row["fiscal_year"]), int(row["fiscal_quarter"]))


def sla_defaults_text(sla_defaults: Mapping[str, float] = DEFAULT_SLA_DAYS) -> str:
    """'Critical 5 · High 10 · Medium 20 · Low 40 days'."""
    return " · ".join(f"{p} {d:g}" for p, d in sla_defaults.items()) + " days"


# --- Lead time, percentiles and SLA breaches -----------------------------------------------

def _lead_time_counts(f: sa.Subquery) -> dict[str, sa.ColumnElement]:
    breach = sa.and_(f.c.lead_days.is_not(None), f.c.sla_days.is_not(None), f.c.lead_days > f.c.sla_days)
    return {
        "delivered": sa.func.count(f.c.lead_days),
        "breaches": sa.func.sum(sa.case((breach, 1), else_=0)),
        "excluded": sa.func.sum(f.c.delivered_before_requested),
    }


_LEAD_QUANTILES = {name: (p, "lead_days") for name, p in PERCENTILES.items()}


def lead_time_by_quarter(engine: Engine, calendar: FiscalCalendar, first: FiscalQuarter | None = None,
                         last: FiscalQuarter | None = None, filters: RequestFilter = ALL_REQUESTS,
                         sla_defaults: Mapping[str, float] = DEFAULT_SLA_DAYS) -> pd.DataFrame:
    """Per quarter of delivery: delivered, breaches, excluded (delivered before requested),
    breach_rate, lead-time p50/p85/p95 and sla_p50 (the median SLA of the delivered requests).

    Quarters with no delivery at all are absent (no data). A quarter whose deliveries were all
    excluded has delivered = 0 and no percentiles.
    """
    f = request_facts(calendar, filters, sla_defaults)
    where = [f.c.delivered_at.is_not(None), *_in_period(f.c.delivered_at, calendar, first, last, "delivered")]
    out = _aggregate(engine, f, ["delivered_q"], _lead_time_counts(f),
                     {**_LEAD_QUANTILES, "sla_p50": (0.5, "delivered_sla_days")}, where)
    out["breach_rate"] = [b / d if d else None for b, d in zip(out["breaches"], out["delivered"])]
    return _quarter_columns(out, "delivered_q")


BREAKDOWNS = {"type": "Type", "priority": "Priority", "requested_by": "Requesting team"}


def lead_time_by(engine: Engine, calendar: FiscalCalendar, quarter: FiscalQuarter, dimension: str,
                 filters: RequestFilter = ALL_REQUESTS,
                 sla_defaults: Mapping[str, float] = DEFAULT_SLA_DAYS) -> pd.DataFrame:
    """Lead time in one quarter broken down by type, priority or requesting team.

    Columns: value, delivered, breaches, excluded, breach_rate, p50, p85, p95; rows with
    deliveries only, ordered by delivered (most first). A missing team shows as "(not recorded)".
    """
    if dimension not in BREAKDOWNS:
        raise ValueError(f"break down by one of {sorted(BREAKDOWNS)}, not {dimension!r}")
    f = request_facts(calendar, filters, sla_defaults)
    where = [f.c.lead_days.is_not(None), *_in_period(f.c.delivered_at, calendar, quarter, quarter, "delivered")]
    out = _aggregate(engine, f, [dimension], _lead_time_counts(f), _LEAD_QUANTILES, where)
    out = out.rename(columns={dimension: "value"})
    out["value"] = out["value"].astype(object).where(out["value"].notna(), "(not recorded)")
    out["breach_rate"] = [b / d if d else None for b, d in zip(out["breaches"], out["delivered"])]
    if dimension == "priority":
        order = {p: i for i, p in enumerate(PRIORITIES)}
        return out.sort_values("value", key=lambda s: s.map(order).fillna(len(order))).reset_index(drop=True)
    return out.sort_values(["delivered", "value"], ascending=[False, True]).reset_index(drop=True)


def breach_rate_by_priority(engine: Engine, calendar: FiscalCalendar, first: FiscalQuarter | None = None,
                            last: FiscalQuarter | None = None, filters: RequestFilter = ALL_REQUESTS,
                            sla_defaults: Mapping[str, float] = DEFAULT_SLA_DAYS) -> pd.DataFrame:
    """Per quarter of delivery and priority: delivered, breaches, breach_rate (counts only)."""
    f = request_facts(calendar, filters, sla_defaults)
    counts = _lead_time_counts(f)
    stmt = (sa.select(f.c.delivered_q, f.c.priority, counts["delivered"].label("delivered"),
                      counts["breaches"].label("breaches"))
            .where(f.c.lead_days.is_not(None), *_in_period(f.c.delivered_at, calendar, first, last, "delivered"))
            .group_by(f.c.delivered_q, f.c.priority))
    with engine.connect() as conn:
        out = pd.DataFrame(conn.execute(stmt).mappings().all(),
                           columns=["delivered_q", "priority", "delivered", "breaches"])
    out[["delivered", "breaches"]] = out[["delivered", "breaches"]].astype(int)
    out["breach_rate"] = out["breaches"] / out["delivered"]
    out = _quarter_columns(out, "delivered_q")
    order = {p: i for i, p in enumerate(PRIORITIES)}
    return out.sort_values(["fiscal_year", "fiscal_quarter", "priority"],
                           key=lambda s: s.map(order) if s.name == "priority" else s).reset_index(drop=True)


@dataclass(frozen=True)
class QuarterTurnaround:
    """The headline figures of one quarter of delivery."""

    quarter: FiscalQuarter
    delivered: int
    excluded: int
    breaches: int
    p50: float | None
    p85: float | None
    p95: float | None
    previous_p85: float | None  # None: nothing delivered in the previous quarter

    @property
    def within_days(self) -> int | None:
        """p85 rounded up to whole days (rounded to the microsecond first: float noise must not
        turn 12 days into 13)."""
        return _ceil_days(self.p85)

    @property
    def previous_within_days(self) -> int | None:
        return _ceil_days(self.previous_p85)

    @property
    def breach_rate(self) -> float | None:
        return self.breaches / self.delivered if self.delivered else None

    @property
    def headline(self) -> str:
        if self.within_days is None:
            return f"No requests delivered in {self.quarter.label}"
        return f"85% of requests delivered within {days_label(self.within_days)}"

    @property
    def within_delta_label(self) -> str | None:
        """The change in the headline number, in the same whole days as the headline."""
        if self.within_days is None or self.previous_within_days is None:
            return None
        return f"{self.within_days - self.previous_within_days:+d} days vs {self.quarter.previous().label}"


def _ceil_days(value: float | None) -> int | None:
    return None if value is None else math.ceil(round(value, 6))


def quarter_turnaround(by_quarter: pd.DataFrame, quarter: FiscalQuarter | None) -> QuarterTurnaround | None:
    """The figures of one quarter from `lead_time_by_quarter`; None when nothing (not even an
    excluded request) was delivered in it."""
    if quarter is None or by_quarter.empty:
        return None
    row = _row(by_quarter, quarter)
    if row is None:
        return None
    prev = _row(by_quarter, quarter.previous())
    return QuarterTurnaround(quarter, int(row["delivered"]), int(row["excluded"]), int(row["breaches"]),
                             _num(row["p50"]), _num(row["p85"]), _num(row["p95"]),
                             _num(prev["p85"]) if prev is not None else None)


def _row(frame: pd.DataFrame, quarter: FiscalQuarter) -> pd.Series | None:
    rows = frame[frame["quarter"] == quarter.label]
    return None if rows.empty else rows.iloc[0]


def _num(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


# --- Stages: who are we waiting on ---------------------------------------------------------

def stage_medians_by_quarter(engine: Engine, calendar: FiscalCalendar, first: FiscalQuarter | None = None,
                             last: FiscalQuarter | None = None, filters: RequestFilter = ALL_REQUESTS) -> pd.DataFrame:
    """Per quarter of delivery, over requests delivered (and not excluded): delivered, the median
    days of each stage (`marketing`, `it_queue`, `delivery`) and how many requests each stage is
    unknown for (`<stage>_unknown`)."""
    f = request_facts(calendar, filters)
    counts = {"delivered": sa.func.count(f.c.lead_days)}
    for stage in STAGES:
        counts[f"{stage}_unknown"] = sa.func.count(f.c.lead_days) - sa.func.count(f.c[f"{stage}_days"])
    where = [f.c.lead_days.is_not(None), *_in_period(f.c.delivered_at, calendar, first, last, "delivered")]
    out = _aggregate(engine, f, ["delivered_q"], counts, {s: (0.5, f"{s}_days") for s in STAGES}, where)
    return _quarter_columns(out, "delivered_q")


# --- Backlog ageing ------------------------------------------------------------------------

@dataclass(frozen=True)
class Backlog:
    quarter: FiscalQuarter
    as_of: date  # last day counted (quarter end, or today)
    is_today: bool
    buckets: dict[str, int]  # every bucket, in order
    oldest: pd.DataFrame  # request_id, title, priority, type, requested_by, requested_at, age_days, waiting_on

    @property
    def open(self) -> int:
        return sum(self.buckets.values())

    @property
    def as_of_label(self) -> str:
        return f"today, {self.as_of:%d %b %Y}" if self.is_today else f"{self.as_of:%d %b %Y}"


def backlog_ageing(engine: Engine, calendar: FiscalCalendar, quarter: FiscalQuarter, today: date,
                   filters: RequestFilter = ALL_REQUESTS, oldest: int = OLDEST_OPEN) -> Backlog | None:
    """Requests open at the end of `quarter` (at the end of `today` if the quarter contains it),
    by age. None for a quarter that has not started by `today`, or when no request had been
    raised by then (no data, as opposed to an empty backlog)."""
    start, end = calendar.quarter_bounds(quarter)
    if today < start:
        return None
    is_today = today < end
    as_of_bound = today + timedelta(days=1) if is_today else end
    f = request_facts(calendar, filters)
    at = sa.bindparam("as_of", _at(as_of_bound), type_=sa.DateTime)
    raised = f.c.requested_at < at
    is_open = sa.and_(raised, sa.or_(f.c.delivered_at.is_(None), f.c.delivered_at >= at))
    age = days_between(f.c.requested_at, at)
    bucket_cols, lower = [], None
    for label, below in AGE_BUCKETS:
        cond = [is_open] + ([age >= lower] if lower is not None else []) + ([age < below] if below is not None else [])
        bucket_cols.append(sa.func.sum(sa.case((sa.and_(*cond), 1), else_=0)).label(label))
        lower = below
    oldest_stmt = (sa.select(f.c.request_id, f.c.title, f.c.priority, f.c.type, f.c.requested_by,
                             f.c.requested_at, f.c.ready_at, f.c.started_at, age.label("age_days"))
                   .where(is_open).order_by(f.c.requested_at, f.c.request_id).limit(oldest))
    # Whether the data records stages at all: without any ready/started stamp (e.g. a Jira export
    # without status history) an open request's stage is unknown, not "waiting on marketing".
    tracked = (sa.func.count(f.c.ready_at) + sa.func.count(f.c.started_at)).label("stage_stamps")
    with engine.connect() as conn:
        row = conn.execute(sa.select(sa.func.count().label("raised"), tracked, *bucket_cols)
                           .where(raised)).mappings().one()
        top = pd.DataFrame(conn.execute(oldest_stmt).mappings().all(),
                           columns=["request_id", "title", "priority", "type", "requested_by", "requested_at",
                                    "ready_at", "started_at", "age_days"])
    if not row["raised"]:
        return None
    top["requested_at"] = pd.to_datetime(top["requested_at"])
    top["age_days"] = top["age_days"].astype(float).apply(math.floor).astype(int)
    stamps = zip(top.pop("ready_at"), top.pop("started_at"))
    top["waiting_on"] = ([_waiting_on(ready, started, _at(as_of_bound)) for ready, started in stamps]
                         if row["stage_stamps"] else "Not recorded")
    buckets = {label: int(row[label] or 0) for label, _ in AGE_BUCKETS}
    return Backlog(quarter, as_of_bound - timedelta(days=1), is_today, buckets, top)


def _waiting_on(ready_at, started_at, as_of: datetime) -> str:
    """Where an open request stands at `as_of`: no requirements yet means marketing has it."""
    def reached(ts) -> bool:
        return ts is not None and not pd.isna(ts) and pd.Timestamp(ts) < pd.Timestamp(as_of)
    if not reached(ready_at):
        return "Marketing"
    if not reached(started_at):
        return "IT queue"
    return "IT delivery"


# --- Flow ----------------------------------------------------------------------------------

def flow_by_quarter(engine: Engine, calendar: FiscalCalendar, first: FiscalQuarter | None = None,
                    last: FiscalQuarter | None = None, filters: RequestFilter = ALL_REQUESTS) -> pd.DataFrame:
    """Per quarter: requests arrived and delivered (excluded requests in neither). Quarters in
    which nothing arrived and nothing was delivered are absent; otherwise a missing side is 0."""
    f = request_facts(calendar, filters)
    valid = f.c.delivered_before_requested == 0
    arrived = (sa.select(f.c.requested_q.label("q"), sa.func.count().label("arrived"))
               .where(valid, *_in_period(f.c.requested_at, calendar, first, last, "requested"))
               .group_by(f.c.requested_q))
    delivered = (sa.select(f.c.delivered_q.label("q"), sa.func.count().label("delivered"))
                 .where(f.c.lead_days.is_not(None), *_in_period(f.c.delivered_at, calendar, first, last, "delivered"))
                 .group_by(f.c.delivered_q))
    with engine.connect() as conn:
        a = pd.DataFrame(conn.execute(arrived).mappings().all(), columns=["q", "arrived"])
        d = pd.DataFrame(conn.execute(delivered).mappings().all(), columns=["q", "delivered"])
    for part in (a, d):
        part["q"] = part["q"].astype(int)
    out = a.merge(d, on="q", how="outer")
    out[["arrived", "delivered"]] = out[["arrived", "delivered"]].fillna(0).astype(int)
    return _quarter_columns(out, "q")


# --- Distribution and scatter --------------------------------------------------------------

@dataclass(frozen=True)
class Histogram:
    bins: pd.DataFrame  # start, end (None for the overflow bar), count, label
    width: int  # days per bar
    total: int


def histogram_width(p95: float) -> int:
    """A readable bar width: the smallest of 1, 2, 5, 7, 10, 14, 30... days that covers p95 in at
    most 25 bars."""
    for width in _HISTOGRAM_WIDTHS:
        if math.ceil(p95 / width) <= _HISTOGRAM_MAX_BINS:
            return width
    return _HISTOGRAM_WIDTHS[-1]


def lead_time_histogram(engine: Engine, calendar: FiscalCalendar, quarter: FiscalQuarter, p95: float,
                        filters: RequestFilter = ALL_REQUESTS) -> Histogram | None:
    """Lead times of the quarter's deliveries counted in SQL per bar of `histogram_width(p95)`
    days; everything from the bar after p95 on is one "or more" bar. None without deliveries."""
    width = histogram_width(p95)
    overflow_bin = max(1, math.ceil(round(p95, 6) / width))
    f = request_facts(calendar, filters)
    bin_no = floor_nonnegative(f.c.lead_days / sa.bindparam("bin_days", float(width), type_=sa.Float))
    inner = (sa.select(bin_no.label("bin"))
             .where(f.c.lead_days.is_not(None), *_in_period(f.c.delivered_at, calendar, quarter, quarter, "delivered"))
             .subquery("binned"))
    stmt = sa.select(inner.c.bin, sa.func.count().label("count")).group_by(inner.c.bin)
    with engine.connect() as conn:
        counts = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=["bin", "count"])
    if counts.empty:
        return None
    counts["bin"] = counts["bin"].astype(int).clip(upper=overflow_bin)
    per_bin = counts.groupby("bin")["count"].sum()
    rows = []
    for b in range(overflow_bin + 1):
        start = b * width
        end = None if b == overflow_bin else start + width
        label = f"{start}+ days" if end is None else (f"{start} days" if width == 1 else f"{start}-{end} days")
        rows.append({"start": start, "end": end, "count": int(per_bin.get(b, 0)), "label": label})
    bins = pd.DataFrame(rows)
    if bins["count"].iloc[-1] == 0:  # p95 fell exactly on a bar edge: no empty overflow bar
        bins = bins.iloc[:-1]
    return Histogram(bins.reset_index(drop=True), width, int(counts["count"].sum()))


@dataclass(frozen=True)
class LeadTimePoints:
    points: pd.DataFrame  # delivered_at, lead_days, request_id, priority
    rolling: pd.DataFrame  # delivered_at, median
    total: int  # deliveries in the window
    step: int  # every `step`-th delivery (by delivery date) is shown; 1 = all

    @property
    def sampled(self) -> bool:
        return self.step > 1


def lead_time_points(engine: Engine, calendar: FiscalCalendar, first: FiscalQuarter, last: FiscalQuarter,
                     filters: RequestFilter = ALL_REQUESTS, cap: int = MAX_POINTS) -> LeadTimePoints | None:
    """Lead time by delivery date for a scatter, at most `cap` points, and a 30-day rolling median.

    Above `cap` deliveries a deterministic systematic sample is taken in SQL: every k-th delivery
    in (delivered_at, request_id) order, so the sample follows the time distribution and is the
    same on every run. The rolling median is computed on the points shown. None without deliveries.
    """
    f = request_facts(calendar, filters)
    where = [f.c.lead_days.is_not(None), *_in_period(f.c.delivered_at, calendar, first, last, "delivered")]
    with engine.connect() as conn:
        total = int(conn.execute(sa.select(sa.func.count()).select_from(f).where(*where)).scalar() or 0)
        if not total:
            return None
        step = math.ceil(total / cap)
        ranked = (sa.select(f.c.delivered_at, f.c.lead_days, f.c.request_id, f.c.priority,
                            sa.func.row_number().over(order_by=(f.c.delivered_at, f.c.request_id)).label("rn"))
                  .where(*where).subquery("ranked"))
        stmt = (sa.select(ranked.c.delivered_at, ranked.c.lead_days, ranked.c.request_id, ranked.c.priority)
                .where((ranked.c.rn - 1) % sa.bindparam("step", step, type_=sa.Integer) == 0)
                .order_by(ranked.c.rn))
        points = pd.DataFrame(conn.execute(stmt).mappings().all(),
                              columns=["delivered_at", "lead_days", "request_id", "priority"])
    points["delivered_at"] = pd.to_datetime(points["delivered_at"])
    points["lead_days"] = points["lead_days"].astype(float)
    rolling = (points.set_index("delivered_at")["lead_days"].rolling(ROLLING_WINDOW, min_periods=3).median()
               .rename("median").reset_index().dropna())
    rolling = rolling.groupby("delivered_at", as_index=False)["median"].last()  # one value per instant
    return LeadTimePoints(points, rolling, total, step)


# --- Counts for the data-quality note and the filter options -------------------------------

@dataclass(frozen=True)
class RequestCounts:
    total: int
    delivered: int  # with a delivered_at, including the excluded ones
    delivered_before_requested: int
    open: int  # no delivered_at

    @property
    def excluded_share(self) -> float | None:
        return self.delivered_before_requested / self.delivered if self.delivered else None


def request_counts(engine: Engine, filters: RequestFilter = ALL_REQUESTS) -> RequestCounts:
    r = schema.requests
    defect = sa.case((r.c.delivered_at < r.c.requested_at, 1), else_=0)
    stmt = sa.select(sa.func.count().label("total"), sa.func.count(r.c.delivered_at).label("delivered"),
                     sa.func.sum(defect).label("defects"))
    clauses = filters.clauses(r)
    if clauses:
        stmt = stmt.where(*clauses)
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().one()
    total, delivered = int(row["total"]), int(row["delivered"])
    return RequestCounts(total, delivered, int(row["defects"] or 0), total - delivered)


def filter_options(engine: Engine) -> dict[str, list[str]]:
    """Distinct types, priorities (in priority order) and requesting teams, for the filters."""
    r = schema.requests
    out = {}
    with engine.connect() as conn:
        for key, col in (("types", r.c.type), ("priorities", r.c.priority), ("teams", r.c.requested_by)):
            out[key] = sorted(v for v in conn.execute(sa.select(col).distinct().where(col.is_not(None))).scalars())
    order = {p: i for i, p in enumerate(PRIORITIES)}
    out["priorities"].sort(key=lambda p: (order.get(p, len(order)), p))
    return out


# --- Sentences above the charts (pure) -----------------------------------------------------

def days_label(value: float | None) -> str:
    """12 -> '12 days', 1 -> '1 day', 2.46 -> '2.5 days', None -> 'no data'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    v = round(float(value), 1) if value < 10 else round(float(value))
    text = f"{v:g}" if v < 10 else f"{v:,.0f}"
    return f"{text} day" if v == 1 else f"{text} days"


def requests_label(n: int) -> str:
    """1 -> '1 request', 1200 -> '1,200 requests'."""
    return f"{n:,} request" if n == 1 else f"{n:,} requests"


def lead_time_sentence(by_quarter: pd.DataFrame, quarter: FiscalQuarter) -> str:
    """Median and headline (p85 rounded up) of the quarter, against the previous quarter's headline."""
    t = quarter_turnaround(by_quarter, quarter)
    if t is None or t.p85 is None:
        return f"No requests were delivered in {quarter.label}, so there is no lead time to report."
    text = (f"In {quarter.label} half of the requests were delivered within {days_label(t.p50)} and 85% "
            f"within {days_label(t.within_days)}")
    before = t.previous_within_days
    if before is not None:
        if before == t.within_days:
            text += f", the same as in {quarter.previous().label}"
        else:
            direction = "down" if t.within_days < before else "up"
            text += f", {direction} from {days_label(before)} in {quarter.previous().label}"
    return text + "."


def breach_sentence(breaches: pd.DataFrame, quarter: FiscalQuarter) -> str:
    this = breaches[breaches["quarter"] == quarter.label]
    if this.empty:
        return f"No requests were delivered in {quarter.label}, so no SLA could be breached."
    total, missed = int(this["delivered"].sum()), int(this["breaches"].sum())
    text = f"In {quarter.label} {missed} of {total} delivered requests ({share(missed / total)}) missed their SLA"
    worst = this.sort_values(["breach_rate", "delivered"], ascending=[False, False]).iloc[0]
    if missed:
        text += (f"; {worst['priority']} fared worst at {share(worst['breach_rate'])} "
                 f"({int(worst['breaches'])} of {int(worst['delivered'])})")
    return text + "."


def breach_trend_sentence(breaches: pd.DataFrame, quarter: FiscalQuarter) -> str:
    """How the all-priority breach rate moved from the first quarter shown to `quarter`."""
    totals = breaches.groupby("quarter", sort=False)[["breaches", "delivered"]].sum()
    if quarter.label not in totals.index:
        return f"No requests were delivered in {quarter.label}."
    first_label = totals.index[0]
    now = totals.loc[quarter.label, "breaches"] / totals.loc[quarter.label, "delivered"]
    if first_label == quarter.label:
        return f"{quarter.label} is the first quarter with deliveries: {share(now)} missed their SLA."
    then = totals.loc[first_label, "breaches"] / totals.loc[first_label, "delivered"]
    verb = "fell" if now < then else "rose" if now > then else "held"
    return (f"Across priorities the breach rate {verb} from {share(then)} in {first_label} "
            f"to {share(now)} in {quarter.label}.")


def stage_sentence(stages: pd.DataFrame, quarter: FiscalQuarter) -> str:
    rows = stages[stages["quarter"] == quarter.label]
    if rows.empty or not int(rows.iloc[0]["delivered"]):
        return f"No requests were delivered in {quarter.label}, so there are no stage times to compare."
    row = rows.iloc[0]
    marketing, queue, delivery = (_num(row[s]) for s in STAGES)
    if marketing is None and queue is None and delivery is None:
        return (f"No request delivered in {quarter.label} has stage timestamps (ready, started), so who they "
                "waited on is unknown.")
    text = (f"In {quarter.label} the median request waited {days_label(marketing)} on marketing's requirements "
            f"and {days_label(_it_days(queue, delivery))} on IT ({days_label(queue)} in the queue, "
            f"{days_label(delivery)} in delivery)")
    year_ago = stages[stages["quarter"] == quarter.same_quarter_last_year().label]
    if not year_ago.empty and int(year_ago.iloc[0]["delivered"]):
        then = year_ago.iloc[0]
        text += (f"; a year earlier {days_label(_num(then['marketing']))} on marketing and "
                 f"{days_label(_it_days(_num(then['it_queue']), _num(then['delivery'])))} on IT")
    return text + "."


def _it_days(queue: float | None, delivery: float | None) -> float | None:
    """Median IT queue plus median delivery; None when neither is known."""
    if queue is None and delivery is None:
        return None
    return (queue or 0.0) + (delivery or 0.0)


def unknown_stages_note(stages: pd.DataFrame, quarter: FiscalQuarter) -> str | None:
    """How many of the quarter's requests each stage is unknown for; None when all are known."""
    rows = stages[stages["quarter"] == quarter.label]
    if rows.empty:
        return None
    row = rows.iloc[0]
    unknown = {name: int(row[f"{stage}_unknown"]) for stage, name in STAGES.items()}
    if not any(unknown.values()):
        return None
    parts = ", ".join(f"{name} {n}" for name, n in unknown.items())
    return (f"Stage times unknown (timestamps missing or out of order), of {requests_label(int(row['delivered']))} "
            f"delivered in {quarter.label}: {parts}. Those requests are left out of that stage's median only.")


def backlog_sentence(backlog: Backlog | None, quarter: FiscalQuarter) -> str:
    if backlog is None:
        return f"No requests had been raised by the end of {quarter.label}, so there is no backlog to age."
    if not backlog.open:
        return f"No requests were open at {backlog.as_of_label}."
    old = backlog.buckets["Over 90 days"]
    verb = "was" if backlog.open == 1 else "were"
    text = f"{requests_label(backlog.open)} {verb} open at {backlog.as_of_label}; {old:,} older than 90 days"
    if not backlog.oldest.empty:
        first = backlog.oldest.iloc[0]
        text += f". The oldest, {first['request_id']}, has waited {days_label(first['age_days'])}"
    return text + "."


def flow_sentence(flow: pd.DataFrame, quarter: FiscalQuarter) -> str:
    rows = flow[flow["quarter"] == quarter.label]
    if rows.empty:
        return f"No requests arrived or were delivered in {quarter.label}."
    arrived, delivered = int(rows.iloc[0]["arrived"]), int(rows.iloc[0]["delivered"])
    change = arrived - delivered
    trend = (f"the backlog grew by {change:,}" if change > 0 else
             f"the backlog shrank by {-change:,}" if change < 0 else "the backlog held steady")
    verb = "was" if delivered == 1 else "were"
    return f"In {quarter.label} {requests_label(arrived)} arrived and {delivered:,} {verb} delivered: {trend}."


def distribution_sentence(histogram: Histogram | None, turnaround: QuarterTurnaround | None) -> str:
    if histogram is None or turnaround is None or turnaround.p85 is None:
        return "No lead times to show for this quarter."
    slow = int(histogram.bins["count"].iloc[-1]) if histogram.bins["end"].isna().iloc[-1] else 0
    text = (f"Of {requests_label(histogram.total)} delivered in {turnaround.quarter.label}, half took up to "
            f"{days_label(turnaround.p50)} and 95% up to {days_label(turnaround.p95)}")
    if slow:
        text += f"; {slow:,} took {histogram.bins['label'].iloc[-1].replace('+ days', ' days or more')}"
    return text + "."


def scatter_sentence(points: LeadTimePoints | None, first: FiscalQuarter, last: FiscalQuarter) -> str:
    period = f"{first.label} to {last.label}"
    if points is None:
        return f"No requests were delivered from {period}."
    text = f"Each dot is a request delivered from {period}"
    if points.sampled:
        text += (f" (one in {points.step} of {points.total:,} deliveries, taken in date order: "
                 f"{len(points.points):,} shown; the median line is computed on those)")
    if len(points.rolling) >= 2:
        start, end = points.rolling.iloc[0], points.rolling.iloc[-1]
        text += (f"; the 30-day rolling median went from {days_label(start['median'])} in "
                 f"{start['delivered_at']:%b %Y} to {days_label(end['median'])} in {end['delivered_at']:%b %Y}")
    return text + "."


def breakdown_sentence(breakdown: pd.DataFrame, dimension: str, quarter: FiscalQuarter) -> str:
    if breakdown.empty:
        return f"No requests were delivered in {quarter.label}."
    ranked = breakdown.dropna(subset=["p85"]).sort_values(["p85", "value"], ascending=[False, True])
    slowest = ranked.iloc[0]
    label = BREAKDOWNS[dimension].lower()
    if len(ranked) == 1:
        return (f"In {quarter.label} every delivered request had {label} {slowest['value']}: 85% within "
                f"{days_label(slowest['p85'])}.")
    fastest = ranked.iloc[-1]
    return (f"In {quarter.label} the slowest {label} was {slowest['value']} (85% within "
            f"{days_label(slowest['p85'])}), the fastest {fastest['value']} ({days_label(fastest['p85'])}).")


def data_quality_sentence(counts: RequestCounts, turnaround: QuarterTurnaround | None,
                          quarter: FiscalQuarter) -> str:
    """The visible note on requests left out because they were delivered before they were requested."""
    if not counts.delivered_before_requested:
        return "No request was recorded as delivered before it was requested; none is excluded."
    in_quarter = turnaround.excluded if turnaround is not None else 0
    in_quarter_text = f"{in_quarter:,}" if in_quarter else "none"
    return (f"{counts.delivered_before_requested:,} of {counts.delivered:,} delivered requests "
            f"({share(counts.excluded_share)}) are recorded as delivered before they were requested. Their dates "
            f"cannot both be right, so they are excluded from every figure on this page rather than averaged in "
            f"({in_quarter_text} of them in {quarter.label}).")

"""Request turnaround in SQL: the named statements (`<name>_stmt`), the runners that execute them and
shape the small frames, and the `QUERIES` registry of every statement this area runs.

Every statement summarises `request_facts`, one row per (filtered) request with its lead time,
SLA and stage durations. It is SQLAlchemy Core with bound parameters and runs unchanged on DuckDB,
SQLite and PostgreSQL; the dialect differences (duration in days, percentiles, floor) are the
constructs of `metrics.sql`. Percentiles are computed in SQL where the database has
percentile_cont (PostgreSQL, DuckDB); on SQLite the grouped statement keeps the counts and a
second statement fetches only the summarised value columns of the filtered rows for numpy. The
builders take the dialect name so that `QUERIES` returns exactly what runs on each database.
Results are small aggregated frames: per quarter, per priority, a capped sample of points; never
the whole table. What the figures mean is `metrics.turnaround.wording.DEFINITIONS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrics import schema
from metrics.contract import PRIORITIES
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.sql import (
    continuous_percentile,
    days_between,
    fetch,
    fiscal_quarter_index,
    floor_nonnegative,
    in_quarters,
    one_of,
    sql_percentiles,
)
from metrics.turnaround.compute import (
    AGE_BUCKETS,
    DEFAULT_SLA_DAYS,
    MAX_POINTS,
    OLDEST_OPEN,
    PERCENTILES,
    Backlog,
    Histogram,
    LeadTimePoints,
    RequestCounts,
    backlog_cutoff,
    histogram,
    histogram_width,
    numpy_quantiles,
    oldest_open,
    overflow_bin,
    quarter_columns,
    rolling_median,
)
from metrics.turnaround.wording import BREAKDOWNS, STAGES

# --- Filters and the per-request facts every query summarises -----------------------------


@dataclass(frozen=True)
class RequestFilter:
    """The page's filters; an empty tuple means all."""

    types: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    def clauses(self, r: sa.Table) -> list[sa.ColumnElement]:
        return [
            *one_of(r.c.type, self.types, "types"),
            *one_of(r.c.priority, self.priorities, "priorities"),
            *one_of(r.c.requested_by, self.teams, "teams"),
        ]


ALL_REQUESTS = RequestFilter()


def _stage_days(start, end) -> sa.ColumnElement:
    """Stage duration, NULL (unknown) when a timestamp is missing or the two are out of order."""
    return sa.case((sa.and_(start.is_not(None), end.is_not(None), end >= start), days_between(start, end)))


def _sla_days(r: sa.Table, sla_defaults: Mapping[str, float]) -> sa.ColumnElement:
    if not sla_defaults:
        return r.c.sla_days
    by_priority = sa.case({p: float(d) for p, d in sla_defaults.items()}, value=r.c.priority)
    return sa.func.coalesce(r.c.sla_days, by_priority)


def request_facts(
    calendar: FiscalCalendar,
    filters: RequestFilter = ALL_REQUESTS,
    sla_defaults: Mapping[str, float] = DEFAULT_SLA_DAYS,
) -> sa.Subquery:
    """One row per (filtered) request with everything the summaries need, as a subquery.

    ``lead_days`` is NULL for open requests and for those delivered before they were requested
    (``delivered_before_requested`` = 1), so every aggregate over it leaves them out;
    ``delivered_sla_days`` is the SLA of the requests that do have a lead time, and
    ``days_past_sla`` how far each of those landed past its own SLA (``lead_days - sla_days``:
    negative when delivered inside it; NULL where either is missing).
    """
    r = schema.requests
    delivered_ok = r.c.delivered_at >= r.c.requested_at
    lead = sa.case((delivered_ok, days_between(r.c.requested_at, r.c.delivered_at)))
    sla = _sla_days(r, sla_defaults)
    stmt = sa.select(
        r.c.request_id,
        r.c.title,
        r.c.priority,
        r.c.type,
        r.c.requested_by,
        r.c.status,
        r.c.requested_at,
        r.c.ready_at,
        r.c.started_at,
        r.c.delivered_at,
        fiscal_quarter_index(r.c.requested_at, calendar).label("requested_q"),
        fiscal_quarter_index(r.c.delivered_at, calendar).label("delivered_q"),
        lead.label("lead_days"),
        sa.case((r.c.delivered_at < r.c.requested_at, 1), else_=0).label("delivered_before_requested"),
        sla.label("sla_days"),
        sa.case((delivered_ok, sla)).label("delivered_sla_days"),
        (lead - sla).label("days_past_sla"),
        _stage_days(r.c.requested_at, r.c.ready_at).label("marketing_days"),
        _stage_days(r.c.ready_at, r.c.started_at).label("it_queue_days"),
        _stage_days(r.c.started_at, r.c.delivered_at).label("delivery_days"),
    )
    clauses = filters.clauses(r)
    if clauses:
        stmt = stmt.where(*clauses)
    return stmt.subquery("request_facts")


def _delivered_in(
    f: sa.Subquery, calendar: FiscalCalendar, first: FiscalQuarter | None, last: FiscalQuarter | None
) -> list[sa.ColumnElement]:
    """Delivered in the quarters [first, last] (bound parameters delivered_from, delivered_to)."""
    return in_quarters(f.c.delivered_at, calendar, first, last, "delivered", timestamps=True)


# --- Counts and percentiles per group ----------------------------------------------------------


@dataclass(frozen=True)
class PercentileQuery:
    """Counts and percentiles per group of `keys` over the rows of `facts` that match `where`.

    ``quantiles`` maps an output name to (fraction, facts column); NULLs are ignored, as SQL
    aggregates do.
    """

    facts: sa.Subquery
    keys: tuple[str, ...]
    counts: Mapping[str, sa.ColumnElement]
    quantiles: Mapping[str, tuple[float, str]]
    where: tuple[sa.ColumnElement, ...]

    def stmt(self, dialect: str) -> sa.Select:
        """One GROUP BY with the counts, and the percentiles where the database has them."""
        key_cols = [self.facts.c[k] for k in self.keys]
        cols = [expr.label(name) for name, expr in self.counts.items()]
        if sql_percentiles(dialect):
            cols += [
                continuous_percentile(p, self.facts.c[col]).label(name) for name, (p, col) in self.quantiles.items()
            ]
        return sa.select(*key_cols, *cols).where(*self.where).group_by(*key_cols)

    def values_stmt(self) -> sa.Select:
        """The summarised value columns of the matching rows, for numpy where SQL has no percentiles."""
        key_cols = [self.facts.c[k] for k in self.keys]
        value_cols = [self.facts.c[c] for c in self._value_columns]
        return sa.select(*key_cols, *value_cols).where(*self.where, sa.or_(*(c.is_not(None) for c in value_cols)))

    @property
    def _value_columns(self) -> list[str]:
        return sorted({col for _, col in self.quantiles.values()})

    def run(self, engine: Engine) -> pd.DataFrame:
        """Keys, counts (int, 0 for none) and percentiles (float) per group."""
        keys, dialect = list(self.keys), engine.dialect.name
        with engine.connect() as conn:
            if sql_percentiles(dialect):
                out = fetch(conn, self.stmt(dialect), [*keys, *self.counts, *self.quantiles])
            else:
                out = fetch(conn, self.stmt(dialect), [*keys, *self.counts])
                values = fetch(conn, self.values_stmt(), [*keys, *self._value_columns])
                out = out.merge(numpy_quantiles(values, keys, self.quantiles), on=keys, how="left")
        for name in self.counts:
            out[name] = out[name].fillna(0).astype(int)
        for name in self.quantiles:
            out[name] = out[name].astype(float)
        return out


def _breach_rates(out: pd.DataFrame) -> list[float | None]:
    return [b / d if d else None for b, d in zip(out["breaches"], out["delivered"])]


# --- Lead time, percentiles and SLA breaches -----------------------------------------------


def _lead_time_counts(f: sa.Subquery) -> dict[str, sa.ColumnElement]:
    breach = sa.and_(f.c.lead_days.is_not(None), f.c.sla_days.is_not(None), f.c.lead_days > f.c.sla_days)
    return {
        "delivered": sa.func.count(f.c.lead_days),
        "breaches": sa.func.sum(sa.case((breach, 1), else_=0)),
        "excluded": sa.func.sum(f.c.delivered_before_requested),
    }


_LEAD_QUANTILES = {name: (p, "lead_days") for name, p in PERCENTILES.items()}


def lead_time_by_quarter_query(
    calendar: FiscalCalendar,
    first: FiscalQuarter | None,
    last: FiscalQuarter | None,
    filters: RequestFilter,
    sla_defaults: Mapping[str, float],
) -> PercentileQuery:
    f = request_facts(calendar, filters, sla_defaults)
    where = (f.c.delivered_at.is_not(None), *_delivered_in(f, calendar, first, last))
    quantiles = {**_LEAD_QUANTILES, "sla_p50": (0.5, "delivered_sla_days"), "past_sla_p85": (0.85, "days_past_sla")}
    return PercentileQuery(f, ("delivered_q",), _lead_time_counts(f), quantiles, where)


def lead_time_by_quarter(
    engine: Engine,
    calendar: FiscalCalendar,
    first: FiscalQuarter | None = None,
    last: FiscalQuarter | None = None,
    filters: RequestFilter = ALL_REQUESTS,
    sla_defaults: Mapping[str, float] = DEFAULT_SLA_DAYS,
) -> pd.DataFrame:
    """Per quarter of delivery: delivered, breaches, excluded (delivered before requested),
    breach_rate, lead-time p50/p85/p95, sla_p50 (the median SLA of the delivered requests) and
    past_sla_p85 (the p85 of each request's days past its own SLA: negative when 85% landed inside).

    Quarters with no delivery at all are absent (no data). A quarter whose deliveries were all
    excluded has delivered = 0 and no percentiles.
    """
    out = lead_time_by_quarter_query(calendar, first, last, filters, sla_defaults).run(engine)
    out["breach_rate"] = _breach_rates(out)
    return quarter_columns(out, "delivered_q")


def lead_time_by_query(
    calendar: FiscalCalendar,
    quarter: FiscalQuarter,
    dimension: str,
    filters: RequestFilter,
    sla_defaults: Mapping[str, float],
) -> PercentileQuery:
    if dimension not in BREAKDOWNS:
        raise ValueError(f"break down by one of {sorted(BREAKDOWNS)}, not {dimension!r}")
    f = request_facts(calendar, filters, sla_defaults)
    where = (f.c.lead_days.is_not(None), *_delivered_in(f, calendar, quarter, quarter))
    return PercentileQuery(f, (dimension,), _lead_time_counts(f), _LEAD_QUANTILES, where)


def lead_time_by(
    engine: Engine,
    calendar: FiscalCalendar,
    quarter: FiscalQuarter,
    dimension: str,
    filters: RequestFilter = ALL_REQUESTS,
    sla_defaults: Mapping[str, float] = DEFAULT_SLA_DAYS,
) -> pd.DataFrame:
    """Lead time in one quarter broken down by type, priority or requesting team.

    Columns: value, delivered, breaches, excluded, breach_rate, p50, p85, p95; rows with
    deliveries only, ordered by delivered (most first). A missing team shows as "(not recorded)".
    """
    out = lead_time_by_query(calendar, quarter, dimension, filters, sla_defaults).run(engine)
    out = out.rename(columns={dimension: "value"})
    out["value"] = out["value"].astype(object).where(out["value"].notna(), "(not recorded)")
    out["breach_rate"] = _breach_rates(out)
    if dimension == "priority":
        order = {p: i for i, p in enumerate(PRIORITIES)}
        return out.sort_values("value", key=lambda s: s.map(order).fillna(len(order))).reset_index(drop=True)
    return out.sort_values(["delivered", "value"], ascending=[False, True]).reset_index(drop=True)


def breach_rate_by_priority_stmt(
    calendar: FiscalCalendar,
    first: FiscalQuarter | None = None,
    last: FiscalQuarter | None = None,
    filters: RequestFilter = ALL_REQUESTS,
    sla_defaults: Mapping[str, float] = DEFAULT_SLA_DAYS,
) -> sa.Select:
    f = request_facts(calendar, filters, sla_defaults)
    counts = _lead_time_counts(f)
    return (
        sa.select(
            f.c.delivered_q, f.c.priority, counts["delivered"].label("delivered"), counts["breaches"].label("breaches")
        )
        .where(f.c.lead_days.is_not(None), *_delivered_in(f, calendar, first, last))
        .group_by(f.c.delivered_q, f.c.priority)
    )


def breach_rate_by_priority(
    engine: Engine,
    calendar: FiscalCalendar,
    first: FiscalQuarter | None = None,
    last: FiscalQuarter | None = None,
    filters: RequestFilter = ALL_REQUESTS,
    sla_defaults: Mapping[str, float] = DEFAULT_SLA_DAYS,
) -> pd.DataFrame:
    """Per quarter of delivery and priority: delivered, breaches, breach_rate (counts only)."""
    out = fetch(
        engine,
        breach_rate_by_priority_stmt(calendar, first, last, filters, sla_defaults),
        ["delivered_q", "priority", "delivered", "breaches"],
    )
    out[["delivered", "breaches"]] = out[["delivered", "breaches"]].astype(int)
    out["breach_rate"] = out["breaches"] / out["delivered"]
    out = quarter_columns(out, "delivered_q")
    order = {p: i for i, p in enumerate(PRIORITIES)}
    return out.sort_values(
        ["fiscal_year", "fiscal_quarter", "priority"], key=lambda s: s.map(order) if s.name == "priority" else s
    ).reset_index(drop=True)


# --- Stages: who are we waiting on ---------------------------------------------------------


def stage_medians_by_quarter_query(
    calendar: FiscalCalendar, first: FiscalQuarter | None, last: FiscalQuarter | None, filters: RequestFilter
) -> PercentileQuery:
    f = request_facts(calendar, filters)
    counts: dict[str, sa.ColumnElement[int]] = {"delivered": sa.func.count(f.c.lead_days)}
    for stage in STAGES:
        counts[f"{stage}_unknown"] = sa.func.count(f.c.lead_days) - sa.func.count(f.c[f"{stage}_days"])
    where = (f.c.lead_days.is_not(None), *_delivered_in(f, calendar, first, last))
    return PercentileQuery(f, ("delivered_q",), counts, {s: (0.5, f"{s}_days") for s in STAGES}, where)


def stage_medians_by_quarter(
    engine: Engine,
    calendar: FiscalCalendar,
    first: FiscalQuarter | None = None,
    last: FiscalQuarter | None = None,
    filters: RequestFilter = ALL_REQUESTS,
) -> pd.DataFrame:
    """Per quarter of delivery, over requests delivered (and not excluded): delivered, the median
    days of each stage (`marketing`, `it_queue`, `delivery`) and how many requests each stage is
    unknown for (`<stage>_unknown`)."""
    return quarter_columns(stage_medians_by_quarter_query(calendar, first, last, filters).run(engine), "delivered_q")


# --- Backlog ageing ------------------------------------------------------------------------


@dataclass(frozen=True)
class _OpenAt:
    """The requests raised before `as_of` and those still open then, with their age in days."""

    facts: sa.Subquery
    raised: sa.ColumnElement
    is_open: sa.ColumnElement
    age: sa.ColumnElement


def _open_at(calendar: FiscalCalendar, as_of: datetime, filters: RequestFilter) -> _OpenAt:
    f = request_facts(calendar, filters)
    at = sa.bindparam("as_of", as_of, type_=sa.DateTime)
    raised = f.c.requested_at < at
    return _OpenAt(
        f,
        raised,
        sa.and_(raised, sa.or_(f.c.delivered_at.is_(None), f.c.delivered_at >= at)),
        days_between(f.c.requested_at, at),
    )


def backlog_ageing_stmt(calendar: FiscalCalendar, as_of: datetime, filters: RequestFilter = ALL_REQUESTS) -> sa.Select:
    """One row: requests raised before `as_of`, how many stage stamps they carry, and
    the open ones per `AGE_BUCKETS` bucket."""
    o = _open_at(calendar, as_of, filters)
    bucket_cols, lower = [], None
    for label, below in AGE_BUCKETS:
        cond = [
            o.is_open,
            *([o.age >= lower] if lower is not None else []),
            *([o.age < below] if below is not None else []),
        ]
        bucket_cols.append(sa.func.sum(sa.case((sa.and_(*cond), 1), else_=0)).label(label))
        lower = below
    # Whether the data records stages at all (see `compute.oldest_open`).
    tracked = (sa.func.count(o.facts.c.ready_at) + sa.func.count(o.facts.c.started_at)).label("stage_stamps")
    return sa.select(sa.func.count().label("raised"), tracked, *bucket_cols).where(o.raised)


_OLDEST_COLUMNS = [
    "request_id",
    "title",
    "priority",
    "type",
    "requested_by",
    "requested_at",
    "ready_at",
    "started_at",
    "age_days",
]


def backlog_ageing_oldest_stmt(
    calendar: FiscalCalendar, as_of: datetime, filters: RequestFilter = ALL_REQUESTS, oldest: int = OLDEST_OPEN
) -> sa.Select:
    """The `oldest` requests open at `as_of`, oldest first."""
    o = _open_at(calendar, as_of, filters)
    f = o.facts
    return (
        sa.select(*(f.c[c] for c in _OLDEST_COLUMNS[:-1]), o.age.label("age_days"))
        .where(o.is_open)
        .order_by(f.c.requested_at, f.c.request_id)
        .limit(oldest)
    )


def backlog_ageing(
    engine: Engine,
    calendar: FiscalCalendar,
    quarter: FiscalQuarter,
    today: date,
    filters: RequestFilter = ALL_REQUESTS,
    oldest: int = OLDEST_OPEN,
) -> Backlog | None:
    """Requests open at the end of `quarter` (at the end of `today` if the quarter contains it),
    by age. None for a quarter that has not started by `today`, or when no request had been
    raised by then (no data, as opposed to an empty backlog)."""
    cutoff = backlog_cutoff(calendar, quarter, today)
    if cutoff is None:
        return None
    as_of, is_today = cutoff
    with engine.connect() as conn:
        row = conn.execute(backlog_ageing_stmt(calendar, as_of, filters)).mappings().one()
        top = fetch(conn, backlog_ageing_oldest_stmt(calendar, as_of, filters, oldest), _OLDEST_COLUMNS)
    if not row["raised"]:
        return None
    buckets = {label: int(row[label] or 0) for label, _ in AGE_BUCKETS}
    return Backlog(
        quarter,
        (as_of - timedelta(days=1)).date(),
        is_today,
        buckets,
        oldest_open(top, as_of, bool(row["stage_stamps"])),
    )


# --- Flow ----------------------------------------------------------------------------------


def flow_by_quarter_arrived_stmt(
    calendar: FiscalCalendar,
    first: FiscalQuarter | None = None,
    last: FiscalQuarter | None = None,
    filters: RequestFilter = ALL_REQUESTS,
) -> sa.Select:
    """Requests arrived (requested) per quarter, excluded requests not counted."""
    f = request_facts(calendar, filters)
    return (
        sa.select(f.c.requested_q.label("q"), sa.func.count().label("arrived"))
        .where(
            f.c.delivered_before_requested == 0,
            *in_quarters(f.c.requested_at, calendar, first, last, "requested", timestamps=True),
        )
        .group_by(f.c.requested_q)
    )


def flow_by_quarter_delivered_stmt(
    calendar: FiscalCalendar,
    first: FiscalQuarter | None = None,
    last: FiscalQuarter | None = None,
    filters: RequestFilter = ALL_REQUESTS,
) -> sa.Select:
    """Requests delivered per quarter, excluded requests not counted."""
    f = request_facts(calendar, filters)
    return (
        sa.select(f.c.delivered_q.label("q"), sa.func.count().label("delivered"))
        .where(f.c.lead_days.is_not(None), *_delivered_in(f, calendar, first, last))
        .group_by(f.c.delivered_q)
    )


def flow_by_quarter(
    engine: Engine,
    calendar: FiscalCalendar,
    first: FiscalQuarter | None = None,
    last: FiscalQuarter | None = None,
    filters: RequestFilter = ALL_REQUESTS,
) -> pd.DataFrame:
    """Per quarter: requests arrived and delivered (excluded requests in neither). Quarters in
    which nothing arrived and nothing was delivered are absent; otherwise a missing side is 0."""
    with engine.connect() as conn:
        a = fetch(conn, flow_by_quarter_arrived_stmt(calendar, first, last, filters), ["q", "arrived"])
        d = fetch(conn, flow_by_quarter_delivered_stmt(calendar, first, last, filters), ["q", "delivered"])
    for part in (a, d):
        part["q"] = part["q"].astype(int)
    out = a.merge(d, on="q", how="outer")
    out[["arrived", "delivered"]] = out[["arrived", "delivered"]].fillna(0).astype(int)
    return quarter_columns(out, "q")


# --- Distribution and scatter --------------------------------------------------------------


def lead_time_histogram_stmt(
    calendar: FiscalCalendar, quarter: FiscalQuarter, width: int, filters: RequestFilter = ALL_REQUESTS
) -> sa.Select:
    """Deliveries of the quarter per bar of `width` days (bin = floor(lead days / width))."""
    f = request_facts(calendar, filters)
    bin_no = floor_nonnegative(f.c.lead_days / sa.bindparam("bin_days", float(width), type_=sa.Float))
    inner = (
        sa.select(bin_no.label("bin"))
        .where(f.c.lead_days.is_not(None), *_delivered_in(f, calendar, quarter, quarter))
        .subquery("binned")
    )
    return sa.select(inner.c.bin, sa.func.count().label("count")).group_by(inner.c.bin)


def lead_time_histogram(
    engine: Engine, calendar: FiscalCalendar, quarter: FiscalQuarter, p95: float, filters: RequestFilter = ALL_REQUESTS
) -> Histogram | None:
    """Lead times of the quarter's deliveries counted in SQL per bar of `histogram_width(p95)`
    days; everything from the bar after p95 on is one "or more" bar. None without deliveries."""
    width = histogram_width(p95)
    counts = fetch(engine, lead_time_histogram_stmt(calendar, quarter, width, filters), ["bin", "count"])
    return histogram(counts, width, overflow_bin(p95, width))


def _deliveries_in(
    calendar: FiscalCalendar, first: FiscalQuarter, last: FiscalQuarter, filters: RequestFilter
) -> tuple[sa.Subquery, list[sa.ColumnElement]]:
    f = request_facts(calendar, filters)
    return f, [f.c.lead_days.is_not(None), *_delivered_in(f, calendar, first, last)]


def lead_time_points_total_stmt(
    calendar: FiscalCalendar, first: FiscalQuarter, last: FiscalQuarter, filters: RequestFilter = ALL_REQUESTS
) -> sa.Select:
    """How many deliveries the scatter's window has."""
    f, where = _deliveries_in(calendar, first, last, filters)
    return sa.select(sa.func.count()).select_from(f).where(*where)


def lead_time_points_stmt(
    calendar: FiscalCalendar,
    first: FiscalQuarter,
    last: FiscalQuarter,
    filters: RequestFilter = ALL_REQUESTS,
    step: int = 1,
) -> sa.Select:
    """Every `step`-th delivery of the window in (delivered_at, request_id) order."""
    f, where = _deliveries_in(calendar, first, last, filters)
    ranked = (
        sa.select(
            f.c.delivered_at,
            f.c.lead_days,
            f.c.request_id,
            f.c.priority,
            sa.func.row_number().over(order_by=(f.c.delivered_at, f.c.request_id)).label("rn"),
        )
        .where(*where)
        .subquery("ranked")
    )
    return (
        sa.select(ranked.c.delivered_at, ranked.c.lead_days, ranked.c.request_id, ranked.c.priority)
        .where((ranked.c.rn - 1) % sa.bindparam("step", step, type_=sa.Integer) == 0)
        .order_by(ranked.c.rn)
    )


def lead_time_points(
    engine: Engine,
    calendar: FiscalCalendar,
    first: FiscalQuarter,
    last: FiscalQuarter,
    filters: RequestFilter = ALL_REQUESTS,
    cap: int = MAX_POINTS,
) -> LeadTimePoints | None:
    """Lead time by delivery date for a scatter, at most `cap` points, and a 30-day rolling median.

    Above `cap` deliveries a deterministic systematic sample is taken in SQL: every k-th delivery
    in (delivered_at, request_id) order, so the sample follows the time distribution and is the
    same on every run. The rolling median is computed on the points shown. None without deliveries.
    """
    with engine.connect() as conn:
        total = int(conn.execute(lead_time_points_total_stmt(calendar, first, last, filters)).scalar() or 0)
        if not total:
            return None
        step = math.ceil(total / cap)
        points = fetch(
            conn,
            lead_time_points_stmt(calendar, first, last, filters, step),
            ["delivered_at", "lead_days", "request_id", "priority"],
        )
    points["delivered_at"] = pd.to_datetime(points["delivered_at"])
    points["lead_days"] = points["lead_days"].astype(float)
    return LeadTimePoints(points, rolling_median(points), total, step)


# --- Counts for the data-quality note and the filter options -------------------------------


def request_counts_stmt(filters: RequestFilter = ALL_REQUESTS) -> sa.Select:
    r = schema.requests
    defect = sa.case((r.c.delivered_at < r.c.requested_at, 1), else_=0)
    stmt = sa.select(
        sa.func.count().label("total"),
        sa.func.count(r.c.delivered_at).label("delivered"),
        sa.func.sum(defect).label("defects"),
    )
    clauses = filters.clauses(r)
    return stmt.where(*clauses) if clauses else stmt


def request_counts(engine: Engine, filters: RequestFilter = ALL_REQUESTS) -> RequestCounts:
    with engine.connect() as conn:
        row = conn.execute(request_counts_stmt(filters)).mappings().one()
    total, delivered = int(row["total"]), int(row["delivered"])
    return RequestCounts(total, delivered, int(row["defects"] or 0), total - delivered)


_FILTER_COLUMNS = {"types": "type", "priorities": "priority", "teams": "requested_by"}


def filter_option_stmt(key: str) -> sa.Select:
    """The distinct known values of one filter ("types", "priorities" or "teams")."""
    col = schema.requests.c[_FILTER_COLUMNS[key]]
    return sa.select(col).distinct().where(col.is_not(None))


def filter_options(engine: Engine) -> dict[str, list[str]]:
    """Distinct types, priorities (in priority order) and requesting teams, for the filters."""
    with engine.connect() as conn:
        out = {key: sorted(conn.execute(filter_option_stmt(key)).scalars()) for key in _FILTER_COLUMNS}
    order = {p: i for i, p in enumerate(PRIORITIES)}
    out["priorities"].sort(key=lambda p: (order.get(p, len(order)), p))
    return out


# --- Every statement this area runs ------------------------------------------------------------

_CAL, _Q = FiscalCalendar(1), FiscalQuarter(2026, 1)
_FIRST = _Q.previous().previous().previous()
_CUTOFF = backlog_cutoff(_CAL, _Q, date(2026, 2, 10))
assert _CUTOFF is not None  # the example quarter has started by the example day
_AS_OF = _CUTOFF[0]
_SLA = DEFAULT_SLA_DAYS
_SOME = RequestFilter(("Data",), ("High", "Critical"), ("Brand",))  # every filter bound, as the page may

QUERIES: dict[str, Callable[[str], sa.Select]] = {
    "lead_time_by_quarter": lambda dialect: lead_time_by_quarter_query(_CAL, _FIRST, _Q, _SOME, _SLA).stmt(dialect),
    # Run only where the database has no percentile_cont (SQLite); the same statement on every dialect.
    "lead_time_by_quarter_values": lambda d: lead_time_by_quarter_query(_CAL, _FIRST, _Q, _SOME, _SLA).values_stmt(),
    "lead_time_by": lambda dialect: lead_time_by_query(_CAL, _Q, "requested_by", _SOME, _SLA).stmt(dialect),
    "lead_time_by_values": lambda dialect: lead_time_by_query(_CAL, _Q, "requested_by", _SOME, _SLA).values_stmt(),
    "breach_rate_by_priority": lambda dialect: breach_rate_by_priority_stmt(_CAL, _FIRST, _Q, _SOME),
    "stage_medians_by_quarter": lambda d: stage_medians_by_quarter_query(_CAL, _FIRST, _Q, _SOME).stmt(d),
    "stage_medians_by_quarter_values": lambda d: stage_medians_by_quarter_query(_CAL, _FIRST, _Q, _SOME).values_stmt(),
    "backlog_ageing": lambda dialect: backlog_ageing_stmt(_CAL, _AS_OF, _SOME),
    "backlog_ageing_oldest": lambda dialect: backlog_ageing_oldest_stmt(_CAL, _AS_OF, _SOME),
    "flow_by_quarter_arrived": lambda dialect: flow_by_quarter_arrived_stmt(_CAL, _FIRST, _Q, _SOME),
    "flow_by_quarter_delivered": lambda dialect: flow_by_quarter_delivered_stmt(_CAL, _FIRST, _Q, _SOME),
    "lead_time_histogram": lambda dialect: lead_time_histogram_stmt(_CAL, _Q, histogram_width(30.0), _SOME),
    "lead_time_points_total": lambda dialect: lead_time_points_total_stmt(_CAL, _FIRST, _Q, _SOME),
    "lead_time_points": lambda dialect: lead_time_points_stmt(_CAL, _FIRST, _Q, _SOME, step=3),
    "request_counts": lambda dialect: request_counts_stmt(_SOME),
    "filter_options_types": lambda dialect: filter_option_stmt("types"),
    "filter_options_priorities": lambda dialect: filter_option_stmt("priorities"),
    "filter_options_teams": lambda dialect: filter_option_stmt("teams"),
}

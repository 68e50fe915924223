"""Request turnaround in words: the definitions, the labels and the sentence above every chart,
shared by the page, the board pack and the CLI.

`DEFINITIONS` is the one statement of what the figures mean: the page's "Definitions" section
renders it (`definitions_markdown`) and the README's "Request turnaround" section is generated
from it (`python -m metrics.docs turnaround`; a test keeps the two in sync).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from metrics.fiscal import FiscalQuarter
from metrics.formatting import and_join, share
from metrics.turnaround.compute import (
    AGE_BUCKETS,
    DEFAULT_SLA_DAYS,
    MAX_POINTS,
    PERCENTILES,
    TREND_QUARTERS,
    Backlog,
    Histogram,
    LeadTimePoints,
    QuarterTurnaround,
    RequestCounts,
    it_days,
    number,
    quarter_turnaround,
)

STAGES = {
    "marketing": "Waiting on marketing",
    "it_queue": "IT queue",
    "delivery": "IT delivery",
}
BREAKDOWNS = {"type": "Type", "priority": "Priority", "requested_by": "Requesting team"}


# --- Labels ------------------------------------------------------------------------------------


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


def sla_defaults_text(sla_defaults: Mapping[str, float] = DEFAULT_SLA_DAYS) -> str:
    """'Critical 5 · High 10 · Medium 20 · Low 40 days'."""
    return " · ".join(f"{p} {d:g}" for p, d in sla_defaults.items()) + " days"


def _age_buckets_text() -> str:
    """'0-30, 31-60, 61-90 and over 90 days'."""
    return and_join([label.removesuffix(" days").lower() for label, _ in AGE_BUCKETS]) + " days"


# --- Definitions -------------------------------------------------------------------------------

# Term -> definition, in Markdown (backticks for columns and SQL). Filled from the constants the
# figures use, so that the text cannot disagree with them.
DEFINITIONS: dict[str, str] = {
    "Lead time": "`delivered_at - requested_at` of a delivered request, in days (fractional: 12 hours is 0.5 "
    "days), counted in the fiscal quarter in which it was delivered.",
    "Excluded requests": "Requests recorded as delivered before they were requested (`delivered_at < "
    "requested_at`). Their dates cannot both be right, so they are left out of every figure "
    "(lead time, SLA, stages, flow) rather than averaged in, and counted in a visible "
    "data-quality note instead.",
    "Percentiles": f"{and_join(list(PERCENTILES))} (p50 is the median) interpolate linearly between the two nearest "
    "ranks: with `h = (n - 1) * p`, `x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)])`. "
    "PostgreSQL (`percentile_cont`) and DuckDB (`quantile_cont`) compute them in the database; "
    "SQLite has no such aggregate, so there only the one column being summarised is fetched for the "
    'filtered requests and numpy (`method="linear"`) interpolates it the same way. The headline, '
    '"85% of requests delivered within N days", rounds p85 up to whole days.',
    "SLA": f"The request's `sla_days` when set, else the default for its priority: {sla_defaults_text()}. A "
    "breach is a lead time strictly above the SLA (equal is met); the breach rate is breaches / delivered "
    "requests in the quarter.",
    "Days past SLA": "`lead time - SLA` of each delivered request (negative when delivered inside its SLA); the "
    'headline compares like with like through its p85, rounded up to whole days: "85% were delivered within '
    '5 days of their own SLA" (over) or "at least 3 days inside their own SLA".',
    "Stages": "Waiting on marketing = `ready_at - requested_at` (requested to requirements complete); IT queue = "
    "`started_at - ready_at`; delivery = `delivered_at - started_at`. A stage whose two timestamps are "
    "not both present, or are out of order, is unknown for that request: left out of that stage's "
    "median only, and the page says for how many.",
    "Backlog ageing": "Requests requested before the end of the quarter (the end of today, for the current "
    f"quarter) and not delivered by then, aged in completed days: {_age_buckets_text()}.",
    "Flow": "Requests arriving (by `requested_at`) against requests delivered, per quarter.",
    "Charts": f"Trends show up to {TREND_QUARTERS} quarters; the scatter shows at most {MAX_POINTS:,} deliveries "
    "(above that, a deterministic systematic sample by delivery date).",
}


def definitions_markdown() -> str:
    """`DEFINITIONS` as the page's bullet list."""
    return "\n".join(f"- **{term}**: {text}" for term, text in DEFINITIONS.items())


# --- The headline ------------------------------------------------------------------------------


def lead_time_headline(t: QuarterTurnaround) -> str:
    if t.within_days is None:
        return f"No requests delivered in {t.quarter.label}"
    return f"85% of requests delivered within {days_label(t.within_days)}"


def within_delta_label(t: QuarterTurnaround) -> str | None:
    """The change in the headline number, in the same whole days as the headline."""
    if t.within_days is None or t.previous_within_days is None:
        return None
    return f"{t.within_days - t.previous_within_days:+d} days vs {t.quarter.previous().label}"


def own_sla_sentence(t: QuarterTurnaround | None) -> str | None:
    """How the quarter's deliveries landed against each request's own SLA, from the p85 of the
    days past it (rounded up, as the headline): "85% were delivered within 5 days of their own SLA"
    (over it), "85% were delivered within their own SLA", "85% were delivered at least 3 days inside
    their own SLA". None without it."""
    days = t.past_sla_days if t is not None else None
    if days is None:
        return None
    if days > 0:
        return f"85% were delivered within {days_label(days)} of their own SLA"
    if days == 0:
        return "85% were delivered within their own SLA"
    return f"85% were delivered at least {days_label(-days)} inside their own SLA"


def own_sla_favourable(t: QuarterTurnaround) -> bool:
    """Whether `own_sla_sentence` is good news: 85% delivered within their own SLA."""
    return t.past_sla_days is not None and t.past_sla_days <= 0


# --- Sentences above the charts ----------------------------------------------------------------


def lead_time_sentence(by_quarter: pd.DataFrame, quarter: FiscalQuarter) -> str:
    """Median and headline (p85 rounded up) of the quarter, against the previous quarter's headline."""
    t = quarter_turnaround(by_quarter, quarter)
    if t is None or t.p85 is None:
        return f"No requests were delivered in {quarter.label}, so there is no lead time to report."
    within = t.within_days
    assert within is not None  # t.p85 is not None, checked above
    text = (
        f"In {quarter.label} half of the requests were delivered within {days_label(t.p50)} and 85% "
        f"within {days_label(within)}"
    )
    before = t.previous_within_days
    if before is not None:
        if before == within:
            text += f", the same as in {quarter.previous().label}"
        else:
            direction = "down" if within < before else "up"
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
        text += (
            f"; {worst['priority']} fared worst at {share(worst['breach_rate'])} "
            f"({int(worst['breaches'])} of {int(worst['delivered'])})"
        )
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
    return (
        f"Across priorities the breach rate {verb} from {share(then)} in {first_label} "
        f"to {share(now)} in {quarter.label}."
    )


def stage_sentence(stages: pd.DataFrame, quarter: FiscalQuarter) -> str:
    rows = stages[stages["quarter"] == quarter.label]
    if rows.empty or not int(rows.iloc[0]["delivered"]):
        return f"No requests were delivered in {quarter.label}, so there are no stage times to compare."
    row = rows.iloc[0]
    marketing, queue, delivery = (number(row[s]) for s in STAGES)
    if marketing is None and queue is None and delivery is None:
        return (
            f"No request delivered in {quarter.label} has stage timestamps (ready, started), so who they "
            "waited on is unknown."
        )
    text = (
        f"In {quarter.label} the median request waited {days_label(marketing)} on marketing's requirements "
        f"and {days_label(it_days(queue, delivery))} on IT ({days_label(queue)} in the queue, "
        f"{days_label(delivery)} in delivery)"
    )
    year_ago = stages[stages["quarter"] == quarter.same_quarter_last_year().label]
    if not year_ago.empty and int(year_ago.iloc[0]["delivered"]):
        then = year_ago.iloc[0]
        text += (
            f"; a year earlier {days_label(number(then['marketing']))} on marketing and "
            f"{days_label(it_days(number(then['it_queue']), number(then['delivery'])))} on IT"
        )
    return text + "."


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
    return (
        f"Stage times unknown (timestamps missing or out of order), of {requests_label(int(row['delivered']))} "
        f"delivered in {quarter.label}: {parts}. Those requests are left out of that stage's median only."
    )


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
    trend = (
        f"the backlog grew by {change:,}"
        if change > 0
        else f"the backlog shrank by {-change:,}"
        if change < 0
        else "the backlog held steady"
    )
    verb = "was" if delivered == 1 else "were"
    return f"In {quarter.label} {requests_label(arrived)} arrived and {delivered:,} {verb} delivered: {trend}."


def distribution_sentence(histogram: Histogram | None, turnaround: QuarterTurnaround | None) -> str:
    if histogram is None or turnaround is None or turnaround.p85 is None:
        return "No lead times to show for this quarter."
    slow = int(histogram.bins["count"].iloc[-1]) if histogram.bins["end"].isna().iloc[-1] else 0
    text = (
        f"Of {requests_label(histogram.total)} delivered in {turnaround.quarter.label}, half took up to "
        f"{days_label(turnaround.p50)} and 95% up to {days_label(turnaround.p95)}"
    )
    if slow:
        text += f"; {slow:,} took {histogram.bins['label'].iloc[-1].replace('+ days', ' days or more')}"
    return text + "."


def scatter_sentence(points: LeadTimePoints | None, first: FiscalQuarter, last: FiscalQuarter) -> str:
    period = f"{first.label} to {last.label}"
    if points is None:
        return f"No requests were delivered from {period}."
    text = f"Each dot is a request delivered from {period}"
    if points.sampled:
        text += (
            f" (one in {points.step} of {points.total:,} deliveries, taken in date order: "
            f"{len(points.points):,} shown; the median line is computed on those)"
        )
    if len(points.rolling) >= 2:
        start, end = points.rolling.iloc[0], points.rolling.iloc[-1]
        text += (
            f"; the 30-day rolling median went from {days_label(start['median'])} in "
            f"{start['delivered_at']:%b %Y} to {days_label(end['median'])} in {end['delivered_at']:%b %Y}"
        )
    return text + "."


def breakdown_sentence(breakdown: pd.DataFrame, dimension: str, quarter: FiscalQuarter) -> str:
    if breakdown.empty:
        return f"No requests were delivered in {quarter.label}."
    ranked = breakdown.dropna(subset=["p85"]).sort_values(["p85", "value"], ascending=[False, True])
    slowest = ranked.iloc[0]
    label = BREAKDOWNS[dimension].lower()
    if len(ranked) == 1:
        return (
            f"In {quarter.label} every delivered request had {label} {slowest['value']}: 85% within "
            f"{days_label(slowest['p85'])}."
        )
    fastest = ranked.iloc[-1]
    return (
        f"In {quarter.label} the slowest {label} was {slowest['value']} (85% within "
        f"{days_label(slowest['p85'])}), the fastest {fastest['value']} ({days_label(fastest['p85'])})."
    )


def data_quality_sentence(counts: RequestCounts, turnaround: QuarterTurnaround | None, quarter: FiscalQuarter) -> str:
    """The visible note on requests left out because they were delivered before they were requested."""
    if not counts.delivered_before_requested:
        return "No request was recorded as delivered before it was requested; none is excluded."
    in_quarter = turnaround.excluded if turnaround is not None else 0
    in_quarter_text = f"{in_quarter:,}" if in_quarter else "none"
    return (
        f"{counts.delivered_before_requested:,} of {counts.delivered:,} delivered requests "
        f"({share(counts.excluded_share)}) are recorded as delivered before they were requested. Their dates "
        f"cannot both be right, so they are excluded from every figure on this page rather than averaged in "
        f"({in_quarter_text} of them in {quarter.label})."
    )

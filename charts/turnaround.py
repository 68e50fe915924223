"""Charts of the Request turnaround page: pure builders, small aggregated data in, figure out.

Marketing and IT keep their department colours (waiting on marketing is marketing's colour, the
IT queue and delivery are IT's). Priorities get their own Okabe-Ito colours plus a marker symbol,
so the lines stay apart without colour.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from charts.theme import (
    ACCENT,
    AMBER,
    DEPARTMENT_COLOURS,
    FAVOURABLE,
    NEUTRAL,
    SKY,
    UNFAVOURABLE,
    base_figure,
    empty_figure,
    quarter_ticks,
)
from metrics.fiscal import FiscalQuarter
from metrics.turnaround import STAGES, Backlog, Histogram, LeadTimePoints, days_label

PRIORITY_STYLES = {  # colour, marker symbol, line dash
    "Critical": ("#CC79A7", "diamond", "solid"),
    "High": (AMBER, "triangle-up", "dash"),
    "Medium": (SKY, "circle", "dot"),
    "Low": ("#555555", "square", "dashdot"),
}
STAGE_COLOURS = {
    "marketing": DEPARTMENT_COLOURS["Marketing"],
    "it_queue": SKY,  # a lighter IT blue: IT has it but has not started
    "delivery": DEPARTMENT_COLOURS["IT"],
}
# One hue, darker = older: not a department colour, and readable without colour (the bars are labelled).
AGE_COLOURS = ["#A27BB0", "#83479A", "#66307D", "#4F1D63"]
MEDIAN_COLOUR = AMBER  # median and rolling-median lines: apart from the department colours
P85_COLOUR = "#CC79A7"
DAYS_AXIS = dict(title_text="days", rangemode="tozero")


def _quarter_axis(fig: go.Figure, quarters: list[str], selected: FiscalQuarter | None) -> go.Figure:
    """Quarters in order on a category axis, ticked short ("FY26 Q3"), the selected one in bold."""
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=quarters)
    return quarter_ticks(fig, quarters, selected.label if selected is not None else None)


def lead_time_trend(by_quarter: pd.DataFrame, selected: FiscalQuarter | None, height: int = 400) -> go.Figure:
    """Above: p85 and median lead time per quarter of delivery. Below, like with like: the p85 of
    each request's days past its own SLA (`past_sla_p85`), against a zero line at the SLA; a bar
    below it means 85% landed inside their own SLA. (A median SLA beside a p85 lead time compared
    two different requests' figures.)"""
    rows = by_quarter.dropna(subset=["p85"])
    if rows.empty:
        return empty_figure("No requests delivered in these quarters")
    quarters = rows["quarter"].tolist()
    fig = base_figure(height=height)
    fig.set_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.55, 0.45], vertical_spacing=0.1)
    fig.add_trace(
        go.Scatter(
            x=quarters,
            y=rows["p85"],
            name="85% delivered within (p85)",
            mode="lines+markers",
            line=dict(color=ACCENT, width=3),
            marker=dict(symbol="circle", size=8),
            customdata=rows["delivered"],
            hovertemplate="%{x}: p85 %{y:.1f} days (%{customdata} delivered)<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=quarters,
            y=rows["p50"],
            name="Median (p50)",
            mode="lines+markers",
            line=dict(color=ACCENT, width=2, dash="dot"),
            marker=dict(symbol="square", size=7),
            hovertemplate="%{x}: median %{y:.1f} days<extra></extra>",
        ),
        row=1,
        col=1,
    )
    past = rows["past_sla_p85"] if "past_sla_p85" in rows else pd.Series([None] * len(rows), index=rows.index)
    fig.add_trace(
        go.Bar(
            x=quarters,
            y=past,
            name="85% delivered within this many days of their own SLA",
            marker_color=[NEUTRAL if pd.isna(v) else UNFAVOURABLE if v > 0 else FAVOURABLE for v in past],
            customdata=[_own_sla_words(v) for v in past],
            hovertemplate="%{x}: 85% delivered %{customdata}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    fig.add_hline(
        y=0,
        row=2,
        col=1,
        line=dict(color=NEUTRAL, width=2),
        annotation=dict(text="at their own SLA", font=dict(color=NEUTRAL)),
        annotation_position="bottom left",
    )
    # Few ticks: on the Overview's small card each panel is under 100 px high.
    # One short title each: two long ones ran into each other beside the small panels.
    fig.update_yaxes(title_text="days", rangemode="tozero", nticks=4, row=1, col=1)
    fig.update_yaxes(title_text="days", zeroline=False, nticks=3, row=2, col=1)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=quarters)
    fig.update_xaxes(showticklabels=False, row=1, col=1)
    return quarter_ticks(fig, quarters, selected.label if selected is not None else None, axis="xaxis2")


def _own_sla_words(days: float | None) -> str:
    """The hover of a bar below: as `metrics.turnaround.own_sla_sentence` words the tile."""
    if days is None or pd.isna(days):
        return "with no SLA to compare"
    if days > 0:
        return f"no more than {days:.1f} days past their own SLA"
    if days == 0:
        return "within their own SLA"
    return f"at least {-days:.1f} days inside their own SLA"


def stage_stack(stages: pd.DataFrame, selected: FiscalQuarter | None, height: int = 360) -> go.Figure:
    """Median days per stage and quarter, stacked: marketing's share first, then IT's two stages."""
    rows = stages[stages["delivered"] > 0]
    if rows.empty or rows[list(STAGES)].isna().all().all():
        return empty_figure("No stage timestamps (ready, started) recorded for these requests")
    quarters = rows["quarter"].tolist()
    fig = base_figure(height=height)
    for stage, name in STAGES.items():
        fig.add_trace(
            go.Bar(
                x=quarters,
                y=rows[stage],
                name=name,
                marker_color=STAGE_COLOURS[stage],
                customdata=list(zip(rows[f"{stage}_unknown"], rows["delivered"])),
                hovertemplate=f"%{{x}}: {name} median %{{y:.1f}} days<br>unknown for %{{customdata[0]}} of "
                "%{customdata[1]} requests<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_yaxes(title_text="median days per stage", rangemode="tozero")
    return _quarter_axis(fig, quarters, selected)


def breach_by_priority(breaches: pd.DataFrame, quarter: FiscalQuarter, height: int = 300) -> go.Figure:
    """Breach rate per priority in one quarter, labelled 'n of m'."""
    rows = breaches[breaches["quarter"] == quarter.label]
    if rows.empty:
        return empty_figure(f"No requests delivered in {quarter.label}")
    priorities = rows["priority"].tolist()
    fig = base_figure(height=height)
    fig.add_trace(
        go.Bar(
            y=priorities,
            x=rows["breach_rate"],
            orientation="h",
            showlegend=False,
            marker_color=[PRIORITY_STYLES.get(p, (NEUTRAL,))[0] for p in priorities],
            text=[f"{r:.0%} ({b} of {d})" for r, b, d in zip(rows["breach_rate"], rows["breaches"], rows["delivered"])],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text} missed the SLA<extra></extra>",
        )
    )
    # Room on the right for the "n of m" labels, but no ticks beyond 100%.
    fig.update_xaxes(
        tickformat=".0%",
        range=[0, 1.3],
        tickvals=[0, 0.25, 0.5, 0.75, 1.0],
        title_text="share of delivered requests that missed the SLA",
    )
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(priorities)))
    return fig


def breach_trend(breaches: pd.DataFrame, selected: FiscalQuarter | None, height: int = 300) -> go.Figure:
    """Breach rate per priority across quarters."""
    if breaches.empty:
        return empty_figure("No requests delivered in these quarters")
    quarters = list(dict.fromkeys(breaches["quarter"]))
    fig = base_figure(height=height)
    for priority, rows in breaches.groupby("priority", sort=False):
        colour, symbol, dash = PRIORITY_STYLES.get(priority, (NEUTRAL, "circle", "solid"))
        fig.add_trace(
            go.Scatter(
                x=rows["quarter"],
                y=rows["breach_rate"],
                name=priority,
                mode="lines+markers",
                line=dict(color=colour, dash=dash, width=2),
                marker=dict(symbol=symbol, size=8),
                customdata=list(zip(rows["breaches"], rows["delivered"])),
                hovertemplate=f"%{{x}} {priority}: %{{y:.0%}} (%{{customdata[0]}} of %{{customdata[1]}})<extra></extra>",
            )
        )
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", title_text="breach rate")
    return _quarter_axis(fig, quarters, selected)


def backlog_ageing(backlog: Backlog | None, height: int = 300) -> go.Figure:
    """Open requests by age bucket at the end of the period."""
    if backlog is None:
        return empty_figure("No requests raised by the end of this quarter")
    labels, counts = list(backlog.buckets), list(backlog.buckets.values())
    fig = base_figure(height=height)
    fig.add_trace(
        go.Bar(
            x=labels,
            y=counts,
            marker_color=AGE_COLOURS,
            text=counts,
            textposition="outside",
            cliponaxis=False,
            showlegend=False,
            hovertemplate="%{x}: %{y} open requests<extra></extra>",
        )
    )
    fig.update_yaxes(title_text="open requests", rangemode="tozero", range=[0, max(counts + [1]) * 1.2])
    fig.update_xaxes(title_text=f"age at {backlog.as_of_label}")
    return fig


def flow(flow_by_quarter: pd.DataFrame, selected: FiscalQuarter | None, height: int = 360) -> go.Figure:
    """Requests arriving against requests delivered, per quarter."""
    if flow_by_quarter.empty:
        return empty_figure("No requests arrived or were delivered in these quarters")
    quarters = flow_by_quarter["quarter"].tolist()
    fig = base_figure(height=height)
    fig.add_trace(
        go.Bar(
            x=quarters,
            y=flow_by_quarter["arrived"],
            name="Arrived",
            marker_color=NEUTRAL,
            hovertemplate="%{x}: %{y} arrived<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=quarters,
            y=flow_by_quarter["delivered"],
            name="Delivered",
            marker_color=ACCENT,
            hovertemplate="%{x}: %{y} delivered<extra></extra>",
        )
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="requests", rangemode="tozero")
    return _quarter_axis(fig, quarters, selected)


def lead_time_distribution(
    histogram: Histogram | None, p50: float | None, p85: float | None, height: int = 320
) -> go.Figure:
    """Bars of lead time (the last one open-ended), with the median and p85 marked."""
    if histogram is None:
        return empty_figure("No requests delivered in this quarter")
    bins = histogram.bins
    centres = [s + histogram.width / 2 for s in bins["start"]]
    fig = base_figure(height=height)
    fig.add_trace(
        go.Bar(
            x=centres,
            y=bins["count"],
            width=[histogram.width * 0.92] * len(bins),
            marker_color=[NEUTRAL if pd.isna(e) else ACCENT for e in bins["end"]],
            customdata=bins["label"],
            showlegend=False,
            hovertemplate="%{customdata}: %{y} requests<extra></extra>",
        )
    )
    # Median labelled to the left of its line and p85 to the right, so equal values do not overprint.
    lines = ((p50, "median", MEDIAN_COLOUR, "top left"), (p85, "85%", P85_COLOUR, "top right"))
    for value, name, colour, side in lines:
        if value is not None:
            fig.add_vline(
                x=value,
                line=dict(color=colour, dash="dash", width=2),
                annotation=dict(text=f"{name}: {days_label(value)}", font=dict(color=colour), yanchor="bottom"),
                annotation_position=side,
            )
    last = bins.iloc[-1]
    if pd.isna(last["end"]):
        fig.add_annotation(
            x=centres[-1],
            y=last["count"],
            text=last["label"],
            showarrow=False,
            yshift=12,
            font=dict(color=NEUTRAL, size=14),
        )
    fig.update_xaxes(title_text="lead time, days", rangemode="tozero")
    fig.update_yaxes(title_text="requests delivered", rangemode="tozero")
    return fig


def lead_time_scatter(points: LeadTimePoints | None, start: date, end: date, height: int = 320) -> go.Figure:
    """Each delivery (or a systematic sample of them) by date and lead time, with a rolling median,
    on the whole period from `start` to `end` (inclusive) even when deliveries cover part of it."""
    if points is None:
        return empty_figure("No requests delivered in these quarters")
    p = points.points
    fig = base_figure(height=height)
    fig.add_trace(
        go.Scatter(
            x=p["delivered_at"],
            y=p["lead_days"],
            mode="markers",
            name="a delivered request",
            marker=dict(color=ACCENT, size=6, opacity=0.45),
            customdata=list(zip(p["request_id"], p["priority"])),
            hovertemplate="%{customdata[0]} (%{customdata[1]}): %{y:.1f} days, delivered %{x|%d %b %Y}<extra></extra>",
        )
    )
    if not points.rolling.empty:
        fig.add_trace(
            go.Scatter(
                x=points.rolling["delivered_at"],
                y=points.rolling["median"],
                mode="lines",
                name="30-day rolling median",
                line=dict(color=MEDIAN_COLOUR, width=3),
                hovertemplate="%{x|%d %b %Y}: median %{y:.1f} days<extra></extra>",
            )
        )
    fig.update_yaxes(**DAYS_AXIS)
    fig.update_xaxes(title_text="delivered on", range=[start, end + timedelta(days=1)])
    return fig

"""KPI charts: bullet charts against the quarter's target, and the trend of each KPI against
its quarter-by-quarter target. Pure: cards in, Plotly figure out.

Status is carried by marker shape and by words as well as colour (colour-blind safe). Nothing drawn
for a KPI that is off target or at risk is green (the favourable colour), even where it was on target
in an earlier quarter or improved: `kpi_colour` is the one rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from charts.theme import (
    ACCENT,
    NEUTRAL,
    STATUS_COLOURS,
    STATUS_SYMBOLS,
    TEMPLATE,
    base_figure,
    empty_figure,
    plotly_text,
)
from metrics.formatting import decimals, is_percentage
from metrics.kpis import AT_RISK, MISSING, NO_DATA, NO_TARGET, OFF_TARGET, ON_TARGET, KpiCard

TARGET_COLOUR = "#1F2933"
# Marker shapes that match the status symbols (● ▲ ■ ○).
STATUS_MARKERS = {
    ON_TARGET: "circle",
    AT_RISK: "triangle-up",
    OFF_TARGET: "square",
    NO_TARGET: "circle-open",
    NO_DATA: "circle-open",
}
BULLET_ROW_HEIGHT = 74
TREND_COLUMNS = 3


def _tint(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def kpi_colour(status: str, card_status: str) -> str:
    """The colour of something drawn with `status` (a band, a quarter's marker) for a KPI whose
    status now is `card_status`: the status colour, except that a KPI off target or at risk gets
    no green: its on-target band and its earlier on-target quarters are drawn neutral."""
    if status == ON_TARGET and card_status in MISSING:
        return NEUTRAL
    return STATUS_COLOURS[status]


def _status_text(status: str) -> str:
    return f"{STATUS_SYMBOLS[status]} {status}"


# A percentage whose value and target are both at least this high (availability, on-time rates)
# keeps the window centred on the target: from zero its differences would not show.
NEAR_FULL_PERCENT = 90.0
# Units of an interval scale, not an amount: zero is not "none" (NPS runs from -100 to 100).
INTERVAL_UNITS = ("point", "points", "pts", "score", "index")


def zero_based(value: float, target: float, unit: str) -> bool:
    """Whether a bullet's axis starts at zero, so that the bar's length is the amount.

    The rule: a **quantity** (counts, money, days, hours, seconds: any unit but a percentage or an
    interval scale such as points) with value and target not negative starts at zero. A
    **percentage** starts at zero too, unless value and target both sit in the top tenth
    (>= `NEAR_FULL_PERCENT`, e.g. 99.5% availability against 99.9%), where a zero base would hide the
    differences that matter. **Points** and anything negative keep the window centred on the target.
    """
    if min(value, target) < 0:
        return False
    if is_percentage(unit):
        return min(value, target) < NEAR_FULL_PERCENT
    return unit.strip().lower() not in INTERVAL_UNITS


def bullet_range(value: float, target: float, threshold: float, unit: str) -> tuple[float, float]:
    """The bullet's axis: from zero where `zero_based` says so, else centred on the target; either
    way wide enough for the value and twice the at-risk band past the target, so the bands are
    always visible. A plain percentage axis stops at 0% and 100%."""
    half = max(2 * threshold, abs(value - target)) * 1.25 or abs(target) * 0.1 or 1.0
    low, high = target - half, target + half
    if zero_based(value, target, unit):
        low, high = 0.0, max(high, value * 1.05)
    if unit.strip() == "%" and min(value, target) >= 0 and max(value, target) <= 100:
        low, high = max(low, 0.0), min(high, 100.0)
    return low, high


def value_range(value: float, unit: str) -> tuple[float, float]:
    """The axis of a bullet without a target: from zero for a quantity (as `zero_based`), else a
    quarter either side of the value."""
    half = abs(value) * 0.25 or 1.0
    if zero_based(value, value, unit):
        return 0.0, value + half
    return value - half, value + half


def _bands(card: KpiCard, t: float, thr: float, low: float, high: float) -> list[dict]:
    """Off target / at risk / on target bands around target `t` with at-risk threshold `thr`,
    laid out by the KPI's direction."""
    if card.kpi.direction == "higher":
        spans = [(low, t - thr, OFF_TARGET), (t - thr, t, AT_RISK), (t, high, ON_TARGET)]
    else:
        spans = [(low, t, ON_TARGET), (t, t + thr, AT_RISK), (t + thr, high, OFF_TARGET)]
    return [{"range": [a, b], "color": _tint(kpi_colour(s, card.status), 0.28)} for a, b, s in spans if b > a]


def _suffix(unit: str) -> str:
    """The unit after an Indicator's number; the unit is data, so written as text."""
    return plotly_text(unit if is_percentage(unit) else f" {unit}" if unit else "")


def bullet_chart(cards: Sequence[KpiCard]) -> go.Figure:
    """One bullet per KPI with a value: a bar for the value, a marker for the target and shaded
    bands for on target / at risk / off target. KPIs without a target show the bar alone."""
    shown = [(c, c.value) for c in cards if c.value is not None]
    if not shown:
        return empty_figure("No KPI has a value for this quarter.")
    n = len(shown)
    fig = base_figure(height=BULLET_ROW_HEIGHT * n + 40)
    fig.update_layout(margin=dict(l=10, r=30, t=20, b=20))
    for i, (card, value) in enumerate(shown):
        top = 1 - i / n
        # The threshold is None exactly when the target is.
        target, threshold = card.target, card.threshold
        subtitle = _status_text(card.status)
        if target is not None and threshold is not None:
            low, high = bullet_range(value, target.target, threshold, card.kpi.unit)
            subtitle += f" · target {card.kpi.show(target.target)}"
            gauge_extra = {
                "steps": _bands(card, target.target, threshold, low, high),
                "threshold": {"line": {"color": TARGET_COLOUR, "width": 3}, "thickness": 0.9, "value": target.target},
            }
        else:
            low, high = value_range(value, card.kpi.unit)
            gauge_extra = {}
        fig.add_trace(
            go.Indicator(
                mode="number+gauge",
                value=value,
                number={
                    "suffix": _suffix(card.kpi.unit),
                    "valueformat": f",.{decimals(value, card.kpi.unit)}~f",
                    "font": {"size": 20},
                },
                title={
                    "text": f"<b>{plotly_text(card.kpi.name)}</b><br><span style='font-size:14px'>{plotly_text(subtitle)}</span>",
                    "align": "right",
                    "font": {"size": 14},
                },
                domain={"x": [0.28, 0.92], "y": [top - 0.8 / n, top - 0.15 / n]},
                gauge={
                    "shape": "bullet",
                    "axis": {"range": [low, high], "tickformat": ",.3~g"},
                    "bar": {"color": ACCENT, "thickness": 0.4},
                    "bgcolor": "rgba(0,0,0,0)",
                    "borderwidth": 0,
                    **gauge_extra,
                },
            )
        )
    return fig


def _panel_axes(i: int, rows: int) -> tuple[str, dict, dict, dict]:
    """Trace axis suffix, x and y axis layouts and title annotation of panel i in the grid."""
    row, col = divmod(i, TREND_COLUMNS)
    gap_x, gap_y = 0.06, 0.5 / rows
    width, height = (1 - gap_x * (TREND_COLUMNS - 1)) / TREND_COLUMNS, (1 - gap_y * (rows - 1)) / rows
    left, top = col * (width + gap_x), 1 - row * (height + gap_y)
    n = "" if i == 0 else str(i + 1)
    x = {"domain": [left, left + width], "anchor": f"y{n}", "type": "category", "tickfont": {"size": 14}}
    y = {"domain": [top - height, top], "anchor": f"x{n}", "tickfont": {"size": 14}, "zeroline": False}
    title = {
        "x": left + width / 2,
        "y": top,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 14},
    }
    return n, x, y, title


def trend_chart(cards: Sequence[KpiCard]) -> go.Figure:
    """Small multiples, one panel per KPI: the quarterly value (marker shape and colour by
    status) and the quarter-by-quarter target as a dashed step. The grid is laid out here in
    one pass (plotly's make_subplots costs more than the rest of the page)."""
    if not cards:
        return empty_figure("No KPI matches the filters.")
    rows = math.ceil(len(cards) / TREND_COLUMNS)
    traces, layout, titles = [], {}, []
    for i, card in enumerate(cards):
        n, xaxis, yaxis, title = _panel_axes(i, rows)
        axes = {"xaxis": f"x{n}", "yaxis": f"y{n}"}
        xs = [p.quarter.short_label for p in card.trend]
        values = [p.value for p in card.trend]
        statuses = [p.status(card.kpi) for p in card.trend]
        hover = [
            f"{p.quarter.label}: {card.kpi.show(p.value)}"
            + (f" · target {card.kpi.show(p.target.target)}" if p.target else " · no target")
            + f" · {_status_text(s)}"
            for p, s in zip(card.trend, statuses)
        ]
        traces += [
            go.Scatter(
                x=xs,
                y=values,
                mode="lines",
                name="Value",
                legendgroup="value",
                showlegend=i == 0,
                line={"color": ACCENT, "width": 2},
                hoverinfo="skip",
                **axes,
            ),
            go.Scatter(
                x=xs,
                y=values,
                mode="markers",
                name="Status",
                showlegend=False,
                marker={
                    "size": 10,
                    "color": [kpi_colour(s, card.status) for s in statuses],
                    "symbol": [STATUS_MARKERS[s] for s in statuses],
                    "line": {"width": 1, "color": ACCENT},
                },
                hovertext=[plotly_text(h) for h in hover],
                hoverinfo="text",
                **axes,
            ),
            go.Scatter(
                x=xs,
                y=[p.target.target if p.target else None for p in card.trend],
                mode="lines",
                name="Target",
                legendgroup="target",
                showlegend=i == 0,
                hoverinfo="skip",
                line={"color": TARGET_COLOUR, "width": 1.5, "dash": "dash", "shape": "hvh"},
                **axes,
            ),
        ]
        known = [v for v in values if v is not None] + [p.target.target for p in card.trend if p.target]
        yaxis["tickformat"] = f",.{decimals(max(known, key=abs), card.kpi.unit) if known else 1}~f"
        layout[f"xaxis{n}"], layout[f"yaxis{n}"] = xaxis, yaxis
        titles.append(
            {
                **title,
                "text": f"{plotly_text(card.kpi.name)} ({plotly_text(card.kpi.unit)}) · {card.kpi.direction} is better",
            }
        )
    # Legend entries for the status markers, drawn once.
    traces += [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=s.capitalize(),
            marker={
                "size": 10,
                "color": STATUS_COLOURS[s],
                "symbol": STATUS_MARKERS[s],
                "line": {"width": 1, "color": ACCENT},
            },
        )
        for s in (ON_TARGET, AT_RISK, OFF_TARGET, NO_TARGET)
    ]
    height = 260 * rows + 60
    fig = go.Figure(data=traces)
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin=dict(l=10, r=10, t=60, b=10),
        hovermode="closest",
        annotations=titles,
        legend=dict(orientation="h", y=1 + 40 / height, x=0, yanchor="bottom"),
        **layout,
    )
    return fig

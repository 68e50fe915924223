"""Charts of the Tech spend page: pure functions from the small results of `metrics.spend` to
Plotly figures, on the shared template. Departments keep their colours everywhere; favourable and
unfavourable are told by a word and an arrow as well as by colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
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
    line_over_bars,
    money_axis,
    plotly_text,
    quarter_ticks,
)
from metrics.fiscal import FiscalQuarter
from metrics.formatting import money, share
from metrics.spend import DEPARTMENT_ORDER, INVESTMENT_ORDER, DrillLevel, FiscalYearLanding, variance_words

INVESTMENT_COLOURS = {"Run": SKY, "Grow": AMBER, "Transform": "#CC79A7", "Unmapped": NEUTRAL}
SHADOW_COLOURS = {"not approved by IT": AMBER, "not in the catalogue": "#555555"}
SELECTED_BAND = "rgba(31, 78, 121, 0.08)"
_VARIANCE_CAP = 0.25  # the heat map's colour saturates at ±25% of budget


def _plain(names) -> list[str]:
    return [plotly_text(n) for n in names]


def _room_for_labels(smallest, reach) -> list[float]:
    """An x range wide enough for the words written right of the longest bar or marker."""
    low = min(0.0, float(np.nanmin(np.asarray(smallest, dtype=float))))
    high = float(np.nanmax(np.nan_to_num(np.asarray(reach, dtype=float)))) if len(reach) else 0.0
    return [low * 1.1, max(high * 1.28, 1.0)]


def _variance_label(variance: float | None, *, currency: str) -> str:
    return variance_words(variance, symbol=True, zero="on budget", currency=currency)


def _variance_colour(variance: float | None) -> str:
    if variance is None or pd.isna(variance) or round(variance, 2) == 0:
        return NEUTRAL
    return UNFAVOURABLE if variance > 0 else FAVOURABLE


def _shade(fig: go.Figure, labels: list[str], selected: FiscalQuarter | None) -> None:
    """Shade the selected quarter's column (categories sit at 0, 1, 2... on the x axis)."""
    if selected is not None and selected.label in labels:
        i = labels.index(selected.label)
        fig.add_vrect(x0=i - 0.5, x1=i + 0.5, fillcolor=SELECTED_BAND, line_width=0, layer="below")


# --- Spend by quarter ---------------------------------------------------------------------


def spend_by_quarter_chart(
    bars: pd.DataFrame,
    shares: pd.DataFrame,
    departments: Sequence[str],
    overtakes: Sequence[FiscalQuarter],
    selected: FiscalQuarter | None,
    *,
    currency: str = "$",
) -> go.Figure:
    """Stacked spend per quarter for `departments`, Marketing's share of all spend as a line on
    the right axis, the selected quarter shaded and each overtaking of IT by Marketing named.

    `bars` and `shares`: `metrics.spend.quarterly_split` (in scope, and of all departments)."""
    if bars.empty:
        return empty_figure("No spend is dated in any quarter for this selection.")
    fig = base_figure(height=420)
    for dept in departments:
        fig.add_trace(
            go.Bar(
                x=bars["label"],
                y=bars[dept],
                name=dept,
                marker_color=DEPARTMENT_COLOURS[dept],
                customdata=[money(v, currency=currency) for v in bars[dept]],
                hovertemplate=f"{dept}: %{{customdata}}<extra>%{{x}}</extra>",
            )
        )
    line_over_bars(
        fig,
        go.Scatter(
            x=shares["label"],
            y=shares["marketing_share"],
            name="Marketing share of all spend",
            yaxis="y2",
            mode="lines+markers",
            line=dict(color=ACCENT, width=3),
            marker=dict(size=7, symbol="diamond"),
            hovertemplate="Marketing share: %{y:.0%}<extra>%{x}</extra>",
        ),
    )
    last = shares.dropna(subset=["marketing_share"]).tail(1)
    if not last.empty:
        fig.add_annotation(
            x=last["label"].iloc[0],
            y=last["marketing_share"].iloc[0],
            yref="y2",
            text=f"<b>{share(last['marketing_share'].iloc[0])}</b>",
            showarrow=False,
            xanchor="left",
            xshift=8,
            font=dict(color=ACCENT),
            bgcolor="rgba(255,255,255,0.85)",
        )
    totals = bars.set_index("label")[list(departments)].sum(axis=1)
    for q in overtakes:
        # Only what had happened by the selected quarter: a later quarter's news is not this one's.
        if q.label in totals.index and (selected is None or q <= selected):
            fig.add_annotation(
                x=q.label,
                y=totals[q.label],
                text="Marketing overtakes IT",
                showarrow=True,
                arrowhead=2,
                ax=-70,
                ay=-48,
                font=dict(color=DEPARTMENT_COLOURS["Marketing"], size=14),
                bgcolor="rgba(255,255,255,0.85)",
            )
    _shade(fig, list(bars["label"]), selected)
    quarter_ticks(fig, list(bars["label"]), selected.label if selected is not None else None)
    fig.update_layout(
        barmode="stack",
        bargap=0.3,
        legend_traceorder="normal",
        yaxis2=dict(
            overlaying="y",
            side="right",
            range=[0, 1],
            dtick=0.25,
            tickformat=".0%",
            showgrid=False,
            title_text="Marketing share",
        ),
    )
    return money_axis(fig, currency=currency)


# --- Budget against actual ----------------------------------------------------------------


def budget_vs_actual_chart(lines: pd.DataFrame, *, currency: str = "$") -> go.Figure:
    """Actual per department and category as bars (department colours), the budget as a black
    tick on each bar, and the variance in words beside it. `lines`: `BudgetVariance.lines`."""
    if lines.empty:
        return empty_figure("No spend or budget for this selection.")
    rows = lines.iloc[::-1]  # plotly draws the first category at the bottom
    labels = [f"{d} · {c}" for d, c in zip(rows["department"], _plain(rows["category"]))]
    fig = base_figure(height=max(260, 34 * len(rows) + 90))
    for dept in DEPARTMENT_ORDER:
        mask = (rows["department"] == dept).to_numpy()
        if not mask.any():
            continue
        part = rows[mask]
        fig.add_trace(
            go.Bar(
                y=np.array(labels)[mask],
                x=part["actual"],
                orientation="h",
                name=dept,
                marker_color=DEPARTMENT_COLOURS[dept],
                customdata=[money(v, currency=currency) for v in part["actual"]],
                hovertemplate="%{y}<br>Actual %{customdata}<extra></extra>",
            )
        )
    budgeted = rows["budget"].notna().to_numpy()
    fig.add_trace(
        go.Scatter(
            y=np.array(labels)[budgeted],
            x=rows["budget"][budgeted],
            mode="markers",
            name="Budget",
            marker=dict(symbol="line-ns", size=26, line=dict(width=3, color="#1F2933")),
            customdata=[money(v, currency=currency) for v in rows["budget"][budgeted]],
            hovertemplate="%{y}<br>Budget %{customdata}<extra></extra>",
        )
    )
    reach = np.fmax(rows["actual"].to_numpy(dtype=float), rows["budget"].to_numpy(dtype=float))
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=np.nan_to_num(reach),
            mode="text",
            showlegend=False,
            hoverinfo="skip",
            text=[_variance_label(v, currency=currency) for v in rows["variance"]],
            textposition="middle right",
            textfont=dict(color=[_variance_colour(v) for v in rows["variance"]], size=14),
        )
    )
    fig.update_layout(
        barmode="overlay",
        xaxis=dict(range=_room_for_labels(rows["actual"], reach)),
        yaxis=dict(automargin=True, categoryorder="array", categoryarray=labels),
    )
    return money_axis(fig, "xaxis", currency=currency)


def variance_heatmap(lines: pd.DataFrame, *, currency: str = "$") -> go.Figure:
    """Category x department, coloured by variance as a % of budget (green under, vermillion
    over), each cell saying the amount and the word."""
    if lines.empty:
        return empty_figure("No spend or budget for this selection.")
    depts = [d for d in DEPARTMENT_ORDER if d in set(lines["department"])]
    cats = sorted(set(lines["category"]), reverse=True)
    cell = lines.set_index(["category", "department"])
    shown = dict(zip(cats, _plain(cats)))
    z, text = [], []
    for c in cats:
        z_row: list[float | None] = []
        t_row: list[str] = []
        for d in depts:
            if (c, d) not in cell.index:
                z_row.append(None)
                t_row.append("")
                continue
            r = cell.loc[(c, d)]
            pct = r["variance_pct"]
            z_row.append(None if pd.isna(pct) else float(np.clip(pct, -_VARIANCE_CAP, _VARIANCE_CAP)))
            t_row.append(
                _variance_label(r["variance"], currency=currency) + ("" if pd.isna(pct) else f"<br>{pct:+.0%}")
            )
        z.append(z_row)
        text.append(t_row)
    fig = base_figure(height=max(260, 40 * len(cats) + 80))
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=depts,
            y=[shown[c] for c in cats],
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=14),
            xgap=3,
            ygap=3,
            zmin=-_VARIANCE_CAP,
            zmax=_VARIANCE_CAP,
            zmid=0,
            hoverongaps=False,
            colorscale=[[0, FAVOURABLE], [0.5, "#F4F4F4"], [1, UNFAVOURABLE]],
            colorbar=dict(
                title=dict(text="vs budget"),
                tickvals=[-0.25, -0.1, 0, 0.1, 0.25],
                ticktext=["25%+ under", "10% under", "on budget", "10% over", "25%+ over"],
            ),
            hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>",
        )
    )
    # Cells with spend but no budget have no colour: say so in grey rather than leave a hole.
    gaps = [(d, c) for c in cats for d in depts if (c, d) in cell.index and pd.isna(cell.loc[(c, d), "variance_pct"])]
    if gaps:
        fig.add_trace(
            go.Scatter(
                x=[d for d, _ in gaps],
                y=[shown[c] for _, c in gaps],
                mode="text",
                text=["no budget"] * len(gaps),
                textfont=dict(color=NEUTRAL, size=14),
                showlegend=False,
                hoverinfo="skip",
            )
        )
    fig.update_layout(xaxis=dict(side="top", showline=False, ticks=""), yaxis=dict(automargin=True, showgrid=False))
    return fig


def landing_chart(landing: FiscalYearLanding, *, currency: str = "$") -> go.Figure:
    """Per department: actuals to date and forecast stacked, against the full-year budget."""
    table = landing.by_department.iloc[::-1]
    fig = base_figure(height=max(220, 60 * len(table) + 90))
    colours = [DEPARTMENT_COLOURS[d] for d in table["department"]]
    # Bars say what they are in words: a legend swatch cannot show three department colours.
    fig.add_trace(
        go.Bar(
            y=table["department"],
            x=table["actual_to_date"],
            orientation="h",
            showlegend=False,
            marker=dict(color=colours),
            text=[f"Actual {money(v, currency=currency)}" for v in table["actual_to_date"]],
            textposition="inside",
            insidetextanchor="middle",
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            y=table["department"],
            x=table["forecast"],
            orientation="h",
            showlegend=False,
            marker=dict(color=colours, opacity=0.45, pattern=dict(shape="/", fgcolor="#FFFFFF")),
            text=[f"Forecast {money(v, currency=currency)}" if v else "" for v in table["forecast"]],
            textposition="inside",
            insidetextanchor="middle",
            textfont=dict(color="#1F2933"),
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    budgeted = table["budget"].notna()
    fig.add_trace(
        go.Scatter(
            y=table["department"][budgeted],
            x=table["budget"][budgeted],
            mode="markers",
            name="Full-year budget",
            marker=dict(symbol="line-ns", size=34, line=dict(width=3, color="#1F2933")),
            customdata=[money(v, currency=currency) for v in table["budget"][budgeted]],
            hovertemplate="%{y}: budget %{customdata}<extra></extra>",
        )
    )
    reach = np.fmax(table["landing"].to_numpy(dtype=float), table["budget"].to_numpy(dtype=float))
    fig.add_trace(
        go.Scatter(
            y=table["department"],
            x=np.nan_to_num(reach),
            mode="text",
            showlegend=False,
            hoverinfo="skip",
            text=[_variance_label(v, currency=currency) for v in table["variance"]],
            textposition="middle right",
            textfont=dict(color=[_variance_colour(v) for v in table["variance"]], size=14),
        )
    )
    fig.update_layout(
        barmode="stack",
        xaxis=dict(range=_room_for_labels(table["actual_to_date"], reach)),
        uniformtext_minsize=14,
        uniformtext_mode="hide",
    )
    return money_axis(fig, "xaxis", currency=currency)


# --- Shadow IT ----------------------------------------------------------------------------


def shadow_trend_chart(trend: pd.DataFrame, selected: FiscalQuarter | None, *, currency: str = "$") -> go.Figure:
    """Shadow IT per quarter: the amount as bars, its share of Marketing + Joint spend as a line."""
    if trend.empty:
        return empty_figure("No Marketing or Joint spend in scope.")
    fig = base_figure(height=360)
    fig.add_trace(
        go.Bar(
            x=trend["label"],
            y=trend["shadow"],
            name="Shadow IT spend",
            marker_color="#CC79A7",
            customdata=[money(v, currency=currency) for v in trend["shadow"]],
            hovertemplate="Shadow IT: %{customdata}<extra>%{x}</extra>",
        )
    )
    line_over_bars(
        fig,
        go.Scatter(
            x=trend["label"],
            y=trend["share"],
            name="Share of Marketing + Joint spend",
            yaxis="y2",
            mode="lines+markers+text",
            line=dict(color=ACCENT, width=3),
            marker=dict(size=7),
            text=[share(v) for v in trend["share"]],
            textposition="top center",
            textfont=dict(color=ACCENT, size=14),
            hovertemplate="Share: %{y:.1%}<extra>%{x}</extra>",
        ),
    )
    _shade(fig, list(trend["label"]), selected)
    top = float(np.nanmax(trend["share"].to_numpy(dtype=float))) if trend["share"].notna().any() else 0.1
    step = 0.05 if top <= 0.3 else 0.25
    fig.update_layout(
        yaxis2=dict(
            overlaying="y",
            side="right",
            range=[0, step * math.ceil(top * 1.25 / step)],
            dtick=step,
            tickformat=".0%",
            showgrid=False,
            title_text="Share",
        ),
    )
    quarter_ticks(fig, list(trend["label"]), selected.label if selected is not None else None)
    return money_axis(fig, currency=currency)


def top_vendors_chart(vendors: pd.DataFrame, *, currency: str = "$") -> go.Figure:
    """Unapproved vendors of the period, largest first, coloured by why they count."""
    if vendors.empty:
        return empty_figure("No spend with unapproved vendors in this period.")
    rows = vendors.iloc[::-1]
    fig = base_figure(height=max(220, 30 * len(rows) + 90))
    for reason, colour in SHADOW_COLOURS.items():
        part = rows[rows["reason"] == reason]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                y=_plain(part["vendor"]),
                x=part["spend"],
                orientation="h",
                name=reason[0].upper() + reason[1:],
                marker_color=colour,
                text=[money(v, currency=currency) for v in part["spend"]],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{text}<extra></extra>",
            )
        )
    fig.update_layout(
        yaxis=dict(automargin=True, categoryorder="array", categoryarray=_plain(rows["vendor"])), margin=dict(r=70)
    )
    return money_axis(fig, "xaxis", currency=currency)


# --- Run / Grow / Transform ---------------------------------------------------------------


def investment_mix_chart(mix: pd.DataFrame, *, currency: str = "$") -> go.Figure:
    """100% bars per department, Unmapped shown as its own grey slice."""
    if mix.empty:
        return empty_figure("No spend lines in this period.")
    depts = [d for d in DEPARTMENT_ORDER if d in set(mix["department"])][::-1]
    fig = base_figure(height=max(200, 60 * len(depts) + 90))
    for kind in INVESTMENT_ORDER:
        part = mix[mix["investment_type"] == kind].set_index("department").reindex(depts)
        if part["spend"].isna().all():
            continue
        part = part.fillna({"share": 0.0, "spend": 0.0})  # a gap would break the stacking of later slices
        fig.add_trace(
            go.Bar(
                y=depts,
                x=part["share"],
                orientation="h",
                name=kind,
                marker_color=INVESTMENT_COLOURS[kind],
                text=[f"{kind} {share(s)}" if s >= 0.06 else "" for s in part["share"]],
                textposition="inside",
                insidetextanchor="middle",
                customdata=[money(v, currency=currency) for v in part["spend"]],
                hovertemplate=f"%{{y}} · {kind}: %{{x:.0%}} (%{{customdata}})<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        xaxis=dict(tickformat=".0%", range=[-0.005, 1.005], tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1]),
        uniformtext_minsize=14,
        uniformtext_mode="hide",
        legend_traceorder="normal",
        margin=dict(r=30),
    )  # room for the "100%" tick label
    return fig


# --- Drill-down ---------------------------------------------------------------------------


def drill_chart(level: DrillLevel, *, currency: str = "$") -> go.Figure:
    """The current drill level as horizontal bars in the department's colour, largest on top."""
    if level.rows.empty:
        return empty_figure("No spend lines for this selection.")
    rows = level.rows.iloc[::-1]
    fig = base_figure(height=max(200, 32 * len(rows) + 80))
    fig.add_trace(
        go.Bar(
            y=_plain(rows["name"]),
            x=rows["spend"],
            orientation="h",
            showlegend=False,
            marker_color=[DEPARTMENT_COLOURS.get(d, NEUTRAL) for d in rows["department"]],
            text=[
                f"{money(v, currency=currency)} · {share(s)}" if pd.notna(s) else money(v, currency=currency)
                for v, s in zip(rows["spend"], rows["share"])
            ],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        yaxis=dict(automargin=True, categoryorder="array", categoryarray=_plain(rows["name"])), margin=dict(t=10, r=110)
    )
    return money_axis(fig, "xaxis", currency=currency)

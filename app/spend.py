"""Cached adapters of the Tech spend page.

Keyed by small values only (engine URL, data version, fiscal start month, a quarter, a tuple
of departments, drill-down names); each returns a small aggregated frame or result from
`metrics.spend`. The data version changes with every import, so nothing stale survives one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import data
from app.data import engine_for, guarded
from app.figures import screen_figure
from app.text import mask_frame
from charts import spend as charts
from metrics import spend
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.masking import NO_MASK, VendorMask


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=8)
def vendor_directory(url: str, version: str) -> pd.DataFrame:
    """Every vendor spelling with its normalised identity (a few hundred rows at most)."""
    return spend.load_vendor_directory(engine_for(url))


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=64)
def period(
    url: str, version: str, fiscal_start: int, quarter: FiscalQuarter, departments: tuple[str, ...]
) -> pd.DataFrame:
    """The period frame: spend per department, category, vendor and investment type."""
    return spend.load_period(
        engine_for(url), FiscalCalendar(fiscal_start), quarter, departments, vendor_directory(url, version)
    )


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=32)
def budget(url: str, version: str, fiscal_year: int, departments: tuple[str, ...]) -> pd.DataFrame:
    return spend.budget_by_line(engine_for(url), fiscal_year, departments or None)


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=16)
def shadow_trend(url: str, version: str, fiscal_start: int, departments: tuple[str, ...]) -> pd.DataFrame:
    return spend.load_shadow_trend(
        engine_for(url), FiscalCalendar(fiscal_start), vendor_directory(url, version), departments
    )


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=8)
def possible_duplicates(url: str, version: str) -> pd.DataFrame:
    return spend.possible_duplicates(vendor_directory(url, version))


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=32)
def invoice_lines(
    url: str, version: str, fiscal_start: int, quarter: FiscalQuarter, department: str, category: str, vendor: str
) -> tuple[spend.LineSelection | None, pd.DataFrame]:
    """The selection behind a drill-down path, and at most `spend.LINE_CAP` of its lines."""
    selection = spend.line_selection(
        period(url, version, fiscal_start, quarter, (department,)), department, category, vendor
    )
    if selection is None:
        return None, pd.DataFrame(columns=list(spend.LINE_COLUMNS))
    return selection, spend.load_lines(engine_for(url), FiscalCalendar(fiscal_start), quarter, selection)


def masked_level(level: spend.DrillLevel, mask: VendorMask) -> spend.DrillLevel:
    """A drill-down level as shown with vendors masked: its rows (the chart's bars, the table and
    its download) and the path its sentence names."""
    return replace(level, path=tuple(mask.text(p) for p in level.path), rows=mask_frame(mask, level.rows))


@dataclass(frozen=True)
class TechSpendView:
    """Every figure, definition and chart of the Tech spend page above the drill-down, for one
    quarter, scope and display: computed once and shared (read-only) by every rerun and session,
    so that a rerun only draws. The charts are ready for the screen or the projector."""

    split_all: pd.DataFrame
    split_scoped: pd.DataFrame  # the departments in scope, by quarter
    headline: Any
    mshare: Any
    variance: Any
    budget_lines: pd.DataFrame  # the variance's lines, vendors masked when on
    landing: Any
    overlap: Any
    redundant: Any
    duplicates: pd.DataFrame
    shadow_trend: pd.DataFrame
    shadow: Any
    mix: Any
    charts: dict[str, go.Figure]


@guarded
@st.cache_resource(ttl="15m", show_spinner=False, max_entries=32)
def tech_spend_view(
    url: str,
    version: str,
    fiscal_start: int,
    quarter: FiscalQuarter,
    departments: tuple[str, ...],
    quarters: tuple[FiscalQuarter, ...],
    currency: str,
    mask_vendors: bool,
    presenting: bool,
    dark: bool,
) -> TechSpendView:
    q, scope = quarter, departments
    in_scope = scope or spend.DEPARTMENT_ORDER
    mask = data.vendor_mask(url, version) if mask_vendors else NO_MASK
    split_all = spend.quarterly_split(data.spend_by_quarter(url, version, fiscal_start))
    by_quarter = data.spend_by_quarter(url, version, fiscal_start, departments=scope)
    split_scoped = spend.quarterly_split(by_quarter)
    the_period = period(url, version, fiscal_start, q, scope)
    the_budget = budget(url, version, q.fiscal_year, scope)
    trend = shadow_trend(url, version, fiscal_start, scope)
    mshare = spend.marketing_share(split_all, q)
    variance = spend.budget_variance(the_period, the_budget, q)
    landing = spend.fiscal_year_landing(by_quarter, the_budget, q.fiscal_year, set(quarters))
    shadow = spend.shadow_it(the_period, trend, q, scope)
    mix = spend.investment_mix(the_period, q)
    budget_lines = mask_frame(mask, variance.lines) if variance is not None else pd.DataFrame()
    figures = {
        "split": charts.spend_by_quarter_chart(
            split_scoped, split_all, in_scope, spend.overtake_quarters(split_all), q, currency=currency
        ),
        "shadow_trend": charts.shadow_trend_chart(trend, q, currency=currency),
    }
    if variance is not None:
        figures["budget"] = charts.budget_vs_actual_chart(budget_lines, currency=currency)
        figures["heatmap"] = charts.variance_heatmap(budget_lines, currency=currency)
    if landing is not None:
        figures["landing"] = charts.landing_chart(landing, currency=currency)
    if shadow:
        figures["shadow_vendors"] = charts.top_vendors_chart(mask_frame(mask, shadow.top_vendors), currency=currency)
    if mix is not None:
        figures["mix"] = charts.investment_mix_chart(mix.mix, currency=currency)
    return TechSpendView(
        split_all=split_all,
        split_scoped=split_scoped,
        headline=spend.spend_split(by_quarter, q),
        mshare=mshare,
        variance=variance,
        budget_lines=budget_lines,
        landing=landing,
        overlap=spend.vendor_overlap(the_period, q, scope),
        redundant=spend.redundant_tools(the_period, q, scope),
        duplicates=possible_duplicates(url, version),
        shadow_trend=trend,
        shadow=shadow,
        mix=mix,
        charts={name: screen_figure(fig, presenting, dark) for name, fig in figures.items()},
    )

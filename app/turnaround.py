"""Cached adapters between the Request turnaround page and `metrics.turnaround`, and the
masked view of a result the page shows.

Keyed by small values only: the engine URL, the data version (changes with every import), the
fiscal start month, quarters, the page's filter (a small frozen dataclass of tuples) and dates.
Every result is a small aggregated frame or dataclass.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TypedDict

import pandas as pd
import streamlit as st

from app.data import engine_for, guarded
from app.text import mask_frame
from metrics import turnaround as ta
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.masking import VendorMask


class _CacheOptions(TypedDict):
    """The `st.cache_data` options every adapter here shares (typed so that `**_CACHE` checks)."""

    ttl: str
    show_spinner: bool
    max_entries: int


_CACHE = _CacheOptions(ttl="15m", show_spinner=False, max_entries=64)


@guarded
@st.cache_data(**_CACHE)
def filter_options(url: str, version: str) -> dict[str, list[str]]:
    return ta.filter_options(engine_for(url))


@guarded
@st.cache_data(**_CACHE)
def request_counts(url: str, version: str, filters: ta.RequestFilter) -> ta.RequestCounts:
    return ta.request_counts(engine_for(url), filters)


@guarded
@st.cache_data(**_CACHE)
def lead_time_by_quarter(url: str, version: str, fiscal_start: int, filters: ta.RequestFilter) -> pd.DataFrame:
    """Every quarter with deliveries (a few dozen rows at most): headline, trend and period picker."""
    return ta.lead_time_by_quarter(engine_for(url), FiscalCalendar(fiscal_start), filters=filters)


@guarded
@st.cache_data(**_CACHE)
def lead_time_by(
    url: str, version: str, fiscal_start: int, quarter: FiscalQuarter, dimension: str, filters: ta.RequestFilter
) -> pd.DataFrame:
    return ta.lead_time_by(engine_for(url), FiscalCalendar(fiscal_start), quarter, dimension, filters)


@guarded
@st.cache_data(**_CACHE)
def breach_rate_by_priority(
    url: str, version: str, fiscal_start: int, first: FiscalQuarter, last: FiscalQuarter, filters: ta.RequestFilter
) -> pd.DataFrame:
    return ta.breach_rate_by_priority(engine_for(url), FiscalCalendar(fiscal_start), first, last, filters)


@guarded
@st.cache_data(**_CACHE)
def stage_medians_by_quarter(
    url: str, version: str, fiscal_start: int, first: FiscalQuarter, last: FiscalQuarter, filters: ta.RequestFilter
) -> pd.DataFrame:
    return ta.stage_medians_by_quarter(engine_for(url), FiscalCalendar(fiscal_start), first, last, filters)


@guarded
@st.cache_data(**_CACHE)
def backlog_ageing(
    url: str, version: str, fiscal_start: int, quarter: FiscalQuarter, today: date, filters: ta.RequestFilter
) -> ta.Backlog | None:
    return ta.backlog_ageing(engine_for(url), FiscalCalendar(fiscal_start), quarter, today, filters)


@guarded
@st.cache_data(**_CACHE)
def flow_by_quarter(
    url: str, version: str, fiscal_start: int, first: FiscalQuarter, last: FiscalQuarter, filters: ta.RequestFilter
) -> pd.DataFrame:
    return ta.flow_by_quarter(engine_for(url), FiscalCalendar(fiscal_start), first, last, filters)


@guarded
@st.cache_data(**_CACHE)
def lead_time_histogram(
    url: str, version: str, fiscal_start: int, quarter: FiscalQuarter, p95: float, filters: ta.RequestFilter
) -> ta.Histogram | None:
    return ta.lead_time_histogram(engine_for(url), FiscalCalendar(fiscal_start), quarter, p95, filters)


@guarded
@st.cache_data(**_CACHE)
def lead_time_points(
    url: str, version: str, fiscal_start: int, first: FiscalQuarter, last: FiscalQuarter, filters: ta.RequestFilter
) -> ta.LeadTimePoints | None:
    return ta.lead_time_points(engine_for(url), FiscalCalendar(fiscal_start), first, last, filters)


def masked_points(points: ta.LeadTimePoints | None, mask: VendorMask) -> ta.LeadTimePoints | None:
    """The scatter's deliveries as shown with vendors masked (their request ids are in the hover)."""
    return None if points is None else replace(points, points=mask_frame(mask, points.points))

"""Cached adapters of the Tech spend page.

Keyed by small values only (engine URL, data version, fiscal start month, a quarter, a tuple
of departments, drill-down names); each returns a small aggregated frame or result from
`metrics.spend`. The data version changes with every import, so nothing stale survives one.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from app.data import engine_for, guarded
from app.text import mask_frame
from metrics import spend
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.masking import VendorMask


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

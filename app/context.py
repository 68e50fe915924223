"""What a page knows after `app.shell.page_setup()`: settings, calendar, data source, filters
and modes. Apart from the shell so that the shell, the board-pack buttons and the pages can all
use it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.engine import Engine

from app import data
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.masking import NO_MASK, VendorMask
from metrics.settings import Settings

PRESENTING, MASKING = "bb_present", "bb_mask"  # the modes, kept for the session
SLIDE = "bb_slide"  # presentation mode: the slide shown on the current page, from 0 (the link's &slide=N is 1-based)


@dataclass(frozen=True)
class Filters:
    quarter: FiscalQuarter | None
    departments: tuple[str, ...]  # empty = all departments

    @property
    def department_label(self) -> str:
        return "All departments" if not self.departments else ", ".join(self.departments)


@dataclass(frozen=True)
class PageContext:
    settings: Settings
    calendar: FiscalCalendar
    status: data.SourceStatus
    filters: Filters
    quarters: tuple[FiscalQuarter, ...]
    presenting: bool = False  # presentation mode: no sidebar, larger type, previous / next
    mask_vendors: bool = False  # vendor names shown as "Vendor A", "Vendor B"...

    @property
    def vendor_mask(self) -> VendorMask:
        """Apply `.text()` to every text that may name a vendor (identity when not masking)."""
        if not self.mask_vendors or not self.status.ok:
            return NO_MASK
        return data.vendor_mask(self.url, self.status.version)

    @property
    def link_params(self) -> dict:
        """Query parameters that carry the period, scope and modes to another page."""
        return filters_link(self.filters)

    @property
    def symbol(self) -> str:
        """The reporting currency's sign, for every amount the page writes."""
        return self.settings.money_symbol

    @property
    def has_data(self) -> bool:
        return self.status.ok

    @property
    def url(self) -> str:
        return self.status.url or ""

    @property
    def engine(self) -> Engine:
        return data.engine_for(self.url)

    @property
    def period_label(self) -> str:
        q = self.filters.quarter
        if q is None:
            return "No period selected"
        start, end = self.calendar.quarter_start(q), self.calendar.quarter_end(q)
        return f"{q.label} ({start:%d %b %Y} – {end:%d %b %Y})"


def _filter_params(filters: Filters) -> dict:
    params: dict = {}
    if filters.quarter is not None:
        params["quarter"] = filters.quarter.label
    if filters.departments:
        params["department"] = list(filters.departments)
    return params


def filters_link(filters: Filters) -> dict:
    """The filters and the modes on, as query parameters: the link reopens the same view."""
    params = _filter_params(filters)
    if st.session_state.get(PRESENTING):
        params["present"] = "1"
    if st.session_state.get(MASKING):
        params["mask"] = "1"
    return params

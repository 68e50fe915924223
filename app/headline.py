"""The Overview's cached adapter: the quarter's headline, loaded by the one loader that the board
pack and ``python -m metrics summary`` use too (`metrics.headline.load_headline`).

Keyed by small values: the URL, the data version, the targets version (a target edited in the
app changes the scorecard), the fiscal start, the quarter, the department scope, the day (the
backlog of a quarter in progress is counted up to today) and the reporting currency's sign.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app.data import engine_for, guarded
from metrics import headline as hl
from metrics.fiscal import FiscalCalendar, FiscalQuarter


@guarded
@st.cache_data(ttl="15m", show_spinner=False, max_entries=32)
def quarter_headline(
    url: str,
    version: str,
    targets_version: str,
    fiscal_start: int,
    quarter: FiscalQuarter,
    departments: tuple[str, ...],
    today: date,
    currency: str,
) -> hl.Headline:
    return hl.load_headline(
        engine_for(url), FiscalCalendar(fiscal_start), quarter, departments, today, currency=currency
    )

"""The spend area's loaders: each runs named queries and hands their small frames to the
computations. These are what the app's cached adapters, the headline and the board pack call."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy.engine import Engine

from metrics import db
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.spend import queries
from metrics.spend.compute import (
    LINE_CAP,
    LineSelection,
    shadow_it_trend,
    shadow_vendor_spellings,
    vendor_directory,
    with_vendors,
)


def load_vendor_directory(engine: Engine) -> pd.DataFrame:
    """Every vendor spelling in the ledger with its normalised identity (see `vendor_directory`)."""
    return vendor_directory(queries.spend_by_vendor_name(engine), db.read_small_table(engine, "vendors"))


def load_period(
    engine: Engine,
    calendar: FiscalCalendar,
    quarter: FiscalQuarter,
    departments: Sequence[str],
    directory: pd.DataFrame,
) -> pd.DataFrame:
    """The period frame of `quarter` in scope."""
    return with_vendors(queries.period_spend(engine, calendar, quarter, departments or None), directory)


def load_shadow_trend(
    engine: Engine, calendar: FiscalCalendar, directory: pd.DataFrame, departments: Sequence[str]
) -> pd.DataFrame:
    return shadow_it_trend(
        queries.shadow_spend_by_quarter(engine, calendar, shadow_vendor_spellings(directory), departments or None)
    )


def load_lines(
    engine: Engine, calendar: FiscalCalendar, quarter: FiscalQuarter, selection: LineSelection, cap: int = LINE_CAP
) -> pd.DataFrame:
    return queries.spend_lines(
        engine, calendar, quarter, selection.department, selection.category, selection.spellings, cap
    )

"""KPIs loaded from a database: the queries and the computations combined."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.kpis.compute import TREND_QUARTERS, KpiCard, scorecard, window
from metrics.kpis.queries import kpi_glossary, kpi_quarter_values
from metrics.targets import effective_targets


def load_scorecard(
    engine: Engine, calendar: FiscalCalendar, quarter: FiscalQuarter, size: int = TREND_QUARTERS
) -> list[KpiCard]:
    """The scorecard of `quarter`: one card per glossary KPI, with the `size` quarters of trend
    ending with it (glossary, quarter values and effective targets, in-app target changes
    included). The Customer experience page and the Overview (through the app's cache), the
    board pack and the command line all load it here."""
    first = window(quarter, size)[0]
    return scorecard(
        kpi_glossary(engine),
        kpi_quarter_values(engine, calendar, first, quarter),
        effective_targets(engine, first, quarter),
        quarter,
        size,
    )

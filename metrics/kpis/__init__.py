"""Customer-experience KPIs: each KPI's value per fiscal quarter, its status against the
quarter's effective target (`metrics.targets`), its change since earlier quarters, and the
sentences the page, the Overview and the board pack show.

Modules
    ``queries``  the glossary and the monthly KPI aggregates in SQL, and their runners; ends with ``QUERIES``
    ``compute``  folding months into quarters, statuses, changes, the scorecard's cards and their
                 masking (the definitions are in its docstring); no engine, no SQL
    ``wording``  the scorecard's sentences, the current target in words, the glossary table
    ``load``     `load_scorecard`, the one loader of the scorecard

The names below are re-exported so that ``from metrics import kpis; kpis.X(...)`` works.
"""

from __future__ import annotations

from metrics.kpis.compute import (
    AGREED,
    AT_RISK,
    DEFAULT_AGGREGATION,
    DEFAULT_AT_RISK_SHARE,
    FAVOURABLE,
    MISSING,
    MONTHLY_COLUMNS,
    NEUTRAL,
    NO_DATA,
    NO_TARGET,
    OFF_TARGET,
    ON_TARGET,
    STATUSES,
    TREND_QUARTERS,
    UNFAVOURABLE,
    VALUE_COLUMNS,
    Change,
    Kpi,
    KpiCard,
    QuarterPoint,
    agreement_state,
    at_risk_threshold,
    change_tone,
    combine_quarters,
    filter_cards,
    fold_months,
    glossary_entries,
    masked_cards,
    scorecard,
    shortfall,
    status,
    target_quarters,
    window,
)
from metrics.kpis.load import load_scorecard
from metrics.kpis.queries import (
    kpi_glossary,
    kpi_glossary_stmt,
    kpi_monthly_stmt,
    kpi_observations_on_stmt,
    kpi_quarter_values,
)
from metrics.kpis.wording import (
    GLOSSARY_COLUMNS,
    STATUS_PHRASES,
    bullet_sentence,
    glossary_table,
    scorecard_sentence,
    target_summary,
    trend_sentence,
)

__all__ = [
    "AGREED",
    "AT_RISK",
    "DEFAULT_AGGREGATION",
    "DEFAULT_AT_RISK_SHARE",
    "GLOSSARY_COLUMNS",
    "MONTHLY_COLUMNS",
    "NO_DATA",
    "NO_TARGET",
    "OFF_TARGET",
    "FAVOURABLE",
    "MISSING",
    "NEUTRAL",
    "UNFAVOURABLE",
    "change_tone",
    "ON_TARGET",
    "STATUSES",
    "STATUS_PHRASES",
    "TREND_QUARTERS",
    "VALUE_COLUMNS",
    "Change",
    "Kpi",
    "KpiCard",
    "QuarterPoint",
    "agreement_state",
    "at_risk_threshold",
    "bullet_sentence",
    "combine_quarters",
    "filter_cards",
    "fold_months",
    "glossary_entries",
    "glossary_table",
    "kpi_glossary",
    "kpi_glossary_stmt",
    "kpi_monthly_stmt",
    "kpi_observations_on_stmt",
    "kpi_quarter_values",
    "load_scorecard",
    "masked_cards",
    "scorecard",
    "scorecard_sentence",
    "shortfall",
    "status",
    "target_quarters",
    "target_summary",
    "trend_sentence",
    "window",
]

"""Tech spend: what technology costs, who pays for it, and against which budget.

- `metrics.spend.queries`: the named SQL (spend per month and department, per vendor as invoiced,
  per period, shadow IT per month, budget and forecast lines, the invoice lines of a drill-down),
  their runners, and the area's ``QUERIES`` registry;
- `metrics.spend.compute`: the pure definitions on those small frames (split and marketing share,
  budget variance and fiscal-year landing, vendor overlap, redundant tools, shadow IT, the
  Run / Grow / Transform mix, the drill-down);
- `metrics.spend.wording`: the verdicts, the one budget-variance wording, the sentences above the
  charts and the glossary;
- `metrics.spend.load`: the loaders that run the queries and feed the computations.

The public names are re-exported here, so callers write ``from metrics import spend`` and
``spend.budget_variance(...)``.
"""

from __future__ import annotations

from metrics.spend.compute import (
    BUDGET,
    DEPARTMENT_ORDER,
    DRILL_LEVELS,
    FORECAST,
    INVESTMENT_ORDER,
    LINE_CAP,
    SHADOW_DEPARTMENTS,
    UNMAPPED,
    BudgetVariance,
    DrillLevel,
    FiscalYearLanding,
    InvestmentMix,
    LineSelection,
    MarketingShare,
    RedundantTools,
    ShadowIT,
    SpendSplit,
    VendorOverlap,
    budget_variance,
    drill_down,
    fiscal_year_landing,
    investment_mix,
    line_selection,
    marketing_share,
    overtake_quarters,
    possible_duplicates,
    quarterly_split,
    redundant_tools,
    shadow_in_scope,
    shadow_it,
    shadow_it_trend,
    shadow_vendor_spellings,
    spend_split,
    vendor_directory,
    vendor_overlap,
    with_vendors,
)
from metrics.spend.load import load_lines, load_period, load_shadow_trend, load_vendor_directory
from metrics.spend.queries import (
    CURRENCY_COLUMNS,
    LINE_COLUMNS,
    budget_by_line,
    period_spend,
    quarters_with_spend,
    shadow_spend_by_quarter,
    spend_by_quarter,
    spend_by_vendor_name,
    spend_lines,
)
from metrics.spend.wording import (
    GLOSSARY,
    NEAR_MATCH_THRESHOLD,
    VERDICT_LABELS,
    VERDICT_SYMBOLS,
    duplicates_sentence,
    shadow_trend_sentence,
    variance_percent,
    variance_words,
    verdict,
    with_verdict_labels,
)

__all__ = [
    # queries
    "CURRENCY_COLUMNS",
    "LINE_COLUMNS",
    "budget_by_line",
    "period_spend",
    "quarters_with_spend",
    "shadow_spend_by_quarter",
    "spend_by_quarter",
    "spend_by_vendor_name",
    "spend_lines",
    # compute
    "BUDGET",
    "DEPARTMENT_ORDER",
    "DRILL_LEVELS",
    "FORECAST",
    "INVESTMENT_ORDER",
    "LINE_CAP",
    "SHADOW_DEPARTMENTS",
    "UNMAPPED",
    "BudgetVariance",
    "DrillLevel",
    "FiscalYearLanding",
    "InvestmentMix",
    "LineSelection",
    "MarketingShare",
    "RedundantTools",
    "ShadowIT",
    "SpendSplit",
    "VendorOverlap",
    "budget_variance",
    "drill_down",
    "fiscal_year_landing",
    "investment_mix",
    "line_selection",
    "marketing_share",
    "overtake_quarters",
    "possible_duplicates",
    "quarterly_split",
    "redundant_tools",
    "shadow_in_scope",
    "shadow_it",
    "shadow_it_trend",
    "shadow_vendor_spellings",
    "spend_split",
    "vendor_directory",
    "vendor_overlap",
    "with_vendors",
    # wording
    "GLOSSARY",
    "NEAR_MATCH_THRESHOLD",
    "VERDICT_LABELS",
    "VERDICT_SYMBOLS",
    "duplicates_sentence",
    "shadow_trend_sentence",
    "variance_percent",
    "variance_words",
    "verdict",
    "with_verdict_labels",
    # loaders
    "load_lines",
    "load_period",
    "load_shadow_trend",
    "load_vendor_directory",
]

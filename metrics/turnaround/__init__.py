"""Request turnaround: lead time, percentiles, SLA breaches, stage durations, backlog ageing, flow.

- `metrics.turnaround.queries`: the named SQL statements (`<name>_stmt`), the runners that execute
  them on an engine and shape the small frames, and the `QUERIES` registry of every statement run.
- `metrics.turnaround.compute`: the constants, the result dataclasses and the pure computations on
  the frames (quarters, headline figures, histogram bars, rolling median, backlog cut-off).
- `metrics.turnaround.wording`: `DEFINITIONS` (the page's "Definitions" section and the README's
  "Request turnaround" section), the labels and the sentence above every chart.

The public API is re-exported here, so callers keep `from metrics import turnaround as ta; ta.X(...)`.
"""

from __future__ import annotations

from metrics.turnaround.compute import (
    AGE_BUCKETS,
    DEFAULT_SLA_DAYS,
    MAX_POINTS,
    OLDEST_OPEN,
    PERCENTILES,
    ROLLING_WINDOW,
    SCATTER_QUARTERS,
    TREND_QUARTERS,
    Backlog,
    Histogram,
    LeadTimePoints,
    QuarterTurnaround,
    RequestCounts,
    delivery_quarters,
    histogram_width,
    in_window,
    quarter_turnaround,
    trend_window,
)
from metrics.turnaround.queries import (
    ALL_REQUESTS,
    RequestFilter,
    backlog_ageing,
    breach_rate_by_priority,
    filter_options,
    flow_by_quarter,
    lead_time_by,
    lead_time_by_quarter,
    lead_time_histogram,
    lead_time_points,
    request_counts,
    request_facts,
    stage_medians_by_quarter,
)
from metrics.turnaround.wording import (
    BREAKDOWNS,
    DEFINITIONS,
    STAGES,
    backlog_sentence,
    breach_sentence,
    breach_trend_sentence,
    breakdown_sentence,
    data_quality_sentence,
    days_label,
    definitions_markdown,
    distribution_sentence,
    flow_sentence,
    lead_time_headline,
    lead_time_sentence,
    own_sla_favourable,
    own_sla_sentence,
    requests_label,
    scatter_sentence,
    sla_defaults_text,
    stage_sentence,
    unknown_stages_note,
    within_delta_label,
)

__all__ = [
    # compute
    "AGE_BUCKETS",
    "DEFAULT_SLA_DAYS",
    "MAX_POINTS",
    "OLDEST_OPEN",
    "PERCENTILES",
    "ROLLING_WINDOW",
    "SCATTER_QUARTERS",
    "TREND_QUARTERS",
    "Backlog",
    "Histogram",
    "LeadTimePoints",
    "QuarterTurnaround",
    "RequestCounts",
    "delivery_quarters",
    "histogram_width",
    "in_window",
    "quarter_turnaround",
    "trend_window",
    # queries
    "ALL_REQUESTS",
    "RequestFilter",
    "backlog_ageing",
    "breach_rate_by_priority",
    "filter_options",
    "flow_by_quarter",
    "lead_time_by",
    "lead_time_by_quarter",
    "lead_time_histogram",
    "lead_time_points",
    "request_counts",
    "request_facts",
    "stage_medians_by_quarter",
    # wording
    "lead_time_headline",
    "within_delta_label",
    "BREAKDOWNS",
    "DEFINITIONS",
    "STAGES",
    "backlog_sentence",
    "breach_sentence",
    "breach_trend_sentence",
    "breakdown_sentence",
    "data_quality_sentence",
    "days_label",
    "definitions_markdown",
    "distribution_sentence",
    "flow_sentence",
    "lead_time_sentence",
    "own_sla_favourable",
    "own_sla_sentence",
    "requests_label",
    "scatter_sentence",
    "sla_defaults_text",
    "stage_sentence",
    "unknown_stages_note",
]

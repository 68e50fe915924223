"""Pure parts of request turnaround: headline arithmetic, day labels, bar widths, the SQL constructs
as each dialect compiles them, and the sentence above every chart."""

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics import turnaround as ta
from metrics.fiscal import FiscalCalendar, FiscalQuarter

Q1, Q2 = FiscalQuarter(2026, 1), FiscalQuarter(2026, 2)
COLUMNS = [
    "quarter",
    "fiscal_year",
    "fiscal_quarter",
    "delivered",
    "breaches",
    "excluded",
    "p50",
    "p85",
    "p95",
    "sla_p50",
    "breach_rate",
]


def _by_quarter(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


BY_QUARTER = _by_quarter(
    ("FY2026 Q1", 2026, 1, 6, 4, 1, 16.0, 33.875, 41.625, 12.5, 4 / 6),
    ("FY2026 Q2", 2026, 2, 2, 0, 0, 7.5, 9.25, 9.75, 15.0, 0.0),
)


def test_headline_is_p85_rounded_up():
    t = ta.quarter_turnaround(BY_QUARTER, Q2)
    assert t.within_days == 10  # ceil(9.25)
    assert ta.lead_time_headline(t) == "85% of requests delivered within 10 days"
    assert t.breach_rate == 0.0
    # In the headline's own whole days: ceil(9.25) - ceil(33.875) = 10 - 34
    assert t.previous_within_days == 34
    assert ta.within_delta_label(t) == "-24 days vs FY2026 Q1"


def _own_sla(past_p85):
    return ta.QuarterTurnaround(Q1, 6, 0, 1, 10.0, 20.0, 25.0, None, past_p85)


@pytest.mark.parametrize(
    "past_p85, sentence, favourable",
    [
        (4.2, "85% were delivered within 5 days of their own SLA", False),  # rounded up, as the headline
        (0.5, "85% were delivered within 1 day of their own SLA", False),
        (0.0, "85% were delivered within their own SLA", True),
        (-0.5, "85% were delivered within their own SLA", True),  # ceil(-0.5) = 0: not a whole day inside
        (-3.0, "85% were delivered at least 3 days inside their own SLA", True),
        (-3.7, "85% were delivered at least 3 days inside their own SLA", True),  # at least 3.7: say 3
        (5.000000000001, "85% were delivered within 5 days of their own SLA", False),  # float noise
    ],
)
def test_own_sla_sentence_compares_each_request_with_its_own_sla(past_p85, sentence, favourable):
    t = _own_sla(past_p85)
    assert ta.own_sla_sentence(t) == sentence
    assert ta.own_sla_favourable(t) is favourable


def test_own_sla_sentence_without_the_figure_is_none():
    assert ta.own_sla_sentence(None) is None
    t = _own_sla(None)
    assert ta.own_sla_sentence(t) is None and not ta.own_sla_favourable(t)
    # A frame without the column (an older cached frame) reads as no figure, not an error.
    assert ta.quarter_turnaround(BY_QUARTER, Q1).past_sla_p85 is None


def test_float_noise_does_not_add_a_day():
    noisy = _by_quarter(("FY2026 Q1", 2026, 1, 3, 0, 0, 5.0, 12.000000000001, 13.0, 20.0, 0.0))
    assert ta.quarter_turnaround(noisy, Q1).within_days == 12


def test_no_delivery_is_no_data_not_zero():
    assert ta.quarter_turnaround(BY_QUARTER, FiscalQuarter(2026, 3)) is None
    assert ta.quarter_turnaround(BY_QUARTER.iloc[0:0], Q1) is None
    assert ta.quarter_turnaround(BY_QUARTER, None) is None
    # Everything delivered in the quarter was excluded: delivered 0, no percentiles, no breach rate.
    all_excluded = _by_quarter(("FY2026 Q1", 2026, 1, 0, 0, 3, None, None, None, None, None))
    t = ta.quarter_turnaround(all_excluded, Q1)
    assert (t.delivered, t.excluded, t.within_days, t.breach_rate) == (0, 3, None, None)
    assert ta.lead_time_headline(t) == "No requests delivered in FY2026 Q1"
    assert ta.quarter_turnaround(BY_QUARTER, Q1).previous_p85 is None  # nothing in FY2025 Q4


@pytest.mark.parametrize(
    "value, label",
    [
        (None, "no data"),
        (1, "1 day"),
        (0, "0 days"),
        (2.46, "2.5 days"),
        (9.96, "10 days"),
        (33.875, "34 days"),
        (1140, "1,140 days"),
    ],
)
def test_days_label(value, label):
    assert ta.days_label(value) == label


@pytest.mark.parametrize(
    "p95, width", [(0.0, 1), (24.9, 1), (25.0, 1), (25.1, 2), (41.625, 2), (120, 5), (700, 30), (100_000, 365)]
)
def test_histogram_width_keeps_at_most_25_bars(p95, width):
    assert ta.histogram_width(p95) == width


def test_sla_defaults_documented():
    assert dict(ta.DEFAULT_SLA_DAYS) == {"Critical": 5, "High": 10, "Medium": 20, "Low": 40}
    assert ta.sla_defaults_text() == "Critical 5 · High 10 · Medium 20 · Low 40 days"
    assert ta.sla_defaults_text({"High": 2.5}) == "High 2.5 days"


def test_trend_window_and_in_window():
    assert ta.trend_window(Q2, 4) == (FiscalQuarter(2025, 3), Q2)
    assert ta.trend_window(Q2, 1) == (Q2, Q2)
    assert ta.in_window(BY_QUARTER, Q2, Q2)["quarter"].tolist() == ["FY2026 Q2"]
    assert ta.in_window(BY_QUARTER, FiscalQuarter(2025, 1), Q1)["quarter"].tolist() == ["FY2026 Q1"]
    assert ta.delivery_quarters(BY_QUARTER) == [Q1, Q2]


# --- Sentences -----------------------------------------------------------------------------


def test_lead_time_sentence():
    assert ta.lead_time_sentence(BY_QUARTER, Q2) == (
        "In FY2026 Q2 half of the requests were delivered within 7.5 days and 85% within 10 days, "
        "down from 34 days in FY2026 Q1."
    )
    assert ta.lead_time_sentence(BY_QUARTER, Q1).endswith("85% within 34 days.")
    assert "No requests were delivered in FY2026 Q3" in ta.lead_time_sentence(BY_QUARTER, FiscalQuarter(2026, 3))


BREACHES = pd.DataFrame(
    [
        ("FY2026 Q1", 2026, 1, "Critical", 1, 0, 0.0),
        ("FY2026 Q1", 2026, 1, "High", 2, 1, 0.5),
        ("FY2026 Q1", 2026, 1, "Medium", 2, 2, 1.0),
        ("FY2026 Q1", 2026, 1, "Low", 1, 1, 1.0),
        ("FY2026 Q2", 2026, 2, "High", 1, 0, 0.0),
        ("FY2026 Q2", 2026, 2, "Medium", 1, 0, 0.0),
    ],
    columns=["quarter", "fiscal_year", "fiscal_quarter", "priority", "delivered", "breaches", "breach_rate"],
)


def test_breach_sentences():
    # Q1: 4 of 6 = 67%; Medium and Low both at 100%, Medium has more deliveries so it is named.
    assert ta.breach_sentence(BREACHES, Q1) == (
        "In FY2026 Q1 4 of 6 delivered requests (67%) missed their SLA; Medium fared worst at 100% (2 of 2)."
    )
    assert ta.breach_sentence(BREACHES, Q2) == "In FY2026 Q2 0 of 2 delivered requests (0%) missed their SLA."
    assert ta.breach_trend_sentence(BREACHES, Q2) == (
        "Across priorities the breach rate fell from 67% in FY2026 Q1 to 0% in FY2026 Q2."
    )
    assert ta.breach_trend_sentence(BREACHES, Q1) == (
        "FY2026 Q1 is the first quarter with deliveries: 67% missed their SLA."
    )


STAGES = pd.DataFrame(
    [
        ("FY2026 Q1", 2026, 1, 6, 2, 3, 1, 3.5, 2.0, 7.0),
        ("FY2026 Q2", 2026, 2, 2, 0, 0, 0, 1.5, 3.0, 3.0),
        ("FY2026 Q3", 2026, 3, 4, 4, 4, 4, None, None, None),
    ],
    columns=[
        "quarter",
        "fiscal_year",
        "fiscal_quarter",
        "delivered",
        "marketing_unknown",
        "it_queue_unknown",
        "delivery_unknown",
        "marketing",
        "it_queue",
        "delivery",
    ],
)


def test_stage_sentence_and_unknowns():
    # IT = queue 2 + delivery 7 = 9 days
    assert ta.stage_sentence(STAGES, Q1) == (
        "In FY2026 Q1 the median request waited 3.5 days on marketing's requirements and 9 days on IT "
        "(2 days in the queue, 7 days in delivery)."
    )
    assert ta.unknown_stages_note(STAGES, Q1) == (
        "Stage times unknown (timestamps missing or out of order), of 6 requests delivered in FY2026 Q1: "
        "Waiting on marketing 2, IT queue 3, IT delivery 1. Those requests are left out of that stage's median only."
    )
    assert ta.unknown_stages_note(STAGES, Q2) is None
    year_later = pd.concat([STAGES, STAGES.iloc[[0]].assign(quarter="FY2027 Q1", fiscal_year=2027)])
    # A year earlier (FY2026 Q1): marketing 3.5, IT 2 + 7 = 9
    assert ta.stage_sentence(year_later, FiscalQuarter(2027, 1)).endswith(
        "; a year earlier 3.5 days on marketing and 9 days on IT."
    )
    assert "has stage timestamps" in ta.stage_sentence(STAGES, FiscalQuarter(2026, 3))
    assert "No requests were delivered in FY2025 Q4" in ta.stage_sentence(STAGES, FiscalQuarter(2025, 4))


def test_backlog_sentence():
    oldest = pd.DataFrame([{"request_id": "R11", "age_days": 121}, {"request_id": "R13", "age_days": 90}])
    backlog = ta.Backlog(
        Q1, date(2026, 3, 31), False, {"0-30 days": 3, "31-60 days": 2, "61-90 days": 1, "Over 90 days": 1}, oldest
    )
    assert ta.backlog_sentence(backlog, Q1) == (
        "7 requests were open at 31 Mar 2026; 1 older than 90 days. The oldest, R11, has waited 121 days."
    )
    empty = ta.Backlog(Q1, date(2026, 3, 31), False, dict.fromkeys(backlog.buckets, 0), oldest.iloc[0:0])
    assert ta.backlog_sentence(empty, Q1) == "No requests were open at 31 Mar 2026."
    assert "no backlog to age" in ta.backlog_sentence(None, Q1)


def test_flow_sentence():
    flow = pd.DataFrame(
        [("FY2026 Q1", 2026, 1, 12, 6), ("FY2026 Q2", 2026, 2, 1, 2)],
        columns=["quarter", "fiscal_year", "fiscal_quarter", "arrived", "delivered"],
    )
    assert ta.flow_sentence(flow, Q1) == "In FY2026 Q1 12 requests arrived and 6 were delivered: the backlog grew by 6."
    assert ta.flow_sentence(flow, Q2) == "In FY2026 Q2 1 request arrived and 2 were delivered: the backlog shrank by 1."
    assert ta.flow_sentence(flow, FiscalQuarter(2026, 3)) == "No requests arrived or were delivered in FY2026 Q3."


def test_distribution_and_scatter_sentences():
    bins = pd.DataFrame(
        [
            {"start": 0, "end": 2, "count": 5, "label": "0-2 days"},
            {"start": 2, "end": None, "count": 1, "label": "2+ days"},
        ]
    )
    t = ta.quarter_turnaround(BY_QUARTER, Q1)
    assert ta.distribution_sentence(ta.Histogram(bins, 2, 6), t) == (
        "Of 6 requests delivered in FY2026 Q1, half took up to 16 days and 95% up to 42 days; 1 took 2 days or more."
    )
    assert ta.distribution_sentence(None, t) == "No lead times to show for this quarter."
    rolling = pd.DataFrame({"delivered_at": pd.to_datetime(["2026-01-09", "2026-03-31"]), "median": [4.0, 20.0]})
    points = ta.LeadTimePoints(pd.DataFrame({"lead_days": [1.0] * 3}), rolling, total=9, step=3)
    assert ta.scatter_sentence(points, Q1, Q2) == (
        "Each dot is a request delivered from FY2026 Q1 to FY2026 Q2 (one in 3 of 9 deliveries, taken in date "
        "order: 3 shown; the median line is computed on those); the 30-day rolling median went from 4 days in "
        "Jan 2026 to 20 days in Mar 2026."
    )
    assert ta.scatter_sentence(None, Q1, Q2) == "No requests were delivered from FY2026 Q1 to FY2026 Q2."


def test_breakdown_sentence():
    breakdown = pd.DataFrame(
        [{"value": "Brand", "p85": 41.0}, {"value": "Demand gen", "p85": 9.1}, {"value": "(not recorded)", "p85": 20.0}]
    )
    assert ta.breakdown_sentence(breakdown, "requested_by", Q1) == (
        "In FY2026 Q1 the slowest requesting team was Brand (85% within 41 days), the fastest Demand gen (9.1 days)."
    )
    assert ta.breakdown_sentence(breakdown.iloc[:1], "priority", Q1) == (
        "In FY2026 Q1 every delivered request had priority Brand: 85% within 41 days."
    )


def test_data_quality_sentence_counts_the_excluded():
    t = ta.quarter_turnaround(BY_QUARTER, Q1)
    counts = ta.RequestCounts(total=15, delivered=9, delivered_before_requested=1, open=6)
    assert ta.data_quality_sentence(counts, t, Q1) == (
        "1 of 9 delivered requests (11%) are recorded as delivered before they were requested. Their dates cannot "
        "both be right, so they are excluded from every figure on this page rather than averaged in "
        "(1 of them in FY2026 Q1)."
    )
    assert ta.data_quality_sentence(counts, None, Q2).endswith("(none of them in FY2026 Q2).")
    clean = ta.RequestCounts(total=3, delivered=2, delivered_before_requested=0, open=1)
    assert ta.data_quality_sentence(clean, t, Q1) == (
        "No request was recorded as delivered before it was requested; none is excluded."
    )


# --- The package's shape: one source for the definitions, every statement listed ------------------


def test_definitions_are_filled_from_the_constants():
    from metrics.turnaround.wording import DEFINITIONS

    assert ta.sla_defaults_text() in DEFINITIONS["SLA"]
    assert "p50, p85 and p95" in DEFINITIONS["Percentiles"]
    assert "0-30, 31-60, 61-90 and over 90 days" in DEFINITIONS["Backlog ageing"]
    assert f"{ta.TREND_QUARTERS} quarters" in DEFINITIONS["Charts"] and f"{ta.MAX_POINTS:,}" in DEFINITIONS["Charts"]
    bullets = ta.definitions_markdown().splitlines()
    assert [b.split("**")[1] for b in bullets] == list(DEFINITIONS)


def test_every_query_compiles_on_every_dialect_and_percentiles_only_where_sql_has_them():
    import duckdb_engine
    from sqlalchemy.dialects import postgresql, sqlite

    from metrics.turnaround.queries import QUERIES

    dialects = {"duckdb": duckdb_engine.Dialect(), "postgresql": postgresql.dialect(), "sqlite": sqlite.dialect()}
    for name, build in QUERIES.items():
        for dialect, compiler in dialects.items():
            stmt = build(dialect)
            assert isinstance(stmt, sa.Select), name
            text = str(stmt.compile(dialect=compiler))
            percentile = "percentile_cont" in text or "quantile_cont" in text
            summary = name in ("lead_time_by_quarter", "lead_time_by", "stage_medians_by_quarter")
            assert percentile == (summary and dialect != "sqlite"), (name, dialect)


def test_backlog_cutoff_is_the_end_of_the_quarter_or_of_today():
    from datetime import datetime

    from metrics.turnaround.compute import backlog_cutoff

    jan = FiscalCalendar(1)
    assert backlog_cutoff(jan, Q1, date(2026, 5, 10)) == (datetime(2026, 4, 1), False)
    assert backlog_cutoff(jan, Q1, date(2026, 2, 10)) == (datetime(2026, 2, 11), True)
    assert backlog_cutoff(jan, Q2, date(2026, 2, 10)) is None


def test_turnaround_never_imports_the_ui():
    import ast
    from pathlib import Path

    package = Path(ta.__file__).parent
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.module
                else []
            )
            assert not {m.split(".")[0] for m in modules} & {"streamlit", "charts", "app", "pages"}, path.name

"""The lead-time chart compares like with like: below the p85 and median lead time, the p85 of each
request's days past its own SLA, against a zero line at the SLA (no median SLA beside a p85)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.theme import FAVOURABLE, UNFAVOURABLE
from charts.turnaround import lead_time_trend
from metrics.fiscal import FiscalQuarter

Q3 = FiscalQuarter(2026, 3)


def _by_quarter() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "quarter": ["FY2026 Q1", "FY2026 Q2", "FY2026 Q3"],
            "delivered": [40, 52, 61],
            "p50": [9.0, 8.5, 7.0],
            "p85": [21.0, 18.0, 14.5],
            "sla_p50": [10.0, 10.0, 10.0],
            "past_sla_p85": [4.5, 0.0, -2.0],  # over, exactly at, inside their own SLA
        }
    )


def _trace(fig: go.Figure, start: str) -> go.Bar | go.Scatter:
    (trace,) = [t for t in fig.data if t.name and t.name.startswith(start)]
    return trace


def test_no_median_sla_is_drawn_beside_the_p85():
    fig = lead_time_trend(_by_quarter(), Q3)
    names = [t.name for t in fig.data]
    assert not any("SLA (median" in (n or "") for n in names)
    assert 10.0 not in [float(y) for t in fig.data for y in list(t.y)], "the median SLA is nowhere in the chart"


def test_the_lower_panel_is_each_requests_days_past_its_own_sla():
    fig = lead_time_trend(_by_quarter(), Q3)
    past = _trace(fig, "85% delivered within this many days of their own SLA")
    assert list(past.x) == ["FY2026 Q1", "FY2026 Q2", "FY2026 Q3"]
    assert list(past.y) == [4.5, 0.0, -2.0]
    assert past.yaxis == "y2", "its own panel, under the lead times"
    # Over the SLA is unfavourable; at or inside it, favourable. The bar's side of the zero line says it too.
    assert list(past.marker.color) == [UNFAVOURABLE, FAVOURABLE, FAVOURABLE]
    assert list(past.customdata) == [
        "no more than 4.5 days past their own SLA",
        "within their own SLA",
        "at least 2.0 days inside their own SLA",
    ]
    (zero,) = [s for s in fig.layout.shapes if s.yref == "y2"]
    assert zero.y0 == zero.y1 == 0
    assert any(a.text == "at their own SLA" for a in fig.layout.annotations)


def test_the_upper_panel_keeps_the_lead_times():
    fig = lead_time_trend(_by_quarter(), Q3)
    p85, p50 = _trace(fig, "85% delivered within (p85)"), _trace(fig, "Median (p50)")
    assert list(p85.y) == [21.0, 18.0, 14.5] and list(p50.y) == [9.0, 8.5, 7.0]
    assert (p85.yaxis or "y") == "y" and (p50.yaxis or "y") == "y"


def test_quarters_are_ticked_short_with_the_selected_one_in_bold():
    fig = lead_time_trend(_by_quarter(), Q3)
    assert list(fig.layout.xaxis2.tickvals) == ["FY2026 Q1", "FY2026 Q2", "FY2026 Q3"]
    assert list(fig.layout.xaxis2.ticktext) == ["FY26 Q1", "FY26 Q2", "<b>FY26 Q3</b>"]
    assert fig.layout.xaxis.showticklabels is False, "one row of quarter labels, under both panels"


def test_a_quarter_without_an_sla_comparison_is_grey_and_says_so():
    rows = _by_quarter().assign(past_sla_p85=[None, 1.0, 2.0])
    past = _trace(lead_time_trend(rows, Q3), "85% delivered within this many days")
    assert past.marker.color[0] == "#8C8C8C" and past.customdata[0] == "with no SLA to compare"

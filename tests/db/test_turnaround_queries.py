"""Request turnaround queries on DuckDB, SQLite and a real PostgreSQL, against a hand-made set of
requests whose percentiles, breaches, stage times and ageing buckets are worked out by hand below.

Calendar: fiscal year starting in January, so FY2026 Q1 = Jan-Mar 2026, Q2 = Apr-Jun 2026.
Default SLAs: Critical 5, High 10, Medium 20, Low 40 days.

Delivered in FY2026 Q1 (lead time = delivered - requested, in days):
  R1 Critical  Jan 5  -> Jan 9         4     SLA 5   ok       stages 1 / 2 / 1
  R2 High      Jan 10 -> Jan 22       12     SLA 10  breach   stages 5 / 5 / 2
  R3 High      Feb 1  -> Feb 11       10     SLA 10  ok (equal is not a breach)   stages 2 / 1 / 7
  R4 Medium    Jan 2  -> Feb 16 12:00 45.5   SLA 20  breach   ready missing: ? / ? / 15.5
  R5 Low       Feb 10 -> Mar 2        20     sla_days 15 (row overrides Low 40): breach; no stage stamps
  R6 Medium    Mar 1  -> Mar 31       30     SLA 20  breach   started before ready: 9 / ? / 26
  R7           Mar 20 -> Mar 19 (delivered before requested): excluded, counted
Delivered in FY2026 Q2:
  R8 High      Mar 25 -> Apr 4        10     SLA 10  ok       stages 2 / 5 / 3
  R9 Medium    Apr 1  -> Apr 6         5     SLA 20  ok       stages 1 / 1 / 3
Open (never delivered): R10 Mar 31 12:00, R11 Dec 1 2025, R12 Feb 15, R13 Jan 1, R14 Jan 31, R15 Mar 2.
"""

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics import db
from metrics import turnaround as ta
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from tests.conftest import frame

Q4_25, Q1, Q2, Q3 = FiscalQuarter(2025, 4), FiscalQuarter(2026, 1), FiscalQuarter(2026, 2), FiscalQuarter(2026, 3)
JAN = FiscalCalendar(1)


def _ts(text):
    """'2026-01-05' -> '2026-01-05 00:00' (the frame helper parses one format per column)."""
    return None if text is None else (text if len(text) > 10 else f"{text} 00:00")


def _r(rid, priority, type_, team, requested, delivered=None, ready=None, started=None, sla=None):
    requested, delivered, ready, started = map(_ts, (requested, delivered, ready, started))
    return {
        "request_id": rid,
        "title": f"Request {rid}",
        "priority": priority,
        "type": type_,
        "requested_by": team,
        "requested_at": requested,
        "ready_at": ready,
        "started_at": started,
        "delivered_at": delivered,
        "status": "Done" if delivered else "Open",
        "sla_days": sla,
    }


REQUESTS = [
    _r("R1", "Critical", "Data", "Demand gen", "2026-01-05", "2026-01-09", "2026-01-06", "2026-01-08"),
    _r("R2", "High", "Website", "Brand", "2026-01-10", "2026-01-22", "2026-01-15", "2026-01-20"),
    _r("R3", "High", "Data", "Demand gen", "2026-02-01", "2026-02-11", "2026-02-03", "2026-02-04"),
    _r("R4", "Medium", "Website", "Brand", "2026-01-02", "2026-02-16 12:00", None, "2026-02-01"),
    _r("R5", "Low", "Campaign", None, "2026-02-10", "2026-03-02", sla=15),
    _r("R6", "Medium", "Data", "Brand", "2026-03-01", "2026-03-31", "2026-03-10", "2026-03-05"),
    _r("R7", "High", "Data", "Brand", "2026-03-20", "2026-03-19"),
    _r("R8", "High", "Website", "Brand", "2026-03-25", "2026-04-04", "2026-03-27", "2026-04-01"),
    _r("R9", "Medium", "Data", "Demand gen", "2026-04-01", "2026-04-06", "2026-04-02", "2026-04-03"),
    _r("R10", "Critical", "Campaign", "Brand", "2026-03-31 12:00"),
    _r("R11", "Low", "Data", "Demand gen", "2025-12-01"),
    _r("R12", "Medium", "Website", "Brand", "2026-02-15", ready="2026-02-20"),
    _r("R13", "High", "Data", "Brand", "2026-01-01"),
    _r("R14", "Low", "Campaign", "Demand gen", "2026-01-31"),
    _r("R15", "Medium", "Data", "Brand", "2026-03-02"),
]


@pytest.fixture
def loaded(engine):
    db.import_tables(engine, {"requests": frame("requests", REQUESTS)}, source="test", fingerprint="t")
    return engine


def _by_quarter(frame_: pd.DataFrame, quarter: FiscalQuarter) -> dict:
    return frame_.set_index("quarter").loc[quarter.label].to_dict()


def test_lead_time_percentiles_and_breaches_by_quarter(loaded):
    got = ta.lead_time_by_quarter(loaded, JAN)
    assert got["quarter"].tolist() == ["FY2026 Q1", "FY2026 Q2"]
    q1 = _by_quarter(got, Q1)
    # Q1 lead times sorted: 4, 10, 12, 20, 30, 45.5 (n = 6), linear interpolation at h = (n - 1) * p:
    #   p50: h = 2.5  -> 12 + 0.5 * (20 - 12)    = 16
    #   p85: h = 4.25 -> 30 + 0.25 * (45.5 - 30) = 33.875
    #   p95: h = 4.75 -> 30 + 0.75 * (45.5 - 30) = 41.625
    assert q1["p50"] == pytest.approx(16.0)
    assert q1["p85"] == pytest.approx(33.875)
    assert q1["p95"] == pytest.approx(41.625)
    # Breaches R2, R4, R5 (its own 15-day SLA), R6; R3 at exactly its SLA is not a breach.
    assert (q1["delivered"], q1["breaches"], q1["excluded"]) == (6, 4, 1)
    assert q1["breach_rate"] == pytest.approx(4 / 6)
    # SLAs of the six: 5, 10, 10, 20, 15, 20 -> sorted 5, 10, 10, 15, 20, 20 -> h = 2.5 -> 10 + 0.5 * 5 = 12.5
    assert q1["sla_p50"] == pytest.approx(12.5)
    q2 = _by_quarter(got, Q2)
    # Q2: 5, 10 -> p50 = 7.5; p85: h = 0.85 -> 5 + 0.85 * 5 = 9.25; p95: 5 + 0.95 * 5 = 9.75
    assert (q2["p50"], q2["p85"], q2["p95"]) == pytest.approx((7.5, 9.25, 9.75))
    assert (q2["delivered"], q2["breaches"], q2["excluded"]) == (2, 0, 0)


def test_days_past_own_sla_p85_by_quarter(loaded):
    got = ta.lead_time_by_quarter(loaded, JAN)
    # Q1 lead - own SLA: R1 4-5 = -1, R2 12-10 = 2, R3 10-10 = 0, R4 45.5-20 = 25.5, R5 20-15 = 5,
    # R6 30-20 = 10 (R7 excluded) -> sorted -1, 0, 2, 5, 10, 25.5; p85: h = 4.25 -> 10 + 0.25 * 15.5 = 13.875
    assert _by_quarter(got, Q1)["past_sla_p85"] == pytest.approx(13.875)
    # Q2: R8 10-10 = 0, R9 5-20 = -15 -> p85: h = 0.85 -> -15 + 0.85 * 15 = -2.25
    assert _by_quarter(got, Q2)["past_sla_p85"] == pytest.approx(-2.25)
    q1, q2 = ta.quarter_turnaround(got, Q1), ta.quarter_turnaround(got, Q2)
    assert (q1.past_sla_days, q2.past_sla_days) == (14, -2)
    assert ta.own_sla_sentence(q1) == "85% were delivered within 14 days of their own SLA"
    assert ta.own_sla_sentence(q2) == "85% were delivered at least 2 days inside their own SLA"


def test_days_past_sla_is_null_where_the_sla_is_missing(loaded):
    # Without defaults only R5 has an SLA (its own 15 days): Q1 has the one value 20 - 15 = 5, Q2 none.
    got = ta.lead_time_by_quarter(loaded, JAN, sla_defaults={})
    assert _by_quarter(got, Q1)["past_sla_p85"] == pytest.approx(5.0)
    assert pd.isna(_by_quarter(got, Q2)["past_sla_p85"])
    assert ta.own_sla_sentence(ta.quarter_turnaround(got, Q2)) is None
    with loaded.connect() as conn:
        f = ta.request_facts(JAN, sla_defaults={})
        rows = dict(conn.execute(sa.select(f.c.request_id, f.c.days_past_sla)).all())
    assert rows["R5"] == pytest.approx(5.0)
    assert rows["R1"] is None  # no SLA of its own and no default
    assert rows["R7"] is None and rows["R10"] is None  # delivered before requested; open


def test_headline_rounds_p85_up(loaded):
    t = ta.quarter_turnaround(ta.lead_time_by_quarter(loaded, JAN), Q1)
    assert t.within_days == 34  # ceil(33.875)
    assert ta.lead_time_headline(t) == "85% of requests delivered within 34 days"
    q2 = ta.quarter_turnaround(ta.lead_time_by_quarter(loaded, JAN), Q2)
    assert q2.within_days == 10 and q2.previous_p85 == pytest.approx(33.875)  # ceil(9.25) = 10
    assert ta.quarter_turnaround(ta.lead_time_by_quarter(loaded, JAN), Q3) is None  # nothing delivered: no data


def test_percentiles_agree_with_numpy_on_every_engine(loaded):
    """PostgreSQL percentile_cont, DuckDB quantile_cont and numpy's linear method are the same."""
    import numpy as np

    q1 = _by_quarter(ta.lead_time_by_quarter(loaded, JAN, Q1, Q1), Q1)
    values = [4, 10, 12, 20, 30, 45.5]
    for name, p in ta.PERCENTILES.items():
        assert q1[name] == pytest.approx(float(np.percentile(values, p * 100, method="linear")))


def test_filters_narrow_the_requests(loaded):
    high = _by_quarter(ta.lead_time_by_quarter(loaded, JAN, filters=ta.RequestFilter(priorities=("High",))), Q1)
    # High in Q1: 10, 12 -> p50 11; p85: h = 0.85 -> 10 + 0.85 * 2 = 11.7; R2 breaches; R7 (High) excluded.
    assert (high["delivered"], high["breaches"], high["excluded"]) == (2, 1, 1)
    assert (high["p50"], high["p85"]) == pytest.approx((11.0, 11.7))
    data = _by_quarter(ta.lead_time_by_quarter(loaded, JAN, filters=ta.RequestFilter(types=("Data",))), Q1)
    # Data in Q1: 4, 10, 30 -> p50 10; p85: h = 1.7 -> 10 + 0.7 * 20 = 24
    assert (data["p50"], data["p85"]) == pytest.approx((10.0, 24.0))
    brand = _by_quarter(ta.lead_time_by_quarter(loaded, JAN, filters=ta.RequestFilter(teams=("Brand",))), Q1)
    assert brand["p50"] == pytest.approx(30.0)  # 12, 30, 45.5
    # Bound parameters: a hostile value matches nothing and harms nothing.
    hostile = ta.lead_time_by_quarter(loaded, JAN, filters=ta.RequestFilter(types=("Data' OR 1=1 --",)))
    assert hostile.empty
    assert ta.request_counts(loaded).total == 15


def test_breach_rate_by_priority(loaded):
    got = ta.breach_rate_by_priority(loaded, JAN, Q1, Q1)
    rows = {r.priority: (r.delivered, r.breaches) for r in got.itertuples()}
    # Critical R1 ok; High R2 breach, R3 ok; Medium R4, R6 breach; Low R5 breach (15-day row SLA).
    assert rows == {"Critical": (1, 0), "High": (2, 1), "Medium": (2, 2), "Low": (1, 1)}
    assert got["priority"].tolist() == ["Critical", "High", "Medium", "Low"]
    assert got.set_index("priority").loc["High", "breach_rate"] == pytest.approx(0.5)


def test_sla_defaults_are_a_setting(loaded):
    # With High at 11 days R2 (12) still breaches; with Medium at 50, R4 (45.5) and R6 (30) do not.
    q1 = _by_quarter(
        ta.lead_time_by_quarter(loaded, JAN, sla_defaults={"Critical": 5, "High": 11, "Medium": 50, "Low": 40}), Q1
    )
    assert q1["breaches"] == 2  # R2 and R5 (its own sla_days = 15 still wins over the default)


def test_stage_medians_and_unknowns(loaded):
    q1 = _by_quarter(ta.stage_medians_by_quarter(loaded, JAN), Q1)
    # Waiting on marketing, known for R1 1, R2 5, R3 2, R6 9 -> 1, 2, 5, 9 -> median 3.5; unknown R4, R5.
    assert q1["marketing"] == pytest.approx(3.5) and q1["marketing_unknown"] == 2
    # IT queue, known for R1 2, R2 5, R3 1 -> median 2; unknown R4 (no ready), R5, R6 (started before ready).
    assert q1["it_queue"] == pytest.approx(2.0) and q1["it_queue_unknown"] == 3
    # Delivery, known for R1 1, R2 2, R3 7, R4 15.5, R6 26 -> median 7; unknown R5.
    assert q1["delivery"] == pytest.approx(7.0) and q1["delivery_unknown"] == 1
    assert q1["delivered"] == 6  # R7 (delivered before requested) is not among them
    q2 = _by_quarter(ta.stage_medians_by_quarter(loaded, JAN), Q2)
    # R8 2 / 5 / 3 and R9 1 / 1 / 3 -> medians 1.5 / 3 / 3
    assert (q2["marketing"], q2["it_queue"], q2["delivery"]) == pytest.approx((1.5, 3.0, 3.0))


def test_backlog_ageing_at_quarter_end(loaded):
    backlog = ta.backlog_ageing(loaded, JAN, Q1, today=date(2026, 7, 15))
    # Open at the end of 31 Mar 2026 (i.e. at 1 Apr 00:00), age in completed days:
    #   R8 Mar 25 -> 7 (delivered only on Apr 4), R10 Mar 31 12:00 -> 0.5, R15 Mar 2 -> 30   : 0-30
    #   R12 Feb 15 -> 45, R14 Jan 31 -> 60                                                  : 31-60
    #   R13 Jan 1 -> 90                                                                     : 61-90
    #   R11 Dec 1 2025 -> 121                                                               : over 90
    # R9 (requested Apr 1) was not raised yet; R7 was "delivered" on Mar 19.
    assert backlog.buckets == {"0-30 days": 3, "31-60 days": 2, "61-90 days": 1, "Over 90 days": 1}
    assert backlog.open == 7 and backlog.as_of == date(2026, 3, 31) and not backlog.is_today
    assert backlog.oldest["request_id"].tolist() == ["R11", "R13", "R14", "R12", "R15", "R8", "R10"]
    assert backlog.oldest["age_days"].tolist() == [121, 90, 60, 45, 30, 7, 0]
    waiting = dict(zip(backlog.oldest["request_id"], backlog.oldest["waiting_on"]))
    # R12 has requirements (Feb 20) but no start: IT's queue. R8 started exactly at Apr 1 00:00: still queued.
    assert waiting["R12"] == "IT queue" and waiting["R8"] == "IT queue"
    assert waiting["R11"] == "Marketing"


def test_backlog_ageing_today_in_current_quarter(loaded):
    backlog = ta.backlog_ageing(loaded, JAN, Q2, today=date(2026, 5, 10))
    # At the end of 10 May (11 May 00:00): R10 40.5 -> 31-60; R12 85, R15 70 -> 61-90; R11 161, R13 130,
    # R14 100 -> over 90. R8 and R9 are delivered by then.
    assert backlog.buckets == {"0-30 days": 0, "31-60 days": 1, "61-90 days": 2, "Over 90 days": 3}
    assert backlog.is_today and backlog.as_of == date(2026, 5, 10)
    assert backlog.as_of_label == "today, 10 May 2026"
    assert ta.backlog_ageing(loaded, JAN, Q3, today=date(2026, 5, 10)) is None  # not started yet
    assert ta.backlog_ageing(loaded, JAN, FiscalQuarter(2025, 3), today=date(2026, 5, 10)) is None  # nothing raised


def test_backlog_respects_filters(loaded):
    backlog = ta.backlog_ageing(loaded, JAN, Q1, today=date(2026, 7, 15), filters=ta.RequestFilter(priorities=("Low",)))
    assert backlog.buckets == {"0-30 days": 0, "31-60 days": 1, "61-90 days": 0, "Over 90 days": 1}  # R14, R11


def test_flow_arrivals_vs_delivered(loaded):
    got = ta.flow_by_quarter(loaded, JAN)
    # Arrivals: FY2025 Q4 R11; Q1 R1-R6, R8, R10, R12-R15 (12; R7 excluded); Q2 R9.
    assert got[["quarter", "arrived", "delivered"]].values.tolist() == [
        ["FY2025 Q4", 1, 0],
        ["FY2026 Q1", 12, 6],
        ["FY2026 Q2", 1, 2],
    ]
    only_q1 = ta.flow_by_quarter(loaded, JAN, Q1, Q1)
    assert only_q1[["arrived", "delivered"]].values.tolist() == [[12, 6]]


def test_july_fiscal_year(loaded):
    """With a July start, Jan-Mar 2026 is FY2026 Q3 and Dec 2025 is FY2026 Q2."""
    july = FiscalCalendar(7)
    lead = ta.lead_time_by_quarter(loaded, july)
    assert lead["quarter"].tolist() == ["FY2026 Q3", "FY2026 Q4"]
    assert _by_quarter(lead, FiscalQuarter(2026, 3))["p85"] == pytest.approx(33.875)
    flow = ta.flow_by_quarter(loaded, july)
    assert flow["quarter"].tolist() == ["FY2026 Q2", "FY2026 Q3", "FY2026 Q4"]


def test_breakdown_by_requesting_team(loaded):
    got = ta.lead_time_by(loaded, JAN, Q1, "requested_by")
    rows = {r.value: (r.delivered, r.p50) for r in got.itertuples()}
    # Brand: R2 12, R4 45.5, R6 30 -> median 30; Demand gen: R1 4, R3 10 -> 7; R5 has no team.
    assert rows == {
        "Brand": (3, pytest.approx(30.0)),
        "Demand gen": (2, pytest.approx(7.0)),
        "(not recorded)": (1, pytest.approx(20.0)),
    }
    by_priority = ta.lead_time_by(loaded, JAN, Q1, "priority")
    assert by_priority["value"].tolist() == ["Critical", "High", "Medium", "Low"]


def test_histogram_counted_in_sql(loaded):
    # p95 = 41.625: 1-day bars would need 42 > 25 bars, so bars are 2 days wide; bar 21 (42+ days) is
    # the overflow. Lead times 4, 10, 12, 20, 30 fall in bars 2, 5, 6, 10, 15; 45.5 in the overflow.
    hist = ta.lead_time_histogram(loaded, JAN, Q1, p95=41.625)
    assert hist.width == 2 and hist.total == 6
    counts = dict(zip(hist.bins["start"], hist.bins["count"]))
    assert {s: c for s, c in counts.items() if c} == {4: 1, 10: 1, 12: 1, 20: 1, 30: 1, 42: 1}
    assert hist.bins["label"].iloc[-1] == "42+ days" and pd.isna(hist.bins["end"].iloc[-1])
    assert len(hist.bins) == 22
    assert ta.lead_time_histogram(loaded, JAN, Q3, p95=1.0) is None


def test_scatter_points_capped_deterministically(loaded):
    everything = ta.lead_time_points(loaded, JAN, Q1, Q2)
    assert everything.total == 8 and everything.step == 1 and len(everything.points) == 8
    # With a cap of 3: step = ceil(8 / 3) = 3, rows 1, 4, 7 in delivery order: R1, R4, R8.
    capped = ta.lead_time_points(loaded, JAN, Q1, Q2, cap=3)
    assert capped.step == 3 and capped.points["request_id"].tolist() == ["R1", "R4", "R8"]
    assert capped.sampled and len(capped.points) <= 3
    # 30-day rolling median (at least 3 points): on Mar 2 the window Feb 1 - Mar 2 holds
    # R3 10, R4 45.5, R5 20 -> 20.
    rolling = everything.rolling.set_index("delivered_at")["median"]
    assert rolling[pd.Timestamp("2026-03-02")] == pytest.approx(20.0)
    assert ta.lead_time_points(loaded, JAN, Q3, Q3) is None


def test_request_counts_and_options(loaded):
    counts = ta.request_counts(loaded)
    assert (counts.total, counts.delivered, counts.delivered_before_requested, counts.open) == (15, 9, 1, 6)
    options = ta.filter_options(loaded)
    assert options == {
        "types": ["Campaign", "Data", "Website"],
        "priorities": ["Critical", "High", "Medium", "Low"],
        "teams": ["Brand", "Demand gen"],
    }
    assert ta.delivery_quarters(ta.lead_time_by_quarter(loaded, JAN)) == [Q1, Q2]


def test_empty_table_is_no_data(engine):
    db.ensure_schema(engine)
    assert ta.lead_time_by_quarter(engine, JAN).empty
    assert ta.quarter_turnaround(ta.lead_time_by_quarter(engine, JAN), Q1) is None
    assert ta.backlog_ageing(engine, JAN, Q1, today=date(2026, 5, 1)) is None
    assert ta.flow_by_quarter(engine, JAN).empty
    assert ta.stage_medians_by_quarter(engine, JAN).empty
    assert ta.delivery_quarters(ta.lead_time_by_quarter(engine, JAN)) == []
    assert ta.request_counts(engine).total == 0


def _random_requests(n: int = 400, seed: int = 7) -> list[dict]:
    """Requests with minute-resolution stamps, open ones, missing stages and recording defects."""
    import numpy as np

    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-01-01")
    rows = []
    for i in range(n):
        requested = start + pd.Timedelta(minutes=int(rng.integers(0, 600 * 24 * 60)))
        ready = requested + pd.Timedelta(minutes=int(rng.integers(0, 10 * 24 * 60)))
        started = ready + pd.Timedelta(minutes=int(rng.integers(-2 * 24 * 60, 30 * 24 * 60)))
        delivered = started + pd.Timedelta(minutes=int(rng.integers(0, 40 * 24 * 60)))
        roll = rng.random()
        if roll < 0.05:
            delivered = requested - pd.Timedelta(days=1)  # recorded before it was requested
        elif roll < 0.15:
            delivered = None
        stamp = lambda t: None if t is None or rng.random() < 0.08 else t.strftime("%Y-%m-%d %H:%M")  # noqa: E731
        rows.append(
            _r(
                f"X{i:04d}",
                ["Critical", "High", "Medium", "Low"][i % 4],
                ["Data", "Website"][i % 2],
                ["Brand", "Events", None][i % 3],
                requested.strftime("%Y-%m-%d %H:%M"),
                None if delivered is None else delivered.strftime("%Y-%m-%d %H:%M"),
                stamp(ready),
                stamp(started),
                sla=[None, None, 7.5][i % 3],
            )
        )
    return rows


def test_three_engines_agree(tmp_path, postgres_url):
    """PostgreSQL (percentile_cont in SQL), DuckDB (quantile_cont in SQL) and SQLite (numpy on fetched
    values) give the same figures for the same requests."""
    engines = {
        "duckdb": db.make_engine(f"duckdb:///{tmp_path / 'a.duckdb'}"),
        "sqlite": db.make_engine(f"sqlite:///{tmp_path / 'a.sqlite'}"),
        "postgresql": db.make_engine(postgres_url),
    }
    rows = frame("requests", _random_requests())
    first, last = FiscalQuarter(2025, 1), FiscalQuarter(2026, 3)
    results = {}
    try:
        for name, eng in engines.items():
            db.import_tables(eng, {"requests": rows}, source="test", fingerprint="x")
            results[name] = {
                "lead": ta.lead_time_by_quarter(eng, JAN),
                "stages": ta.stage_medians_by_quarter(eng, JAN),
                "breaches": ta.breach_rate_by_priority(eng, JAN),
                "flow": ta.flow_by_quarter(eng, JAN),
                "by_team": ta.lead_time_by(eng, JAN, Q1, "requested_by"),
                "backlog": ta.backlog_ageing(eng, JAN, Q1, today=date(2026, 11, 1)).buckets,
                "histogram": ta.lead_time_histogram(eng, JAN, Q1, p95=30.0).bins,
                "points": ta.lead_time_points(eng, JAN, first, last, cap=100).points[["lead_days"]],
            }
    finally:
        for eng in engines.values():
            eng.dispose()
    assert results["duckdb"]["lead"]["delivered"].sum() > 300  # the comparison covers real volume
    for name in ("sqlite", "postgresql"):
        for key, expected in results["duckdb"].items():
            got = results[name][key]
            if isinstance(expected, dict):
                assert got == expected, (name, key)
            else:
                pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-9, obj=f"{name} {key}")

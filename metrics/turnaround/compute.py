"""Request turnaround, pure: the constants, the result dataclasses and the computations on the small
frames the queries return. No engine and no SQL here (see `metrics.turnaround.queries`); the
sentences and labels are in `metrics.turnaround.wording`, the definitions in its `DEFINITIONS`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from metrics.fiscal import FiscalCalendar, FiscalQuarter

# SLA in days when a request has no sla_days of its own. Overridable per call (a settings mapping).
DEFAULT_SLA_DAYS: Mapping[str, float] = {"Critical": 5, "High": 10, "Medium": 20, "Low": 40}
PERCENTILES = {"p50": 0.50, "p85": 0.85, "p95": 0.95}
# Completed days at the end of the period -> bucket; the last bucket is open-ended.
AGE_BUCKETS = (("0-30 days", 31), ("31-60 days", 61), ("61-90 days", 91), ("Over 90 days", None))
TREND_QUARTERS = 12  # three fiscal years of history on the trend charts
SCATTER_QUARTERS = 4  # a year of deliveries on the scatter
MAX_POINTS = 3000  # above this many deliveries the scatter shows a deterministic systematic sample
ROLLING_WINDOW = "30D"
OLDEST_OPEN = 10
_HISTOGRAM_WIDTHS = (1, 2, 5, 7, 10, 14, 30, 60, 90, 180, 365)
_HISTOGRAM_MAX_BINS = 25


# --- Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterTurnaround:
    """The headline figures of one quarter of delivery."""

    quarter: FiscalQuarter
    delivered: int
    excluded: int
    breaches: int
    p50: float | None
    p85: float | None
    p95: float | None
    previous_p85: float | None  # None: nothing delivered in the previous quarter
    # p85 of each request's days past its own SLA (lead - sla_days); negative: 85% landed inside it.
    past_sla_p85: float | None = None

    @property
    def within_days(self) -> int | None:
        """p85 rounded up to whole days (rounded to the microsecond first: float noise must not
        turn 12 days into 13)."""
        return _ceil_days(self.p85)

    @property
    def previous_within_days(self) -> int | None:
        return _ceil_days(self.previous_p85)

    @property
    def past_sla_days(self) -> int | None:
        """`past_sla_p85` rounded up to whole days, as the headline: 85% of the requests landed at
        most this many days past their own SLA (at least -n days inside it when n < 0)."""
        return _ceil_days(self.past_sla_p85)

    @property
    def breach_rate(self) -> float | None:
        return self.breaches / self.delivered if self.delivered else None


@dataclass(frozen=True)
class Backlog:
    quarter: FiscalQuarter
    as_of: date  # last day counted (quarter end, or today)
    is_today: bool
    buckets: dict[str, int]  # every bucket, in order
    oldest: pd.DataFrame  # request_id, title, priority, type, requested_by, requested_at, age_days, waiting_on

    @property
    def open(self) -> int:
        return sum(self.buckets.values())

    @property
    def as_of_label(self) -> str:
        return f"today, {self.as_of:%d %b %Y}" if self.is_today else f"{self.as_of:%d %b %Y}"


@dataclass(frozen=True)
class Histogram:
    bins: pd.DataFrame  # start, end (None for the overflow bar), count, label
    width: int  # days per bar
    total: int


@dataclass(frozen=True)
class LeadTimePoints:
    points: pd.DataFrame  # delivered_at, lead_days, request_id, priority
    rolling: pd.DataFrame  # delivered_at, median
    total: int  # deliveries in the window
    step: int  # every `step`-th delivery (by delivery date) is shown; 1 = all

    @property
    def sampled(self) -> bool:
        return self.step > 1


@dataclass(frozen=True)
class RequestCounts:
    total: int
    delivered: int  # with a delivered_at, including the excluded ones
    delivered_before_requested: int
    open: int  # no delivered_at

    @property
    def excluded_share(self) -> float | None:
        return self.delivered_before_requested / self.delivered if self.delivered else None


# --- Quarters ----------------------------------------------------------------------------------


def trend_window(quarter: FiscalQuarter, quarters: int = TREND_QUARTERS) -> tuple[FiscalQuarter, FiscalQuarter]:
    """(first, last) of the `quarters` quarters ending with `quarter`."""
    return quarter.window(quarters)[0], quarter


def in_window(frame: pd.DataFrame, first: FiscalQuarter, last: FiscalQuarter) -> pd.DataFrame:
    """Rows of a per-quarter frame (fiscal_year, fiscal_quarter columns) from `first` to `last`."""
    index = frame["fiscal_year"] * 4 + frame["fiscal_quarter"] - 1
    return frame[(index >= first.index) & (index <= last.index)].reset_index(drop=True)


def delivery_quarters(by_quarter: pd.DataFrame) -> list[FiscalQuarter]:
    """The quarters of a `lead_time_by_quarter` frame, oldest first."""
    return [FiscalQuarter(int(y), int(q)) for y, q in zip(by_quarter["fiscal_year"], by_quarter["fiscal_quarter"])]


def quarter_columns(frame: pd.DataFrame, index_col: str) -> pd.DataFrame:
    """Replace a quarter-index column (`FiscalQuarter.index`) by quarter label, fiscal_year and
    fiscal_quarter, oldest first."""
    idx = frame.pop(index_col).astype(int)
    frame.insert(0, "fiscal_quarter", idx % 4 + 1)
    frame.insert(0, "fiscal_year", idx // 4)
    frame.insert(
        0,
        "quarter",
        [FiscalQuarter(int(y), int(q)).label for y, q in zip(frame["fiscal_year"], frame["fiscal_quarter"])],
    )
    return frame.sort_values(["fiscal_year", "fiscal_quarter"]).reset_index(drop=True)


# --- Percentiles where SQL has none ------------------------------------------------------------


def numpy_quantiles(values: pd.DataFrame, keys: list[str], quantiles: Mapping[str, tuple[float, str]]) -> pd.DataFrame:
    """Per group of `keys`, each (fraction, column) of `quantiles` by linear interpolation over the
    column's known values, as percentile_cont does; None for a group without any."""
    rows = []
    for group, part in values.groupby(keys, dropna=False, sort=False):
        row = dict(zip(keys, group if isinstance(group, tuple) else (group,)))
        for name, (fraction, col) in quantiles.items():
            known = part[col].dropna().astype(float).to_numpy()
            row[name] = float(np.percentile(known, fraction * 100, method="linear")) if known.size else None
        rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, *quantiles])


# --- Headline figures --------------------------------------------------------------------------


def _ceil_days(value: float | None) -> int | None:
    return None if value is None else math.ceil(round(value, 6))


def quarter_turnaround(by_quarter: pd.DataFrame, quarter: FiscalQuarter | None) -> QuarterTurnaround | None:
    """The figures of one quarter from `lead_time_by_quarter`; None when nothing (not even an
    excluded request) was delivered in it."""
    if quarter is None or by_quarter.empty:
        return None
    row = _row(by_quarter, quarter)
    if row is None:
        return None
    prev = _row(by_quarter, quarter.previous())
    return QuarterTurnaround(
        quarter,
        int(row["delivered"]),
        int(row["excluded"]),
        int(row["breaches"]),
        number(row["p50"]),
        number(row["p85"]),
        number(row["p95"]),
        number(prev["p85"]) if prev is not None else None,
        number(row.get("past_sla_p85")),
    )


def _row(frame: pd.DataFrame, quarter: FiscalQuarter) -> pd.Series | None:
    rows = frame[frame["quarter"] == quarter.label]
    return None if rows.empty else rows.iloc[0]


def number(v) -> float | None:
    """A frame cell as a float, None when missing (NULL, NaN)."""
    return None if v is None or pd.isna(v) else float(v)


def it_days(queue: float | None, delivery: float | None) -> float | None:
    """Median IT queue plus median delivery; None when neither is known."""
    if queue is None and delivery is None:
        return None
    return (queue or 0.0) + (delivery or 0.0)


# --- Backlog -----------------------------------------------------------------------------------


def backlog_cutoff(calendar: FiscalCalendar, quarter: FiscalQuarter, today: date) -> tuple[datetime, bool] | None:
    """The instant the backlog of `quarter` is taken at (the end of the quarter, or the end of
    `today` if the quarter contains it) and whether that is today; None for a quarter that has
    not started by `today`."""
    start, end = calendar.quarter_bounds(quarter)
    if today < start:
        return None
    is_today = today < end
    bound = today + timedelta(days=1) if is_today else end
    return datetime(bound.year, bound.month, bound.day), is_today


def waiting_on(ready_at, started_at, as_of: datetime) -> str:
    """Where an open request stands at `as_of`: no requirements yet means marketing has it."""

    def reached(ts) -> bool:
        return ts is not None and not pd.isna(ts) and pd.Timestamp(ts) < pd.Timestamp(as_of)

    if not reached(ready_at):
        return "Marketing"
    if not reached(started_at):
        return "IT queue"
    return "IT delivery"


def oldest_open(top: pd.DataFrame, as_of: datetime, stages_recorded: bool) -> pd.DataFrame:
    """The oldest open requests as fetched (with ready_at, started_at and fractional age_days) as
    shown: age in completed days and who each is waiting on. Without any ready/started stamp in
    the data (e.g. a Jira export without status history) an open request's stage is unknown, not
    "waiting on marketing"."""
    top["requested_at"] = pd.to_datetime(top["requested_at"])
    top["age_days"] = top["age_days"].astype(float).apply(math.floor).astype(int)
    stamps = zip(top.pop("ready_at"), top.pop("started_at"))
    top["waiting_on"] = (
        [waiting_on(ready, started, as_of) for ready, started in stamps] if stages_recorded else "Not recorded"
    )
    return top


# --- Distribution and scatter ------------------------------------------------------------------


def histogram_width(p95: float) -> int:
    """A readable bar width: the smallest of 1, 2, 5, 7, 10, 14, 30... days that covers p95 in at
    most 25 bars."""
    for width in _HISTOGRAM_WIDTHS:
        if math.ceil(p95 / width) <= _HISTOGRAM_MAX_BINS:
            return width
    return _HISTOGRAM_WIDTHS[-1]


def overflow_bin(p95: float, width: int) -> int:
    """The bar from which on every lead time is one "or more" bar: the one after p95."""
    return max(1, math.ceil(round(p95, 6) / width))


def histogram(counts: pd.DataFrame, width: int, last_bin: int) -> Histogram | None:
    """Bars of `width` days from per-bin counts (bin, count; bin = floor(lead / width)), the bins
    from `last_bin` on folded into one open-ended bar. None without deliveries."""
    if counts.empty:
        return None
    counts["bin"] = counts["bin"].astype(int).clip(upper=last_bin)
    per_bin = counts.groupby("bin")["count"].sum()
    rows = []
    for b in range(last_bin + 1):
        start = b * width
        end = None if b == last_bin else start + width
        label = f"{start}+ days" if end is None else (f"{start} days" if width == 1 else f"{start}-{end} days")
        rows.append({"start": start, "end": end, "count": int(per_bin.get(b, 0)), "label": label})
    bins = pd.DataFrame(rows)
    if bins["count"].iloc[-1] == 0:  # p95 fell exactly on a bar edge: no empty overflow bar
        bins = bins.iloc[:-1]
    return Histogram(bins.reset_index(drop=True), width, int(counts["count"].sum()))


def rolling_median(points: pd.DataFrame) -> pd.DataFrame:
    """The `ROLLING_WINDOW` rolling median of lead_days by delivered_at (delivered_at, median), one
    value per instant; at least three deliveries in the window."""
    rolling = (
        points.set_index("delivered_at")["lead_days"]
        .rolling(ROLLING_WINDOW, min_periods=3)
        .median()
        .rename("median")
        .reset_index()
        .dropna()
    )
    return rolling.groupby("delivered_at", as_index=False)["median"].last()

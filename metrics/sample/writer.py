"""The generator's entry point, ``write_sample``, and the tables other than spend: budget, vendors,
kpis, kpi_targets, kpi_actuals and requests (spend.csv is written by `spend`)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from metrics.contract import TABLES
from metrics.sample.months import _lerp, _month_end, _quarter, _story_x, _working_days
from metrics.sample.spend import _pool_plan, _spend_plan, _write_spend
from metrics.sample.story import (
    ACTUAL_MONTHS,
    AWAITING_CIO,
    AWAITING_CMO,
    AWAITING_CMO_LATEST,
    CALENDAR,
    CAMPAIGNS,
    DELIVERY_DAYS,
    DELIVERY_PRIORITY,
    DEPARTMENTS,
    FIRST_YEAR,
    INCIDENTS_PER_MONTH,
    IT_BUDGET_HEADROOM,
    IT_QUEUE_DAYS,
    JOINT_TEAM_FROM,
    KPI_SPECS,
    LAST_DAY,
    MARKETING_OVERSPEND,
    MARKETING_WAIT_DAYS,
    N_DELIVERED_BEFORE_REQUESTED,
    N_MISSING_READY,
    N_MISSING_STARTED,
    N_STALE_TODO,
    N_STUCK_IN_PROGRESS,
    PLAN_MONTHS,
    PRIORITIES,
    PRIORITY_P,
    QUEUE_PRIORITY,
    REQUEST_TYPE_P,
    REQUEST_TYPES,
    REQUESTS_PER_MONTH,
    SLA_DAYS,
    SLA_SET_SHARE,
    STREAMS,
    TARGET_NOTES,
    TEAMS,
    TITLES,
    TOOLS,
    UNBUDGETED,
    UPTIME_BASE,
    UPTIME_OUTAGES,
    VENDORS,
    KpiSpec,
)

DEFAULT_SEED = 20261123
DEFAULT_SPEND_ROWS = 20000  # the committed sample; keeps sample_data/ well under 3 MB

# ----------------------------------------------------------------------------------------------------
# Entry point
# ----------------------------------------------------------------------------------------------------


def write_sample(out_dir: str | Path, seed: int = DEFAULT_SEED, spend_rows: int = DEFAULT_SPEND_ROWS) -> dict[str, int]:
    """Write the sample tables as CSV files into ``out_dir`` (all but fx_rates: the sample is in one
    currency); return the rows written per table."""
    if spend_rows < 1:
        raise ValueError("spend_rows must be at least 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # One independent random stream per part, so e.g. the number of spend rows does not change the
    # budget, the requests or the KPIs.
    plan_rng, spend_rng, budget_rng, request_rng, kpi_rng = np.random.default_rng(seed).spawn(5)

    pools = _pool_plan(plan_rng)
    fixed, cells = _spend_plan(pools, plan_rng)
    budget = _budget(fixed, cells, budget_rng)
    spent = _write_spend(out / "spend.csv", fixed, cells, spend_rows, spend_rng)
    requests = _requests(request_rng)
    kpis = _kpis()
    targets = _kpi_targets(kpi_rng)
    actuals = _kpi_actuals(requests, spent, budget, _budget_phasing(fixed, cells), kpi_rng)

    counts = {"spend": int(spent.attrs["rows"])}
    for name, df in (
        ("budget", budget),
        ("vendors", _vendors()),
        ("kpis", kpis),
        ("kpi_targets", targets),
        ("kpi_actuals", actuals),
        ("requests", requests),
    ):
        _write_csv(df, out / f"{name}.csv", name)
        counts[name] = len(df)
    return {name: counts[name] for name in TABLES if name in counts}


# ----------------------------------------------------------------------------------------------------
# Budget
# ----------------------------------------------------------------------------------------------------


def _planned_by_category(fixed: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Planned money per quarter index, department and category (planted lines are not planned)."""
    planned = pd.concat(
        [
            fixed[fixed.kind != "planted"][["t", "k", "amount"]].rename(columns={"amount": "dollars"}),
            cells[["t", "k", "dollars"]],
        ],
        ignore_index=True,
    )
    planned["q"] = planned.t // 3
    planned["department"] = [STREAMS[k].department for k in planned.k]
    planned["category"] = [STREAMS[k].category for k in planned.k]
    return planned.groupby(["q", "department", "category"], sort=True).dollars.sum()


def _round_budget(amount: float, small: float) -> float:
    step = 5000.0 if amount >= 100_000 else small
    return float(round(amount / step) * step)


def _budget(fixed: pd.DataFrame, cells: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Budget per quarter, department and category for FY2024-FY2026, plus a FY2026 Q4 forecast."""
    planned = _planned_by_category(fixed, cells)
    rows = []
    for q in range(PLAN_MONTHS // 3):
        fq = _quarter(3 * q)
        for dept in DEPARTMENTS:
            if dept == "IT":
                factor = IT_BUDGET_HEADROOM
            elif dept == "Marketing":
                factor = 1.0 / (MARKETING_OVERSPEND[0] + MARKETING_OVERSPEND[1] * q)
            else:
                factor = 1.0
            for category, dollars in planned.loc[q, dept].items():
                amount = _round_budget(dollars * factor * rng.lognormal(0.0, 0.05), 1000.0)
                if (fq, dept, category) == UNBUDGETED:
                    continue
                rows.append((fq.fiscal_year, fq.q, dept, category, amount, "Budget"))
    # The forecast for the quarter still to come, so a fiscal-year landing can be shown.
    last = PLAN_MONTHS // 3 - 1
    fq = _quarter(3 * last)
    for dept in DEPARTMENTS:
        for category, dollars in planned.loc[last, dept].items():
            rows.append(
                (
                    fq.fiscal_year,
                    fq.q,
                    dept,
                    category,
                    _round_budget(dollars * rng.lognormal(0.0, 0.03), 1000.0),
                    "Forecast",
                )
            )
    return pd.DataFrame(rows, columns=[c for c in TABLES["budget"].column_names if c != "currency"])  # all USD


# ----------------------------------------------------------------------------------------------------
# Vendors and the KPI glossary
# ----------------------------------------------------------------------------------------------------


def _vendors() -> pd.DataFrame:
    return pd.DataFrame(
        [(v, "yes" if ok else "no", aliases, category, end, owner) for v, ok, aliases, category, end, owner in VENDORS],
        columns=list(TABLES["vendors"].column_names),
    )


def _kpis() -> pd.DataFrame:
    return pd.DataFrame(
        [
            (s.kpi, s.name, s.unit, s.direction, s.owner, s.definition, s.formula, s.source, s.aggregation)
            for s in KPI_SPECS
        ],
        columns=list(TABLES["kpis"].column_names),
    )


def _num(value: float | None, decimals: int) -> str:
    """Fixed-decimal text; empty for missing values; never '-0.0'."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


# ----------------------------------------------------------------------------------------------------
# KPI targets and actuals
# ----------------------------------------------------------------------------------------------------


def _kpi_targets(rng: np.random.Generator) -> pd.DataFrame:
    """Targets per KPI and quarter, with who agreed them when (at the review before the quarter)."""
    rows = []
    for q in range(PLAN_MONTHS // 3):
        fq = _quarter(3 * q)
        start = CALENDAR.quarter_start(fq)
        for s in KPI_SPECS:
            cio = start - timedelta(days=int(rng.integers(10, 22)))
            cmo = min(cio + timedelta(days=int(rng.integers(-3, 7))), start - timedelta(days=1), LAST_DAY)
            open_quarter = q == PLAN_MONTHS // 3 - 1
            latest_quarter = q == PLAN_MONTHS // 3 - 2
            rows.append(
                (
                    s.kpi,
                    fq.fiscal_year,
                    fq.q,
                    _num(s.targets[q], s.decimals),
                    _num(s.at_risk, s.decimals if s.decimals else 1),
                    "" if open_quarter and s.kpi in AWAITING_CIO else cio.isoformat(),
                    ""
                    if (open_quarter and s.kpi in AWAITING_CMO) or (latest_quarter and s.kpi in AWAITING_CMO_LATEST)
                    else cmo.isoformat(),
                    TARGET_NOTES.get((s.kpi, fq.fiscal_year, fq.quarter), ""),
                )
            )
    return pd.DataFrame(rows, columns=list(TABLES["kpi_targets"].column_names))


def _target_path(spec: KpiSpec, month_pos: np.ndarray) -> np.ndarray:
    """Targets interpolated between quarter centres (month position 3q+1), for smooth actuals."""
    centres = np.arange(len(spec.targets)) * 3 + 1.0
    return np.interp(month_pos, centres, np.asarray(spec.targets, dtype=float))


def _kpi_actuals(
    requests: pd.DataFrame, spent: pd.DataFrame, budget: pd.DataFrame, phasing: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Monthly observations (weekly for page speed; per channel for CSAT) up to 2026-09-30."""
    months = np.arange(ACTUAL_MONTHS)
    month_ends = [_month_end(int(t)).isoformat() for t in months]
    rows: list[tuple[str, str, str, str]] = []
    for s in KPI_SPECS:
        if s.kpi == "page_speed":
            mondays = [date(FIRST_YEAR, 1, 1) + timedelta(weeks=w) for w in range(200)]
            mondays = [d for d in mondays if d <= LAST_DAY]
            # Position of each week in "months since January 2024", for the target path.
            pos = np.array([(d.year - FIRST_YEAR) * 12 + d.month - 1 + (d.day - 1) / 31 for d in mondays])
            values = _simulated(s, pos, rng)
            rows += [(d.isoformat(), s.kpi, _num(v, s.decimals), "") for d, v in zip(mondays, values)]
        elif s.kpi == "csat":
            for segment, shift in (("Online", -1.2), ("Stores", 1.2)):
                values = _simulated(s, months.astype(float), rng) + shift
                rows += [(d, s.kpi, _num(v, s.decimals), segment) for d, v in zip(month_ends, values)]
        elif s.kpi == "uptime":
            base = _lerp(UPTIME_BASE, _story_x(months)) - np.abs(rng.normal(0.0, 0.01, ACTUAL_MONTHS))
            for t, worst in UPTIME_OUTAGES.items():
                base[t] = worst
            rows += [(d, s.kpi, _num(min(v, 99.999), s.decimals), "") for d, v in zip(month_ends, base)]
        elif s.kpi == "customer_incidents":
            counts = rng.poisson(_lerp(INCIDENTS_PER_MONTH, np.clip(_story_x(months), 0, 1)))
            rows += [(d, s.kpi, str(int(c)), "") for d, c in zip(month_ends, counts)]
        elif s.kpi == "request_cycle_time":
            for t, v in _cycle_time_by_month(requests).items():
                rows.append((month_ends[t], s.kpi, _num(v, s.decimals), ""))
        elif s.kpi == "spend_variance":
            for t, v in enumerate(_spend_variance_to_date(spent, budget, phasing)):
                rows.append((month_ends[t], s.kpi, _num(v, s.decimals), ""))
        else:
            values = _simulated(s, months.astype(float), rng)
            rows += [(d, s.kpi, _num(v, s.decimals), "") for d, v in zip(month_ends, values)]
    order = {s.kpi: i for i, s in enumerate(KPI_SPECS)}
    df = pd.DataFrame(rows, columns=list(TABLES["kpi_actuals"].column_names))
    df["_order"] = df.kpi.map(order)
    return df.sort_values(["date", "_order", "segment"], kind="stable").drop(columns="_order").reset_index(drop=True)


def _simulated(spec: KpiSpec, month_pos: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    offset = _lerp(spec.offset, _story_x(month_pos))
    return _target_path(spec, month_pos) + offset + rng.normal(0.0, spec.noise, len(month_pos))


def _cycle_time_by_month(requests: pd.DataFrame) -> dict[int, float]:
    """Median days requested -> delivered, over requests delivered in each month (defects excluded)."""
    requested = pd.to_datetime(requests.requested_at)
    delivered = pd.to_datetime(requests.delivered_at.replace("", None))
    days = (delivered - requested).dt.total_seconds() / 86400
    ok = delivered.notna() & (days >= 0)
    month = (delivered.dt.year - FIRST_YEAR) * 12 + delivered.dt.month - 1
    medians = days[ok].groupby(month[ok].astype(int)).median()
    return {int(t): float(v) for t, v in medians.items() if 0 <= t < ACTUAL_MONTHS}


def _budget_phasing(fixed: pd.DataFrame, cells: pd.DataFrame) -> np.ndarray:
    """Share of its quarter's planned money that falls in each month (quarterly cloud bills land in
    the third month, so finance phases the budget rather than splitting it in thirds)."""
    planned = np.zeros(PLAN_MONTHS)
    regular = fixed[fixed.kind != "planted"]
    np.add.at(planned, regular.t.to_numpy(), regular.amount.to_numpy())
    np.add.at(planned, cells.t.to_numpy(), cells.dollars.to_numpy())
    per_quarter = planned.reshape(-1, 3).sum(axis=1)
    return planned / np.repeat(per_quarter, 3)


def _spend_variance_to_date(spent: pd.DataFrame, budget: pd.DataFrame, phasing: np.ndarray) -> list[float]:
    """Per month: quarter-to-date spend vs the phased budget for the same months, in %."""
    plan = budget[budget.scenario == "Budget"].groupby(["fiscal_year", "quarter"]).amount.sum()
    total = spent.sum(axis=1).to_numpy()
    out = []
    for t in range(ACTUAL_MONTHS):
        fq = _quarter(t)
        first = t - t % 3
        budget_to_date = plan.loc[(fq.fiscal_year, fq.q)] * phasing[first : t + 1].sum()
        out.append((total[first : t + 1].sum() / budget_to_date - 1) * 100)
    return out


# ----------------------------------------------------------------------------------------------------
# Requests from marketing to IT
# ----------------------------------------------------------------------------------------------------


def _working_time(ts: np.ndarray) -> np.ndarray:
    """Move timestamps (datetime64[m]) into working hours: 08:00-18:00, weekends to Monday 08:00.

    The mapping never reverses the order of two timestamps, so stages stay in sequence.
    """
    day = ts.astype("datetime64[D]")
    minute = (ts - day.astype("datetime64[m]")).astype(np.int64)
    minute = 8 * 60 + minute * 600 // 1440
    weekday = (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    shift = np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
    minute = np.where(shift > 0, 8 * 60, minute)
    return (day + shift).astype("datetime64[m]") + minute.astype("timedelta64[m]")


def _days(days: np.ndarray) -> np.ndarray:
    return np.rint(days * 1440).astype(np.int64).astype("timedelta64[m]")


def _requests(rng: np.random.Generator) -> pd.DataFrame:
    """About 750 requests; IT's queue shrinks once the joint team forms, marketing's wait does not."""
    requested_list: list[np.datetime64] = []
    for t in range(ACTUAL_MONTHS):
        wd = _working_days(t)
        n = rng.poisson(_lerp(REQUESTS_PER_MONTH, t / (ACTUAL_MONTHS - 1)))
        days = rng.integers(0, len(wd), n)
        minutes = rng.integers(8 * 60, 18 * 60, n)
        requested_list += [
            np.datetime64(wd[d].isoformat(), "m") + np.timedelta64(int(m), "m") for d, m in zip(days, minutes)
        ]
    requested = np.sort(np.array(requested_list, dtype="datetime64[m]"), kind="stable")
    n = len(requested)
    priority = rng.choice(np.array(PRIORITIES, dtype=object), n, p=PRIORITY_P)
    kind = rng.choice(np.array(REQUEST_TYPES, dtype=object), n, p=REQUEST_TYPE_P)
    team = rng.choice(np.array(TEAMS, dtype=object), n)
    title = [
        rng.choice(np.array(TITLES[k], dtype=object)).format(
            campaign=CAMPAIGNS[rng.integers(len(CAMPAIGNS))], tool=TOOLS[rng.integers(len(TOOLS))]
        )
        for k in kind
    ]

    wait = rng.lognormal(np.log(MARKETING_WAIT_DAYS), 0.8, n)
    ready = _working_time(requested + _days(wait))
    queue_median = np.where(ready < JOINT_TEAM_FROM, IT_QUEUE_DAYS[0], IT_QUEUE_DAYS[1]) * np.array(
        [QUEUE_PRIORITY[p] for p in priority]
    )
    started = _working_time(ready + _days(rng.lognormal(np.log(queue_median), 0.7)))
    delivery_median = np.array([DELIVERY_DAYS[k] * DELIVERY_PRIORITY[p] for k, p in zip(kind, priority)]) * np.where(
        started >= JOINT_TEAM_FROM, 0.9, 1.0
    )
    delivered = _working_time(started + _days(rng.lognormal(np.log(delivery_median), 0.6)))

    # Nothing has happened after the data's "today": later stages are still open.
    end = np.datetime64(LAST_DAY + timedelta(days=1), "m")
    nat = np.datetime64("NaT", "m")
    ready = np.where(ready < end, ready, nat)
    started = np.where((started < end) & ~np.isnat(ready), started, nat)
    delivered = np.where((delivered < end) & ~np.isnat(started), delivered, nat)

    taken = np.zeros(n, dtype=bool)

    def pick(mask: np.ndarray, size: int) -> np.ndarray:
        candidates = np.flatnonzero(mask & ~taken)
        chosen = np.sort(rng.choice(candidates, size=min(size, len(candidates)), replace=False))
        taken[chosen] = True
        return chosen

    done = ~np.isnat(delivered)
    # Backlog: a few old low-priority requests never started, a few big ones stuck in progress.
    stale = pick(
        done
        & np.isin(priority, ["Low", "Medium"])
        & (requested >= np.datetime64("2025-10-01T00:00"))
        & (requested < np.datetime64("2026-07-01T00:00")),
        N_STALE_TODO,
    )
    started[stale] = nat
    delivered[stale] = nat
    ready[stale[:2]] = nat  # still waiting on marketing's requirements
    stuck = pick(
        done
        & np.isin(kind, ["Integration", "Data"])
        & (requested >= np.datetime64("2026-03-01T00:00"))
        & (requested < np.datetime64("2026-08-01T00:00")),
        N_STUCK_IN_PROGRESS,
    )
    delivered[stuck] = nat
    # Unknown stages: the workflow step was skipped in the tool.
    ready[pick(done, N_MISSING_READY)] = nat
    started[pick(done, N_MISSING_STARTED)] = nat
    # Planted defect: delivered dates typed before the request was raised.
    wrong = pick(done & ~np.isnat(ready) & ~np.isnat(started), N_DELIVERED_BEFORE_REQUESTED)
    delivered[wrong] = requested[wrong] - _days(rng.integers(1, 20, len(wrong)).astype(float))

    status = np.where(~np.isnat(delivered), "Done", np.where(~np.isnat(started), "In progress", "To do"))
    sla = np.where(rng.random(n) < SLA_SET_SHARE, [str(SLA_DAYS[p]) for p in priority], "")
    return pd.DataFrame(
        {
            "request_id": [f"MKT-{1001 + i}" for i in range(n)],
            "title": title,
            "requested_at": _stamp(requested),
            "priority": priority,
            "type": kind,
            "requested_by": team,
            "ready_at": _stamp(ready),
            "started_at": _stamp(started),
            "delivered_at": _stamp(delivered),
            "status": status,
            "sla_days": sla,
        }
    )[list(TABLES["requests"].column_names)]


def _stamp(ts: np.ndarray) -> list[str]:
    """'YYYY-MM-DD HH:MM', empty for NaT."""
    return ["" if np.isnat(v) else str(v).replace("T", " ") for v in ts]


# ----------------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------------


def _write_csv(df: pd.DataFrame, path: Path, table: str) -> None:
    """UTF-8 without BOM, '\\n' line ends, contract column order, money with two decimals. Optional
    columns the story does not fill (budget's currency: the sample is all USD) are left out."""
    contract = TABLES[table]
    missing = [c.name for c in contract.required if c.name not in df.columns]
    if missing:
        raise ValueError(f"the sample's {table} lacks required columns {missing}")
    columns = [c for c in contract.column_names if c in df.columns]
    with open(path, "w", encoding="utf-8", newline="") as f:
        df[columns].to_csv(f, index=False, lineterminator="\n", float_format="%.2f")

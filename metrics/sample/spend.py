"""spend.csv: plan the money per pool, stream and month, then cut it into invoice lines and write
them a month (or part of a month) at a time, so millions of rows run in bounded memory."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from metrics.contract import TABLES
from metrics.sample.months import (
    _lerp,
    _month_end,
    _month_index,
    _month_label,
    _month_start,
    _quarter,
    _story_x,
    _working_days,
)
from metrics.sample.story import (
    ACTUAL_MONTHS,
    CURRENCY,
    DEPARTMENTS,
    FIRST_QUARTER_TOTAL,
    FIRST_YEAR,
    JOINT_SHARE,
    MARKETING_SHARE,
    PLAN_MONTHS,
    PLANTED_SPEND,
    POOLS,
    QUARTERLY_GROWTH,
    SHADOW_SHARE,
    STREAMS,
    UNMAPPED_INVESTMENT_SHARE,
    Stream,
)

CHUNK_ROWS = 200_000  # most spend rows held in memory at once


def _pool_plan(rng: np.random.Generator) -> np.ndarray:
    """Planned spend per month (rows, 36) and pool (columns, in POOLS order)."""
    t = np.arange(PLAN_MONTHS)
    x = _story_x(t)
    total = FIRST_QUARTER_TOTAL / 3 * QUARTERLY_GROWTH ** ((t - 1) / 3) * rng.lognormal(0.0, 0.02, PLAN_MONTHS)
    # Month-to-month wobble, so the trends look measured rather than drawn with a ruler.
    marketing = _lerp(MARKETING_SHARE, x) * rng.lognormal(0.0, 0.015, PLAN_MONTHS)
    joint = _lerp(JOINT_SHARE, x) * rng.lognormal(0.0, 0.03, PLAN_MONTHS)
    shadow = _lerp(SHADOW_SHARE, x) * rng.lognormal(0.0, 0.08, PLAN_MONTHS)
    return np.column_stack(
        [total * (1 - marketing - joint), total * joint, total * marketing * (1 - shadow), total * marketing * shadow]
    )


def _active(stream: Stream) -> np.ndarray:
    t = np.arange(PLAN_MONTHS)
    return (t >= _month_index(stream.start)) & (t <= _month_index(stream.end))


def _spend_plan(pools: np.ndarray, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the planned money into fixed invoices and variable "usage" money per stream and month.

    Returns ``fixed`` (one row per subscription invoice, cloud bill or planted line, with its amount
    and day) and ``cells`` (usage money per stream and month, to be cut into lines later). Both cover
    all 36 plan months; only the first 33 become spend lines, the rest feed the FY2026 Q4 budget.
    Within each pool and quarter, usage money is what remains after the fixed invoices, so each pool
    lands on its planned total whatever the subscriptions and cloud bills come to.
    """
    pool_of = {p: i for i, p in enumerate(POOLS)}
    fixed_rows: list[dict] = []
    fixed_by_pool = np.zeros_like(pools)
    for k, s in enumerate(STREAMS):
        active, p = _active(s), pool_of[s.pool]
        if s.billing == "subscription":
            for year in range(PLAN_MONTHS // 12):
                months = [t for t in range(12 * year, 12 * year + 12) if active[t]]
                if not months:
                    continue
                monthly = round(s.weight * pools[months, p].mean() / 100) * 100.0
                for t in months:
                    fixed_rows.append(
                        dict(
                            t=t,
                            day=_working_days(t)[0],
                            k=k,
                            vendor=s.vendor,
                            amount=monthly,
                            description=None,
                            kind="subscription",
                        )
                    )
                    fixed_by_pool[t, p] += monthly
        elif s.billing == "cloud":
            for q in range(PLAN_MONTHS // 3):
                months = [t for t in range(3 * q, 3 * q + 3) if active[t]]
                if not months:
                    continue
                amount = round(s.weight * pools[months, p].sum() * rng.lognormal(0.0, 0.15), 2)
                t = 3 * q + 2
                fixed_rows.append(
                    dict(t=t, day=_month_end(t), k=k, vendor=s.vendor, amount=amount, description=None, kind="cloud")
                )
                fixed_by_pool[t, p] += amount
    for day, pool, invoiced_as, vendor, category, amount, description in PLANTED_SPEND:
        d = date.fromisoformat(day)
        t = _month_index(day)
        k = _stream_for(pool, vendor, category)
        fixed_rows.append(
            dict(t=t, day=d, k=k, vendor=invoiced_as, amount=amount, description=description, kind="planted")
        )
        fixed_by_pool[t, pool_of[pool]] += amount
    fixed = pd.DataFrame(fixed_rows).sort_values(["t", "day", "k"], kind="stable").reset_index(drop=True)

    cells: list[dict] = []
    for p, pool in enumerate(POOLS):
        usage = [(k, s) for k, s in enumerate(STREAMS) if s.pool == pool and s.billing == "usage"]
        for q in range(PLAN_MONTHS // 3):
            months = list(range(3 * q, 3 * q + 3))
            remainder = pools[months, p].sum() - fixed_by_pool[months, p].sum()
            if remainder < 0.1 * pools[months, p].sum():
                raise AssertionError(f"story constants leave too little usage money in {pool} {_quarter(3 * q)}")
            for t in months:
                month_money = remainder * pools[t, p] / pools[months, p].sum()
                weights = np.array([s.weight if _active(s)[t] else 0.0 for _, s in usage])
                for (k, _), w in zip(usage, weights):
                    if w > 0:
                        cells.append(dict(t=t, k=k, dollars=month_money * w / weights.sum()))
    cells_df = pd.DataFrame(cells).sort_values(["t", "k"], kind="stable").reset_index(drop=True)
    return fixed, cells_df


def _stream_for(pool: str, vendor: str, category: str) -> int:
    """The stream whose cost centre, GL account and tags a planted line borrows."""
    for k, s in enumerate(STREAMS):
        if s.pool == pool and s.vendor == vendor and s.category == category:
            return k
    raise KeyError((pool, vendor, category))


def _lines_plan(fixed: pd.DataFrame, cells: pd.DataFrame, spend_rows: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Decide how many lines each usage cell gets so that exactly ``spend_rows`` lines are written.

    Large samples bill subscriptions monthly; smaller ones bill them quarterly (one invoice for three
    months) so that usage lines still dominate; very small ones (fewer rows than the fixed invoices)
    turn everything into usage cells and drop the planted defects.
    """
    fixed = fixed[fixed.t < ACTUAL_MONTHS].copy()
    cells = cells[cells.t < ACTUAL_MONTHS].copy()
    pool_month = 4 * ACTUAL_MONTHS
    if spend_rows < 8 * len(fixed):
        # Quarterly invoicing: fold each subscription's three monthly invoices into the first month.
        subs = fixed[fixed.kind == "subscription"].copy()
        subs["q"] = subs.t // 3
        folded = (
            subs.groupby(["k", "q"], sort=True)
            .agg(t=("t", "min"), amount=("amount", "sum"), vendor=("vendor", "first"))
            .reset_index()
        )
        folded["day"] = [_working_days(t)[0] for t in folded.t]
        folded["description"] = None
        folded["kind"] = "subscription-quarterly"
        fixed = pd.concat([fixed[fixed.kind != "subscription"], folded.drop(columns="q")], ignore_index=True)
    if spend_rows < len(fixed) + pool_month:
        # Too few lines for invoices: every stream becomes usage money; planted defects are dropped.
        keep = fixed[fixed.kind != "planted"]
        extra = keep.rename(columns={"amount": "dollars"})[["t", "k", "dollars"]]
        cells = pd.concat([cells, extra], ignore_index=True).groupby(["t", "k"], sort=True).dollars.sum().reset_index()
        fixed = fixed.iloc[0:0]
    fixed = fixed.sort_values(["t", "day", "k"], kind="stable").reset_index(drop=True)

    n = spend_rows - len(fixed)
    cells["pool"] = [STREAMS[k].pool for k in cells.k]
    rows = np.zeros(len(cells), dtype=np.int64)
    if n >= pool_month:
        # Every pool gets at least one line a month (on its biggest cell), so no money goes missing.
        rows[cells.groupby(["t", "pool"], sort=True).dollars.idxmax().to_numpy()] = 1
    line_size = np.array([STREAMS[k].line_size for k in cells.k])
    share = cells.dollars.to_numpy() / line_size
    expected = (n - rows.sum()) * share / share.sum()
    extra = np.floor(expected).astype(np.int64)
    order = np.argsort(-(expected - extra), kind="stable")  # largest remainders first
    extra[order[: n - rows.sum() - extra.sum()]] += 1
    cells["rows"] = rows + extra
    # Money of cells that got no line moves to the busiest cell of the same pool and month.
    for _, g in cells.groupby(["t", "pool"], sort=True):
        empty = g.index[g.rows == 0]
        if len(empty) and (g.rows > 0).any():
            cells.loc[g.rows.idxmax(), "dollars"] += cells.loc[empty, "dollars"].sum()
            cells.loc[empty, "dollars"] = 0.0
    cells = cells[cells.rows > 0].reset_index(drop=True)
    assert cells.rows.sum() + len(fixed) == spend_rows
    return fixed, cells


class _SpendTables:
    """Per-stream lookup arrays, so a chunk of lines is built with vectorised takes."""

    def __init__(self) -> None:
        self.department = np.array([s.department for s in STREAMS], dtype=object)
        self.vendor = np.array([s.vendor for s in STREAMS], dtype=object)
        self.category = np.array([s.category for s in STREAMS], dtype=object)
        self.cost_center = np.array([s.cost_center for s in STREAMS], dtype=object)
        self.gl = np.array([s.gl for s in STREAMS], dtype=object)
        self.investment = np.array([s.investment for s in STREAMS], dtype=object)
        self.expense = np.array([s.expense for s in STREAMS], dtype=object)
        self.rounding = np.array([s.rounding for s in STREAMS])
        self.spread = np.array([s.spread for s in STREAMS])
        self.n_desc = np.array([len(s.descriptions) for s in STREAMS])
        width = int(self.n_desc.max())
        # description[k, j, t]: the j-th description of stream k for month t
        self.description = np.empty((len(STREAMS), width, PLAN_MONTHS), dtype=object)
        for k, s in enumerate(STREAMS):
            for j in range(width):
                template = s.descriptions[j % len(s.descriptions)]
                for t in range(PLAN_MONTHS):
                    self.description[k, j, t] = template.format(month=_month_label(t), quarter=_quarter(t).label)
        self.first_day = date(FIRST_YEAR, 1, 1).toordinal()
        n_days = _month_start(PLAN_MONTHS).toordinal() - self.first_day
        self.day_text = np.array(
            [date.fromordinal(self.first_day + i).isoformat() for i in range(n_days)], dtype=object
        )
        self.working_days = [
            np.array([d.toordinal() - self.first_day for d in _working_days(t)]) for t in range(PLAN_MONTHS)
        ]


def _write_spend(
    path: Path, fixed: pd.DataFrame, cells: pd.DataFrame, spend_rows: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Write spend.csv, sorted by date, in batches of about CHUNK_ROWS lines or fewer.

    Returns the money written per month (rows) and department (columns), summed in cents, with the
    number of lines in ``attrs["rows"]``.
    """
    fixed, cells = _lines_plan(fixed, cells, spend_rows)
    tables = _SpendTables()
    columns = list(TABLES["spend"].column_names)
    cents = np.zeros((ACTUAL_MONTHS, len(DEPARTMENTS)), dtype=np.int64)
    dept_of_stream = np.array([DEPARTMENTS.index(s.department) for s in STREAMS])
    next_invoice = 1
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(columns) + "\n")
        for t in range(ACTUAL_MONTHS):
            for parts, days, batch_fixed in _batches(t, cells[cells.t == t], fixed[fixed.t == t], tables):
                lines = _spend_lines(t, parts, days, batch_fixed, tables, rng)
                if lines.empty:
                    continue
                lines["invoice_id"] = [f"INV-{n:07d}" for n in range(next_invoice, next_invoice + len(lines))]
                next_invoice += len(lines)
                amount = lines["amount"].to_numpy()
                np.add.at(cents[t], dept_of_stream[lines["_k"].to_numpy()], np.rint(amount * 100).astype(np.int64))
                lines["amount"] = [f"{a:.2f}" for a in amount]  # much faster than to_csv's float_format
                lines[columns].to_csv(f, header=False, index=False, lineterminator="\n")
    spent = pd.DataFrame(cents / 100.0, columns=list(DEPARTMENTS))
    spent.attrs["rows"] = next_invoice - 1
    assert spent.attrs["rows"] == spend_rows, (spent.attrs["rows"], spend_rows)
    return spent


def _batches(t: int, month_cells: pd.DataFrame, month_fixed: pd.DataFrame, tables: _SpendTables):
    """Cut one month into batches of about CHUNK_ROWS lines or fewer, each covering a run of days.

    Yields (parts, working days, fixed invoices) per batch, where parts are (stream, lines, money).
    A month too big for one batch is split by day ranges, each cell's lines and money shared in
    proportion to the working days, so the file stays sorted by date at any size.
    """
    days = tables.working_days[t]
    total = int(month_cells.rows.sum())
    n_batches = min(len(days), max(1, -(-total // CHUNK_ROWS)))
    groups = np.array_split(days, n_batches)
    cum = np.cumsum([len(g) for g in groups]) / len(days)
    fixed_day = np.array([d.toordinal() - tables.first_day for d in month_fixed.day], dtype=np.int64)
    for b, group in enumerate(groups):
        parts = []
        for k, n, dollars in zip(month_cells.k, month_cells.rows, month_cells.dollars):
            lo = int(np.floor(int(n) * (cum[b - 1] if b else 0.0) + 1e-9))
            hi = int(np.floor(int(n) * cum[b] + 1e-9))
            if hi > lo:
                parts.append((int(k), hi - lo, float(dollars) * (hi - lo) / int(n)))
        first = group[0] if b else -1
        last = groups[b + 1][0] if b + 1 < n_batches else 1 << 40
        yield parts, group, month_fixed[(fixed_day >= first) & (fixed_day < last)]


def _spend_lines(
    t: int,
    batch: list[tuple[int, int, float]],
    days: np.ndarray,
    month_fixed: pd.DataFrame,
    tables: _SpendTables,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The lines of one batch: usage lines cut from the cells, plus the batch's fixed invoices."""
    k_cell = np.array([b[0] for b in batch], dtype=np.int64)
    n_cell = np.array([b[1] for b in batch], dtype=np.int64)
    dollars = np.array([b[2] for b in batch], dtype=float)
    k = np.repeat(k_cell, n_cell)
    n = len(k)
    if n:
        # Log-normal weights, normalised so each cell's lines add up to its money, then rounded to
        # the stream's granularity (whole $10 for licences, $250 for services...) unless lines are
        # so small (large samples) that rounding would distort the money: then to the cent.
        w = rng.lognormal(0.0, tables.spread[k])
        sums = np.add.reduceat(w, np.concatenate([[0], np.cumsum(n_cell)[:-1]]))
        raw = np.repeat(dollars / sums, n_cell) * w
        mean_line = np.repeat(dollars / n_cell, n_cell)
        step = np.where(mean_line >= 20 * tables.rounding[k], tables.rounding[k], 0.01)
        amount: np.ndarray = np.round(np.maximum(np.round(raw / step) * step, step), 2)
        day = days[rng.integers(0, len(days), n)]
        description = tables.description[k, rng.integers(0, tables.n_desc[k]), t]
    else:
        amount, day, description = np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)

    fk = month_fixed.k.to_numpy(dtype=np.int64)
    f_day = np.array([d.toordinal() - tables.first_day for d in month_fixed.day], dtype=np.int64)
    f_desc = np.array(
        [d if isinstance(d, str) else tables.description[kk, 0, t] for d, kk in zip(month_fixed.description, fk)],
        dtype=object,
    )

    all_k = np.concatenate([fk, k])
    all_day = np.concatenate([f_day, day])
    out = pd.DataFrame(
        {
            "_k": all_k,
            "date": tables.day_text[all_day],
            "department": tables.department[all_k],
            "vendor": np.concatenate([month_fixed.vendor.to_numpy(dtype=object), tables.vendor[k]]),
            "category": tables.category[all_k],
            "amount": np.concatenate([month_fixed.amount.to_numpy(dtype=float), amount]),
            "cost_center": tables.cost_center[all_k],
            "gl_account": tables.gl[all_k],
            "investment_type": tables.investment[all_k],
            "expense_type": tables.expense[all_k],
            "currency": CURRENCY,
            "description": np.concatenate([f_desc, description]),
        }
    )
    unmapped = rng.random(len(out)) < UNMAPPED_INVESTMENT_SHARE
    out.loc[unmapped, "investment_type"] = ""
    # By date; within a day fixed invoices first, then by stream (a stable, deterministic order).
    order = np.lexsort((np.arange(len(out)), all_k, all_day))
    return out.iloc[order].reset_index(drop=True)

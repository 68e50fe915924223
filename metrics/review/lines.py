"""The lines a closed quarter was closed with, and the lines later imports changed.

Closing a quarter copies its lines, in the database, into tables of the review's own: the spend
lines dated in the quarter, its budget lines, the KPI observations dated in it and the requests
delivered in it (the population of its lead times). A restatement's drill-down is then the
difference between those copies and the lines now, computed in the database: every distinct line
counted on each side (+1 now, -1 as closed), kept where the counts differ. That needs no key, so
it holds for ledgers without invoice ids and for two identical lines of which one was removed.

The difference is then read as a person would: a line whose key (the invoice id, the request id,
the KPI and date, the budget line) is on both sides was changed; the others were added or removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrics import contract, schema
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.formatting import and_join, counted
from metrics.review.queries import review_metadata
from metrics.sql import has_table, in_quarters

# The tables whose lines a closed quarter keeps, what a line of each is called, and its key.
LINE_TABLES = {
    "spend": ("spend line", ("invoice_id",)),
    "budget": ("budget line", ("department", "category", "scenario")),
    "kpi_actuals": ("KPI observation", ("kpi", "date", "segment")),
    "requests": ("request", ("request_id",)),
}
AS_CLOSED, NOW = "as closed", "now"
CHANGED, ADDED, REMOVED = "changed", "added", "removed"


def _columns(name: str) -> list[str]:
    return [c.name for c in contract.TABLES[name].columns]


def _closed_table(name: str) -> sa.Table:
    source = schema.canonical[name]
    return sa.Table(
        f"app_review_closed_{name}",
        review_metadata,
        # The closing: the quarter and its version (apart from the table's own columns: budget
        # lines have a fiscal_year and a quarter of their own).
        sa.Column("closed_fiscal_year", sa.Integer, nullable=False),
        sa.Column("closed_quarter", sa.String, nullable=False),
        sa.Column("closed_version", sa.Integer, nullable=False),
        *(sa.Column(c, source.c[c].type, nullable=True) for c in _columns(name)),
        sa.Index(f"ix_app_review_closed_{name}_closing", "closed_fiscal_year", "closed_quarter", "closed_version"),
    )


closed_tables = {name: _closed_table(name) for name in LINE_TABLES}

# Which closings kept their lines (quarters closed before lines were kept have none to compare).
closed_line_sets = sa.Table(
    "app_review_closed_line_sets",
    review_metadata,
    sa.Column("fiscal_year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("quarter", sa.String, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("table_name", sa.String, primary_key=True),
    sa.Column("lines", sa.Integer, nullable=False),
)


def _in_quarter(name: str, calendar: FiscalCalendar, quarter: FiscalQuarter) -> list[sa.ColumnElement]:
    t = schema.canonical[name]
    if name == "budget":
        return [
            t.c.fiscal_year == sa.bindparam("fiscal_year", quarter.fiscal_year),
            t.c.quarter == sa.bindparam("quarter", f"Q{quarter.quarter}"),
        ]
    if name == "requests":
        return in_quarters(t.c.delivered_at, calendar, quarter, quarter, "delivered", timestamps=True)
    return in_quarters(t.c.date, calendar, quarter, quarter)


def _closing(closed: sa.Table, quarter: FiscalQuarter, version: int) -> list[sa.ColumnElement]:
    return [
        closed.c.closed_fiscal_year == sa.bindparam("closed_fiscal_year", quarter.fiscal_year),
        closed.c.closed_quarter == sa.bindparam("closed_quarter", f"Q{quarter.quarter}"),
        closed.c.closed_version == sa.bindparam("closed_version", version),
    ]


# --- statements ---------------------------------------------------------------------------


def keep_closed_lines_stmt(name: str, calendar: FiscalCalendar, quarter: FiscalQuarter, version: int) -> sa.Insert:
    """Copy the quarter's lines of table `name` as they are now, in the database."""
    source, closed = schema.canonical[name], closed_tables[name]
    cols = _columns(name)
    rows = sa.select(
        sa.literal(quarter.fiscal_year, sa.Integer).label("closed_fiscal_year"),
        sa.literal(f"Q{quarter.quarter}", sa.String).label("closed_quarter"),
        sa.literal(version, sa.Integer).label("closed_version"),
        *(source.c[c] for c in cols),
    ).where(*_in_quarter(name, calendar, quarter))
    return closed.insert().from_select(["closed_fiscal_year", "closed_quarter", "closed_version", *cols], rows)


def changed_lines_stmt(name: str, calendar: FiscalCalendar, quarter: FiscalQuarter, version: int) -> sa.Select:
    """The lines whose count differs between now and the closing `version`: `net` > 0 are there
    now and were not (as often), `net` < 0 were there when the quarter was closed."""
    source, closed = schema.canonical[name], closed_tables[name]
    cols = _columns(name)
    now = sa.select(*(source.c[c] for c in cols), sa.literal(1, sa.Integer).label("n")).where(
        *_in_quarter(name, calendar, quarter)
    )
    then = sa.select(*(closed.c[c] for c in cols), sa.literal(-1, sa.Integer).label("n")).where(
        *_closing(closed, quarter, version)
    )
    both = sa.union_all(now, then).subquery("both_sides")
    net = sa.func.sum(both.c.n)
    return (
        sa.select(*(both.c[c] for c in cols), net.label("net"))
        .group_by(*(both.c[c] for c in cols))
        .having(net != 0)
        .order_by(*(both.c[c] for c in cols))
    )


def line_sets_stmt(quarter: FiscalQuarter, version: int) -> sa.Select:
    s = closed_line_sets
    return sa.select(s.c.table_name, s.c.lines).where(
        s.c.fiscal_year == sa.bindparam("fiscal_year", quarter.fiscal_year),
        s.c.quarter == sa.bindparam("quarter", f"Q{quarter.quarter}"),
        s.c.version == sa.bindparam("version", version),
    )


# --- writing (inside the closing's transaction) ---------------------------------------------


def keep_closed_lines(conn: Connection, calendar: FiscalCalendar, quarter: FiscalQuarter, version: int) -> None:
    """Keep the quarter's lines of every table there is, and record that they were kept."""
    for name in LINE_TABLES:
        if not has_table(conn, schema.canonical[name].name):
            continue
        copied = conn.execute(keep_closed_lines_stmt(name, calendar, quarter, version)).rowcount
        if copied is None or copied < 0:  # drivers that do not count an INSERT ... SELECT
            closed = closed_tables[name]
            copied = conn.execute(
                sa.select(sa.func.count()).select_from(closed).where(*_closing(closed, quarter, version))
            ).scalar_one()
        conn.execute(
            closed_line_sets.insert().values(
                fiscal_year=quarter.fiscal_year,
                quarter=f"Q{quarter.quarter}",
                version=version,
                table_name=name,
                lines=int(copied),
            )
        )


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangedLines:
    """One table's lines that differ from those a closed quarter was closed with."""

    table: str
    lines: pd.DataFrame  # the table's columns, then `change` (changed/added/removed) and `side`
    changed: int  # lines whose key is on both sides (counted once)
    added: int
    removed: int

    @property
    def any(self) -> bool:
        return bool(self.changed or self.added or self.removed)

    @property
    def what(self) -> str:
        return LINE_TABLES[self.table][0]

    def sentence(self) -> str:
        """'3 spend lines differ from those the quarter was closed with: 1 changed, 2 added.'"""
        total = self.changed + self.added + self.removed
        parts = [
            f"{n} {word}" for n, word in ((self.changed, CHANGED), (self.added, ADDED), (self.removed, REMOVED)) if n
        ]
        verb = "differs" if total == 1 else "differ"
        return f"{counted(total, self.what)} {verb} from those the quarter was closed with: {and_join(parts)}."


def _key(values: tuple) -> tuple:
    """A key with its missing parts (NaN, None) made equal, so that they compare."""
    return tuple(None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in values)


def changes(name: str, diff: pd.DataFrame) -> ChangedLines:
    """Read a difference (`changed_lines_stmt`) as changed, added and removed lines."""
    cols = _columns(name)
    expanded = diff.loc[diff.index.repeat(diff["net"].abs().astype(int))].reset_index(drop=True)
    expanded["side"] = [NOW if n > 0 else AS_CLOSED for n in expanded["net"]]
    key = list(LINE_TABLES[name][1])
    keyed = expanded[key[0]].notna()  # a line without its key's first part (no invoice id) pairs with none
    on_both = set()
    if keyed.any():
        sides = expanded[keyed].groupby(key, dropna=False)["side"].agg(set)
        on_both = {_key(k if isinstance(k, tuple) else (k,)) for k, s in sides.items() if len(s) == 2}
    row_keys = [_key(tuple(r)) for r in expanded[key].itertuples(index=False)]
    expanded["change"] = [
        CHANGED if k in on_both else ADDED if side == NOW else REMOVED for k, side in zip(row_keys, expanded["side"])
    ]
    changed_keys = {k for k, c in zip(row_keys, expanded["change"]) if c == CHANGED}
    order = {AS_CLOSED: 0, NOW: 1}
    expanded = expanded.assign(_side=expanded["side"].map(order)).sort_values([*key, "_side"], na_position="last")
    lines = expanded[[*cols, "change", "side"]].reset_index(drop=True)
    return ChangedLines(
        table=name,
        lines=lines,
        changed=len(changed_keys),
        added=int((lines["change"] == ADDED).sum()),
        removed=int((lines["change"] == REMOVED).sum()),
    )


# What the drill-down shows of each table's lines, with the titles a reader knows them by.
SHOWN_COLUMNS = {
    "spend": {
        "date": "Date",
        "department": "Department",
        "vendor": "Vendor",
        "category": "Category",
        "amount": "Amount",
        "invoice_id": "Invoice",
        "description": "Description",
    },
    "budget": {
        "department": "Department",
        "category": "Category",
        "scenario": "Scenario",
        "amount": "Amount",
    },
    "kpi_actuals": {"date": "Date", "kpi": "KPI", "segment": "Segment", "value": "Value"},
    "requests": {
        "request_id": "Request",
        "title": "Title",
        "priority": "Priority",
        "type": "Type",
        "requested_at": "Requested",
        "delivered_at": "Delivered",
        "sla_days": "SLA (days)",
    },
}


def changed_lines_frame(changes: ChangedLines) -> pd.DataFrame:
    """The drill-down's table: what happened to the line, which version it is, and the line."""
    shown = SHOWN_COLUMNS[changes.table]
    out = changes.lines[[*shown]].rename(columns=shown)
    out.insert(0, "Version", changes.lines["side"].values)
    out.insert(0, "Change", changes.lines["change"].values)
    if "Amount" in out:
        out["Amount"] = out["Amount"].astype(float)
    return out.reset_index(drop=True)


def changed_lines(
    engine: Engine, calendar: FiscalCalendar, quarter: FiscalQuarter, version: int
) -> dict[str, ChangedLines] | None:
    """Per table, the lines that differ from those the closing `version` kept; None when that
    closing kept no lines (closed before lines were kept)."""
    if not has_table(engine, closed_line_sets.name):
        return None
    with engine.connect() as conn:
        kept = dict(conn.execute(line_sets_stmt(quarter, version)).all())
        if not kept:
            return None
        out = {}
        for name in LINE_TABLES:
            if name not in kept or not has_table(conn, schema.canonical[name].name):
                continue
            stmt = changed_lines_stmt(name, calendar, quarter, version)
            diff = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=[*_columns(name), "net"])
            out[name] = changes(name, diff)
    return out


_Q, _CAL = FiscalQuarter(2026, 3), FiscalCalendar(1)


def _keep(name: str) -> Callable[[str], sa.Executable]:
    return lambda dialect: keep_closed_lines_stmt(name, _CAL, _Q, 1)


def _changed(name: str) -> Callable[[str], sa.Executable]:
    return lambda dialect: changed_lines_stmt(name, _CAL, _Q, 1)


QUERIES: dict[str, Callable[[str], sa.Executable]] = {
    **{f"keep_closed_{n}": _keep(n) for n in LINE_TABLES},
    **{f"changed_{n}_lines": _changed(n) for n in LINE_TABLES},
    "closed_line_sets": lambda dialect: line_sets_stmt(_Q, 1),
}

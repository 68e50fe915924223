"""The SQL of the quarterly review: the app's own tables for commentary, decisions and actions,
and the statements that read them.

Where the review lives
    Beside the target tables, on a metadata of their own (like `metrics.targets.app_metadata`,
    apart from the canonical schema; their ``app_`` prefix keeps every import away from them, so
    the review survives CSV re-imports and restarts):

    - ``app_review_note_versions``: every version of every note, append-only, keyed by quarter,
      subject (a page or a KPI) and side (CIO, CMO, CFO).
    - ``app_review_action_versions``: every version of every decision or action, append-only.
    - ``app_review_quarter_versions``: every closing and reopening of a quarter, append-only, with
      the snapshot of its headline figures taken when it was closed. It is declared in
      `metrics.closing` (the targets read it too) and re-exported here with its readers.
    - ``app_review_audit``: one row per changed field per version of any of them (when, who,
      role, old, new).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrics import schema

# A quarter's closings live in metrics.closing (targets check them too); re-exported here.
from metrics.closing import quarter_state as quarter_state
from metrics.closing import quarter_state_stmt
from metrics.closing import quarter_versions as quarter_versions
from metrics.closing import read_quarter_state as read_quarter_state
from metrics.fiscal import FiscalQuarter
from metrics.review.compute import Action, Note, action_from_row, budget_line, note_from_row
from metrics.sql import has_table

# Apart from the canonical schema's metadata: ensure_schema() and imports never see them.
review_metadata = sa.MetaData()

note_versions = sa.Table(
    "app_review_note_versions",
    review_metadata,
    sa.Column("fiscal_year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("quarter", sa.String, primary_key=True),  # "Q1".."Q4"
    sa.Column("subject_kind", sa.String, primary_key=True),  # "page" or "kpi"
    sa.Column("subject", sa.String, primary_key=True),
    sa.Column("side", sa.String, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("text", sa.String),  # NULL: the note was cleared
    sa.Column("changed_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("changed_by", sa.String, nullable=False),
    sa.Column("role", sa.String, nullable=False),
)

action_versions = sa.Table(
    "app_review_action_versions",
    review_metadata,
    sa.Column("action_id", sa.String, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("text", sa.String, nullable=False),
    sa.Column("owner", sa.String, nullable=False),
    sa.Column("due_on", sa.Date),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("subject_kind", sa.String, nullable=False),
    sa.Column("subject", sa.String, nullable=False),
    sa.Column("raised_fiscal_year", sa.Integer, nullable=False),
    sa.Column("raised_quarter", sa.String, nullable=False),
    sa.Column("changed_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("changed_by", sa.String, nullable=False),
    sa.Column("role", sa.String, nullable=False),
)

review_audit = sa.Table(
    "app_review_audit",
    review_metadata,
    sa.Column("entity", sa.String, primary_key=True),  # "note" or "action"
    sa.Column("ref", sa.String, primary_key=True),  # "FY2026 Q3|page|tech_spend|CFO" or the action id
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("field", sa.String, primary_key=True),
    sa.Column("changed_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("changed_by", sa.String, nullable=False),
    sa.Column("role", sa.String, nullable=False),
    sa.Column("old_value", sa.String),
    sa.Column("new_value", sa.String),
)


# --- statements ---------------------------------------------------------------------------


def _latest(table: sa.Table, keys: list[str]) -> sa.Select:
    """The latest version of each row identified by `keys`."""
    newest = (
        sa.select(*(table.c[k] for k in keys), sa.func.max(table.c.version).label("version"))
        .group_by(*(table.c[k] for k in keys))
        .subquery("newest")
    )
    return sa.select(table).join(
        newest, sa.and_(*(table.c[k] == newest.c[k] for k in keys), table.c.version == newest.c.version)
    )


NOTE_KEY = ["fiscal_year", "quarter", "subject_kind", "subject", "side"]


def quarter_notes_stmt(quarter: FiscalQuarter) -> sa.Select:
    """The latest version of every note written about `quarter`."""
    n = note_versions
    return _latest(n, NOTE_KEY).where(
        n.c.fiscal_year == sa.bindparam("fiscal_year", quarter.fiscal_year),
        n.c.quarter == sa.bindparam("quarter", f"Q{quarter.quarter}"),
    )


def one_note_stmt(quarter: FiscalQuarter, kind: str, subject: str, side: str) -> sa.Select:
    """The latest version of one note (the saving transaction checks it)."""
    n = note_versions
    return (
        sa.select(n)
        .where(
            n.c.fiscal_year == sa.bindparam("fiscal_year", quarter.fiscal_year),
            n.c.quarter == sa.bindparam("quarter", f"Q{quarter.quarter}"),
            n.c.subject_kind == sa.bindparam("subject_kind", kind),
            n.c.subject == sa.bindparam("subject", subject),
            n.c.side == sa.bindparam("side", side),
        )
        .order_by(n.c.version.desc())
        .limit(1)
    )


def latest_actions_stmt() -> sa.Select:
    """The latest version of every decision and action."""
    return _latest(action_versions, ["action_id"])


def one_action_stmt(action_id: str) -> sa.Select:
    a = action_versions
    return (
        sa.select(a).where(a.c.action_id == sa.bindparam("action_id", action_id)).order_by(a.c.version.desc()).limit(1)
    )


def review_version_stmt() -> sa.Select:
    """Saved versions of notes and actions (append-only, so it grows with each save)."""
    notes = sa.select(sa.func.count()).select_from(note_versions).scalar_subquery()
    actions = sa.select(sa.func.count()).select_from(action_versions).scalar_subquery()
    quarters = sa.select(sa.func.count()).select_from(quarter_versions).scalar_subquery()
    return sa.select(notes.label("notes"), actions.label("actions"), quarters.label("quarters"))


def review_audit_stmt() -> sa.Select:
    return sa.select(review_audit).order_by(review_audit.c.changed_at.desc(), review_audit.c.ref)


def catalogue_vendors_stmt() -> sa.Select:
    """Vendors a decision can be about: those in IT's catalogue..."""
    return sa.select(schema.vendors.c.vendor).distinct()


def paid_vendors_stmt() -> sa.Select:
    """...and those paid (overlap and shadow IT name them as spelled in spend)."""
    return sa.select(schema.spend.c.vendor).distinct()


def request_types_stmt() -> sa.Select:
    r = schema.requests
    return sa.select(r.c.type).where(r.c.type.is_not(None)).distinct()


def budget_lines_stmt() -> sa.Select:
    b = schema.budget
    return sa.select(b.c.department, b.c.category).distinct()


# --- runners ------------------------------------------------------------------------------


def read_note(conn: Connection, quarter: FiscalQuarter, kind: str, subject: str, side: str) -> Note | None:
    if not has_table(conn, note_versions.name):
        return None
    row = conn.execute(one_note_stmt(quarter, kind, subject, side)).mappings().first()
    return note_from_row(row) if row else None


def read_action(conn: Connection, action_id: str) -> Action | None:
    if not has_table(conn, action_versions.name):
        return None
    row = conn.execute(one_action_stmt(action_id)).mappings().first()
    return action_from_row(row) if row else None


def quarter_notes(engine: Engine, quarter: FiscalQuarter) -> tuple[Note, ...]:
    """Every note written about `quarter` (cleared ones included, with text None)."""
    if not has_table(engine, note_versions.name):
        return ()
    with engine.connect() as conn:
        rows = conn.execute(quarter_notes_stmt(quarter)).mappings().all()
    return tuple(sorted((note_from_row(r) for r in rows), key=lambda n: (n.kind, n.subject, n.side)))


def note(engine: Engine, quarter: FiscalQuarter, kind: str, subject: str, side: str) -> Note | None:
    with engine.connect() as conn:
        return read_note(conn, quarter, kind, subject, side)


def actions(engine: Engine) -> tuple[Action, ...]:
    """Every decision and action as it stands, oldest first."""
    if not has_table(engine, action_versions.name):
        return ()
    with engine.connect() as conn:
        rows = conn.execute(latest_actions_stmt()).mappings().all()
    return tuple(sorted((action_from_row(r) for r in rows), key=lambda a: (a.raised, a.action_id)))


def review_version(engine: Engine) -> str:
    """A small cache key that changes with every note or action saved."""
    if not all(has_table(engine, t.name) for t in (note_versions, action_versions, quarter_versions)):
        return "0.0.0"
    with engine.connect() as conn:
        row = conn.execute(review_version_stmt()).one()
    return f"{row.notes}.{row.actions}.{row.quarters}"


def audit_rows(engine: Engine) -> list[dict]:
    """Every change to the review, newest first."""
    if not has_table(engine, review_audit.name):
        return []
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(review_audit_stmt()).mappings()]


def subject_options(engine: Engine) -> dict[str, list[str]]:
    """What a decision can be about, besides KPIs: vendors, request types and budget lines."""
    out: dict[str, list[str]] = {"vendor": [], "request_type": [], "budget_line": []}
    with engine.connect() as conn:
        vendors: set[str] = set()
        for table, stmt in ((schema.vendors, catalogue_vendors_stmt), (schema.spend, paid_vendors_stmt)):
            if has_table(conn, table.name):
                vendors |= {v for (v,) in conn.execute(stmt()) if v}
        out["vendor"] = sorted(vendors)
        if has_table(conn, schema.requests.name):
            out["request_type"] = sorted({t for (t,) in conn.execute(request_types_stmt()) if t})
        if has_table(conn, schema.budget.name):
            out["budget_line"] = sorted({budget_line(d, c) for d, c in conn.execute(budget_lines_stmt()) if d and c})
    return out


# Every statement this area reads with, as run (example parameters), for the dialect check.
_Q = FiscalQuarter(2026, 3)
QUERIES: dict[str, Callable[[str], sa.Select]] = {
    "quarter_notes": lambda dialect: quarter_notes_stmt(_Q),
    "one_note": lambda dialect: one_note_stmt(_Q, "page", "tech_spend", "CFO"),
    "quarter_state": lambda dialect: quarter_state_stmt(_Q),
    "latest_actions": lambda dialect: latest_actions_stmt(),
    "one_action": lambda dialect: one_action_stmt("3f2a9c1b7d4e"),
    "review_version": lambda dialect: review_version_stmt(),
    "review_audit": lambda dialect: review_audit_stmt(),
    "catalogue_vendors": lambda dialect: catalogue_vendors_stmt(),
    "paid_vendors": lambda dialect: paid_vendors_stmt(),
    "request_types": lambda dialect: request_types_stmt(),
    "budget_lines": lambda dialect: budget_lines_stmt(),
}

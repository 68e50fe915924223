"""KPI targets managed in the app: proposals, the CIO's and the CMO's agreement, the audit
history, and optimistic locking.

Where targets live
    Imported targets come from the canonical ``kpi_targets`` table. What people change in the
    app is stored apart, in two user tables (their ``app_`` prefix keeps every import away from
    them, so edits survive CSV re-imports and restarts):

    - ``app_kpi_target_versions``: every version of a target set in the app, append-only.
    - ``app_kpi_target_audit``: one row per changed field per version (when, who, role, old, new).

    The *effective* target of a KPI for a quarter is its latest in-app version if there is one,
    else the imported row (version 0), else there is no target.

Rules
    - A proposal (value, at-risk threshold, note) clears both agreements: the other side has not
      seen the new figure.
    - Only the CIO records the CIO's agreement and only the CMO the CMO's; the date recorded is
      today's date in UTC.
    - Every change names the version it was based on and writes version + 1. The primary key
      (kpi, fiscal_year, quarter, version) turns that into a conditional insert: of two saves
      based on the same version exactly one can insert version + 1, on every engine, even when
      both checked before either wrote. The loser gets `StaleTargetError` saying who changed the
      target and when; nothing is silently overwritten. The version rows and their audit rows
      are written in one transaction.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Mapping

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrics import schema
from metrics.fiscal import FiscalQuarter

# Separate from the canonical schema's metadata: ensure_schema() and imports never see them.
app_metadata = sa.MetaData()

target_versions = sa.Table(
    "app_kpi_target_versions",
    app_metadata,
    sa.Column("kpi", sa.String, primary_key=True),
    sa.Column("fiscal_year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("quarter", sa.String, primary_key=True),  # "Q1".."Q4", as in kpi_targets
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    # Double precision on every engine (a plain Float is single precision in DuckDB).
    sa.Column("target", sa.Double, nullable=False),
    sa.Column("at_risk_threshold", sa.Double),
    sa.Column("note", sa.String),
    sa.Column("agreed_by_cio_on", sa.Date),
    sa.Column("agreed_by_cmo_on", sa.Date),
    sa.Column("changed_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("changed_by", sa.String, nullable=False),
    sa.Column("role", sa.String, nullable=False),
)

target_audit = sa.Table(
    "app_kpi_target_audit",
    app_metadata,
    sa.Column("kpi", sa.String, primary_key=True),
    sa.Column("fiscal_year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("quarter", sa.String, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("field", sa.String, primary_key=True),
    sa.Column("changed_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("changed_by", sa.String, nullable=False),
    sa.Column("role", sa.String, nullable=False),
    sa.Column("old_value", sa.String),
    sa.Column("new_value", sa.String),
)

ROLES = ("CIO", "CMO", "Analyst")
AGREEING_ROLES = ("CIO", "CMO")
# The fields a change can touch, in the order the audit lists them, with their display names.
FIELDS = {
    "target": "Target",
    "at_risk_threshold": "At-risk threshold",
    "note": "Note",
    "agreed_by_cio_on": "CIO agreement",
    "agreed_by_cmo_on": "CMO agreement",
}
NOTE_MAX_CHARS = 500
TARGET_COLUMNS = ["kpi", "fiscal_year", "fiscal_quarter", "quarter", "target", "at_risk_threshold", "note",
                  "agreed_by_cio_on", "agreed_by_cmo_on", "version", "source", "changed_by", "changed_at"]
AUDIT_COLUMNS = ["changed_at", "changed_by", "role", "kpi", "quarter", "field", "old_value", "new_value", "version"]


class TargetError(ValueError):
    """A change to a target was refused; the message says why, in words for the user."""


class StaleTargetError(TargetError):
    """The target changed since the user loaded it; their save was refused."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change. Until login exists, the acting role is chosen in the app."""

    name: str
    role: str  # one of ROLES


@dataclass(frozen=True)
class EffectiveTarget:
    kpi: str
    quarter: FiscalQuarter
    target: float
    at_risk_threshold: float | None  # as set; None = the default (5% of the target)
    note: str | None
    agreed_by_cio_on: date | None
    agreed_by_cmo_on: date | None
    version: int  # 0 = the imported row, untouched in the app
    source: str  # "imported" or "in app"
    changed_by: str | None  # None for the imported row
    changed_at: datetime | None  # UTC

    def fields(self) -> dict:
        return {f: getattr(self, f) for f in FIELDS}


_creating = threading.Lock()


def ensure_tables(engine: Engine) -> None:
    """Create the app's target tables if they do not exist yet (idempotent).

    Sessions of one app process take turns (concurrent CREATEs conflict on DuckDB and
    PostgreSQL); a conflict with another process is settled by checking again once it is done.
    """
    with _creating:
        try:
            app_metadata.create_all(engine, checkfirst=True)
        except sa.exc.DBAPIError:
            app_metadata.create_all(engine, checkfirst=True)


def _has_table(engine_or_conn, name: str) -> bool:
    return sa.inspect(engine_or_conn).has_table(name)


# --- reading ------------------------------------------------------------------------------


def _latest_versions_stmt() -> sa.Select:
    v = target_versions
    newest = (sa.select(v.c.kpi, v.c.fiscal_year, v.c.quarter, sa.func.max(v.c.version).label("version"))
              .group_by(v.c.kpi, v.c.fiscal_year, v.c.quarter).subquery("newest"))
    return sa.select(v).join(newest, sa.and_(v.c.kpi == newest.c.kpi, v.c.fiscal_year == newest.c.fiscal_year,
                                             v.c.quarter == newest.c.quarter, v.c.version == newest.c.version))


def _years(stmt: sa.Select, table: sa.Table, first: FiscalQuarter | None, last: FiscalQuarter | None) -> sa.Select:
    """Narrow to the fiscal years of [first, last]; quarters are trimmed in pandas (a few rows)."""
    if first is not None:
        stmt = stmt.where(table.c.fiscal_year >= sa.bindparam("first_year", first.fiscal_year))
    if last is not None:
        stmt = stmt.where(table.c.fiscal_year <= sa.bindparam("last_year", last.fiscal_year))
    return stmt


def _quarter(fiscal_year, quarter: str) -> FiscalQuarter:
    return FiscalQuarter(int(fiscal_year), int(str(quarter).strip().upper().lstrip("Q")))


def _as_date(v) -> date | None:
    if v is None:
        return None
    if isinstance(v, str):  # SQLite returns the stored text
        return date.fromisoformat(v[:10])
    return v.date() if isinstance(v, datetime) else v


def _as_float(v) -> float | None:
    if v is None or pd.isna(v):
        return None
    return float(v)


def _from_import(row: Mapping) -> EffectiveTarget:
    return EffectiveTarget(
        kpi=row["kpi"], quarter=_quarter(row["fiscal_year"], row["quarter"]), target=float(row["target"]),
        at_risk_threshold=_as_float(row["at_risk_threshold"]), note=row["note"] or None,
        agreed_by_cio_on=_as_date(row["agreed_by_cio_on"]), agreed_by_cmo_on=_as_date(row["agreed_by_cmo_on"]),
        version=0, source="imported", changed_by=None, changed_at=None)


def _from_app(row: Mapping) -> EffectiveTarget:
    return EffectiveTarget(
        kpi=row["kpi"], quarter=_quarter(row["fiscal_year"], row["quarter"]), target=float(row["target"]),
        at_risk_threshold=_as_float(row["at_risk_threshold"]), note=row["note"] or None,
        agreed_by_cio_on=_as_date(row["agreed_by_cio_on"]), agreed_by_cmo_on=_as_date(row["agreed_by_cmo_on"]),
        version=int(row["version"]), source="in app", changed_by=row["changed_by"], changed_at=row["changed_at"])


def _effective(conn: Connection, first: FiscalQuarter | None, last: FiscalQuarter | None,
               kpi: str | None = None) -> dict[tuple[str, FiscalQuarter], EffectiveTarget]:
    found: dict[tuple[str, FiscalQuarter], EffectiveTarget] = {}
    sources = ((schema.kpi_targets, sa.select(schema.kpi_targets), _from_import),
               (target_versions, _latest_versions_stmt(), _from_app))
    for table, stmt, build in sources:  # in-app versions last: they override imported rows
        if not _has_table(conn, table.name):
            continue
        stmt = _years(stmt, table, first, last)
        if kpi is not None:
            stmt = stmt.where(table.c.kpi == sa.bindparam("kpi", kpi))
        for row in conn.execute(stmt).mappings():
            t = build(row)
            if (first is None or t.quarter >= first) and (last is None or t.quarter <= last):
                found[(t.kpi, t.quarter)] = t
    return found


def effective_targets(engine: Engine, first: FiscalQuarter | None = None,
                      last: FiscalQuarter | None = None) -> pd.DataFrame:
    """The effective target of every KPI for every quarter in [first, last] that has one.

    Columns: kpi, fiscal_year, fiscal_quarter, quarter (label), target, at_risk_threshold (None =
    default), note, agreed_by_cio_on, agreed_by_cmo_on, version, source, changed_by, changed_at.
    """
    with engine.connect() as conn:
        found = _effective(conn, first, last)
    rows = [{"kpi": t.kpi, "fiscal_year": t.quarter.fiscal_year, "fiscal_quarter": t.quarter.quarter,
             "quarter": t.quarter.label, **t.fields(), "version": t.version, "source": t.source,
             "changed_by": t.changed_by, "changed_at": t.changed_at}
            for _, t in sorted(found.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def effective_target(engine: Engine, kpi: str, quarter: FiscalQuarter) -> EffectiveTarget | None:
    with engine.connect() as conn:
        return _effective(conn, quarter, quarter, kpi).get((kpi, quarter))


def targets_by_quarter(frame: pd.DataFrame) -> dict[tuple[str, FiscalQuarter], EffectiveTarget]:
    """`effective_targets` output (for instance after a cache round trip) back as targets."""
    def clean(v):
        return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v

    out = {}
    for r in frame.to_dict("records"):
        q = FiscalQuarter(int(r["fiscal_year"]), int(r["fiscal_quarter"]))
        threshold = clean(r["at_risk_threshold"])
        out[(r["kpi"], q)] = EffectiveTarget(
            kpi=r["kpi"], quarter=q, target=float(r["target"]),
            at_risk_threshold=None if threshold is None else float(threshold), note=clean(r["note"]),
            agreed_by_cio_on=_as_date(clean(r["agreed_by_cio_on"])), agreed_by_cmo_on=_as_date(clean(r["agreed_by_cmo_on"])),
            version=int(r["version"]), source=r["source"], changed_by=clean(r["changed_by"]),
            changed_at=clean(r["changed_at"]))
    return out


def targets_version(engine: Engine) -> str:
    """A small cache key that changes with every change made in the app (versions are append-only)."""
    if not _has_table(engine, target_versions.name):
        return "0"
    with engine.connect() as conn:
        return str(conn.execute(sa.select(sa.func.count()).select_from(target_versions)).scalar())


def audit_history(engine: Engine) -> pd.DataFrame:
    """Every change made in the app, newest first.

    Columns: changed_at (UTC), changed_by, role, kpi, quarter (label), field (display name),
    old_value, new_value, version.
    """
    if not _has_table(engine, target_audit.name):
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(target_audit)).mappings().all()
    out = pd.DataFrame(
        [{"changed_at": r["changed_at"], "changed_by": r["changed_by"], "role": r["role"], "kpi": r["kpi"],
          "quarter": _quarter(r["fiscal_year"], r["quarter"]).label, "field": FIELDS.get(r["field"], r["field"]),
          "old_value": r["old_value"], "new_value": r["new_value"], "version": r["version"],
          "field_order": list(FIELDS).index(r["field"]) if r["field"] in FIELDS else len(FIELDS)} for r in rows],
        columns=[*AUDIT_COLUMNS, "field_order"])
    # Newest change first; the fields of one change in their usual order.
    out = out.sort_values(["changed_at", "kpi", "quarter", "version", "field_order"],
                          ascending=[False, True, True, False, True], kind="stable")
    for col in ("old_value", "new_value"):  # an empty old or new value stays None, not NaN
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out[AUDIT_COLUMNS].reset_index(drop=True)


# --- changing -----------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _text(value) -> str | None:
    """How a field's value reads in the audit history."""
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _finite(value, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TargetError(f"The {what} must be a number.") from None
    if not math.isfinite(number):
        raise TargetError(f"The {what} must be a finite number.")
    return number


def _kpi_name(conn: Connection, kpi: str) -> str:
    k = schema.kpis
    name = None
    if _has_table(conn, k.name):
        name = conn.execute(sa.select(k.c.name).where(k.c.kpi == sa.bindparam("kpi", kpi))).scalar()
    if name is None:
        raise TargetError(f"There is no KPI '{kpi}' in the glossary.")
    return name


def _stale(name: str, quarter: FiscalQuarter, current: EffectiveTarget | None) -> StaleTargetError:
    if current is None or current.changed_at is None:
        who_when = "by a data import"
    else:
        who_when = f"by {current.changed_by} at {current.changed_at:%Y-%m-%d %H:%M} UTC"
    return StaleTargetError(f"The {quarter.label} target for {name} was changed {who_when} after you opened it; "
                            "reload and try again.")


def _check_actor(actor: Actor) -> None:
    if actor.role not in ROLES:
        raise TargetError(f"Unknown role '{actor.role}': act as one of {', '.join(ROLES)}.")
    if not actor.name.strip():
        raise TargetError("Say who is making the change.")


def _save(engine: Engine, kpi: str, quarter: FiscalQuarter, expected_version: int, actor: Actor,
          change, now: datetime | None) -> EffectiveTarget:
    """Write version expected_version + 1 of the target, with `change(name, current)` giving the
    new fields, and one audit row per changed field, in one transaction."""
    _check_actor(actor)
    ensure_tables(engine)
    when = now or _now()
    name = kpi
    try:
        with engine.begin() as conn:
            name = _kpi_name(conn, kpi)
            current = _effective(conn, quarter, quarter, kpi).get((kpi, quarter))
            if (current.version if current else 0) != expected_version:
                raise _stale(name, quarter, current)
            fields = change(name, current)
            old = current.fields() if current else dict.fromkeys(FIELDS)
            changed = [f for f in FIELDS if fields[f] != old[f]]
            if not changed:
                raise TargetError(f"Nothing to change: the {quarter.label} target for {name} already reads so.")
            key = {"kpi": kpi, "fiscal_year": quarter.fiscal_year, "quarter": quarter.q,
                   "version": expected_version + 1}
            who = {"changed_at": when, "changed_by": actor.name, "role": actor.role}
            conn.execute(target_versions.insert().values(**key, **fields, **who))
            conn.execute(target_audit.insert(), [
                {**key, **who, "field": f, "old_value": _text(old[f]), "new_value": _text(fields[f])} for f in changed])
            saved = EffectiveTarget(kpi=kpi, quarter=quarter, **fields, version=expected_version + 1,
                                    source="in app", changed_by=actor.name, changed_at=when)
    except sa.exc.DBAPIError:
        # Lost a race: another save inserted the same version first (a key violation, or on
        # DuckDB a conflict at commit). If the version has moved on, say so; else it is a real fault.
        latest = effective_target(engine, kpi, quarter)
        if (latest.version if latest else 0) != expected_version:
            raise _stale(name, quarter, latest) from None
        raise
    return saved


def propose_target(engine: Engine, kpi: str, quarter: FiscalQuarter, *, target: float,
                   at_risk_threshold: float | None, note: str | None, actor: Actor, expected_version: int,
                   now: datetime | None = None) -> EffectiveTarget:
    """Propose a new target for a KPI and quarter. Clears both agreements.

    `at_risk_threshold` None means the default (5% of the target). Raises TargetError (or
    StaleTargetError) with a message for the user when the change is refused.
    """
    value = _finite(target, "target")
    threshold = None if at_risk_threshold is None else _finite(at_risk_threshold, "at-risk threshold")
    if threshold is not None and threshold < 0:
        raise TargetError("The at-risk threshold is a distance from the target: it cannot be negative.")
    text = (note or "").strip() or None
    if text and len(text) > NOTE_MAX_CHARS:
        raise TargetError(f"Keep the note under {NOTE_MAX_CHARS} characters.")

    def proposal(_name: str, _current: EffectiveTarget | None) -> dict:
        return {"target": value, "at_risk_threshold": threshold, "note": text,
                "agreed_by_cio_on": None, "agreed_by_cmo_on": None}

    return _save(engine, kpi, quarter, expected_version, actor, proposal, now)


def record_agreement(engine: Engine, kpi: str, quarter: FiscalQuarter, *, side: str, actor: Actor,
                     expected_version: int, now: datetime | None = None) -> EffectiveTarget:
    """Record the CIO's or the CMO's agreement to the current target, dated today (UTC)."""
    if side not in AGREEING_ROLES:
        raise TargetError(f"Only the CIO and the CMO agree targets, not '{side}'.")
    if actor.role != side:
        raise TargetError(f"Only the {side} can record the {side}'s agreement; you are acting as {actor.role}.")
    when = now or _now()
    field = f"agreed_by_{side.lower()}_on"

    def agreement(name: str, current: EffectiveTarget | None) -> dict:
        if current is None:
            raise TargetError(f"There is no {quarter.label} target for {name} to agree; propose one first.")
        if getattr(current, field) is not None:
            raise TargetError(f"The {side} already agreed the {quarter.label} target for {name} "
                              f"on {getattr(current, field):%Y-%m-%d}.")
        return replace(current, **{field: when.date()}).fields()

    return _save(engine, kpi, quarter, expected_version, actor, agreement, when)
